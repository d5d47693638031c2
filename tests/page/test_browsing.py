"""A person browses the calendar: months back and forth with the URL keeping department and
month, series on every matching day, an event spanning days as one bar across them, chips with their start times,
holidays in red, the 목록 view, text shown as text, the tab title, the phone layout, readable
contrast, a printed month, the page's files under the strict CSP, the API document page, and the
README's screenshots. Every test asserts what a person sees, and that the page logged no error."""
from __future__ import annotations

import calendar
import datetime
import re
import uuid

from playwright.sync_api import expect

from config import PAGE_CONTENT_SECURITY_POLICY, PROJECT_DIR
from support.browser import save_screenshot
from support.calendar_page import (
    LIVE,
    MONDAYS,
    MONTH,
    PAGE_MARKS,
    WAIT,
    box,
    chip,
    contrasts,
    day_button,
    day_cell,
    days_with,
    fill_event,
    new_department,
    new_event,
    new_series,
    read_each,
    series_chip,
)
from support.live_helpers import http, token_for

pytestmark = PAGE_MARKS


def test_months_move_back_and_forth_and_the_url_keeps_department_and_month(server, people, token):
    department, other = new_department(server), new_department(server)
    new_event(server, department, title="4월 행사", event_date="2031-04-30")
    person = people(token("grace", "viewer"))
    page = person.open(department["id"], MONTH)
    expect(page.locator("#month-title")).to_have_text("2031년 3월")
    # Sunday first: 1 March 2031 is a Saturday, the last column of the first week.
    assert calendar.weekday(2031, 3, 1) == calendar.SATURDAY
    first_week = page.locator("#grid-body tr").first.locator("td")
    expect(first_week.nth(6).locator("button")).to_have_text("1")
    expect(first_week.nth(6)).to_have_class(re.compile(r"\bsat\b"))
    expect(page.locator("#grid-body tr").nth(1).locator("td").first).to_have_class(re.compile(r"\bsun\b"))
    expect(page.locator("#grid thead th").first).to_have_text("일")

    page.get_by_role("button", name="다음 달").click()
    expect(page.locator("#month-title")).to_have_text("2031년 4월")
    expect(chip(page, "4월 행사")).to_be_visible()
    assert f"department={department['id']}" in page.url and "month=2031-04" in page.url
    page.go_back()
    expect(page.locator("#month-title")).to_have_text("2031년 3월")
    expect(chip(page, "4월 행사")).to_have_count(0)
    page.get_by_role("button", name="이전 달").click()
    expect(page.locator("#month-title")).to_have_text("2031년 2월")

    page.get_by_role("combobox", name="부서").select_option(label=other["name"])
    expect(page).to_have_url(re.compile(f"department={other['id']}&month=2031-02$"))
    link = page.url
    again = people(token("grace2", "viewer")).open()
    again.goto(link)
    expect(again.locator("#month-title")).to_have_text("2031년 2월")
    expect(again.locator("#department")).to_have_value(other["id"])

    page.get_by_role("button", name="오늘", exact=True).click()
    today = datetime.date.today()
    expect(page.locator("#month-title")).to_have_text(f"{today.year}년 {today.month}월")
    expect(page.locator("td.today button")).to_have_attribute("aria-current", "date")
    expect(page.locator("td.today button")).to_have_text(str(today.day))
    assert person.console_errors() == []


