"""A person looks at a week and a day with hours: events placed by their start and end, the ones
that overlap side by side, all-day events, multi-day ones as one bar and public holidays in the row
above the hours, a line at the current time; W, D and M (and the buttons) switch views, and the URL
keeps the view and the day through a reload and back and forward."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from support.calendar_page import LIVE, MONTH, PAGE_MARKS, box, contrasts, new_department, new_event

pytestmark = PAGE_MARKS


def block(page, title: str):
    """An event's block on the hours (or its chip in the all-day row)."""
    return page.locator("#timegrid .tg-event, #timegrid .tg-chip", has=page.locator(".tg-title", has_text=re.compile(f"^{re.escape(title)}$")))


def test_the_week_and_day_views_place_events_by_their_times_and_the_url_keeps_them(server, people, token):
    department = new_department(server)
    new_event(server, department, title="회의 A", start_time="10:00", end_time="11:00")  # 12 March, a Wednesday
    new_event(server, department, title="회의 B", start_time="10:30", end_time="12:00")
    new_event(server, department, title="점심", start_time="12:30", end_time="13:30")
    new_event(server, department, title="워크숍")  # all day
    new_event(server, department, title="2월 마감", event_date="2031-02-25", start_time="09:00")
    new_event(server, department, title="출장", event_date=f"{MONTH}-14", end_date=f"{MONTH}-17")  # into the next week
    person = people(token("uma", "editor"), viewport={"width": 1280, "height": 900})
    person.page.clock.set_fixed_time(f"{MONTH}-12T10:00:00")
    page = person.open(department["id"], MONTH)
    expect(page.locator("#grid-body .chip")).to_have_count(6)  # the trip: a bar on each week's row
    page.keyboard.press("w")
    expect(page).to_have_url(re.compile(f"view=week&date={MONTH}-12$"))
    expect(page.locator("#month-title")).to_have_text("2031년 3월 9일 – 15일")
    expect(page.locator("#grid")).to_be_hidden()
    expect(page.locator("#timegrid .tg-day-button")).to_have_text(
        ["9 (일)", "10 (월)", "11 (화)", "12 (수)", "13 (목)", "14 (금)", "15 (토)"])
    a, b, lunch = box(block(page, "회의 A")), box(block(page, "회의 B")), box(block(page, "점심"))
    hour = a["height"]  # 10:00–11:00
    assert abs(b["y"] - (a["y"] + hour / 2)) < 2 and abs(b["height"] - 1.5 * hour) < 2  # 10:30–12:00
    assert abs(lunch["y"] - (a["y"] + 2.5 * hour)) < 2
    assert b["x"] >= a["x"] + a["width"] - 1 and abs(a["width"] - b["width"]) < 2  # side by side, halves
    assert lunch["width"] > 1.8 * a["width"]  # alone: the day's whole width
    assert lunch["x"] <= a["x"] + 1
    now = box(page.locator("#timegrid .tg-now"))  # 10:00 on the fixed clock, in the 12th's column
    assert abs(now["y"] - a["y"]) < 3 and now["x"] <= a["x"] + 1
    expect(page.locator("#timegrid .tg-col").nth(3).locator(".tg-now")).to_have_count(1)
    expect(page.locator('#timegrid-allday [data-date="2031-03-12"] .tg-chip')).to_have_text("워크숍")
    expect(block(page, "회의 A")).to_contain_text("10:00–11:00")
    trip = page.locator("#timegrid-allday .tg-bar", has_text="출장")  # one bar over the 14th and 15th
    expect(trip).to_have_count(1)
    bar, first, last = (box(trip), box(page.locator('#timegrid-allday [data-date="2031-03-14"]')),
                        box(page.locator('#timegrid-allday [data-date="2031-03-15"]')))
    assert abs(bar["left"] - first["left"]) < 6 and abs(bar["right"] - last["right"]) < 6, (bar, first, last)

    page.keyboard.press("d")
    expect(page).to_have_url(re.compile(f"view=day&date={MONTH}-12$"))
    expect(page.locator("#month-title")).to_have_text("2031년 3월 12일 (수)")
    expect(page.locator("#timegrid .tg-col")).to_have_count(1)
    assert box(block(page, "점심"))["width"] > 500  # one day across the page
    page.get_by_role("button", name="다음 날").click()
    expect(page.locator("#month-title")).to_have_text("2031년 3월 13일 (목)")
    expect(page.locator("#timegrid .tg-event")).to_have_count(0)
    page.reload()
    expect(page.locator("#month-title")).to_have_text("2031년 3월 13일 (목)")
    page.go_back()
    expect(page.locator("#month-title")).to_have_text("2031년 3월 12일 (수)")
    expect(block(page, "회의 A")).to_be_visible()
    page.go_back()
    expect(page.locator("#month-title")).to_have_text("2031년 3월 9일 – 15일")

    # The week of 1 March crosses into February: both months' events and 삼일절, in red, above the hours.
    page.get_by_role("button", name="이전 주").click()
    page.get_by_role("button", name="이전 주").click()
    expect(page).to_have_url(re.compile("view=week&date=2031-02-26$"))
    expect(page.locator("#month-title")).to_have_text("2031년 2월 23일 – 3월 1일")
    expect(block(page, "2월 마감")).to_contain_text("09:00–10:00")
    holiday = page.locator('#timegrid-allday [data-date="2031-03-01"] .holiday-name')
    expect(holiday).to_have_text("삼일절")
    for red in (holiday, page.get_by_role("button", name="1 (토)")):
        expect(red).to_have_css("color", "rgb(197, 34, 31)")
    assert min(contrasts(page, "#timegrid .holiday-name, #timegrid .tg-day-button").values()) >= 4.5

    page.get_by_role("button", name="1 (토)").click()  # a day's heading shows it alone
    expect(page).to_have_url(re.compile("view=day&date=2031-03-01$"))
    page.get_by_role("button", name="주", exact=True).click()
    expect(page).to_have_url(re.compile("view=week&date=2031-03-01$"))
    page.keyboard.press("m")
    expect(page).to_have_url(re.compile("month=2031-03$"))
    expect(page.locator("#grid")).to_be_visible()
    expect(page.locator("#timegrid")).to_be_hidden()
    page.get_by_role("button", name="일", exact=True).click()
    expect(page).to_have_url(re.compile(f"view=day&date={MONTH}-12$"))  # today, in the month shown
    assert person.console_errors() == []


def test_an_event_made_elsewhere_shows_on_the_week_live(server, people, token):
    department = new_department(server)
    person = people(token("vic", "viewer"))
    page = person.page
    page.goto(f"/?department={department['id']}&view=week&date={MONTH}-12")
    expect(page.locator("#live")).to_have_text("연결됨", timeout=LIVE * 5)
    new_event(server, department, title="긴급 회의", event_date=f"{MONTH}-14", start_time="16:00", end_time="17:00")
    expect(block(page, "긴급 회의")).to_contain_text("16:00–17:00", timeout=LIVE)
    assert person.console_errors() == []
