"""The DynamoDB client's shortcuts (storage/lean_calls.py) send what botocore itself would send:
for every call a day of the service makes, the same request (bytes, headers, method) as
botocore's own JSON serializer, the endpoint botocore's ruleset resolves for that very call, and
the headers botocore's SigV4 signer would set."""
from __future__ import annotations

import copy
import hashlib
import hmac

import botocore.serialize
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import ReadOnlyCredentials

from storage.lean_calls import DATA_PLANE, EndpointPerOperation, OnePassSigV4, SentAsBuilt, SigningCache


@pytest.fixture
def recorded(db):
    """Every call's operation model and parameters as botocore serializes them."""
    calls: list = []

    def record(params, model, **_kwargs):
        calls.append((model, copy.deepcopy(params)))

    db.client.meta.events.register_last("before-parameter-build.dynamodb", record)
    yield calls
    db.client.meta.events.unregister("before-parameter-build.dynamodb", record)


def a_day_of_calls(client, db) -> None:
    """Departments, events, a series and its exceptions, edits, deletes, restores, lists, sync,
    search, history, an idempotent retry and a bulk load, each through the API where it has one."""
    department = client.post("/api/departments", json={"name": "린 호출", "description": "설명 \"따옴표\""}).get_json()
    dept = department["id"]
    event = client.post(f"/api/events/{dept}", json={
        "event_date": "2024-03-04", "end_date": "2024-03-06", "title": "주간 회의 ☕", "time": "10:00",
        "description": "줄\n바꿈 \\ 역슬래시", "url": "https://example.com/a?b=c"}).get_json()
    series = client.post(f"/api/events/{dept}", json={
        "event_date": "2024-03-04", "title": "스탠드업", "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10"]})
    assert series.status_code == 201, series.get_json()
    series = series.get_json()
    retried = {"Idempotency-Key": "lean-calls-1"}
    for _ in range(2):
        assert client.post(f"/api/events/{dept}", json={"event_date": "2024-03-08", "title": "한 번"},
                           headers=retried).status_code == 201
    assert client.get(f"/api/events/{dept}", query_string={"from": "2024-03-01", "to": "2024-03-31",
                                                           "expand": "true"}).status_code == 200
    assert client.get(f"/api/events/{dept}", query_string={"limit": 2}).status_code == 200
    token = client.get(f"/api/events/{dept}").headers["X-Sync-Token"]
    assert client.put(f"/api/events/{event['id']}", json={"title": "바뀐 회의"},
                      headers={"If-Match": '"1"'}).status_code == 200
    assert client.put(f"/api/events/{series['id']}_20240306?scope=this", json={"title": "하루만"}).status_code == 200
    assert client.put(f"/api/events/{series['id']}_20240311?scope=following", json={"title": "이후"}).status_code == 200
    assert client.delete(f"/api/events/{event['id']}").status_code == 204
    assert client.post(f"/api/departments/{dept}/trash/{event['id']}/restore").status_code == 200
    assert client.get(f"/api/events/{dept}/{event['id']}/history").status_code == 200
    assert client.get(f"/api/events/{dept}", query_string={"changed_since": token}).status_code == 200
    assert client.get("/api/search", query_string={"q": "회의"}).status_code == 200
    assert client.get("/api/departments").status_code == 200
    db.put_events([{**event, "id": f"bulk-{n}", "event_date": f"2024-04-{n + 1:02d}"} for n in range(30)])
    assert client.delete(f"/api/departments/{dept}").status_code == 204


def test_every_call_of_a_day_is_sent_as_botocore_would_serialize_it(client, db, recorded):
    a_day_of_calls(client, db)
    botocore_json = botocore.serialize.create_serializer("json", include_validation=False)
    metadata = db.client.meta.service_model.metadata
    lean = SentAsBuilt(botocore_json, metadata["targetPrefix"], metadata["jsonVersion"])
    seen = set()
    for model, params in recorded:
        seen.add(model.name)
        assert lean.serialize_to_request(params, model) == botocore_json.serialize_to_request(params, model), model.name
    # The calls of the request path, each seen at least once (else this test proves nothing of it).
    assert {"GetItem", "UpdateItem", "Query", "BatchGetItem", "BatchWriteItem",
            "TransactWriteItems"} <= seen & DATA_PLANE


def test_each_call_goes_to_the_endpoint_botocore_resolves_for_it(client, db, recorded):
    a_day_of_calls(client, db)
    lean = db.client._ruleset_resolver
    assert isinstance(lean, EndpointPerOperation)
    botocore_resolver = lean._resolver
    for model, params in recorded:
        assert lean.construct_endpoint(model, params, {}) == botocore_resolver.construct_endpoint(model, params, {})


def signed_by_botocore(request: AWSRequest, auth: SigV4Auth, timestamp: str) -> AWSRequest:
    """`request` signed by botocore's SigV4Auth.add_auth, at `timestamp` instead of the clock's time."""
    request.context["timestamp"] = timestamp
    auth._modify_request_before_signing(request)
    signature = auth.signature(auth.string_to_sign(request, auth.canonical_request(request)), request)
    return auth._inject_signature_to_request(request, signature)