def test_a_weekly_series_shows_on_every_matching_day_marked_recurring(server, people, token):
    department = new_department(server)
    series = new_series(server, department, "RRULE:FREQ=WEEKLY;BYDAY=MO", title="월요 회의", event_date=f"{MONTH}-03",
                        start_time="09:00", end_time="10:00")
    new_event(server, department, title="단독 일정", event_date=f"{MONTH}-04")
    person = people(token("nina", "viewer"))
    page = person.open(department["id"], MONTH)
    expect(series_chip(page, "월요 회의")).to_have_count(len(MONDAYS))
    assert days_with(page, series_chip(page, "월요 회의")) == MONDAYS
    expect(day_cell(page, 10).get_by_role("img", name="반복 일정")).to_have_count(1)
    expect(chip(page, "단독 일정")).to_be_visible()  # a single event: no marker
    expect(day_cell(page, 4).get_by_role("img", name="반복 일정")).to_have_count(0)

    day_button(page, f"{MONTH}-17").click()
    expect(page.locator("#day-events .event-title")).to_have_text(["월요 회의"])
    expect(page.locator("#day-events .event-time")).to_have_text(["09:00–10:00"])
    expect(page.locator("#day-events").get_by_role("img", name="반복 일정")).to_have_count(1)

    page.get_by_role("button", name="다음 달").click()  # unbounded: April's Mondays too
    expect(page.locator("#month-title")).to_have_text("2031년 4월")
    expect(series_chip(page, "월요 회의")).to_have_count(4)
    expect(page.locator("#live")).to_have_text("연결됨", timeout=WAIT)
    assert http.delete(f"{server.url}/api/events/{series['id']}").status_code == 204  # the series' tombstone, live
    expect(series_chip(page, "월요 회의")).to_have_count(0, timeout=LIVE)
    assert person.console_errors() == []


def test_a_multi_day_event_is_one_bar_across_its_days_wrapping_at_the_weeks_end(server, people, token):
    department = new_department(server)
    new_event(server, department, title="점심", event_date=f"{MONTH}-29", start_time="12:00")
    alice, bob = people(token("ruth", "editor")), people(token("sam", "viewer"))
    a = alice.open(department["id"], MONTH)
    b = bob.open(department["id"], "2031-04")
    expect(b.locator("#live")).to_have_text("연결됨", timeout=WAIT)
    day_button(a, f"{MONTH}-28").click()
    a.get_by_role("button", name="이 날에 새 일정").click()
    fill_event(a, title="워크숍", start_time="09:00", end_time="18:00", end_date="2031-04-02")
    a.get_by_role("button", name="저장", exact=True).click()
    expect(a.locator("#event-dialog")).to_be_hidden()
    # Friday the 28th to Wednesday 2 April: the 28th–29th on one week's row, the 30th–31st on the next.
    expect(chip(a, "워크숍")).to_have_count(2)
    assert days_with(a, chip(a, "워크숍")) == [28, 30]
    first, second = box(chip(a, "워크숍").first), box(chip(a, "워크숍").last)
    for bar, (start, end) in ((first, (28, 29)), (second, (30, 31))):
        left, right = box(day_cell(a, start)), box(day_cell(a, end))
        assert abs(bar["left"] - left["left"]) < 6 and abs(bar["right"] - right["right"]) < 6, (bar, left, right)
    lunch = box(chip(a, "점심"))
    assert lunch["top"] >= first["bottom"] - 1 and lunch["left"] < first["right"]  # under the bar, not over it
    expect(chip(b, "워크숍")).to_have_count(1, timeout=LIVE)  # April, live: one bar, the 1st and the 2nd
    assert days_with(b, chip(b, "워크숍")) == [1]
    april = [b.locator(f'#grid-body td:has(button[data-date="2031-04-0{day}"])') for day in (1, 2)]
    bar, left, right = box(chip(b, "워크숍")), box(april[0]), box(april[1])
    assert abs(bar["left"] - left["left"]) < 6 and abs(bar["right"] - right["right"]) < 6
    day_button(a, f"{MONTH}-30").click()
    expect(a.locator("#day-events .event-time")).to_have_text(["09:00–18:00 (3/28~4/2)"])
    assert alice.console_errors() == [] and bob.console_errors() == []


XSS = "<img src=x onerror=alert(1)>"


def test_a_title_with_markup_shows_as_text_and_runs_nothing(server, people, token):
    department = new_department(server, name=f"<b>{uuid.uuid4().hex[:6]}</b>")
    new_event(server, department, title=XSS, description="<script>alert(2)</script>", url="https://example.com/?a=<b>")
    person = people(token("frank", "viewer"))
    page = person.open(department["id"], MONTH)
    expect(chip(page, XSS)).to_be_visible()
    day_button(page, f"{MONTH}-12").click()
    expect(page.locator("#day-events .event-title")).to_have_text(XSS)
    expect(page.locator("#day-events .event-description")).to_have_text("<script>alert(2)</script>")
    expect(page.locator("#department option:checked")).to_have_text(department["name"])
    assert page.locator("img, script:not([src]), b").count() == 0
    assert person.dialogs == [] and person.console_errors() == []


