"""The boto3 DynamoDB client (built once per database, shared: clients are thread-safe) and what
its errors say: the one home of error_code and of the codes DynamoDB sheds load with."""
from __future__ import annotations

import json
import os
from typing import Any, NotRequired, TypedDict

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from config import Settings
from observability import metrics
from storage import stall_budget
from storage.lean_calls import lean_calls
from storage.lean_transport import lean_transport

# Error codes DynamoDB uses when it sheds load; botocore retries them first.
THROTTLING_CODES = frozenset({
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "LimitExceededException",
})
# botocore's answer to a call as its parser builds it (any operation's shape). Open on purpose.
ParsedAnswer = dict[str, Any]


class ClientArgs(TypedDict):
    """What make_client gives boto3's client()."""

    region_name: str
    config: Config
    endpoint_url: NotRequired[str]
    aws_access_key_id: NotRequired[str]
    aws_secret_access_key: NotRequired[str]


class ClientLimits(TypedDict):
    """How many attempts a call makes, and how long each may wait (make_client's overrides)."""

    max_attempts: int
    connect_timeout: float
    read_timeout: float


class RawAnswer(TypedDict, total=False):
    """An HTTP answer as botocore hands it to its parser."""

    status_code: int
    headers: dict[str, str]
    body: bytes


# The readiness probe answers within 2 s however DynamoDB behaves: one short attempt per call.
PROBE_TIMEOUTS: ClientLimits = {"max_attempts": 1, "connect_timeout": 0.5, "read_timeout": 0.6}


def make_client(settings: Settings, max_attempts: int | None = None, connect_timeout: float | None = None,
                read_timeout: float | None = None):
    """A thread-safe low-level DynamoDB client built from the settings (some of them overridden),
    which respects the stall budget of the request it serves; `max_attempts` counts every attempt."""
    kwargs: ClientArgs = {
        "region_name": settings.aws_region,
        "config": Config(
            # total_max_attempts counts the first try; botocore's max_attempts would add one to it.
            retries={"mode": "standard", "total_max_attempts": max_attempts or settings.dynamodb_max_attempts},
            connect_timeout=connect_timeout or settings.dynamodb_connect_timeout,
            read_timeout=read_timeout or settings.dynamodb_read_timeout,
            max_pool_connections=50,
            # The requests are built here from validated input, never from a caller's raw shapes:
            # botocore's walk of every parameter against the service model costs about a tenth
            # of a millisecond per call (bench/README.md), and DynamoDB checks them again anyway.
            parameter_validation=False,
        ),
    }
    if settings.dynamodb_endpoint_url:
        kwargs["endpoint_url"] = settings.dynamodb_endpoint_url
        # Local endpoints accept any key; don't make developers invent one.
        if not os.environ.get("AWS_ACCESS_KEY_ID") and not os.environ.get("AWS_PROFILE"):
            kwargs["aws_access_key_id"] = "local"
            kwargs["aws_secret_access_key"] = "local"
    client = boto3.session.Session().client("dynamodb", **kwargs)
    lean_calls(client)
    lean_transport(client)
    stall_budget.watch(client)
    metrics.watch_dynamodb(client, THROTTLING_CODES)
    for operation in ("Query", "Scan"):
        client.meta.events.register(f"before-parse.dynamodb.{operation}", _items_as_sent)
    return client


def _items_as_sent(response_dict: RawAnswer, customized_response_dict: ParsedAnswer, **_kwargs: object) -> None:
    """Hand a successful Query/Scan answer over as DynamoDB sent it, past botocore's parser.

    The parser walks every attribute of every item through the service model (about 2 ms of CPU for
    a month of events); for the types this service stores (S, N, M, L, BOOL, NULL, SS, NS: never
    binary) DynamoDB's JSON already is exactly what the low-level client would return.
    """
    if response_dict.get("status_code") == 200 and response_dict.get("body"):
        customized_response_dict.update(json.loads(response_dict["body"]))
        response_dict["body"] = b"{}"


def error_code(exc: ClientError) -> str:
    """The DynamoDB error code of a ClientError, e.g. "ConditionalCheckFailedException"."""
    return exc.response.get("Error", {}).get("Code", "")


def cancellation_codes(exc: ClientError) -> list[str]:
    """The code of each item's cancellation reason in a cancelled TransactWriteItems ("None" when
    that item's condition held)."""
    reasons = exc.response.get("CancellationReasons")
    if reasons:
        return [r.get("Code", "None") for r in reasons]
    # Some engines only put the reasons in the message: "... reasons [ConditionalCheckFailed, None]".
    message = exc.response.get("Error", {}).get("Message", "")
    if "[" in message and "]" in message:
        inside = message[message.rindex("[") + 1 : message.rindex("]")]
        return [part.strip() for part in inside.split(",")]
    return []
