"""The event dialog's 변경 기록: who changed which fields from what to what, and when in the
reader's time zone, for an event and for an occurrence of a series (its own changes and its
series')."""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from support.calendar_page import (
    MONTH,
    PAGE_MARKS,
    edit_event,
    editor_on_month,
    fill_event,
    new_department,
    new_event,
    new_series,
    open_occurrence,
    save,
)
from support.live_helpers import ADMIN_NAME, http

pytestmark = PAGE_MARKS

SEOUL = "Asia/Seoul"  # the reader's time zone: the page tells times in it, not in UTC
WEEKDAYS = "월화수목금토일"  # Python's Monday first


def seoul_label(timestamp: str) -> str:
    """A moment the API wrote as the page says it to a reader in Seoul, e.g. "2031년 3월 12일 (수) 14:07"."""
    moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00")).astimezone(ZoneInfo(SEOUL))
    return f"{moment.year}년 {moment.month}월 {moment.day}일 ({WEEKDAYS[moment.weekday()]}) {moment:%H:%M}"


def history(server, department: dict, event_id: str) -> list[dict]:
    answer = http.get(f"{server.url}/api/events/{department['id']}/{event_id}/history")
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_the_history_panel_tells_who_changed_what_from_what_to_what_and_when(server, people, token):
    department = new_department(server)
    event = new_event(server, department, title="주간 회의")
    bob, page = editor_on_month(people, token, department, "bob")
    edit_event(page, event["event_date"], "주간 회의")
    fill_event(page, title="주간 회의 (연기)", start_time="10:00")
    save(page)
    expect(page.locator("#event-dialog")).to_be_hidden()

    alice, page = editor_on_month(people, token, department, "alice", timezone_id=SEOUL)
    edit_event(page, event["event_date"], "주간 회의 (연기)")
    entries = page.locator("#history-own-list > li")
    expect(entries).to_have_count(0)  # read only when asked for
    page.locator("#event-history summary").click()
    expect(entries).to_have_count(2)
    changed, made = history(server, department, event["id"])
    expect(entries.nth(0).locator(".history-head")).to_have_text(
        re.compile(rf"^바꿈 · bob-\w+ · {re.escape(seoul_label(changed['changed_at']))}$"))
    expect(entries.nth(0).locator("dt")).to_have_text(["제목", "시작 시각"])
    expect(entries.nth(0).locator("dd")).to_have_text(["주간 회의 → 주간 회의 (연기)", "(없음) → 10:00"])
    expect(entries.nth(1).locator(".history-head")).to_have_text(f"만듦 · {ADMIN_NAME} · {seoul_label(made['changed_at'])}")
    expect(entries.nth(1).locator("dd")).to_have_text(["주간 회의", "2031년 3월 12일 (수)"])
    expect(page.locator("#history-series-box")).to_be_hidden()  # no series
    assert bob.console_errors() == [] and alice.console_errors() == []


def test_an_occurrence_shows_its_own_changes_and_its_series_by_keyboard(server, people, token):
    department = new_department(server)
    series = new_series(server, department, "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4", title="스터디", event_date=f"{MONTH}-03")
    occurrence = f"{series['id']}_{MONTH.replace('-', '')}10"
    assert http.put(f"{server.url}/api/events/{occurrence}?scope=this", json={"title": "스터디 (B실)"}).status_code == 200
    assert http.put(f"{server.url}/api/events/{series['id']}?scope=all", json={"description": "교재 2장"}).status_code == 200
    person, page = editor_on_month(people, token, department, "carl")
    open_occurrence(page, 10, "스터디 (B실)")
    page.locator("#event-history summary").focus()
    page.keyboard.press("Enter")
    own, whole = page.locator("#history-own-list > li"), page.locator("#history-series-list > li")
    expect(own.locator(".history-head strong")).to_have_text(["바꿈", "이 날짜만 바꿈"])
    expect(own.nth(0).locator("dd")).to_have_text(["(없음) → 교재 2장"])
    expect(whole.locator(".history-head strong")).to_have_text(["바꿈", "만듦"])
    expect(whole.nth(0).locator("dd")).to_have_text(["(없음) → 교재 2장"])
    expect(whole.nth(1).locator("dt")).to_have_text(["제목", "날짜", "반복"])
    expect(whole.nth(1).locator("dd")).to_have_text(["스터디", "2031년 3월 3일 (월)", "매주 월, 4번"])

    page.get_by_role("button", name="취소").click()
    open_occurrence(page, 17, "스터디")  # never changed on its own: only the series' changes
    page.locator("#event-history summary").click()
    expect(page.locator("#history-own-empty")).to_have_text("이 날짜만 바꾼 기록은 없습니다.")
    expect(whole).to_have_count(2)
    assert person.console_errors() == []
