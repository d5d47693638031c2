"""An event's history (`GET /api/events/{department_id}/{event_id}/history`): each change of an
event, series edits on the series and each exception they touch, written in the same transaction
as the change; through the app in this process (so the IAM recorder sees the calls)."""
from __future__ import annotations

import pytest

from support.dav_helpers import new_token

pytestmark = pytest.mark.xdist_group("history")


def _history(client, department_id: str, event_id: str, **params) -> list[dict]:
    answer = client.get(f"/api/events/{department_id}/{event_id}/history", query_string=params)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def _actions(entries: list[dict]) -> list[tuple[str, int]]:
    return [(entry["action"], entry["version"]) for entry in entries]


def test_each_change_of_an_event_is_recorded_with_who_when_and_the_fields_before_and_after(client, make_department):
    department = make_department()["id"]
    made = client.post(f"/api/events/{department}", json={"event_date": "2024-03-04", "title": "주간 회의"}).get_json()
    changed = client.put(f"/api/events/{made['id']}", json={"title": "주간 회의 (연기)", "start_time": "10:00"},
                         headers={"If-Match": '"1"'}).get_json()
    assert client.delete(f"/api/events/{made['id']}").status_code == 204

    entries = _history(client, department, made["id"])
    assert _actions(entries) == [("deleted", 3), ("updated", 2), ("created", 1)]
    deleted, updated, created = entries
    assert created["after"] == {"event_date": "2024-03-04", "title": "주간 회의"} and created["before"] is None
    assert updated["before"] == {"title": "주간 회의", "start_time": None}
    assert updated["after"] == {"title": "주간 회의 (연기)", "start_time": "10:00"}
    assert updated["changed_at"] == changed["last_modified"]
    assert deleted["before"]["title"] == "주간 회의 (연기)" and deleted["after"] is None
    assert {entry["changed_by"] for entry in entries} == {"test-admin"}
    assert {entry["event_id"] for entry in entries} == {made["id"]}


def test_history_pages_newest_first(client, make_department):
    department = make_department()["id"]
    made = client.post(f"/api/events/{department}", json={"event_date": "2024-03-04", "title": "0"}).get_json()
    for n in range(1, 5):
        assert client.put(f"/api/events/{made['id']}", json={"title": str(n)}).status_code == 200
    first = client.get(f"/api/events/{department}/{made['id']}/history?limit=2")
    assert [e["after"]["title"] for e in first.get_json()] == ["4", "3"]
    rest = _history(client, department, made["id"], limit=3, cursor=first.headers["X-Next-Cursor"])
    assert [e["after"]["title"] for e in rest] == ["2", "1", "0"]


def test_series_edits_are_recorded_on_the_series_and_on_each_exception_they_touch(client, make_department):
    department = make_department()["id"]
    series = client.post(f"/api/events/{department}", json={
        "event_date": "2024-01-01", "title": "스탠드업", "recurrence": ["RRULE:FREQ=DAILY;COUNT=5"]}).get_json()
    occurrence = f"{series['id']}_20240103"
    assert client.put(f"/api/events/{occurrence}?scope=this", json={"title": "스탠드업 (회의실 B)"}).status_code == 200
    assert client.put(f"/api/events/{series['id']}?scope=all", json={"description": "매일 9시"}).status_code == 200

    assert _actions(_history(client, department, series["id"])) == [("updated", 2), ("created", 1)]
    on_exception = _history(client, department, occurrence)
    assert [e["action"] for e in on_exception] == ["updated", "created"]
    assert on_exception[0]["after"] == {"description": "매일 9시"}  # the series' change carried over to it


def test_a_scoped_token_reads_no_history_of_another_department(client, settings, make_department):
    mine, other = make_department()["id"], make_department()["id"]
    event = client.post(f"/api/events/{other}", json={"event_date": "2024-03-04", "title": "비밀"}).get_json()
    token = new_token(settings, "viewer", [mine])[1]
    answer = client.get(f"/api/events/{other}/{event['id']}/history", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 403
    # the department is part of the key: another department's id finds nothing of it
    assert _history(client, mine, event["id"]) == []


def test_the_history_of_a_department_that_does_not_exist_is_404(client):
    answer = client.get("/api/events/0b6f2d1e-8f0a-4c1b-9a57-3d2c1e0f9a8b/0b6f2d1e-8f0a-4c1b-9a57-3d2c1e0f9a8c/history")
    assert answer.status_code == 404


def test_the_migration_writes_one_migrated_entry_per_event(cli, db, client):
    run = cli([{"id": 1, "name": "개발팀"}], [{"id": 10, "department_id": 1, "date": "2024-01-20", "title": "팀 회의"}])
    assert run.code == 0, run.err
    [event] = db.scan_events()
    [entry] = _history(client, event["department_id"], event["id"])
    assert entry == {"event_id": event["id"], "department_id": event["department_id"], "action": "migrated",
                     "version": 1, "changed_at": event["last_modified"], "changed_by": "migration", "before": None,
                     "after": {"event_date": "2024-01-20", "title": "팀 회의"}}


def test_a_signed_in_person_s_change_records_their_identity_beside_their_name(settings, db, make_department):
    from app import create_app
    from auth.sessions import COOKIE_NAME, SessionStore

    signed = settings.with_overrides(oidc_issuer="http://127.0.0.1:9/not-asked", oidc_client_id="calendar",
                                     oidc_client_secret="secret")
    app = create_app(signed, db)
    person = {"name": "김민지", "email": None, "role": "editor", "departments": None,
              "issuer": "http://127.0.0.1:9/not-asked", "subject": "s-minji"}
    with app.test_request_context():
        secret = SessionStore(db, signed).create(person)
    client = app.test_client()
    client.set_cookie(COOKIE_NAME, secret)
    department = make_department()["id"]
    made = client.post(f"/api/events/{department}", json={"event_date": "2024-03-04", "title": "회의"},
                       headers={"Origin": "http://localhost"})
    assert made.status_code == 201, made.get_json()
    [entry] = _history(client, department, made.get_json()["id"])
    assert (entry["changed_by"], entry["changed_by_id"]) == ("김민지", "http://127.0.0.1:9/not-asked#s-minji")
