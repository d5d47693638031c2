"""The event dialog's 변경 기록: who changed which fields from what to what, and when in the
reader's time zone, for an event and for an occurrence of a series (its own changes and its
series'). A department's 휴지통: a deleted event listed with who deleted it and when, restored (back
on the grid here and, live, on another page) or removed for good after a question, paged with
더 보기; a viewer is offered no trash."""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from support.calendar_page import (
    LIVE,
    MONTH,
    PAGE_MARKS,
    chip,
    edit_event,
    editor_on_month,
    fill_event,
    new_department,
    new_event,
    new_series,
    open_occurrence,
    save,
    series_chip,
    two_watching,
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


def _open_trash(page):
    page.get_by_role("button", name="휴지통").click()
    dialog = page.get_by_role("dialog", name=re.compile("^휴지통"))
    expect(dialog).to_be_visible()
    return dialog, dialog.locator("#trash-list > li")


def test_a_deleted_event_is_in_the_trash_and_restored_shows_again_on_every_page(server, people, token):
    department = new_department(server)
    event = new_event(server, department, title="지울 회의", start_time="15:00")
    alice, bob = two_watching(people, token, department, ("alice", "editor"), ("bob", "viewer"))
    page = alice.page
    edit_event(page, event["event_date"], "지울 회의")
    page.get_by_role("button", name="삭제", exact=True).click()
    page.get_by_role("button", name="삭제 확인").click()
    expect(chip(bob.page, "지울 회의")).to_have_count(0, timeout=LIVE)

    dialog, rows = _open_trash(page)
    expect(dialog.get_by_role("heading")).to_have_text(f"휴지통 — {department['name']}")
    expect(rows).to_have_count(1)
    expect(rows.first.locator(".trash-title")).to_have_text("지울 회의")
    expect(rows.first).to_contain_text("2031년 3월 12일 (수)")
    expect(rows.first.locator(".trash-deleted")).to_have_text(re.compile(r"^삭제 alice-\w+ · \d{4}년 \d+월 \d+일 \(.\) \d{2}:\d{2}$"))
    dialog.get_by_role("button", name="지울 회의 복원").click()
    expect(dialog.get_by_role("status")).to_have_text("'지울 회의' 일정을 복원했습니다 (2031년 3월 12일 (수)).")
    expect(rows).to_have_count(0)
    expect(dialog.locator("#trash-empty")).to_be_visible()
    dialog.get_by_role("button", name="닫기").click()
    expect(chip(page, "지울 회의")).to_be_visible()
    expect(chip(bob.page, "지울 회의")).to_be_visible(timeout=LIVE)

    expect(bob.page.get_by_role("button", name="휴지통")).to_be_hidden()  # a viewer is not offered it
    assert http.get(f"{server.url}/api/events/{department['id']}/{event['id']}").json()["title"] == "지울 회의"
    assert alice.console_errors() == [] and bob.console_errors() == []


def test_the_trash_pages_with_more_and_removes_for_good_only_when_confirmed(server, people, token):
    department = new_department(server)
    for n in range(21):  # one more than a page of the trash
        made = new_event(server, department, title=f"일정 {n:02d}")
        assert http.delete(f"{server.url}/api/events/{made['id']}").status_code == 204
    person, page = editor_on_month(people, token, department, "dana")
    dialog, rows = _open_trash(page)
    expect(rows).to_have_count(20)
    expect(rows.first.locator(".trash-title")).to_have_text("일정 20")  # newest first
    dialog.get_by_role("button", name="더 보기").click()
    expect(rows).to_have_count(21)
    expect(rows.last.locator(".trash-title")).to_have_text("일정 00")
    expect(dialog.get_by_role("button", name="더 보기")).to_be_hidden()

    restored = next(item for item in http.get(f"{server.url}/api/departments/{department['id']}/trash").json()
                    if item["title"] == "일정 10")
    assert http.post(f"{server.url}/api/departments/{department['id']}/trash/{restored['id']}/restore").status_code == 200
    dialog.get_by_role("button", name="일정 10 복원").click()  # someone else was first
    expect(dialog.get_by_role("status")).to_have_text("'일정 10' 일정은 그사이 다른 사람이 복원했거나 영구 삭제했습니다.")
    expect(rows).to_have_count(20)

    dialog.get_by_role("button", name="일정 05 영구 삭제").click()
    expect(dialog.locator("#trash-question")).to_have_text("'일정 05' 일정을 영구 삭제할까요? 되돌릴 수 없습니다.")
    dialog.get_by_role("button", name="아니요").click()
    expect(dialog.get_by_role("button", name="일정 05 영구 삭제")).to_be_focused()
    expect(rows).to_have_count(20)
    dialog.get_by_role("button", name="일정 05 영구 삭제").click()
    dialog.get_by_role("button", name="영구 삭제 확인").click()
    expect(dialog.get_by_role("status")).to_have_text("'일정 05' 일정을 영구 삭제했습니다.")
    expect(rows).to_have_count(19)
    expect(dialog.locator(".trash-title", has_text="일정 05")).to_have_count(0)
    listed = http.get(f"{server.url}/api/departments/{department['id']}/trash").json()
    assert "일정 05" not in [item["title"] for item in listed] and len(listed) == 19
    assert person.console_errors(provoked=(404,)) == []


def test_a_restored_series_comes_back_with_every_occurrence(server, people, token):
    department = new_department(server)
    series = new_series(server, department, "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4", title="주간 점검", event_date=f"{MONTH}-03")
    assert http.delete(f"{server.url}/api/events/{series['id']}?scope=all").status_code == 204
    person, page = editor_on_month(people, token, department, "gus")
    expect(series_chip(page, "주간 점검")).to_have_count(0)
    dialog, rows = _open_trash(page)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("2031년 3월 3일 (월) · 반복 일정")
    dialog.get_by_role("button", name="주간 점검 복원").click()
    expect(rows).to_have_count(0)
    dialog.get_by_role("button", name="닫기").click()
    expect(series_chip(page, "주간 점검")).to_have_count(4)
    assert person.console_errors() == []