def same_signature(request: AWSRequest, credentials, service: str, region: str) -> tuple[dict, dict]:
    """(headers OnePassSigV4 sets on a copy of the request, headers botocore sets on another copy)."""
    ours, theirs = copy.deepcopy(request), copy.deepcopy(request)
    OnePassSigV4(credentials, service, region, SigningCache()).add_auth(ours)
    signed_by_botocore(theirs, SigV4Auth(credentials, service, region), ours.context["timestamp"])
    return dict(ours.headers.items()), dict(theirs.headers.items())


def test_each_call_of_a_day_is_signed_as_botocore_would_sign_it(client, db):
    signed = []

    def compare(request, signing_name, region_name, signature_version, request_signer, operation_name, **_kwargs):
        auth = request_signer.get_auth_instance(signing_name=signing_name, region_name=region_name,
                                                signature_version=signature_version)
        assert type(auth) is OnePassSigV4, operation_name  # what signs the request this very call sends
        ours, theirs = same_signature(request, auth.credentials, signing_name, region_name)
        assert ours == theirs, operation_name
        signed.append(operation_name)

    db.client.meta.events.register("before-sign.dynamodb", compare)
    try:
        a_day_of_calls(client, db)
    finally:
        db.client.meta.events.unregister("before-sign.dynamodb", compare)
    assert {"GetItem", "UpdateItem", "Query", "BatchGetItem", "BatchWriteItem", "TransactWriteItems"} <= set(signed)


JSON_HEADERS = {"X-Amz-Target": "DynamoDB_20120810.GetItem", "Content-Type": "application/x-amz-json-1.0",
                "User-Agent": "Boto3/1.0 Botocore/1.0"}


@pytest.mark.parametrize(("url", "headers", "params"), [
    ("http://127.0.0.1:8000/", JSON_HEADERS, {}),
    ("https://dynamodb.ap-northeast-2.amazonaws.com/", JSON_HEADERS, {}),  # the default port: no port in host
    ("https://DynamoDB.example.com:8443/a%20b/./c/", JSON_HEADERS, {}),  # a port, upper case, a path to normalize
    ("http://[::1]:8000/", JSON_HEADERS, {}),
    ("http://localhost:8000/?b=2&a=1", JSON_HEADERS, {}),
    ("http://localhost:8000/", {**JSON_HEADERS, "X-Custom": "  several   spaces  here "}, {}),
    ("http://localhost:8000/", {**JSON_HEADERS, "X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"}, {}),  # botocore signs it
    ("http://localhost:8000/", {**JSON_HEADERS, "Authorization": "stale", "X-Amz-Date": "20200101T000000Z"},
     {}),  # a retry, signed again
    ("http://localhost:8000/", {**JSON_HEADERS, "X-Name": "회의"}, {}),  # not ASCII: botocore signs it
    ("http://localhost:8000/", JSON_HEADERS, {"b": "2", "a": "x y"}),  # parameters: botocore signs it
])
@pytest.mark.parametrize("token", [None, "session-token"])
def test_a_signature_is_the_one_botocore_computes(url, headers, params, token):
    request = AWSRequest(method="POST", url=url, headers=headers, data=b'{"TableName": "t"}', params=params)
    credentials = ReadOnlyCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token)
    ours, theirs = same_signature(request, credentials, "dynamodb", "ap-northeast-2")
    assert ours == theirs
    assert ours["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert ("X-Amz-Security-Token" in ours) == (token is not None)


@pytest.mark.parametrize(("url", "data", "context"), [
    ("http://localhost:8000/", b"", {}),  # no body
    ("https://dynamodb.ap-northeast-2.amazonaws.com/", b"{}", {"payload_signing_enabled": False}),
    ("http://localhost:8000/", b"{}", {"checksum": {"request_algorithm": {"in": "trailer"}}}),
])
def test_a_request_the_one_pass_does_not_cover_is_signed_by_botocore_the_same(url, data, context):
    request = AWSRequest(method="POST", url=url, headers=JSON_HEADERS, data=data)
    request.context.update(context)
    ours, theirs = same_signature(request, ReadOnlyCredentials("id", "secret", None), "dynamodb", "ap-northeast-2")
    assert ours == theirs


def test_the_signing_key_is_derived_again_for_a_new_day_or_secret():
    cache = SigningCache()
    request = AWSRequest(method="POST", url="http://localhost:8000/", headers=JSON_HEADERS, data=b"{}")
    for secret, timestamp in [("one", "20261206T235959Z"), ("one", "20261207T000000Z"), ("two", "20261207T000001Z"),
                              ("two", "20261207T235959Z")]:
        request.context["timestamp"] = timestamp
        botocore_auth = SigV4Auth(ReadOnlyCredentials("id", secret, None), "dynamodb", "ap-northeast-2")
        expected = botocore_auth.signature("string to sign", request)
        key = cache.key(secret, timestamp[:8], "ap-northeast-2", "dynamodb")
        assert hmac.new(key, b"string to sign", hashlib.sha256).hexdigest() == expected
