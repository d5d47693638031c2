"""The DynamoDB client's shortcuts (storage/lean_calls.py) send what botocore itself would send:
for every call a day of the service makes, the same request (bytes, headers, method) as
botocore's own JSON serializer, and the endpoint botocore's ruleset resolves for that very call."""
from __future__ import annotations

import copy

import botocore.serialize
import pytest

from storage.lean_calls import DATA_PLANE, EndpointPerOperation, SentAsBuilt


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
