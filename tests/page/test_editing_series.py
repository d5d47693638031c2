"""A person makes and changes repeating events in the dialog: a new series, one occurrence, this
and the following ones, the whole rule, a plain event turned into a series and back, and a stale
edit of a series refused with the other version shown (issue 12); the dialog's buttons in view at
desktop and phone sizes, and what deleting the following occurrences says."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from support.calendar_page import (
    LIVE,
    MONTH,
    PAGE_MARKS,
    chip,
    day_button,
    days_with,
    edit_event,
    editor_on_month,
    fill_event,
    mondays_watched_by_two,
    new_department,
    new_event,
    new_series,
    open_occurrence,
    repeat_control,
    save,
    series_chip,
    two_watching,
)
from support.live_helpers import http

pytestmark = PAGE_MARKS


def test_a_repeating_event_made_in_the_dialog_shows_its_occurrences(server, people, token):
    department = new_department(server)
    person, page = editor_on_month(people, token, department, "olga")
    day_button(page, f"{MONTH}-03").click()
    page.get_by_role("button", name="이 날에 새 일정").click()
    fill_event(page, title="요가")
    page.get_by_role("combobox", name="반복", exact=True).select_option(label="매주")
    days = page.get_by_role("group", name="반복 요일")
    days.get_by_label("월").check()
    days.get_by_label("수").check()
    page.get_by_role("combobox", name="끝").select_option(label="날짜까지")
    page.get_by_label("마지막 반복 날짜").fill(f"{MONTH}-01")  # before the first day: no occurrence, a 400
    save(page)
    expect(page.locator("#event-recurrence-error")).not_to_be_empty()
    expect(page.get_by_role("combobox", name="반복", exact=True)).to_have_attribute("aria-invalid", "true")
    assert http.get(f"{server.url}/api/events/{department['id']}?expand=false").json() == []

    page.get_by_role("combobox", name="끝").select_option(label="횟수만큼")
    page.get_by_label("반복 횟수").fill("4")
    save(page)
    expect(page.locator("#event-dialog")).to_be_hidden()
    expect(series_chip(page, "요가")).to_have_count(4)
    assert days_with(page, series_chip(page, "요가")) == [3, 5, 10, 12]
    stored = http.get(f"{server.url}/api/events/{department['id']}?expand=false").json()
    assert [item["recurrence"] for item in stored] == [["RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4"]]

    for title, repeat, end in (("월례 보고", "매월", "2031-05-31"), ("창립 기념일", "매년", None)):
        day_button(page, f"{MONTH}-28").click()
        page.get_by_role("button", name="이 날에 새 일정").click()
        fill_event(page, title=title)
        page.get_by_role("combobox", name="반복", exact=True).select_option(label=repeat)
        expect(page.get_by_role("group", name="반복 요일")).to_be_hidden()  # days are for weekly only
        if end:
            page.get_by_role("combobox", name="끝").select_option(label="날짜까지")
            page.get_by_label("마지막 반복 날짜").fill(end)
        save(page)
        expect(series_chip(page, title)).to_have_count(1)
    rules = {item["title"]: item["recurrence"] for item in
             http.get(f"{server.url}/api/events/{department['id']}?expand=false").json()}
    assert rules["월례 보고"] == ["RRULE:FREQ=MONTHLY;UNTIL=20310531"] and rules["창립 기념일"] == ["RRULE:FREQ=YEARLY"]
    page.get_by_role("button", name="다음 달").click()
    expect(page.locator("#month-title")).to_have_text("2031년 4월")
    expect(series_chip(page, "월례 보고")).to_have_count(1)
    assert days_with(page, series_chip(page, "월례 보고")) == [28]
    expect(series_chip(page, "창립 기념일")).to_have_count(0)
    assert person.console_errors(provoked=(400,)) == []


def test_editing_one_occurrence_changes_only_that_day_and_shows_live(server, people, token):
    _, alice, bob = mondays_watched_by_two(server, people, token, "주간 회의", 4)
    a, b = alice.page, bob.page
    open_occurrence(a, 10, "주간 회의")
    expect(a.get_by_role("radio", name="이 일정만")).to_be_checked()
    fill_event(a, title="주간 회의 (연기)", start_time="15:00")
    save(a)
    expect(a.locator("#event-dialog")).to_be_hidden()
    for page in (a, b):
        expect(series_chip(page, "주간 회의 (연기)")).to_have_count(1, timeout=LIVE)
        assert days_with(page, series_chip(page, "주간 회의 (연기)")) == [10]
        expect(series_chip(page, "주간 회의")).to_have_count(3)
        assert days_with(page, series_chip(page, "주간 회의")) == [3, 17, 24]
    day_button(b, f"{MONTH}-10").click()
    expect(b.locator("#day-events .event-time")).to_have_text(["15:00"])
    assert alice.console_errors() == [] and bob.console_errors() == []


def test_deleting_this_and_following_occurrences_removes_the_later_ones_live(server, people, token):
    series, alice, bob = mondays_watched_by_two(server, people, token, "스터디", 5)
    a, b = alice.page, bob.page
    open_occurrence(a, 24, "스터디")
    a.get_by_role("button", name="삭제", exact=True).click()  # "이 일정만", the default
    a.get_by_role("button", name="삭제 확인").click()
    for page in (a, b):
        expect(series_chip(page, "스터디")).to_have_count(4, timeout=LIVE)
        assert days_with(page, series_chip(page, "스터디")) == [3, 10, 17, 31]
    open_occurrence(a, 17, "스터디")
    a.get_by_role("radio", name="이 일정과 이후 일정").check()
    a.get_by_role("button", name="삭제", exact=True).click()
    a.get_by_role("button", name="삭제 확인").click()
    expect(a.locator("#event-dialog")).to_be_hidden()
    for page in (a, b):
        expect(series_chip(page, "스터디")).to_have_count(2, timeout=LIVE)
        assert days_with(page, series_chip(page, "스터디")) == [3, 10]
    listed = http.get(f"{server.url}/api/events/{series['department_id']}?from={MONTH}-01&to={MONTH}-31").json()
    assert [event["event_date"] for event in listed] == [f"{MONTH}-03", f"{MONTH}-10"]
    assert alice.console_errors() == [] and bob.console_errors() == []


def test_editing_a_series_changes_how_it_repeats_and_the_other_page_shows_it_live(server, people, token):
    series, alice, bob = mondays_watched_by_two(server, people, token, "주간 회의", 4)
    a, b = alice.page, bob.page
    open_occurrence(a, 10, "주간 회의")
    days = a.get_by_role("group", name="반복 요일")
    expect(repeat_control(a)).to_have_value("WEEKLY")  # the series' rule, read back into the controls
    expect(days.get_by_label("월")).to_be_checked()
    expect(days.get_by_label("수")).not_to_be_checked()
    expect(a.get_by_role("combobox", name="끝")).to_have_value("count")
    expect(a.get_by_label("반복 횟수")).to_have_value("4")
    expect(a.get_by_role("radio", name="이 일정만")).to_be_checked()
    days.get_by_label("수").check()
    a.get_by_role("combobox", name="끝").select_option(label="날짜까지")
    a.get_by_label("마지막 반복 날짜").fill(f"{MONTH}-31")
    expect(a.get_by_role("radio")).to_have_count(2)  # "이 일정만" is gone: one occurrence has no rule
    expect(a.get_by_role("radio", name="이 일정과 이후 일정")).to_be_checked()
    a.get_by_role("radio", name="모든 일정").check()
    save(a)
    expect(a.locator("#event-dialog")).to_be_hidden()
    mondays_and_wednesdays = [3, 5, 10, 12, 17, 19, 24, 26, 31]
    for page in (a, b):
        expect(series_chip(page, "주간 회의")).to_have_count(len(mondays_and_wednesdays), timeout=LIVE)
        assert days_with(page, series_chip(page, "주간 회의")) == mondays_and_wednesdays
    stored = http.get(f"{server.url}/api/events/{series['department_id']}/{series['id']}").json()
    assert stored["recurrence"] == ["RRULE:FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20310331"]
    assert alice.console_errors() == [] and bob.console_errors() == []


def test_a_plain_event_becomes_a_series_and_a_rule_from_one_day_on_must_start_on_that_day(server, people, token):
    department = new_department(server)
    plain = new_event(server, department, title="독서 모임", event_date=f"{MONTH}-04")  # a Tuesday
    odd = new_series(server, department, "RRULE:FREQ=DAILY;INTERVAL=2;COUNT=3", title="격일 점검", event_date=f"{MONTH}-24")
    person, page = editor_on_month(people, token, department, "tess")
    edit_event(page, f"{MONTH}-04", "독서 모임")
    expect(repeat_control(page)).to_have_value("")
    expect(page.locator("#scope-box")).to_be_hidden()
    repeat_control(page).select_option(label="매주")
    page.get_by_role("combobox", name="끝").select_option(label="횟수만큼")
    page.get_by_label("반복 횟수").fill("3")
    save(page)
    expect(page.locator("#event-dialog")).to_be_hidden()
    expect(series_chip(page, "독서 모임")).to_have_count(3)
    assert days_with(page, series_chip(page, "독서 모임")) == [4, 11, 18]
    stored = http.get(f"{server.url}/api/events/{department['id']}/{plain['id']}").json()
    assert stored["recurrence"] == ["RRULE:FREQ=WEEKLY;COUNT=3"]

    # From the 11th (a Tuesday) on Thursdays: the new rule's first day is no longer the 11th, which
    # the API refuses (said in Korean under the repeat control) until the date moves as well.
    open_occurrence(page, 11, "독서 모임")
    expect(repeat_control(page)).to_have_value("WEEKLY")
    page.get_by_role("group", name="반복 요일").get_by_label("목").check()
    page.get_by_role("radio", name="이 일정과 이후 일정").check()
    save(page)
    expect(page.locator("#event-recurrence-error")).to_have_text(re.compile("^반복이 시작 날짜에 시작하지 않습니다"))
    expect(repeat_control(page)).to_have_attribute("aria-invalid", "true")
    assert http.get(f"{server.url}/api/events/{department['id']}/{plain['id']}").json() == stored  # nothing changed
    fill_event(page, event_date=f"{MONTH}-13")
    save(page)
    expect(page.locator("#event-dialog")).to_be_hidden()
    expect(series_chip(page, "독서 모임")).to_have_count(4)
    assert days_with(page, series_chip(page, "독서 모임")) == [4, 13, 20, 27]

    # A rule the controls cannot show is kept as it is, and the page says so.
    open_occurrence(page, 26, "격일 점검")
    expect(page.locator("#repeat-note")).to_have_text(
        "이 반복 규칙은 여기서 바꿀 수 없습니다 (그대로 둡니다): RRULE:FREQ=DAILY;INTERVAL=2;COUNT=3")
    expect(repeat_control(page)).to_be_disabled()
    fill_event(page, title="격일 점검 (변경)")
    page.get_by_role("radio", name="모든 일정").check()
    save(page)
    expect(series_chip(page, "격일 점검 (변경)")).to_have_count(3)
    stored = http.get(f"{server.url}/api/events/{department['id']}/{odd['id']}").json()
    assert (stored["title"], stored["recurrence"]) == ("격일 점검 (변경)", ["RRULE:FREQ=DAILY;INTERVAL=2;COUNT=3"])
    assert person.console_errors(provoked=(400,)) == []


def test_a_series_stops_repeating_from_one_occurrence_on_and_then_altogether(server, people, token):
    department = new_department(server)
    series = new_series(server, department, "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4", title="주간 회의", event_date=f"{MONTH}-03")
    person, page = editor_on_month(people, token, department, "uma")
    expect(series_chip(page, "주간 회의")).to_have_count(4)

    open_occurrence(page, 17, "주간 회의")
    repeat_control(page).select_option(label="반복 안 함")
    expect(page.get_by_role("radio")).to_have_count(2)  # one occurrence alone has no rule to stop
    page.get_by_role("radio", name="이 일정과 이후 일정").check()
    save(page)
    expect(page.locator("#event-dialog")).to_be_hidden()
    expect(series_chip(page, "주간 회의")).to_have_count(2)
    assert days_with(page, series_chip(page, "주간 회의")) == [3, 10]
    expect(chip(page, "주간 회의")).to_have_count(1)  # the 17th, an event of its own; the 24th is gone
    assert days_with(page, chip(page, "주간 회의")) == [17]

    open_occurrence(page, 10, "주간 회의")
    repeat_control(page).select_option(label="반복 안 함")
    page.get_by_role("radio", name="모든 일정").check()
    save(page)
    expect(page.locator("#event-dialog")).to_be_hidden()
    expect(series_chip(page, "주간 회의")).to_have_count(0)
    assert days_with(page, chip(page, "주간 회의")) == [3, 17]
    stored = http.get(f"{server.url}/api/events/{department['id']}/{series['id']}").json()
    assert "recurrence" not in stored and stored["event_date"] == f"{MONTH}-03"
    assert person.console_errors() == []


def test_a_stale_edit_of_a_series_with_following_or_all_shows_the_conflict_and_overwrites_nothing(server, people, token):
    department = new_department(server)
    series = new_series(server, department, "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=5", title="팀 회의", event_date=f"{MONTH}-03")
    alice, bob = two_watching(people, token, department, ("pat", "editor"), ("quinn", "editor"))
    a, b = alice.page, bob.page
    open_occurrence(b, 17, "팀 회의")  # Bob reads the series (version 1) ...
    open_occurrence(a, 10, "팀 회의")  # ... then Alice changes it for all
    fill_event(a, title="팀 회의 (변경)")
    a.get_by_role("group", name="반복 요일").get_by_label("수").check()
    a.get_by_role("radio", name="모든 일정").check()
    save(a)
    expect(series_chip(b, "팀 회의 (변경)")).to_have_count(5, timeout=LIVE)
    assert days_with(b, series_chip(b, "팀 회의 (변경)")) == [3, 5, 10, 12, 17]
    after_alice = http.get(f"{server.url}/api/events/{department['id']}/{series['id']}").json()
    assert after_alice["version"] == 2

    fill_event(b, title="밥의 제목")
    b.get_by_role("radio", name="이 일정과 이후 일정").check()
    save(b)
    expect(b.locator("#conflict")).to_be_visible()
    expect(b.locator("#conflict-title")).to_have_text("다른 사람이 먼저 이 일정을 바꿨습니다")
    expect(b.locator("#conflict-theirs")).to_contain_text("팀 회의 (변경)")
    expect(b.locator("#conflict-theirs")).to_contain_text("매주 월·수, 5번")
    assert http.get(f"{server.url}/api/events/{department['id']}/{series['id']}").json() == after_alice
    b.get_by_role("button", name="상대 것 받기").click()
    expect(b.locator("#event-dialog")).to_be_hidden()

    open_occurrence(b, 17, "팀 회의 (변경)")  # read again (version 2); someone changes it once more
    assert http.put(f"{server.url}/api/events/{series['id']}?scope=all", json={"title": "세 번째 제목"}).status_code == 200
    fill_event(b, title="밥의 두 번째 제목")
    b.get_by_role("radio", name="모든 일정").check()
    save(b)
    expect(b.locator("#conflict")).to_be_visible()
    expect(b.locator("#conflict-theirs")).to_contain_text("세 번째 제목")
    stored = http.get(f"{server.url}/api/events/{department['id']}/{series['id']}").json()
    assert (stored["title"], stored["version"]) == ("세 번째 제목", 3)
    listed = http.get(f"{server.url}/api/events/{department['id']}?from={MONTH}-01&to={MONTH}-31").json()
    assert {event["title"] for event in listed} == {"세 번째 제목"}
    assert alice.console_errors() == [] and bob.console_errors(provoked=(412,)) == []


# Where a checkbox or radio sits against its label's text: the gap between them and how far apart
# their middles are, up and down (px).
_BESIDE = """label => {
  const input = label.querySelector("input").getBoundingClientRect();
  const range = document.createRange();
  range.selectNodeContents([...label.childNodes].find((node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim()));
  const text = range.getBoundingClientRect();
  return { gap: text.left - input.right, off: Math.abs((text.top + text.bottom) / 2 - (input.top + input.bottom) / 2) };
}"""
_ON_TOP = """node => {
  const box = node.getBoundingClientRect();
  return document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2) === node;
}"""


def test_the_dialogs_buttons_stay_in_view_choices_sit_beside_their_labels_and_deleting_following_says_how_many(
        server, people, token):
    department = new_department(server)
    new_series(server, department, "RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20310331", title="스터디", event_date=f"{MONTH}-03",
               description="3층 대회의실\n" * 4)
    for viewport in ({"width": 1280, "height": 720}, {"width": 375, "height": 667}):
        person, page = editor_on_month(people, token, department, "vera", viewport=viewport)
        open_occurrence(page, 17, "스터디")
        expect(repeat_control(page)).to_have_value("WEEKLY")  # its days show: the dialog at its longest
        for name in ("저장", "삭제"):
            button = page.get_by_role("button", name=name, exact=True)
            expect(button).to_be_in_viewport(ratio=1)
            assert button.evaluate(_ON_TOP), f"{name} is covered at {viewport}"
        choices = page.locator("#event-form label:has(input[type=checkbox]), #event-form label:has(input[type=radio])")
        expect(choices).to_have_count(11)  # 종일, seven weekdays, three scopes
        for choice in choices.all():
            place = choice.evaluate(_BESIDE)
            assert 0 <= place["gap"] <= 12 and place["off"] <= 3, (choice.text_content(), place, viewport)
        assert person.console_errors() == []

    page.get_by_role("radio", name="이 일정과 이후 일정").check()
    page.get_by_role("button", name="삭제", exact=True).click()
    expect(page.locator("#delete-question")).to_have_text("2031년 3월 17일 (월)부터 '스터디' 일정 3개를 삭제할까요?")
    expect(page.get_by_role("button", name="삭제 확인")).to_be_in_viewport(ratio=1)
    page.get_by_role("button", name="삭제 확인").click()
    expect(page.locator("#event-dialog")).to_be_hidden()
    expect(series_chip(page, "스터디")).to_have_count(2)
    assert days_with(page, series_chip(page, "스터디")) == [3, 10]
    assert person.console_errors() == []


def _both_open_occurrence(a, b, day: int, title: str) -> None:
    open_occurrence(b, day, title)  # Bob reads the series first ...
    open_occurrence(a, day, title)  # ... then Alice saves hers


def test_a_stale_edit_of_a_series_keeps_what_the_other_changed_and_asks_per_field_for_each_scope(server, people, token):
    department = new_department(server)
    series = new_series(server, department, "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=5", title="팀 회의", event_date=f"{MONTH}-03")
    alice, bob = two_watching(people, token, department, ("pat", "editor"), ("quinn", "editor"))
    a, b = alice.page, bob.page

    # All: Alice renames the series and writes its description; Bob, holding the old copy, writes
    # another description and a link. Only the description is both people's.
    _both_open_occurrence(a, b, 10, "팀 회의")
    fill_event(a, title="팀 회의 (3층)", description="자료는 A가 준비")
    a.get_by_role("radio", name="모든 일정").check()
    save(a)
    expect(series_chip(b, "팀 회의 (3층)")).to_have_count(5, timeout=LIVE)
    fill_event(b, description="자료는 B가 준비", url="https://intranet.example.com/b")
    b.get_by_role("radio", name="모든 일정").check()
    save(b)
    expect(b.locator("#conflict")).to_be_visible()
    expect(b.locator("#conflict-choices fieldset")).to_have_count(1)
    both = b.get_by_role("group", name="설명: 둘 다 바꿨습니다")
    expect(both.get_by_role("radio", name="내 것: 자료는 B가 준비")).to_be_checked()
    both.get_by_role("radio", name="상대 것: 자료는 A가 준비").check()
    b.get_by_role("button", name="내 것으로 저장").click()
    expect(b.locator("#event-dialog")).to_be_hidden()
    after_all = http.get(f"{server.url}/api/events/{department['id']}/{series['id']}").json()
    assert (after_all["title"], after_all["description"], after_all["url"]) == (
        "팀 회의 (3층)", "자료는 A가 준비", "https://intranet.example.com/b")

    # Following: both rename; Bob keeps his title from the 17th on, and Alice's description stays.
    _both_open_occurrence(a, b, 17, "팀 회의 (3층)")
    fill_event(a, title="팀 회의 (4층)", description="자료는 A가 다시 준비")
    a.get_by_role("radio", name="모든 일정").check()
    save(a)
    expect(series_chip(b, "팀 회의 (4층)")).to_have_count(5, timeout=LIVE)
    fill_event(b, title="팀 회의 (B실)")
    b.get_by_role("radio", name="이 일정과 이후 일정").check()
    save(b)
    expect(b.locator("#conflict-choices fieldset")).to_have_count(1)
    expect(b.get_by_role("group", name="제목: 둘 다 바꿨습니다").get_by_role("radio", name="내 것: 팀 회의 (B실)")).to_be_checked()
    b.get_by_role("button", name="내 것으로 저장").click()
    expect(b.locator("#event-dialog")).to_be_hidden()
    for page in (a, b):
        expect(series_chip(page, "팀 회의 (B실)")).to_have_count(3, timeout=LIVE)
        assert days_with(page, series_chip(page, "팀 회의 (B실)")) == [17, 24, 31]
        assert days_with(page, series_chip(page, "팀 회의 (4층)")) == [3, 10]
    listed = http.get(f"{server.url}/api/events/{department['id']}?from={MONTH}-01&to={MONTH}-31").json()
    assert {event["description"] for event in listed} == {"자료는 A가 다시 준비"}

    # This: one occurrence; Alice moves its time, Bob changes its link: nothing both changed, both kept.
    _both_open_occurrence(a, b, 24, "팀 회의 (B실)")
    fill_event(a, start_time="15:00")
    save(a)
    expect(b.locator("#grid-body .chip", has_text="15:00")).to_have_count(1, timeout=LIVE)
    fill_event(b, url="https://intranet.example.com/24")
    save(b)
    expect(b.locator("#conflict")).to_be_visible()
    expect(b.locator("#conflict-choices fieldset")).to_have_count(0)
    b.get_by_role("button", name="내 것으로 저장").click()
    expect(b.locator("#event-dialog")).to_be_hidden()
    (occurrence,) = [event for event in http.get(
        f"{server.url}/api/events/{department['id']}?from={MONTH}-24&to={MONTH}-24").json()]
    assert (occurrence["start_time"], occurrence["url"]) == ("15:00", "https://intranet.example.com/24")
    assert alice.console_errors() == [] and bob.console_errors(provoked=(412,)) == []
