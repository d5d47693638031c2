"""Idempotency-Key on POST /api/events/{department_id} and POST /api/departments: a retried
create stores at most one item and gets the first answer again; records expire after 24 hours."""
from __future__ import annotations

import time
import uuid

import pytest

from models import DynamoDBDatabase
from support.faults import answer
from support.servers import api_client

# How long the test app lets a claim stand: long enough for the dead request's retries and the
# 2 s a duplicate waits, even on a loaded machine.
CLAIM_SECONDS = 8.0
EVENT = {"event_date": "2024-03-05", "title": "주간 회의", "time": "오후 2:00"}


def _events(db) -> list[dict]:
    return db.client.scan(TableName=db.events_table)["Items"]


def _records(db) -> list[dict]:
    return db.client.scan(TableName=db.settings.idempotency_table)["Items"]


def _post(client, path: str, body, key: str | None = None):
    headers = {} if key is None else {"Idempotency-Key": key}
    return client.post(path, json=body, headers=headers)


def test_a_repeated_event_post_stores_one_event_and_replays_the_first_answer(client, db, make_department):
    path = f"/api/events/{make_department()['id']}"
    key = str(uuid.uuid4())
    first = _post(client, path, EVENT, key)
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers

    for _ in range(3):
        again = _post(client, path, EVENT, key)
        assert again.status_code == 201
        assert again.get_json() == first.get_json()
        assert again.headers["ETag"] == first.headers["ETag"]
        assert again.headers["Idempotent-Replayed"] == "true"
    assert [item["id"]["S"] for item in _events(db)] == [first.get_json()["id"]]


