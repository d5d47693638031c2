"""Several departments at once: a person ticks others they may read to show beside the chosen one,
each in its own readable colour, remembered by the browser; one socket brings every shown
department's changes live, and each catches up after the page was offline."""
from __future__ import annotations

import uuid

from playwright.sync_api import expect

from auth import TokenStore
from config import PROJECT_DIR
from support.browser import save_screenshot
from support.calendar_page import (
    LIVE,
    MONTH,
    PAGE_MARKS,
    WAIT,
    chip,
    contrasts,
    day_cell,
    new_department,
    new_event,
    read_each,
)

pytestmark = PAGE_MARKS


def _chip(page, title: str):
    """The chip of an event of any department shown (the others' start with their department's name)."""
    return page.locator("#grid-body .chip", has_text=title)


def _tick(page, name: str):
    page.locator("#also-shown summary").click()
    return page.locator("#also-shown-list").get_by_label(name)


SCREENSHOT = PROJECT_DIR / "docs" / "page-departments.png"


def test_ticked_departments_show_beside_the_chosen_one_in_their_colours_and_stay_ticked(server, people, tables):
    """Also writes docs/page-departments.png (README.md shows it): fixed names, so it only changes with the page."""
    sales, dev, design = (new_department(server, name) for name in ("기획팀", "재무팀", "법무팀"))
    new_event(server, sales, title="기획 회의", start_time="09:00")
    new_event(server, dev, title="예산 검토", start_time="10:00")
    new_event(server, design, title="계약 검토", start_time="11:00")
    new_event(server, dev, title="결산", event_date=f"{MONTH}-27")
    # Limited to the three: the picker (and the screenshot) shows no other test's departments.
    person = people(TokenStore(tables[1]).create("kim-viewer", "viewer", [sales["id"], dev["id"], design["id"]]))
    page = person.open(sales["id"], MONTH)
    expect(chip(page, "기획 회의")).to_be_visible()
    expect(_chip(page, "예산 검토")).to_have_count(0)
    _tick(page, dev["name"]).check()
    page.locator("#also-shown-list").get_by_label(design["name"]).check()
    # Each in the day's order, the others' chips coloured and named for a screen reader.
    expect(day_cell(page, 12).locator(".chip")).to_have_text(["09:00 기획 회의", "재무팀10:00 예산 검토", "법무팀11:00 계약 검토"])
    colours = read_each(day_cell(page, 12).locator(".chip"), "node => getComputedStyle(node).backgroundColor")
    assert len(set(colours)) == 3, colours
    assert min(contrasts(page, "#grid-body .chip").values()) >= 4.5
    page.locator(f'#grid-body button[data-date="{MONTH}-12"]').click()
    expect(page.locator("#day-events .department-tag")).to_have_text(["재무팀", "법무팀"])
    assert min(contrasts(page, "#day-events .department-tag, #day-events .event-title").values()) >= 4.5
    expect(page.locator("#live")).to_have_text("연결됨", timeout=WAIT)
    assert len(save_screenshot(page, SCREENSHOT)) > 10_000

    page.reload()  # the ticks are the browser's
    expect(day_cell(page, 12).locator(".chip")).to_have_count(3)
    _tick(page, design["name"]).focus()
    page.keyboard.press("Space")  # by keyboard: the focus stays on the tick
    expect(page.locator("#also-shown-list").get_by_label(design["name"])).to_be_focused()
    expect(page.locator("#also-shown-list").get_by_label(design["name"])).not_to_be_checked()
    expect(_chip(page, "계약 검토")).to_have_count(0)
    expect(_chip(page, "예산 검토")).to_have_count(1)
    page.goto(f"/?department={sales['id']}&view=week&date={MONTH}-12")  # the week's time grid too
    blocks = page.locator("#timegrid-body [data-id]")
    expect(blocks).to_have_count(2)
    expect(page.locator("#timegrid-body .other-department")).to_have_text(["재무팀10:00–11:00 예산 검토"])
    assert min(contrasts(page, "#timegrid-body .other-department .tg-title").values()) >= 4.5
    assert person.console_errors() == []


def test_one_socket_brings_every_shown_departments_changes_and_each_catches_up_after_offline(server, people, token):
    sales, dev = (new_department(server, f"{name}-{uuid.uuid4().hex[:6]}") for name in ("영업", "개발"))
    person = people(token("noa", "viewer"))
    sockets = []
    person.page.on("websocket", lambda socket: sockets.append(socket.url))
    page = person.open(sales["id"], MONTH)
    expect(page.locator("#live")).to_have_text("연결됨", timeout=WAIT)
    _tick(page, dev["name"]).check()
    new_event(server, dev, title="개발 실시간", event_date=f"{MONTH}-05")
    new_event(server, sales, title="영업 실시간", event_date=f"{MONTH}-05")
    expect(_chip(page, "개발 실시간")).to_be_visible(timeout=LIVE)
    expect(_chip(page, "영업 실시간")).to_be_visible(timeout=LIVE)
    assert len(sockets) == 1

    person.context.set_offline(True)
    expect(page.locator("#live")).to_have_text("연결 끊김", timeout=WAIT)
    new_event(server, dev, title="개발 그사이", event_date=f"{MONTH}-06")
    new_event(server, sales, title="영업 그사이", event_date=f"{MONTH}-06")
    person.context.set_offline(False)
    expect(_chip(page, "개발 그사이")).to_be_visible(timeout=WAIT)
    expect(_chip(page, "영업 그사이")).to_be_visible(timeout=WAIT)
    assert person.console_errors(offline=True) == []


def test_a_limited_token_is_offered_only_the_departments_it_may_read(server, people, tables):
    mine, also_mine, not_mine = (new_department(server) for _ in range(3))
    scoped = TokenStore(tables[1]).create(f"scoped-{uuid.uuid4().hex[:6]}", "viewer", [mine["id"], also_mine["id"]])
    page = people(scoped).open(mine["id"], MONTH)
    page.locator("#also-shown summary").click()
    expect(page.locator("#also-shown-list label")).to_have_text([also_mine["name"]])
    assert not_mine["name"] != also_mine["name"]
