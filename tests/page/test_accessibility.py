"""axe-core (npm, the engine browsers' accessibility tools run) checks every view of the page in
Chromium: the month with a day open, the agenda, the week and the day with hours (and their text at
least 4.5:1 against what is behind it), the scope question of a dragged occurrence, the event dialog
of an occurrence with its 변경 기록, the trash, search results, the department dialog, the token prompt and the phone width with its menu open.
No serious or critical violation."""
from __future__ import annotations

from playwright.sync_api import expect

from config import PROJECT_DIR
from support.calendar_page import (
    MONTH,
    PAGE_MARKS,
    WAIT,
    box,
    contrasts,
    day_button,
    new_department,
    new_event,
    new_series,
    open_occurrence,
)
from support.live_helpers import http

pytestmark = PAGE_MARKS

AXE = PROJECT_DIR / "node_modules" / "axe-core" / "axe.min.js"
# axe's script goes in as an inline <script>, which the page's CSP refuses: these browsers bypass it.
AXE_BROWSER = {"bypass_csp": True}
_VIOLATIONS = """async () => (await axe.run(document, { resultTypes: ["violations"] })).violations
  .filter((rule) => ["serious", "critical"].includes(rule.impact))
  .map((rule) => ({ rule: rule.id, impact: rule.impact, where: rule.nodes.map((node) => node.target.join(" ")) }))"""


def violations(page) -> list[dict]:
    """The serious and critical violations axe finds on the page as it is now."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=AXE)
    return page.evaluate(_VIOLATIONS)


def test_the_month_and_the_dialogs_have_no_serious_accessibility_violations(server, people, token):
    department = new_department(server)
    new_event(server, department, title="주간 회의", start_time="10:00", end_time="11:00", description="3층")
    new_series(server, department, "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4", title="스터디", event_date=f"{MONTH}-03")
    deleted = new_event(server, department, title="지운 일정")
    assert http.delete(f"{server.url}/api/events/{deleted['id']}").status_code == 204
    person = people(token("zoe", "admin"), **AXE_BROWSER)
    page = person.open(department["id"], MONTH)
    expect(page.locator("#live")).to_have_text("연결됨", timeout=WAIT)
    day_button(page, f"{MONTH}-12").click()
    expect(page.locator("#day-events .event-title")).to_have_text(["주간 회의"])
    assert violations(page) == [], "month"
    page.get_by_role("searchbox", name="일정 검색").fill("스터디")
    page.get_by_role("searchbox", name="일정 검색").press("Enter")
    expect(page.locator("#search-list > li").first).to_be_visible()
    assert violations(page) == [], "search results"
    page.get_by_role("button", name="닫기").click()
    page.get_by_role("button", name="목록", exact=True).click()
    expect(page.locator("#agenda .event-title")).to_have_text(["스터디", "스터디", "주간 회의", "스터디", "스터디"])
    assert violations(page) == [], "agenda"
    page.get_by_role("button", name="월", exact=True).click()

    open_occurrence(page, 10, "스터디")  # the dialog at its longest: the scope question and the weekdays
    expect(page.get_by_role("group", name="반복 요일")).to_be_visible()
    assert violations(page) == [], "event dialog"
    page.get_by_role("textbox", name="제목").fill(" ")
    page.get_by_role("button", name="저장", exact=True).click()
    expect(page.locator("#event-title-error")).to_have_text("비워 둘 수 없습니다.")
    assert violations(page) == [], "event dialog with a problem"
    page.locator("#event-history summary").click()
    expect(page.locator("#history-series-list > li")).to_have_count(1)
    assert violations(page) == [], "event dialog with its history"
    page.get_by_role("button", name="취소").click()

    page.get_by_role("button", name="휴지통").click()
    expect(page.locator("#trash-list > li")).to_have_count(1)
    assert violations(page) == [], "trash"
    page.get_by_role("button", name="지운 일정 영구 삭제").click()
    assert violations(page) == [], "trash asking before removing for good"
    page.get_by_role("button", name="닫기").click()

    page.get_by_role("button", name="부서 삭제").click()
    assert violations(page) == [], "department dialog"
    page.get_by_role("button", name="취소").click()
    assert person.console_errors() == []


def test_the_phone_width_and_the_token_prompt_have_no_serious_accessibility_violations(server, people, token):
    department = new_department(server)
    new_event(server, department, title="점심 약속", start_time="12:00")
    person = people(token("yan", "editor"), viewport={"width": 375, "height": 667}, **AXE_BROWSER)
    page = person.open(department["id"], MONTH)
    expect(page.locator("#live")).to_have_text("연결됨", timeout=WAIT)
    page.get_by_role("button", name="메뉴").click()
    assert violations(page) == [], "phone, menu open"

    stranger = people(None, **AXE_BROWSER)
    prompt = stranger.open(department["id"], MONTH)
    expect(prompt.locator("#token-section")).to_be_visible()
    assert violations(prompt) == [], "token prompt"
    assert person.console_errors() == []


def test_the_week_and_day_views_have_no_serious_accessibility_violations_and_readable_text(server, people, token):
    department = new_department(server)
    new_event(server, department, title="설계 검토", start_time="10:00", end_time="11:00")
    new_event(server, department, title="고객 통화", start_time="10:30", end_time="11:30")
    new_event(server, department, title="워크숍", event_date=f"{MONTH}-11", end_date=f"{MONTH}-13")
    new_series(server, department, "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4", title="스터디", event_date=f"{MONTH}-03",
               start_time="09:00", end_time="10:00")
    person = people(token("xia", "editor"), viewport={"width": 1280, "height": 900}, **AXE_BROWSER)
    person.page.clock.set_fixed_time(f"{MONTH}-12T10:20:00")  # today shown, its line over the events
    page = person.page
    page.goto(f"/?department={department['id']}&view=week&date={MONTH}-03")  # 삼일절's substitute holiday on the 3rd
    expect(page.locator("#live")).to_have_text("연결됨", timeout=WAIT)
    expect(page.locator("#timegrid .holiday-name")).to_have_text(["삼일절 대체 휴일"])
    assert violations(page) == [], "week with holidays"
    page.get_by_role("button", name="다음 주").click()
    expect(page.locator("#timegrid .tg-event")).to_have_count(3)
    assert violations(page) == [], "week"
    text = ("#timegrid .tg-event, #timegrid .tg-chip, #timegrid .tg-hour, #timegrid .tg-allday-label, "
            "#timegrid .tg-day-button, #timegrid .holiday-name")
    unreadable = {html: ratio for html, ratio in contrasts(page, text).items() if ratio < 4.5}
    assert unreadable == {}
    page.keyboard.press("d")
    expect(page.locator("#timegrid .tg-col")).to_have_count(1)
    assert violations(page) == [], "day"
    page.keyboard.press("w")
    spot = box(page.locator("#timegrid .tg-event", has_text="스터디"))
    page.mouse.move(spot["left"] + spot["width"] / 2, spot["top"] + spot["height"] / 2)
    page.mouse.down()
    page.mouse.move(spot["left"] + spot["width"] / 2, spot["top"] + spot["height"] * 1.5, steps=5)
    page.mouse.up()
    expect(page.get_by_role("dialog", name="반복 일정입니다. 어느 일정을 옮길까요?")).to_be_visible()
    assert violations(page) == [], "the scope question of a dragged occurrence"
    page.get_by_role("button", name="취소").click()
    assert person.console_errors() == []
