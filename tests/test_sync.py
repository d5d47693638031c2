"""Catch-up sync: `X-Sync-Token` on every event list, `?changed_since=<token>` answering every
change since (deleted events as tombstones), the overlap window, and bad or expired tokens."""
from __future__ import annotations

import base64
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from rules import sync_tokens
from rules.timestamps import format_timestamp
from support.servers import api_client


def _token(response) -> str:
    token = response.headers.get("X-Sync-Token")
    assert token, response.headers
    return token


def _sync(client, department_id: str, token: str):
    return client.get(f"/api/events/{department_id}", query_string={"changed_since": token})


def _create(client, department_id: str, **fields) -> dict:
    response = client.post(f"/api/events/{department_id}",
                           json={"event_date": "2024-06-01", "title": "회의", **fields})
    assert response.status_code == 201
    return response.get_json()


@pytest.fixture
def quick_client(settings, db):
    """The API with a one-second overlap, so a test can step past the window."""
    return api_client(settings.with_overrides(sync_overlap_seconds=1.0), db)


@pytest.mark.parametrize("query", ["", "?from=2024-01-01&to=2024-01-31", "?from=2024-01-01"])
def test_every_list_response_carries_a_sync_token(client, make_department, query):
    department_id = make_department()["id"]
    response = client.get(f"/api/events/{department_id}{query}")
    assert response.status_code == 200
    assert _sync(client, department_id, _token(response)).status_code == 200


def test_a_failed_list_carries_no_token(client):
    response = client.get(f"/api/events/{uuid.uuid4()}")
    assert response.status_code == 404
    assert "X-Sync-Token" not in response.headers


def test_sync_returns_what_changed_since_the_token_with_deletions_as_tombstones(
        quick_client, make_department, make_event):
    client = quick_client
    department_id = make_department()["id"]
    untouched, to_update, to_delete = (make_event(department_id, title=t) for t in ("a", "b", "c"))
    time.sleep(1.2)  # past the overlap: what was written before the token is not sent again
    token = _token(client.get(f"/api/events/{department_id}"))

    created = _create(client, department_id, title="새 일정")
    updated = client.put(f"/api/events/{to_update['id']}", json={"title": "바뀜"}).get_json()
    assert client.delete(f"/api/events/{to_delete['id']}").status_code == 204
    response = _sync(client, department_id, token)

    assert response.status_code == 200
    changes = response.get_json()
    tombstone = changes[-1]
    assert changes == [created, updated, {"id": to_delete["id"], "department_id": department_id,
                                          "deleted": True, "last_modified": tombstone["last_modified"],
                                          "version": to_delete["version"] + 1}]
    assert tombstone["last_modified"] > updated["last_modified"] >= created["last_modified"]
    assert untouched["id"] not in {c["id"] for c in changes}
    # Its token carries on from there; one taken past the overlap answers nothing more.
    time.sleep(1.2)
    later = _token(_sync(client, department_id, _token(response)))
    assert _sync(client, department_id, later).get_json() == []


def test_a_write_committed_after_the_token_but_stamped_before_it_is_not_missed(
        client, db, make_department):
    """Another instance stamped last_modified, then committed after this list answered (a slow
    write, a clock a few seconds behind, a lagging index): the overlap brings it in."""
    department_id = make_department()["id"]
    listed = client.get(f"/api/events/{department_id}")
    stamped = format_timestamp(datetime.now(UTC) - timedelta(seconds=db.settings.sync_overlap_seconds - 2))
    late = db.create_event(department_id, {"event_date": "2024-06-02", "title": "늦은 쓰기"},
                           created_at=stamped, last_modified=stamped)

    assert listed.get_json() == []
    assert _sync(client, department_id, _token(listed)).get_json() == [late]


def test_a_write_stamped_before_the_overlap_is_not_in_the_window(client, db, make_department):
    department_id = make_department()["id"]
    listed = client.get(f"/api/events/{department_id}")
    stamped = format_timestamp(datetime.now(UTC) - timedelta(seconds=db.settings.sync_overlap_seconds + 5))
    db.create_event(department_id, {"event_date": "2024-06-02", "title": "old"}, last_modified=stamped)

    assert _sync(client, department_id, _token(listed)).get_json() == []


def test_sync_shows_only_that_departments_changes(client, make_department):
    mine, other = make_department()["id"], make_department()["id"]
    token = _token(client.get(f"/api/events/{mine}"))
    _create(client, other)
    event = _create(client, mine)
    assert _sync(client, mine, token).get_json() == [event]


def test_tombstones_never_show_outside_the_sync(client, db, make_department, make_event):
    department_id = make_department()["id"]
    kept, gone = make_event(department_id, event_date="2024-06-01"), make_event(department_id, event_date="2024-06-01")
    assert client.delete(f"/api/events/{gone['id']}").status_code == 204

    assert client.get(f"/api/events/{department_id}").get_json() == [kept]
    assert client.get(f"/api/events/{department_id}?from=2024-06-01&to=2024-06-30").get_json() == [kept]
    assert db.count_department_events(department_id) == 1
    assert db.department_event_ids(department_id) == {kept["id"]}
    assert [e["id"] for e in db.scan_events()] == [kept["id"]]
    assert client.put(f"/api/events/{gone['id']}", json={"title": "x"}).status_code == 404
    assert client.delete(f"/api/events/{gone['id']}").status_code == 404
    assert client.delete(f"/api/events/{gone['id']}", headers={"If-Match": '"1"'}).status_code == 404