def test_the_page_and_its_files_need_no_token_and_run_under_the_strict_csp(server):
    page = http.get(server.url + "/", headers={"Authorization": ""})
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert page.headers["Content-Security-Policy"] == PAGE_CONTENT_SECURITY_POLICY
    html = page.text
    assert "<script>" not in html and "style=" not in html  # nothing inline: the CSP would block it
    links = re.findall(r'(?:src|href)="(/[^"]+)"', html)
    assert "/page/app.js" in links and "/page/style.css" in links
    for link in links:
        assert http.get(server.url + link, headers={"Authorization": ""}).status_code == 200, link
    client = http.get(server.url + "/page/vendor/socket.io.esm.min.js", headers={"Authorization": ""})
    assert client.status_code == 200 and "javascript" in client.headers["Content-Type"]
    assert client.text.startswith("/*!\n * Socket.IO v4.")  # npm's file, from node_modules
    for name in ("package.json", "socket.io.js", "..%2Fpackage.json"):
        assert http.get(f"{server.url}/page/vendor/{name}").json()["error"] == "not_found"
    assert http.get(f"{server.url}/page/..%2F__init__.py").status_code == 404
    assert http.get(f"{server.url}/page/nothing.js").json()["error"] == "not_found"
    assert http.get(server.url + "/api/departments", headers={"Authorization": ""}).status_code == 401


SCREENSHOT = PROJECT_DIR / "docs" / "page.png"


def test_a_screenshot_of_the_page_for_the_readme(server, people):
    """docs/page.png (README.md shows it): a month of a department at desktop width, a day open.
    The events are written by the admin token (`test-admin`) so the picture stays the same."""
    department = new_department(server, name="영업부")
    for day, title, time_of_day in ((3, "주간 회의", "오전 10:00"), (3, "고객 방문", "오후 2:00"),
                                    (10, "주간 회의", "오전 10:00"), (12, "분기 보고", "오후 3:00"),
                                    (14, "팀 점심", "12:00"), (17, "주간 회의", "오전 10:00"),
                                    (21, "전시회 준비", ""), (24, "주간 회의", "오전 10:00"), (28, "월말 정산", "")):
        new_event(server, department, title=title, time=time_of_day, event_date=f"{MONTH}-{day:02d}",
                  description="3층 대회의실" if title == "고객 방문" else "")
    person = people(token_for(server.url), viewport={"width": 1200, "height": 820})
    page = person.open(department["id"], MONTH)
    expect(page.locator("#live")).to_have_text("연결됨", timeout=WAIT)
    day_button(page, f"{MONTH}-03").click()
    expect(page.locator("#day-events .event-title")).to_have_text(["주간 회의", "고객 방문"])
    assert len(save_screenshot(page, SCREENSHOT)) > 10_000
    assert person.console_errors() == []


WEEK_SCREENSHOT = PROJECT_DIR / "docs" / "page-week.png"
DAY_SCREENSHOT = PROJECT_DIR / "docs" / "page-day.png"


