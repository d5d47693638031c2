"""Company days (창립기념일, 전사 휴무): an admin names a day on the page, every open page names it
in red at once, and taking it off clears it everywhere; a viewer is not offered the controls."""
from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from auth import TokenStore
from support.calendar_page import LIVE, PAGE_MARKS, WAIT, contrasts, day_button, new_department

pytestmark = PAGE_MARKS

# A month no other page test reads (company days are everyone's) and no public holiday falls in.
NOVEMBER = "2031-11"
DAY = f"{NOVEMBER}-20"


def _cell(page, iso: str):
    return page.locator(f'#grid-body td:has(button[data-date="{iso}"])')


def test_an_admin_names_a_company_day_and_every_open_page_shows_it_live_until_it_is_taken_off(server, people, token):
    department = new_department(server)
    admin, viewer = people(token("ada", "admin")), people(token("val", "viewer"))
    pages = [person.open(department["id"], NOVEMBER) for person in (admin, viewer)]
    for page in pages:
        expect(page.locator("#live")).to_have_text("연결됨", timeout=WAIT)
    page = pages[0]
    day_button(page, DAY).click()
    page.get_by_role("button", name="회사 휴일로 지정").click()
    expect(page.locator("#company-day-error")).to_have_text("비워 둘 수 없습니다.")
    page.get_by_label("회사 휴일 이름").fill("창립기념일")
    page.get_by_role("button", name="회사 휴일로 지정").click()
    expect(page.locator("#day-title")).to_have_text("2031년 11월 20일 (목) 창립기념일")
    expect(page.locator("#company-day-error")).to_be_hidden()
    for shown in pages:
        expect(_cell(shown, DAY).locator(".holiday-name")).to_have_text("창립기념일", timeout=LIVE)
        expect(day_button(shown, DAY)).to_have_attribute("aria-label", "20, 2031년 11월 20일 (목), 창립기념일")
    assert min(contrasts(pages[1], "#grid-body .holiday-name, #grid-body td.holiday button").values()) >= 4.5

    day_button(pages[1], DAY).click()  # a viewer is offered neither control
    expect(pages[1].locator("#day-title")).to_have_text("2031년 11월 20일 (목) 창립기념일")
    expect(pages[1].locator("#company-day-form")).to_be_hidden()
    expect(pages[1].get_by_role("button", name="창립기념일 회사 휴일 해제")).to_be_hidden()

    page.get_by_role("button", name="창립기념일 회사 휴일 해제").click()
    for shown in pages:
        expect(shown.locator("#grid-body .holiday-name")).to_have_count(0, timeout=LIVE)
    expect(page.get_by_role("button", name="회사 휴일로 지정")).to_be_visible()
    assert admin.console_errors(provoked=(400,)) == []  # the empty name
    assert viewer.console_errors() == []


def test_a_page_offline_while_a_company_day_was_named_shows_it_once_it_is_back(server, people, token):
    department = new_department(server)
    admin, away = people(token("ann", "admin")), people(token("bob", "viewer"))
    pages = [person.open(department["id"], NOVEMBER) for person in (admin, away)]
    for page in pages:
        expect(page.locator("#live")).to_have_text("연결됨", timeout=WAIT)
    away.page.context.set_offline(True)
    expect(pages[1].locator("#live")).to_have_text("연결 끊김", timeout=WAIT)
    day_button(pages[0], f"{NOVEMBER}-21").click()
    pages[0].get_by_label("회사 휴일 이름").fill("전사 휴무")
    pages[0].get_by_role("button", name="회사 휴일로 지정").click()
    expect(_cell(pages[0], f"{NOVEMBER}-21").locator(".holiday-name")).to_have_text("전사 휴무")
    expect(pages[1].locator("#grid-body .holiday-name")).to_have_count(0)
    away.page.context.set_offline(False)
    expect(_cell(pages[1], f"{NOVEMBER}-21").locator(".holiday-name")).to_have_text("전사 휴무", timeout=WAIT)
    pages[0].get_by_role("button", name="전사 휴무 회사 휴일 해제").click()
    expect(pages[1].locator("#grid-body .holiday-name")).to_have_count(0, timeout=WAIT)
    assert admin.console_errors() == []
    assert away.console_errors(offline=True) == []


def test_an_admin_of_some_departments_is_offered_no_company_day_nor_new_department(server, people, tables):
    department = new_department(server)
    _, db = tables
    scoped = TokenStore(db).create(f"dora-{uuid.uuid4().hex[:6]}", "admin", [department["id"]])
    person = people(scoped)
    page = person.open(department["id"], NOVEMBER)
    expect(page.locator("#live")).to_have_text("연결됨", timeout=WAIT)
    day_button(page, DAY).click()
    expect(page.locator("#day-title")).to_have_text(re.compile("^2031년 11월 20일 \\(목\\)"))
    expect(page.locator("#company-day-form")).to_be_hidden()  # the API would refuse it (403)
    expect(page.get_by_role("button", name="새 부서")).to_be_hidden()
    expect(page.get_by_role("button", name="이름 바꾸기")).to_be_visible()  # its own department it may rename
    assert person.console_errors() == []