def test_a_tombstone_keeps_no_texts_and_expires_after_the_retention(client, db, make_department, make_event):
    department_id = make_department()["id"]
    event = make_event(department_id, title="비밀 회의", description="secret")
    assert client.delete(f"/api/events/{event['id']}").status_code == 204

    (item,) = db.client.scan(TableName=db.events_table)["Items"]
    assert sorted(item) == ["deleted", "department_id", "expires_at", "id", "last_modified", "version"]
    retention = db.settings.sync_tombstone_days * 86400
    assert abs(int(item["expires_at"]["N"]) - (time.time() + retention)) < 60
    assert item["version"] == {"N": "2"}


def test_a_sync_token_older_than_the_retention_is_410(client, settings, make_department):
    department_id = make_department()["id"]
    now = datetime.now(UTC)
    retention = timedelta(days=settings.sync_tombstone_days)
    expired = sync_tokens.new_token(department_id, now - retention)
    still_good = sync_tokens.new_token(department_id, now - retention + timedelta(seconds=settings.sync_overlap_seconds + 60))

    response = _sync(client, department_id, expired)

    assert response.status_code == 410
    body = response.get_json()
    assert body["error"] == "sync_token_expired"
    assert "full resync" in body["message"] and f"{settings.sync_tombstone_days} days" in body["message"]
    assert _sync(client, department_id, still_good).status_code == 200


def test_retention_is_a_setting(settings, db, make_department):
    client = api_client(settings.with_overrides(sync_tombstone_days=1), db)
    department_id = make_department()["id"]
    two_days_old = sync_tokens.new_token(department_id, datetime.now(UTC) - timedelta(days=2))
    assert _sync(client, department_id, two_days_old).status_code == 410


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


# What a client sees for a token that is not one of ours; every way a token can be bad is
# unit-tested in tests/unit/test_sync_tokens.py.
BAD_TOKENS = {
    "garbage": "garbage!!",
    "wrong version": _b64(b'{"v": 2, "d": "x", "t": 1}'),
    "too long": "A" * 5000,
}


@pytest.mark.parametrize("token", list(BAD_TOKENS.values()), ids=list(BAD_TOKENS))
def test_a_garbage_token_is_400_json(client, make_department, token):
    response = _sync(client, make_department()["id"], token)
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "validation_error"
    assert body["fields"] == {"changed_since": "is not a valid sync token"}


def test_another_departments_token_is_400(client, make_department):
    mine, other = make_department()["id"], make_department()["id"]
    response = _sync(client, mine, _token(client.get(f"/api/events/{other}")))
    assert response.status_code == 400
    assert "another department" in response.get_json()["message"]


def test_a_token_from_the_future_is_400(client, settings, make_department):
    department_id = make_department()["id"]
    future = sync_tokens.new_token(department_id, datetime.now(UTC) + timedelta(seconds=settings.sync_overlap_seconds + 60))
    response = _sync(client, department_id, future)
    assert response.status_code == 400
    assert "future" in response.get_json()["message"]


def test_changed_since_with_from_or_to_is_400(client, make_department):
    department_id = make_department()["id"]
    token = _token(client.get(f"/api/events/{department_id}"))
    response = client.get(f"/api/events/{department_id}",
                          query_string={"changed_since": token, "from": "2024-01-01"})
    assert response.status_code == 400
    assert response.get_json()["fields"] == {"changed_since": "cannot be combined with from/to"}


def test_a_deleted_department_is_404_to_its_syncing_clients_and_leaves_no_tombstones(
        client, db, make_department, make_event):
    department_id = make_department()["id"]
    token = _token(client.get(f"/api/events/{department_id}"))
    events = [make_event(department_id, event_date=f"2024-07-0{day}") for day in range(1, 4)]
    assert client.delete(f"/api/events/{events[0]['id']}").status_code == 204

    assert client.delete(f"/api/departments/{department_id}").status_code == 204

    response = _sync(client, department_id, token)
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"
    assert db.client.scan(TableName=db.events_table)["Items"] == []


def test_sync_of_an_unknown_department_is_404(client):
    department_id = str(uuid.uuid4())
    response = _sync(client, department_id, sync_tokens.new_token(department_id, datetime.now(UTC)))
    assert response.status_code == 404


def test_migrated_events_are_in_the_sync_index_with_normalised_stamps(cli, db):
    """The migration writes department_id and last_modified (the index keys) on every event, in the
    stored form, so the sync's range condition orders legacy stamps like the service's own."""
    departments = [{"id": 1, "name": "개발팀"}, {"id": 2, "name": "Sales"}]
    events = [
        {"id": 10, "department_id": 1, "date": "2024-01-20", "title": "팀 회의", "last_modified": "2023-05-01 10:00:00"},
        {"id": 11, "department_id": 1, "date": "2024-01-21", "title": "naive", "created_at": "2023-04-01T09:00:00+09:00"},
        {"id": 12, "department_id": 2, "date": "2024-02-01", "title": "now"},
    ]
    assert cli(departments, events).code == 0

    for department in db.list_departments():
        listed = db.list_events(department["id"])
        changes = db.event_changes(department["id"], "2000-01-01T00:00:00.000Z")
        assert changes == sorted(listed, key=lambda e: (e["last_modified"], e["id"])) and changes
    stamps = {e["title"]: e["last_modified"] for d in db.list_departments() for e in db.list_events(d["id"])}
    assert stamps["팀 회의"] == "2023-05-01T10:00:00.000Z" and stamps["naive"] == "2023-04-01T00:00:00.000Z"