def test_screenshots_of_the_week_and_day_views_for_the_readme(server, people):
    """docs/page-week.png and docs/page-day.png (README.md shows them): a week with hours, events
    side by side where they overlap, a multi-day event and a holiday above the hours, the line at the
    current time; then its Thursday alone. The clock is fixed, so the pictures stay the same."""
    department = new_department(server, name="개발팀")
    for day, title, start, end in ((2, "신입 교육", "09:00", "12:00"), (3, "스탠드업", "09:30", "10:00"),
                                   (4, "설계 검토", "10:00", "11:30"), (4, "고객 통화", "10:30", "11:00"),
                                   (5, "점심 약속", "12:00", "13:00"), (6, "릴리스 회의", "14:00", "15:30"),
                                   (6, "코드 리뷰", "14:30", "16:00"), (6, "1:1 면담", "15:00", "15:30"),
                                   (7, "주간 회고", "16:00", "17:00")):
        new_event(server, department, title=title, event_date=f"{MONTH}-{day:02d}", start_time=start, end_time=end)
    new_event(server, department, title="해외 출장", event_date=f"{MONTH}-05", end_date=f"{MONTH}-07")
    person = people(token_for(server.url), viewport={"width": 1200, "height": 900})
    person.page.clock.set_fixed_time(f"{MONTH}-06T14:45:00")
    page = person.page
    page.goto(f"/?department={department['id']}&view=week&date={MONTH}-06")
    expect(page.locator("#live")).to_have_text("연결됨", timeout=WAIT)
    expect(page.locator("#timegrid .tg-event")).to_have_count(9)
    expect(page.locator("#timegrid .holiday-name")).to_have_text(["삼일절 대체 휴일"])
    assert len(save_screenshot(page, WEEK_SCREENSHOT)) > 10_000
    page.get_by_role("button", name="6 (목)").click()
    expect(page.locator("#timegrid .tg-event")).to_have_count(3)
    assert len(save_screenshot(page, DAY_SCREENSHOT)) > 10_000
    assert person.console_errors() == []


PHONE_SCREENSHOT = PROJECT_DIR / "docs" / "page-phone.png"


def test_a_screenshot_of_the_page_at_phone_width_for_the_readme(server, people):
    """docs/page-phone.png (README.md shows it): a month at 375 px, holidays named, the menu folded."""
    department = new_department(server, name="총무팀")
    for day, title, start in ((3, "주간 회의", "10:00"), (5, "신입 교육", ""), (12, "분기 보고", "15:00"),
                              (12, "팀 점심", "12:00"), (20, "워크숍", ""), (27, "월말 정산", "")):
        new_event(server, department, title=title, event_date=f"{MONTH}-{day:02d}", **({"start_time": start} if start else {}))
    person = people(token_for(server.url), viewport={"width": 375, "height": 667}, has_touch=True)
    person.page.clock.set_fixed_time(f"{MONTH}-12T09:00:00")  # today marked, the same on every run
    page = person.open(department["id"], MONTH)
    expect(page.locator("#live")).to_have_text("연결됨", timeout=WAIT)
    expect(page.locator("#grid-body .holiday-name")).to_have_count(2)
    expect(chip(page, "월말 정산")).to_be_visible()
    assert len(save_screenshot(page, PHONE_SCREENSHOT)) > 10_000
    assert person.console_errors() == []


def test_the_api_document_page_renders_under_the_strict_csp(server, people):
    reader = people(None)
    reader.page.goto("/api/docs")
    expect(reader.page.locator(".opblock-summary-path", has_text="/api/events/{department_id}").first
           ).to_be_visible(timeout=WAIT)
    assert reader.page.locator(".opblock").count() > 10
    assert reader.console_errors() == []


def test_the_tab_names_the_department_and_month_and_a_phone_shows_whole_titles_under_a_one_row_toolbar(server, people, token):
    name = f"영업부-{uuid.uuid4().hex[:4]}"
    department = new_department(server, name=name)
    new_event(server, department, title="주간 회의")  # the 12th
    person = people(token("tara", "admin"), viewport={"width": 375, "height": 667}, has_touch=True)
    page = person.open(department["id"], MONTH)
    expect(page).to_have_title(f"{name} · 2031년 3월 — 부서 일정")
    page.get_by_role("button", name="다음 달").click()
    expect(page).to_have_title(f"{name} · 2031년 4월 — 부서 일정")
    page.get_by_role("button", name="이전 달").click()

    title = chip(page, "주간 회의")
    expect(title).to_be_visible()
    expect(page.locator("#live")).to_have_text("연결됨", timeout=WAIT)  # the catch-up that draws anew is done
    cut = title.evaluate("node => node.scrollWidth > node.clientWidth || node.scrollHeight > node.clientHeight")
    assert not cut, "the title on the grid is cut short"
    toolbar = page.get_by_role("region", name="부서 선택과 관리").bounding_box()
    select = page.locator("#department").bounding_box()
    assert toolbar["height"] < 2 * select["height"], "the toolbar takes more than one row"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    menu = page.get_by_role("button", name="메뉴")
    expect(page.get_by_role("button", name="새 부서")).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    page.get_by_role("button", name="이름 바꾸기").click()  # the menu's buttons work as in the row
    expect(page.locator("#department-dialog")).to_be_visible()
    expect(page.get_by_role("button", name="새 부서")).to_be_hidden()  # the menu folded again
    page.locator("#department-name").fill(f"{name}-2")
    page.get_by_role("button", name="저장", exact=True).click()
    expect(page).to_have_title(f"{name}-2 · 2031년 3월 — 부서 일정")
    assert person.console_errors() == []


