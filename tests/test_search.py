"""GET /api/search: Korean text found the way people type it, within the departments the caller
may read, nearest to today first, a series once, paged; kept current by every change (edit,
delete, restore) and filled by create_tables for events stored before search existed. Through the
app in this process, on DynamoDB Local and moto (so the IAM recorder sees the calls)."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from support.dav_helpers import new_token

pytestmark = pytest.mark.xdist_group("search")


def _today() -> date:
    return datetime.now(ZoneInfo("Asia/Seoul")).date()


def _day(offset: int) -> str:
    return (_today() + timedelta(days=offset)).isoformat()


def _new(client, department: str, title: str, event_date: str = "2024-05-02", **fields) -> dict:
    answer = client.post(f"/api/events/{department}", json={"event_date": event_date, "title": title, **fields})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def _found(client, q: str, **params) -> list[str]:
    answer = client.get("/api/search", query_string={"q": q, **params})
    assert answer.status_code == 200, answer.get_json()
    return [event["title"] for event in answer.get_json()]


def test_korean_words_are_found_with_particles_inside_compounds_across_spacing_case_and_width(client, make_department):
    department = make_department()["id"]
    for title, fields in (("주간회의는 취소", {}), ("영업부 회의", {}), ("2024년 3분기 실적 보고", {}),
                          ("Q3 Review 미팅", {}), ("ＡＢＣ 교육", {}), ("고객 방문", {"time": "오후 2시, 3층 대회의실"}),
                          ("점심", {"description": "신입 환영회의 자리"})):
        _new(client, department, title, **fields)

    def found(q: str) -> set[str]:
        return set(_found(client, q, department=department))

    assert found("회의") == {"주간회의는 취소", "영업부 회의", "고객 방문", "점심"}  # title, time, description
    assert found("영업") == {"영업부 회의"}
    assert found("주간 회의") == {"주간회의는 취소"}  # each word must occur
    assert found("주간회의") == {"주간회의는 취소"}
    assert found("3분기") == {"2024년 3분기 실적 보고"}
    assert found("review") == found("REVIEW") == found("ｒｅｖｉｅｗ") == {"Q3 Review 미팅"}
    assert found("q3 미팅") == {"Q3 Review 미팅"}  # Korean and English words in one query
    assert found("abc") == {"ＡＢＣ 교육"}
    assert found("3층 회의실") == {"고객 방문"}
    assert found("회의 영업") == {"영업부 회의"}
    assert found("없는말") == set()


def test_a_scoped_token_finds_only_its_departments_events(client, settings, make_department):
    mine, other = make_department()["id"], make_department()["id"]
    word = f"비밀{uuid.uuid4().hex[:6]}"
    _new(client, mine, f"{word} 우리 회의")
    _new(client, other, f"{word} 남의 회의")
    assert set(_found(client, word)) == {f"{word} 우리 회의", f"{word} 남의 회의"}  # the admin reads both

    _, token = new_token(settings, "viewer", [mine])
    scoped = {"Authorization": f"Bearer {token}"}
    answer = client.get("/api/search", query_string={"q": word}, headers=scoped)
    assert answer.status_code == 200 and [e["title"] for e in answer.get_json()] == [f"{word} 우리 회의"]
    assert "X-Next-Cursor" not in answer.headers
    refused = client.get("/api/search", query_string={"q": word, "department": other}, headers=scoped)
    assert refused.status_code == 403 and word not in refused.get_data(as_text=True)


def test_results_come_nearest_today_first_in_pages_and_a_series_once_as_its_next_occurrence(client, make_department):
    department = make_department()["id"]
    for offset in (40, -3, 10, -100, 1):
        _new(client, department, f"점검 {offset:+d}", event_date=_day(offset))
    series = _new(client, department, "점검 주간", event_date=_day(-30), recurrence=["RRULE:FREQ=WEEKLY;COUNT=20"])
    today_or_next = [e for e in client.get(f"/api/events/{department}", query_string={
        "from": _day(0), "to": _day(6)}).get_json() if e["title"] == "점검 주간"][0]

    first = client.get("/api/search", query_string={"q": "점검", "department": department, "limit": 3})
    assert first.status_code == 200
    page1 = first.get_json()
    assert [e["title"] for e in page1] == ["점검 주간", "점검 +1", "점검 -3"]
    assert page1[0]["id"] == today_or_next["id"] and page1[0]["event_date"] == today_or_next["event_date"]
    assert page1[0]["recurring_event_id"] == series["id"]
    rest = client.get("/api/search", query_string={"q": "점검", "department": department, "limit": 3,
                                                   "cursor": first.headers["X-Next-Cursor"]})
    assert [e["title"] for e in rest.get_json()] == ["점검 +10", "점검 +40", "점검 -100"]
    assert "X-Next-Cursor" not in rest.headers
    assert _found(client, "점검", department=department, **{"from": _day(5), "to": _day(50)}) == [
        "점검 주간", "점검 +10", "점검 +40"]


def test_edits_deletes_and_restores_change_what_is_found(client, make_department):
    department = make_department()["id"]
    event = _new(client, department, "분기 워크숍")
    assert _found(client, "워크숍", department=department) == ["분기 워크숍"]
    assert client.put(f"/api/events/{event['id']}", json={"title": "분기 세미나"}).status_code == 200
    assert _found(client, "워크숍", department=department) == []
    assert _found(client, "세미나", department=department) == ["분기 세미나"]
    assert client.put(f"/api/events/{event['id']}", json={"description": "장소 미정"}).status_code == 200
    assert _found(client, "세미나 미정", department=department) == ["분기 세미나"]

    assert client.delete(f"/api/events/{event['id']}").status_code == 204
    assert _found(client, "세미나", department=department) == []
    assert client.post(f"/api/departments/{department}/trash/{event['id']}/restore").status_code == 200
    assert _found(client, "세미나", department=department) == ["분기 세미나"]


def test_create_tables_gives_events_stored_before_search_their_text(client, db, make_department):
    department = make_department()["id"]
    event = _new(client, department, "옛날 일정 총회")
    db.client.update_item(  # as an event written before search existed is stored
        TableName=db.events_table, Key={"id": {"S": event["id"]}, "department_id": {"S": department}},
        UpdateExpression="REMOVE search_text")
    assert _found(client, "총회", department=department) == []

    db.create_tables()
    assert _found(client, "총회", department=department) == ["옛날 일정 총회"]
    assert db.search.fill_missing() == 0  # run again, nothing left to fill
    assert client.get(f"/api/events/{department}/{event['id']}").get_json()["version"] == 1  # not a change


def test_without_a_limit_a_search_answers_twenty_and_its_cursor_alone_asks_for_the_rest(client, make_department):
    department = make_department()["id"]
    for day in range(1, 23):
        _new(client, department, f"정기 점검 {day:02d}", event_date=f"2024-03-{day:02d}")
    first = client.get("/api/search", query_string={"q": "정기점검", "department": department})
    assert first.status_code == 200 and len(first.get_json()) == 20
    rest = client.get("/api/search", query_string={"q": "정기점검", "department": department,
                                                   "cursor": first.headers["X-Next-Cursor"]})
    assert rest.status_code == 200, rest.get_json()
    assert sorted(e["title"] for e in first.get_json() + rest.get_json()) == [f"정기 점검 {d:02d}" for d in range(1, 23)]


def test_a_search_of_many_departments_pages_on(client, make_department):
    word = f"전체{uuid.uuid4().hex[:6]}"
    departments = [make_department()["id"] for _ in range(150)]  # their ids alone are longer than a cursor may be
    for day in range(1, 22):
        _new(client, departments[day * 7], f"{word} {day:02d}", event_date=f"2024-04-{day:02d}")
    first = client.get("/api/search", query_string={"q": word, "limit": 20})
    assert first.status_code == 200 and len(first.get_json()) == 20
    rest = client.get("/api/search", query_string={"q": word, "limit": 20, "cursor": first.headers["X-Next-Cursor"]})
    assert rest.status_code == 200, rest.get_json()
    assert len(rest.get_json()) == 1 and "X-Next-Cursor" not in rest.headers


@pytest.mark.parametrize("params, field", [
    ({}, "q"), ({"q": "  ,. "}, "q"), ({"q": "가" * 101}, "q"), ({"q": "회의", "limit": "101"}, "limit"),
    ({"q": "회의", "from": "2024-05-02", "to": "2024-05-01"}, "from"), ({"q": "회의", "department": "x"}, "department"),
])
def test_bad_searches_get_a_clear_error(client, params, field):
    answer = client.get("/api/search", query_string=params)
    assert answer.status_code == 400
    body = answer.get_json()
    assert body["error"] and field in body["message"]


def test_events_written_in_bulk_as_the_migration_writes_them_are_found(client, db, make_department):
    department = make_department()["id"]
    now = "2024-01-15T10:30:00.000Z"
    db.put_events([{"id": str(uuid.uuid4()), "department_id": department, "event_date": "2019-03-04",
                    "title": "옛 시스템의 정기총회", "description": "", "time": "", "url": "", "created_at": now,
                    "last_modified": now, "version": 1}], history=True)
    assert _found(client, "총회", department=department) == ["옛 시스템의 정기총회"]
