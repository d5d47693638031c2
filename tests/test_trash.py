"""A department's trash: deleted events and series listed newest first, restored under their id
(a change like any other: in changed_since and the history), removed for good; through the app
in this process (so the IAM recorder sees the calls)."""
from __future__ import annotations

import pytest

from support.dav_helpers import new_token

pytestmark = pytest.mark.xdist_group("trash")


def _new(client, department: str, title: str, **fields) -> dict:
    answer = client.post(f"/api/events/{department}", json={"event_date": "2024-05-02", "title": title, **fields})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def _trash(client, department: str, **params) -> list[dict]:
    answer = client.get(f"/api/departments/{department}/trash", query_string=params)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def test_deleted_events_are_listed_newest_first_with_who_and_when_and_paged(client, make_department):
    department = make_department()["id"]
    events = [_new(client, department, f"일정 {n}") for n in range(3)]
    kept = _new(client, department, "남은 일정")
    for event in events:
        assert client.delete(f"/api/events/{event['id']}").status_code == 204

    listed = _trash(client, department)
    assert [e["title"] for e in listed] == ["일정 2", "일정 1", "일정 0"]
    assert kept["id"] not in [e["id"] for e in listed]
    assert {e["deleted_by"] for e in listed} == {"test-admin"}
    assert listed[0]["deleted_at"] >= listed[1]["deleted_at"] >= listed[2]["deleted_at"] > events[2]["created_at"]
    first = client.get(f"/api/departments/{department}/trash?limit=2")
    assert [e["title"] for e in first.get_json()] == ["일정 2", "일정 1"]
    rest = _trash(client, department, limit=2, cursor=first.headers["X-Next-Cursor"])
    assert [e["title"] for e in rest] == ["일정 0"]


def test_a_restored_event_keeps_its_id_comes_back_in_changed_since_above_its_tombstone(client, make_department):
    department = make_department()["id"]
    event = _new(client, department, "되살릴 일정", description="내용", start_time="09:00")
    synced = client.get(f"/api/events/{department}")
    assert client.delete(f"/api/events/{event['id']}").status_code == 204
    token = synced.headers["X-Sync-Token"]
    tombstone = client.get(f"/api/events/{department}", query_string={"changed_since": token}).get_json()
    assert tombstone == [{"id": event["id"], "department_id": department, "deleted": True,
                          "last_modified": tombstone[0]["last_modified"], "version": 2}]

    answer = client.post(f"/api/departments/{department}/trash/{event['id']}/restore")
    assert answer.status_code == 200, answer.get_json()
    restored = answer.get_json()
    assert restored["id"] == event["id"] and restored["version"] == 3 and answer.headers["ETag"] == '"3"'
    assert {k: restored[k] for k in ("title", "description", "start_time", "event_date")} == {
        "title": "되살릴 일정", "description": "내용", "start_time": "09:00", "event_date": "2024-05-02"}
    assert client.get(f"/api/events/{department}/{event['id']}").get_json() == restored
    assert client.get(f"/api/events/{department}", query_string={"changed_since": token}).get_json() == [restored]
    assert _trash(client, department) == []
    history = client.get(f"/api/events/{department}/{event['id']}/history").get_json()
    assert [(e["action"], e["version"]) for e in history] == [("restored", 3), ("deleted", 2), ("created", 1)]
    # and it can be deleted and restored again
    assert client.delete(f"/api/events/{event['id']}").status_code == 204
    again = client.post(f"/api/departments/{department}/trash/{event['id']}/restore")
    assert again.status_code == 200 and again.get_json()["version"] == 5


def test_a_deleted_series_comes_back_with_its_exceptions(client, make_department):
    department = make_department()["id"]
    series = _new(client, department, "주간 회의", recurrence=["RRULE:FREQ=WEEKLY;COUNT=4"])
    moved = client.put(f"/api/events/{series['id']}_20240509?scope=this", json={"title": "주간 회의 (휴가)"})
    assert moved.status_code == 200
    assert client.delete(f"/api/events/{series['id']}?scope=all").status_code == 204
    assert [e["id"] for e in _trash(client, department)] == [series["id"]]  # the series once

    assert client.post(f"/api/departments/{department}/trash/{series['id']}/restore").status_code == 200
    month = client.get(f"/api/events/{department}?from=2024-05-01&to=2024-05-31").get_json()
    assert [(e["event_date"], e["title"]) for e in month] == [
        ("2024-05-02", "주간 회의"), ("2024-05-09", "주간 회의 (휴가)"), ("2024-05-16", "주간 회의"),
        ("2024-05-23", "주간 회의")]


def test_removed_from_the_trash_is_final(client, make_department):
    department = make_department()["id"]
    event = _new(client, department, "영구 삭제")
    assert client.delete(f"/api/events/{event['id']}").status_code == 204
    assert client.delete(f"/api/departments/{department}/trash/{event['id']}").status_code == 204
    assert _trash(client, department) == []
    gone = client.post(f"/api/departments/{department}/trash/{event['id']}/restore")
    assert gone.status_code == 404 and gone.get_json()["error"] == "not_found"
    assert client.delete(f"/api/departments/{department}/trash/{event['id']}").status_code == 404


def test_only_editors_of_the_department_see_and_restore_its_trash(client, settings, make_department):
    mine, other = make_department()["id"], make_department()["id"]
    event = _new(client, other, "다른 부서")
    assert client.delete(f"/api/events/{event['id']}").status_code == 204
    scoped = {"Authorization": f"Bearer {new_token(settings, 'editor', [mine])[1]}"}
    viewer = {"Authorization": f"Bearer {new_token(settings, 'viewer')[1]}"}
    assert client.get(f"/api/departments/{other}/trash", headers=scoped).status_code == 403
    assert client.post(f"/api/departments/{other}/trash/{event['id']}/restore", headers=scoped).status_code == 403
    assert client.get(f"/api/departments/{other}/trash", headers=viewer).status_code == 403
    # another department's id finds nothing of it
    assert client.post(f"/api/departments/{mine}/trash/{event['id']}/restore").status_code == 404
    assert _trash(client, mine) == []


def test_an_event_not_in_the_trash_is_not_restored(client, make_department):
    department = make_department()["id"]
    live = _new(client, department, "살아 있음")
    answer = client.post(f"/api/departments/{department}/trash/{live['id']}/restore")
    assert answer.status_code == 404
    assert client.get(f"/api/events/{department}/{live['id']}").get_json()["version"] == 1