def test_today_on_a_weekend_and_every_day_number_and_title_on_the_grid_are_readable(server, people, token):
    department = new_department(server)
    new_event(server, department, title="주말 근무", event_date=f"{MONTH}-15")
    for today in (f"{MONTH}-16", f"{MONTH}-15"):  # a Sunday, then a Saturday
        person = people(token("uma", "viewer"))
        person.page.clock.set_fixed_time(f"{today}T09:00:00")
        page = person.open(department["id"], MONTH)
        expect(chip(page, "주말 근무")).to_be_visible()
        expect(page.locator("#live")).to_have_text("연결됨", timeout=WAIT)
        expect(page.locator("td.today button")).to_have_attribute("data-date", today)
        (ratio,) = contrasts(page, "td.today button").values()
        assert ratio >= 4.5, f"today ({today}) has a contrast of {ratio:.1f}:1"
        unreadable = {html: ratio for html, ratio in contrasts(page, "#grid-body button, #grid-body .chip").items()
                      if ratio < 4.5}
        assert unreadable == {}
        assert person.console_errors() == []


def test_chips_show_when_each_event_starts(server, people, token):
    department = new_department(server)
    new_event(server, department, title="아침 회의", start_time="09:30", end_time="10:00")
    new_event(server, department, title="고객 방문", time="오후 2:00")  # free text the page reads as a time
    new_event(server, department, title="종일 워크숍")
    new_event(server, department, title="출장", event_date=f"{MONTH}-13", end_date=f"{MONTH}-14", start_time="08:00")
    person = people(token("vic", "viewer"))
    page = person.open(department["id"], MONTH)
    expect(day_cell(page, 12).locator(".chip")).to_have_text(["종일 워크숍", "09:30 아침 회의", "14:00 고객 방문"])
    expect(day_cell(page, 13).locator(".chip")).to_have_text(["08:00 출장"])
    expect(day_cell(page, 14).locator(".chip")).to_have_count(0)  # the trip's bar reaches over its second day
    assert person.console_errors() == []


def test_an_event_given_a_time_both_ways_shows_its_start_and_end_as_the_feed_does(server, people, token):
    department = new_department(server)
    new_event(server, department, title="분기 회의", event_date=f"{MONTH}-15", time="오후 2:00",
              start_time="10:00", end_time="11:30")  # as an old client could send it
    person = people(token("wes", "viewer"))
    page = person.open(department["id"], MONTH)
    expect(day_cell(page, 15).locator(".chip")).to_have_text(["10:00 분기 회의"])
    day_button(page, f"{MONTH}-15").click()
    expect(page.locator("#day-events .event-time")).to_have_text(["10:00–11:30"])
    assert person.console_errors() == []


