"""A person uses the month by keyboard: one Tab stop in the grid and the arrows between days (into
the next or previous month past its edge), T for today and N for a new event, never while typing."""
from __future__ import annotations

from playwright.sync_api import expect

from support.calendar_page import MONTH, PAGE_MARKS, day_button, new_department

pytestmark = PAGE_MARKS


def test_arrows_move_between_days_and_t_and_n_show_today_and_open_a_new_event(server, people, token):
    department = new_department(server)
    person = people(token("wes", "editor"))
    person.page.clock.set_fixed_time("2031-04-15T10:00:00")
    page = person.open(department["id"], MONTH)
    expect(page.locator("#month-title")).to_have_text("2031년 3월")
    expect(page.locator("#grid-body button[tabindex='0']")).to_have_count(1)  # one Tab stop, not 31
    page.keyboard.press("t")
    expect(page.locator("#month-title")).to_have_text("2031년 4월")
    expect(day_button(page, "2031-04-15")).to_be_focused()
    for key, day in (("ArrowRight", "2031-04-16"), ("ArrowDown", "2031-04-23"), ("ArrowUp", "2031-04-16"),
                     ("ArrowUp", "2031-04-09"), ("ArrowUp", "2031-04-02"), ("ArrowLeft", "2031-04-01")):
        page.keyboard.press(key)
        expect(day_button(page, day)).to_be_focused()
    page.keyboard.press("ArrowLeft")  # past the month's first day: March, on its last
    expect(page.locator("#month-title")).to_have_text("2031년 3월")
    expect(day_button(page, f"{MONTH}-31")).to_be_focused()
    expect(page).to_have_url(f"{server.url}/?department={department['id']}&month={MONTH}")
    page.keyboard.press("Enter")
    expect(page.locator("#day-title")).to_have_text("2031년 3월 31일 (월)")

    page.keyboard.press("n")
    expect(page.locator("#event-dialog")).to_be_visible()
    expect(page.locator("#event-date")).to_have_value(f"{MONTH}-31")
    page.keyboard.type("팀 회의 t")  # typing a shortcut's letter in a field only types it
    expect(page.locator("#event-title")).to_have_value("팀 회의 t")
    expect(page.locator("#month-title")).to_have_text("2031년 3월")
    assert person.console_errors() == []
