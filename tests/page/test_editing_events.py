"""A person creates and edits events: the day a new event starts on, a time given one way (종일 or
start and end), every problem shown in one round in Korean next to its field (a time typed halfway
too), a conflict with someone else's change resolved either way or merged field by field, and all
of it on a phone by keyboard alone."""
from __future__ import annotations

from playwright.sync_api import expect

from support.calendar_page import (
    LIVE,
    MONTH,
    PAGE_MARKS,
    chip,
    day_button,
    edit_event,
    editor_on_month,
    fill_event,
    new_department,
    new_event,
    save,
    two_watching,
)
from support.live_helpers import http

pytestmark = PAGE_MARKS


def test_the_apis_validation_errors_show_next_to_their_fields(server, people, token):
    department = new_department(server)
    person, page = editor_on_month(people, token, department, "dave")
    page.get_by_role("button", name="새 일정", exact=True).click()
    fill_event(page, title="가" * 201, url="https://intranet.example.com/1")
    save(page)
    # The API answers in English per field ("must have at most 200 characters"); the page says it in Korean.
    expect(page.locator("#event-title-error")).to_have_text("200자까지 쓸 수 있습니다 (지금 201자).")
    expect(page.locator("#event-title")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#event-title")).to_be_focused()
    expect(page.locator("#event-url-error")).to_be_hidden()
    assert http.get(f"{server.url}/api/events/{department['id']}").json() == []  # nothing stored

    fill_event(page, title="고친 제목")
    save(page)
    expect(page.locator("#event-dialog")).to_be_hidden()
    expect(chip(page, "고친 제목")).to_be_visible()
    assert person.console_errors(provoked=(400,)) == []


def test_a_half_typed_time_is_a_field_error_and_every_problem_shows_in_one_round(server, people, token):
    department = new_department(server)
    person, page = editor_on_month(people, token, department, "dora")
    day_button(page, f"{MONTH}-12").click()
    page.get_by_role("button", name="이 날에 새 일정").click()
    fill_event(page, title="   ", url="ftp://files.example.com/x", end_date=f"{MONTH}-11")
    page.locator("#event-start-time").focus()
    page.keyboard.type("0930")  # hours and minutes, no 오전/오후: the input's value stays empty
    save(page)
    expect(page.locator("#event-start-time-error")).to_have_text("시각을 끝까지 입력해 주세요 (오전/오후, 시, 분).")
    expect(page.locator("#event-title-error")).to_have_text("비워 둘 수 없습니다.")
    expect(page.locator("#event-url-error")).to_have_text("http:// 또는 https://로 시작하는 주소를 쓰거나 비워 두세요.")
    expect(page.locator("#event-end-date-error")).to_have_text("마지막 날은 시작 날짜보다 앞설 수 없습니다.")
    expect(page.locator("#event-title")).to_be_focused()
    expect(page.locator("#event-dialog")).to_be_visible()
    assert http.get(f"{server.url}/api/events/{department['id']}").json() == []  # never saved as all-day

    fill_event(page, title="아침 회의", url="", end_date="", start_time="09:30", end_time="09:00")
    save(page)
    expect(page.locator("#event-end-time-error")).to_have_text("끝 시각은 시작 시각보다 늦어야 합니다.")
    expect(page.locator("#event-form .field-error:not(:empty)")).to_have_count(1)
    fill_event(page, end_time="10:00")
    save(page)
    expect(page.locator("#event-dialog")).to_be_hidden()
    (stored,) = http.get(f"{server.url}/api/events/{department['id']}").json()
    assert (stored["title"], stored["start_time"], stored["end_time"]) == ("아침 회의", "09:30", "10:00")
    assert person.console_errors() == []


def _edit_while_someone_else_changes_it(server, page, event: dict, theirs: str, mine: str) -> None:
    edit_event(page, event["event_date"], event["title"])
    answer = http.put(f"{server.url}/api/events/{event['id']}", json={"title": theirs})
    assert answer.status_code == 200
    fill_event(page, title=mine)
    save(page)
    expect(page.locator("#conflict")).to_be_visible()
    expect(page.locator("#conflict-theirs")).to_contain_text(theirs)


def test_a_conflict_shows_the_other_version_and_the_user_keeps_theirs_or_takes_the_other(server, people, token, tables):
    department = new_department(server)
    event = new_event(server, department, title="원래 제목")
    person, page = editor_on_month(people, token, department, "erin")
    expect(chip(page, "원래 제목")).to_be_visible()
    _edit_while_someone_else_changes_it(server, page, event, theirs="다른 사람 제목", mine="내 제목")
    page.get_by_role("button", name="내 것으로 저장").click()
    expect(page.locator("#event-dialog")).to_be_hidden()
    expect(chip(page, "내 제목")).to_be_visible()
    stored = http.get(f"{server.url}/api/events/{department['id']}/{event['id']}").json()
    assert (stored["title"], stored["version"]) == ("내 제목", 3)

    _edit_while_someone_else_changes_it(server, page, stored, theirs="또 다른 제목", mine="버릴 제목")
    page.get_by_role("button", name="상대 것 받기").click()
    expect(page.locator("#event-dialog")).to_be_hidden()
    expect(chip(page, "또 다른 제목")).to_be_visible()
    stored = http.get(f"{server.url}/api/events/{department['id']}/{event['id']}").json()
    assert (stored["title"], stored["version"]) == ("또 다른 제목", 4)

    page.get_by_role("button", name="또 다른 제목 편집").click()  # deleting what someone just changed
    assert http.put(f"{server.url}/api/events/{event['id']}", json={"title": "마지막 제목"}).status_code == 200
    page.get_by_role("button", name="삭제", exact=True).click()
    page.get_by_role("button", name="삭제 확인").click()
    expect(page.locator("#conflict-theirs")).to_contain_text("마지막 제목")
    page.get_by_role("button", name="그래도 삭제").click()
    expect(page.locator("#event-dialog")).to_be_hidden()
    expect(page.locator("#grid-body .chip")).to_have_count(0)
    assert http.get(f"{server.url}/api/events/{department['id']}/{event['id']}").status_code == 404
    assert person.console_errors(provoked=(412,)) == []


def test_on_a_phone_the_page_fits_and_works_by_keyboard(server, people, token):
    department = new_department(server)
    new_event(server, department, title="아침 회의", time="오전 9:00")
    new_event(server, department, title="점심", time="12:00")
    new_event(server, department, title="종일 워크숍")
    person, page = editor_on_month(people, token, department, "mia", viewport={"width": 375, "height": 740}, has_touch=True)
    expect(chip(page, "점심")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling

    day_button(page, f"{MONTH}-12").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#day-title")).to_be_focused()
    expect(page.locator("#day-events .event-title")).to_have_text(["종일 워크숍", "아침 회의", "점심"])
    page.get_by_role("button", name="이 날에 새 일정").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#event-dialog")).to_be_visible()
    expect(page.locator("#event-title")).to_be_focused()
    expect(page.locator("#event-date")).to_have_value(f"{MONTH}-12")
    page.keyboard.type("저녁 약속")
    page.keyboard.press("Tab")
    expect(page.get_by_role("checkbox", name="종일")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.type("0700P")  # 시작 시각 07:00 PM: 종일 is off by itself
    expect(page.get_by_role("checkbox", name="종일")).not_to_be_checked()
    page.keyboard.press("Enter")  # submits the form
    expect(page.locator("#event-dialog")).to_be_hidden()
    expect(page.locator("#day-events .event-title")).to_have_text(["종일 워크숍", "아침 회의", "점심", "저녁 약속"])
    day_button(page, f"{MONTH}-13").focus()
    new_event(server, department, title="다른 사람이 넣은 일정", event_date=f"{MONTH}-13")  # drawn anew, live
    expect(chip(page, "다른 사람이 넣은 일정")).to_be_visible(timeout=LIVE)
    expect(day_button(page, f"{MONTH}-13")).to_be_focused()  # the keyboard focus stayed where it was
    page.get_by_role("button", name="저녁 약속 편집").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#event-dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#event-dialog")).to_be_hidden()
    for control in page.locator("input, select, textarea").all():  # every control has a label
        assert control.evaluate("node => node.labels.length > 0"), control.evaluate("node => node.outerHTML")
    assert person.console_errors() == []


def test_a_new_event_starts_on_the_chosen_day_else_today_else_the_first(server, people, token):
    department = new_department(server)
    person = people(token("ivy", "editor"))
    person.page.clock.set_fixed_time(f"{MONTH}-20T10:00:00")  # today is in the shown month
    page = person.open(department["id"], MONTH)
    new = page.get_by_role("button", name="새 일정", exact=True)
    new.click()
    expect(page.locator("#event-date")).to_have_value(f"{MONTH}-20")
    page.get_by_role("button", name="취소").click()
    day_button(page, f"{MONTH}-05").click()
    new.click()
    expect(page.locator("#event-date")).to_have_value(f"{MONTH}-05")
    page.get_by_role("button", name="취소").click()
    page.get_by_role("button", name="다음 달").click()  # today is not in April
    expect(page.locator("#month-title")).to_have_text("2031년 4월")
    new.click()
    expect(page.locator("#event-date")).to_have_value("2031-04-01")
    assert person.console_errors() == []


def test_saving_over_someone_elses_change_keeps_what_they_changed_and_asks_about_what_both_changed(
        server, people, token):
    department = new_department(server)
    event = new_event(server, department, title="분기 회의", start_time="14:00", end_time="15:30")
    alice, bob = two_watching(people, token, department, second=("quinn", "editor"))
    a, b = alice.page, bob.page
    for page in (a, b):
        edit_event(page, event["event_date"], "분기 회의")
    fill_event(a, title="분기 회의 (3층)", description="자료는 A가 준비")
    save(a)
    expect(a.locator("#event-dialog")).to_be_hidden()

    fill_event(b, description="자료는 B가 준비", url="https://intranet.example.com/q1")  # B holds the old copy
    save(b)
    expect(b.locator("#conflict")).to_be_visible()
    expect(b.locator("#conflict-theirs")).to_contain_text("14:00–15:30")  # the time, not "—"
    both = b.get_by_role("group", name="설명: 둘 다 바꿨습니다")
    expect(b.locator("#conflict-choices fieldset")).to_have_count(1)  # the title only they changed
    expect(both.get_by_role("radio", name="내 것: 자료는 B가 준비")).to_be_checked()
    both.get_by_role("radio", name="상대 것: 자료는 A가 준비").check()
    b.get_by_role("button", name="내 것으로 저장").click()
    expect(b.locator("#event-dialog")).to_be_hidden()
    stored = http.get(f"{server.url}/api/events/{department['id']}/{event['id']}").json()
    assert (stored["title"], stored["description"], stored["url"]) == (
        "분기 회의 (3층)", "자료는 A가 준비", "https://intranet.example.com/q1")
    for page in (a, b):
        expect(chip(page, "분기 회의 (3층)")).to_be_visible(timeout=LIVE)
    assert alice.console_errors() == [] and bob.console_errors(provoked=(412,)) == []


def test_a_time_is_given_one_way_all_day_or_start_and_end_and_free_text_only_for_old_events(server, people, token):
    department = new_department(server)
    old = new_event(server, department, title="옮겨 온 회의", time="오후 2:00")  # migrated: free text only
    person, page = editor_on_month(people, token, department, "yoon")
    all_day = page.get_by_role("checkbox", name="종일")
    page.get_by_role("button", name="새 일정", exact=True).click()
    expect(page.locator("#event-time")).to_be_hidden()  # a new event has no free-text time
    expect(all_day).to_be_checked()
    fill_event(page, title="주간 회의")
    all_day.uncheck()
    save(page)
    expect(page.locator("#event-start-time-error")).to_have_text("시작 시각을 넣거나 종일을 고르세요.")
    fill_event(page, start_time="10:00")
    save(page)
    expect(page.locator("#event-dialog")).to_be_hidden()

    edit_event(page, old["event_date"], "옮겨 온 회의")
    expect(page.locator("#event-time")).to_have_value("오후 2:00")  # shown for the event that has nothing else
    expect(all_day).not_to_be_checked()  # it has a time
    fill_event(page, start_time="14:00", end_time="15:00")
    save(page)
    expect(page.locator("#event-dialog")).to_be_hidden()
    stored = http.get(f"{server.url}/api/events/{department['id']}/{old['id']}").json()
    assert (stored["time"], stored["start_time"], stored["end_time"]) == ("", "14:00", "15:00")
    page.get_by_role("button", name="옮겨 온 회의 편집").click()
    expect(page.locator("#event-time")).to_be_hidden()  # one time now: the start and end
    assert person.console_errors() == []