def test_public_holidays_are_named_in_red_on_the_grid_and_in_the_days_list(server, people, token):
    department = new_department(server)
    person = people(token("xena", "viewer"))
    page = person.open(department["id"], MONTH)
    # 1 March 2031, 삼일절, is a Saturday: the Monday after is its substitute holiday.
    expect(day_cell(page, 1).locator(".holiday-name")).to_have_text("삼일절")
    expect(day_cell(page, 3).locator(".holiday-name")).to_have_text("삼일절 대체 휴일")
    expect(page.locator("#grid-body .holiday-name")).to_have_count(2)
    expect(day_button(page, f"{MONTH}-03")).to_have_attribute("aria-label", "3, 2031년 3월 3일 (월), 삼일절 대체 휴일")
    expect(page.locator("#live")).to_have_text("연결됨", timeout=WAIT)  # the catch-up that draws anew is done
    colours = read_each(page.locator("#grid-body .holiday-name, #grid-body td.holiday button"),
                        "node => getComputedStyle(node).color")
    assert set(colours) == {"rgb(197, 34, 31)"}  # the page's red (--sun)
    assert min(contrasts(page, "#grid-body .holiday-name, #grid-body td.holiday button").values()) >= 4.5
    day_button(page, f"{MONTH}-03").click()
    expect(page.locator("#day-title")).to_have_text("2031년 3월 3일 (월) 삼일절 대체 휴일")
    page.get_by_role("button", name="다음 달").click()
    expect(page.locator("#month-title")).to_have_text("2031년 4월")
    expect(page.locator("#grid-body .holiday-name")).to_have_count(0)  # April has none
    page.get_by_role("button", name="다음 달").click()
    expect(page.locator("#month-title")).to_have_text("2031년 5월")
    expect(page.locator('#grid-body td:has(button[data-date="2031-05-05"]) .holiday-name')).to_have_text("어린이날")
    assert person.console_errors() == []


def test_a_printed_month_is_one_a4_page_across_with_its_heading_and_no_controls(server, people, token):
    name = f"총무부-{uuid.uuid4().hex[:4]}"
    department = new_department(server, name=name)
    for day in (3, 3, 3, 12, 31):
        new_event(server, department, title="회의", event_date=f"{MONTH}-{day:02d}", start_time="10:00")
    person = people(token("yuri", "admin"))
    page = person.open(department["id"], MONTH)
    expect(chip(page, "회의")).to_have_count(5)
    day_button(page, f"{MONTH}-12").click()
    page.emulate_media(media="print")
    expect(page.locator("#print-heading")).to_have_text(f"{name} · 2031년 3월")
    expect(page.locator("#print-heading")).to_be_visible()
    for hidden in ("#department", "#event-new", "#month-today", "#day", "#live"):
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator("#grid")).to_be_visible()
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    pages = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert len(pages) == 1, f"{len(pages)} pages"
    width, height = (float(size) for size in pages[0])
    assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points
    assert person.console_errors() == []


def test_the_agenda_lists_the_months_events_by_day_and_the_url_keeps_the_view(server, people, token):
    department = new_department(server)
    new_event(server, department, title="분기 보고", event_date=f"{MONTH}-20", start_time="15:00")
    new_event(server, department, title="아침 회의", start_time="09:00")  # the 12th
    new_event(server, department, title="종일 워크숍")
    person = people(token("zeke", "editor"))
    page = person.open(department["id"], MONTH)
    expect(chip(page, "분기 보고")).to_be_visible()
    page.get_by_role("button", name="목록", exact=True).click()
    expect(page).to_have_url(re.compile(f"month={MONTH}&view=agenda$"))
    expect(page.locator("#grid")).to_be_hidden()
    agenda = page.get_by_role("region", name="이 달의 일정 목록")
    expect(agenda.locator(".agenda-day")).to_have_text(["2031년 3월 12일 (수)", "2031년 3월 20일 (목)"])
    expect(agenda.locator(".event-title")).to_have_text(["종일 워크숍", "아침 회의", "분기 보고"])
    agenda.get_by_role("button", name="분기 보고 편집").click()
    expect(page.locator("#event-dialog")).to_be_visible()
    page.get_by_role("button", name="취소").click()
    page.reload()  # the view is in the URL
    expect(agenda.locator(".event-title")).to_have_text(["종일 워크숍", "아침 회의", "분기 보고"])
    expect(page.get_by_role("button", name="목록", exact=True)).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="월", exact=True).click()
    expect(page.locator("#grid")).to_be_visible()
    expect(agenda).to_be_hidden()
    assert "view=" not in page.url
    assert person.console_errors() == []