def test_a_repeated_department_post_stores_one_department(client, db):
    key = "retry-me-1"
    first = _post(client, "/api/departments", {"name": "인사팀", "description": "HR"}, key)
    again = _post(client, "/api/departments", {"name": "인사팀", "description": "HR"}, key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.get_json() == first.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert [d["id"] for d in db.list_departments()] == [first.get_json()["id"]]


def test_the_same_key_with_another_body_is_422_and_stores_nothing_more(client, db, make_department):
    path = f"/api/events/{make_department()['id']}"
    assert _post(client, path, EVENT, "k1").status_code == 201
    response = _post(client, path, {**EVENT, "title": "다른 회의"}, "k1")
    assert response.status_code == 422
    assert response.get_json()["error"] == "idempotency_key_reused"
    assert len(_events(db)) == 1
    departments = _post(client, "/api/departments", {"name": "A"}, "k2"), _post(client, "/api/departments", {"name": "B"}, "k2")
    assert [r.status_code for r in departments] == [201, 422]


def test_the_same_json_spelled_differently_is_the_same_request(client, db, make_department):
    path = f"/api/events/{make_department()['id']}"
    first = client.post(path, data='{"title": "t", "event_date": "2024-03-05"}', content_type="application/json",
                        headers={"Idempotency-Key": "k"})
    again = client.post(path, data='{"event_date":"2024-03-05","title":"t"}', content_type="application/json",
                        headers={"Idempotency-Key": "k"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.get_json() == first.get_json()


def test_keys_are_scoped_per_route_and_department(client, db, make_department):
    first, second = make_department()["id"], make_department()["id"]
    a = _post(client, f"/api/events/{first}", EVENT, "shared")
    b = _post(client, f"/api/events/{second}", EVENT, "shared")
    c = _post(client, "/api/departments", {"name": "shared"}, "shared")
    assert [r.status_code for r in (a, b, c)] == [201, 201, 201]
    assert "Idempotent-Replayed" not in b.headers and "Idempotent-Replayed" not in c.headers
    assert len(_events(db)) == 2


def test_without_a_key_every_post_stores_a_new_event(client, db, make_department):
    path = f"/api/events/{make_department()['id']}"
    ids = {_post(client, path, EVENT).get_json()["id"] for _ in range(2)}
    assert len(ids) == 2 and len(_events(db)) == 2


@pytest.mark.parametrize("key", ["", "x" * 256, "with space", "tab\there", "caf\u00e9"])
def test_a_malformed_key_is_400_and_stores_nothing(client, db, make_department, key):
    response = _post(client, f"/api/events/{make_department()['id']}", EVENT, key)
    assert response.status_code == 400
    assert response.get_json()["error"] == "validation_error"
    assert _events(db) == [] and _records(db) == []


def test_a_failed_attempt_is_not_stored_and_the_fixed_request_may_use_the_key(client, db, make_department):
    path = f"/api/events/{make_department()['id']}"
    bad = {**EVENT, "title": ""}
    assert _post(client, path, bad, "k").status_code == 400
    assert _post(client, path, bad, "k").status_code == 400  # the same failing request runs again
    fixed = _post(client, path, EVENT, "k")
    assert fixed.status_code == 201
    assert _post(client, path, EVENT, "k").get_json() == fixed.get_json()
    missing = f"/api/events/{uuid.uuid4()}"
    assert [_post(client, missing, EVENT, "k2").status_code for _ in range(2)] == [404, 404]
    assert len(_events(db)) == 1


def test_records_are_kept_24_hours_through_the_ttl_attribute(client, db, make_department):
    _post(client, f"/api/events/{make_department()['id']}", EVENT, "k")
    (record,) = _records(db)
    assert abs(int(record["expires_at"]["N"]) - (time.time() + 24 * 3600)) < 120
    assert record["status"]["S"] == "completed"


def test_an_expired_record_frees_its_key(client, db, make_department):
    path = f"/api/events/{make_department()['id']}"
    first = _post(client, path, EVENT, "k")
    (record,) = _records(db)
    db.client.update_item(  # past its TTL, not yet swept by DynamoDB
        TableName=db.settings.idempotency_table, Key={"id": record["id"]},
        UpdateExpression="SET expires_at = :past", ExpressionAttributeValues={":past": {"N": str(int(time.time()) - 1)}},
    )
    again = _post(client, path, {**EVENT, "title": "새 요청"}, "k")
    assert again.status_code == 201 and again.get_json()["id"] != first.get_json()["id"]
    assert len(_events(db)) == 2


# -- the answer lost after the write: what a crash does -------------------------------------------

def _answer_lost_once(db):
    """A before-send hook failing the call that stores the first answer (DynamoDB answers 500 to
    every attempt), as if the app died between storing the item and answering."""
    calls = {"failed": 0}

    def hook(request, **kwargs):
        if b"idempotency" in request.body and b"completed" in request.body and calls["failed"] < 10:
            calls["failed"] += 1
            return answer(request, 500, {"__type": "com.amazonaws.dynamodb.v20120810#InternalServerError",
                                         "message": "injected"})
        return None

    db.client.meta.events.register("before-send.dynamodb.UpdateItem", hook)
    return hook


@pytest.mark.parametrize("route", ["events", "departments"])
def test_a_retry_after_a_lost_answer_gets_the_stored_item_not_a_second_one(settings, db, make_department, route):
    crashy = DynamoDBDatabase(settings.with_overrides(idempotency_in_progress_seconds=CLAIM_SECONDS))
    client = api_client(settings, crashy)
    path, body = ((f"/api/events/{make_department()['id']}", EVENT) if route == "events"
                  else ("/api/departments", {"name": "재시도 부서"}))
    hook = _answer_lost_once(crashy)
    claimed_at = time.monotonic()
    lost = _post(client, path, body, "k")
    crashy.client.meta.events.unregister("before-send.dynamodb.UpdateItem", hook)
    assert lost.status_code >= 500  # the client never saw a 201
    stored = [item["id"]["S"] for item in _events(db)] if route == "events" else \
        [d["id"] for d in db.list_departments()]
    assert len(stored) == 1  # but the item was stored

    busy = _post(client, path, body, "k")  # the dead request's claim has not lapsed yet
    assert busy.status_code == 409 and busy.headers["Retry-After"] == "1"
    time.sleep(max(0.0, claimed_at + CLAIM_SECONDS + 0.5 - time.monotonic()))
    retried = _post(client, path, body, "k")
    assert retried.status_code == 201
    replayed = _post(client, path, body, "k")
    assert replayed.get_json() == retried.get_json() and replayed.headers["Idempotent-Replayed"] == "true"
    assert retried.get_json()["id"] == stored[0]
    if route == "events":
        assert [item["id"]["S"] for item in _events(db)] == stored
    else:
        assert [d["id"] for d in db.list_departments()] == stored
