"""The search box: a query and Enter list the events of every department the person may read that
hold its words, nearest to today first, with their day, time and (when several departments can be
read) department; a result opens its department's month with its day; 더 보기 pages on."""
from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from auth import TokenStore
from support.calendar_page import PAGE_MARKS, new_department, new_event

pytestmark = PAGE_MARKS


def _search(page, query: str):
    page.get_by_role("searchbox", name="일정 검색").fill(query)
    page.get_by_role("searchbox", name="일정 검색").press("Enter")
    return page.locator("#search-list > li")


def test_a_search_lists_what_holds_the_words_and_a_result_opens_its_day(server, people, token, tables):
    code = f"탐사{uuid.uuid4().hex[:6]}"  # in no other test's event: the tables are shared
    sales, design = new_department(server), new_department(server)
    new_event(server, sales, title=f"{code} 분기 결산", event_date="2031-05-20")
    new_event(server, sales, title=f"주간회의 {code}", event_date="2031-03-12", start_time="10:00")
    new_event(server, design, title=f"{code}워크숍", event_date="2031-04-03")
    new_event(server, sales, title="관계없는 일정", event_date="2031-03-12")
    person = people(token("erin", "editor"))
    page = person.open(sales["id"], "2031-03")
    results = _search(page, code)
    expect(results).to_have_count(3)
    expect(page.locator("#search-list .search-result strong")).to_have_text(
        [f"주간회의 {code}", f"{code}워크숍", f"{code} 분기 결산"])  # nearest to today first
    expect(page.locator("#search-list .search-where")).to_have_text([
        f"2031년 3월 12일 (수) · 10:00 · {sales['name']}", f"2031년 4월 3일 (목) · 종일 · {design['name']}",
        f"2031년 5월 20일 (화) · 종일 · {sales['name']}"])
    expect(page.get_by_role("status").filter(has_text="건")).to_have_text("3건")

    results.nth(1).get_by_role("button").click()
    expect(page.locator("#department option:checked")).to_have_text(design["name"])
    expect(page.locator("#month-title")).to_have_text("2031년 4월")
    expect(page.locator("#day-title")).to_have_text(re.compile("^2031년 4월 3일 \\(목\\)"))
    expect(page.locator("#day-events .event-title")).to_have_text([f"{code}워크숍"])
    expect(page.locator("#day-title")).to_be_focused()
    assert f"department={design['id']}" in page.url and "month=2031-04" in page.url

    page.get_by_role("button", name="닫기").click()
    expect(page.locator("#search-results")).to_be_hidden()
    expect(page.get_by_role("searchbox", name="일정 검색")).to_be_focused()
    results = _search(page, f"{code}없음")
    expect(page.locator("#search-empty")).to_have_text("찾은 일정이 없습니다.")
    expect(results).to_have_count(0)
    _search(page, "?!")  # no word the API can look for
    expect(page.locator("#search-error")).to_have_text("검색어에는 글자나 숫자가 있어야 하며, 100자와 8단어까지 쓸 수 있습니다.")
    assert person.console_errors(provoked=(400,)) == []


def test_one_department_s_reader_sees_only_its_results_without_its_name_and_pages_on(server, people, tables):
    code = f"탐사{uuid.uuid4().hex[:6]}"
    mine, other = new_department(server), new_department(server)
    for day in range(1, 23):  # one more than a page of results, and one more in another department
        new_event(server, mine, title=f"{code} 점검 {day:02d}", event_date=f"2031-03-{day:02d}")
    new_event(server, other, title=f"{code} 남의 일정", event_date="2031-03-01")
    _, db = tables
    scoped = TokenStore(db).create(f"fay-{uuid.uuid4().hex[:6]}", "viewer", [mine["id"]])
    person = people(scoped)
    page = person.open(mine["id"], "2031-03")
    results = _search(page, f"{code} 점검")
    expect(results).to_have_count(20)
    expect(page.locator("#search-status")).to_have_text("20건 (더 있음)")
    expect(page.locator("#search-list .search-where").first).to_have_text("2031년 3월 1일 (토) · 종일")  # no name
    page.get_by_role("button", name="더 보기").click()
    expect(results).to_have_count(22)
    expect(page.get_by_role("button", name="더 보기")).to_be_hidden()
    expect(page.locator("#search-list", has_text="남의 일정")).to_have_count(0)
    assert person.console_errors() == []
