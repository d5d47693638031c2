"""A person drags on the week view: an event to another time and day, its lower edge to a later
end, each shown to the others live and stored with If-Match; a drag over someone else's change opens
the dialog with both versions; an occurrence of a series asks which events move (this one, the
following, all), on the week and on the month; by keyboard, Alt and the arrows on an event of the week."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from support.calendar_page import (
    LIVE,
    MONTH,
    PAGE_MARKS,
    WAIT,
    box,
    day_button,
    day_cell,
    days_with,
    new_department,
    new_event,
    new_series,
)
from support.live_helpers import http

pytestmark = PAGE_MARKS


def open_week(person, department: dict, date: str = f"{MONTH}-12"):
    page = person.page
    page.goto(f"/?department={department['id']}&view=week&date={date}")
    expect(page.locator("#live")).to_have_text("연결됨", timeout=WAIT)
    return page


def block(page, title: str):
    return page.locator("#timegrid .tg-event", has=page.locator(".tg-title", has_text=re.compile(f"^{re.escape(title)}$")))


def hour_and_day(page) -> tuple[float, float]:
    """The height of an hour and the width of a day on the week's grid, in pixels."""
    column = box(page.locator("#timegrid .tg-col").first)
    return column["height"] / 24, column["width"]


def drag(page, locator, dx: float, dy: float, edge: bool = False, release: bool = True) -> None:
    """Press on the block (its middle, or with `edge` its lower edge), move by (dx, dy), release."""
    where = box(locator)
    x = where["left"] + where["width"] / 2
    y = where["bottom"] - 2 if edge else where["top"] + where["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx / 2, y + dy / 2, steps=4)
    page.mouse.move(x + dx, y + dy, steps=4)
    if release:
        page.mouse.up()


def stored(server, department: dict, event: dict) -> dict:
    return http.get(f"{server.url}/api/events/{department['id']}/{event['id']}").json()


def test_dragging_on_the_week_moves_an_event_to_another_time_and_day_and_resizes_its_end(server, people, token):
    department = new_department(server)
    event = new_event(server, department, title="설계 검토", start_time="10:00", end_time="11:00")  # Wednesday the 12th
    alice, bob = people(token("ann", "editor"), viewport={"width": 1280, "height": 900}), people(token("ben", "viewer"))
    a, b = open_week(alice, department), open_week(bob, department)
    hour, day = hour_and_day(a)
    drag(a, block(a, "설계 검토"), day, 2 * hour)  # a day later, two hours later
    for page in (a, b):
        expect(page.locator('#timegrid .tg-col[data-date="2031-03-13"] .tg-event')).to_contain_text("12:00–13:00", timeout=LIVE)
    after = stored(server, department, event)
    assert (after["event_date"], after["start_time"], after["end_time"], after["version"]) == (f"{MONTH}-13", "12:00", "13:00", 2)

    drag(a, block(a, "설계 검토"), 0, hour / 2, edge=True)  # its end half an hour later
    expect(block(b, "설계 검토")).to_contain_text("12:00–13:30", timeout=LIVE)
    assert (stored(server, department, event)["end_time"], stored(server, department, event)["start_time"]) == ("13:30", "12:00")
    expect(a.locator("#event-dialog")).to_be_hidden()  # the release opened nothing
    b_block = box(block(b, "설계 검토"))
    drag(b, block(b, "설계 검토"), 0, hour)  # a viewer drags nothing
    expect(block(b, "설계 검토")).to_contain_text("12:00–13:30")
    assert abs(box(block(b, "설계 검토"))["top"] - b_block["top"]) < 2
    assert stored(server, department, event)["version"] == 3
    assert alice.console_errors() == [] and bob.console_errors() == []


def test_a_drag_over_someone_elses_change_opens_the_dialog_with_both_versions(server, people, token):
    department = new_department(server)
    event = new_event(server, department, title="예산 회의", start_time="10:00", end_time="11:00")
    person = people(token("cora", "editor"), viewport={"width": 1280, "height": 900})
    page = open_week(person, department)
    hour, _ = hour_and_day(page)
    drag(page, block(page, "예산 회의"), 0, hour, release=False)
    # Meanwhile someone renames it (the page shows it live, but the drag holds the version it began with).
    assert http.put(f"{server.url}/api/events/{event['id']}", json={"title": "예산 회의 (변경)"}).status_code == 200
    expect(block(page, "예산 회의 (변경)")).to_be_visible(timeout=LIVE)
    page.mouse.up()
    expect(page.locator("#conflict")).to_be_visible()
    expect(page.locator("#conflict-theirs")).to_contain_text("예산 회의 (변경)")
    expect(page.locator("#event-start-time")).to_have_value("11:00")  # the move, waiting to be saved
    page.get_by_role("button", name="내 것으로 저장").click()
    expect(page.locator("#event-dialog")).to_be_hidden()
    expect(block(page, "예산 회의 (변경)")).to_contain_text("11:00–12:00")
    after = stored(server, department, event)
    assert (after["title"], after["start_time"], after["end_time"], after["version"]) == ("예산 회의 (변경)", "11:00", "12:00", 3)
    assert person.console_errors(provoked=(412,)) == []


def occurrences(server, department: dict, series: dict) -> list[tuple[str, str]]:
    listed = http.get(f"{server.url}/api/events/{department['id']}?from={MONTH}-01&to={MONTH}-31").json()
    return [(one["event_date"], one.get("start_time")) for one in listed if one.get("recurring_event_id") == series["id"]]


def test_dragging_an_occurrence_asks_which_events_move_on_the_week_and_on_the_month(server, people, token):
    department = new_department(server)
    series = new_series(server, department, "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4", title="스터디",
                        event_date=f"{MONTH}-03", start_time="10:00", end_time="11:00")
    alice, bob = people(token("dora", "editor"), viewport={"width": 1280, "height": 900}), people(token("eli", "viewer"))
    a = open_week(alice, department)
    b = bob.open(department["id"], MONTH)
    expect(b.locator("#grid-body .chip.recurring")).to_have_count(4)
    hour, _ = hour_and_day(a)
    drag(a, block(a, "스터디"), 0, hour)
    question = a.get_by_role("dialog", name="반복 일정입니다. 어느 일정을 옮길까요?")
    expect(question).to_be_visible()
    question.get_by_role("button", name="취소").click()  # nothing moves, the block goes back
    expect(block(a, "스터디")).to_contain_text("10:00–11:00")
    drag(a, block(a, "스터디"), 0, hour)
    question.get_by_role("button", name="모든 일정").click()
    expect(block(a, "스터디")).to_contain_text("11:00–12:00", timeout=LIVE)
    assert occurrences(server, department, series) == [(f"{MONTH}-{day:02d}", "11:00") for day in (3, 10, 17, 24)]
    expect(b.locator("#grid-body .chip.recurring .chip-time")).to_have_text(["11:00"] * 4, timeout=LIVE)

    a.keyboard.press("m")  # on the month: the occurrence of the 17th to the 18th, that one only
    series_chips = a.locator("#grid-body .chip.recurring")
    expect(series_chips).to_have_count(4)
    day_cell(a, 17).locator(".chip").drag_to(day_button(a, f"{MONTH}-18"))
    question.get_by_role("button", name="이 일정만").click()
    for page in (a, b):
        expect(day_cell(page, 18).locator(".chip")).to_have_count(1, timeout=LIVE)
        assert days_with(page, page.locator("#grid-body .chip.recurring")) == [3, 10, 18, 24]
    assert occurrences(server, department, series) == [(f"{MONTH}-{day:02d}", "11:00") for day in (3, 10, 18, 24)]

    day_cell(a, 24).locator(".chip").drag_to(day_button(a, f"{MONTH}-25"))  # Monday to Tuesday, from then on
    question.get_by_role("button", name="이 일정과 이후 일정").click()
    expect(day_cell(b, 25).locator(".chip")).to_have_count(1, timeout=LIVE)
    assert occurrences(server, department, series)[:3] == [(f"{MONTH}-{day:02d}", "11:00") for day in (3, 10, 18)]
    listed = http.get(f"{server.url}/api/events/{department['id']}?from={MONTH}-19&to=2031-04-30").json()
    assert [(one["event_date"], one.get("start_time")) for one in listed] == [(f"{MONTH}-25", "11:00")]  # the rule's weekday moved
    assert alice.console_errors() == [] and bob.console_errors() == []


def test_alt_and_the_arrows_move_an_event_on_the_week_by_a_quarter_hour_or_a_day_and_shift_moves_its_end(
        server, people, token):
    department = new_department(server)
    event = new_event(server, department, title="면접", start_time="14:00", end_time="15:00")  # the 12th
    person = people(token("finn", "editor"))
    page = open_week(person, department)
    block(page, "면접").focus()
    page.keyboard.press("Alt+ArrowDown")
    expect(block(page, "면접")).to_contain_text("14:15–15:15")
    expect(block(page, "면접")).to_be_focused()  # drawn anew, the keyboard still on it
    page.keyboard.press("Alt+ArrowRight")
    expect(page.locator('#timegrid .tg-col[data-date="2031-03-13"] .tg-event')).to_contain_text("면접")
    page.keyboard.press("Alt+Shift+ArrowDown")
    expect(block(page, "면접")).to_contain_text("14:15–15:30")
    expect(block(page, "면접")).to_be_focused()
    after = stored(server, department, event)
    assert (after["event_date"], after["start_time"], after["end_time"], after["version"]) == (f"{MONTH}-13", "14:15", "15:30", 4)
    assert person.console_errors() == []


def test_dragging_an_occurrence_a_day_later_with_all_moves_the_whole_series_to_that_weekday(server, people, token):
    department = new_department(server)
    series = new_series(server, department, "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=3", title="주간 보고",
                        event_date=f"{MONTH}-03", start_time="09:00", end_time="10:00")
    person = people(token("gus", "editor"), viewport={"width": 1280, "height": 900})
    page = open_week(person, department)  # the 9th to the 15th: the Monday the 10th
    _, day = hour_and_day(page)
    drag(page, block(page, "주간 보고"), day, 0)
    page.get_by_role("button", name="모든 일정").click()
    expect(page.locator("#timegrid .tg-event.dragging")).to_have_count(0, timeout=LIVE)  # stored, drawn anew
    expect(page.locator('#timegrid .tg-col[data-date="2031-03-11"] .tg-event')).to_contain_text("주간 보고", timeout=LIVE)
    assert occurrences(server, department, series) == [(f"{MONTH}-{day:02d}", "09:00") for day in (4, 11, 18)]
    assert person.console_errors() == []
