"""Fault injection: the only things the tests fake (throttling, server errors, absent credentials)."""
from __future__ import annotations

import json

from botocore.awsrequest import AWSResponse

THROTTLING_BODY = {
    "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
    "message": "The level of configured provisioned throughput for the table was exceeded.",
}


class _RawBody:
    def __init__(self, data: bytes):
        self.data = data

    def stream(self, **kwargs):
        yield self.data


def answer(request, status: int, body: dict) -> AWSResponse:
    """An HTTP answer from "DynamoDB" to `request`, for a before-send hook to return."""
    headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "fault-injection"}
    return AWSResponse(request.url, status, headers, _RawBody(json.dumps(body).encode()))


def throttling_hook(times: int):
    """A botocore before-send hook answering the first `times` calls with a throttling error.

    botocore's own retry logic sees a real HTTP 400 throttling response; returns (hook, counter).
    """
    calls = {"throttled": 0}

    def hook(request, **kwargs):
        if calls["throttled"] >= times:
            return None
        calls["throttled"] += 1
        return answer(request, 400, THROTTLING_BODY)

    return hook, calls


def server_error_hook():
    """A botocore before-send hook answering every call with DynamoDB's HTTP 500; returns (hook, calls)."""
    calls = []

    def hook(request, **kwargs):
        calls.append(request)
        return answer(request, 500, {"__type": "com.amazonaws.dynamodb.v20120810#InternalServerError",
                                     "message": "Internal server error"})

    return hook, calls


def remove_aws_credentials(monkeypatch, tmp_path) -> None:
    """Leave the default credential chain with nothing to find (and no metadata service)."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                 "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                 "AWS_WEB_IDENTITY_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
