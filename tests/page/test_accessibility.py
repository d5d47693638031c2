"""axe-core (npm, the engine browsers' accessibility tools run) checks every view of the page in
Chromium: the month with a day open, the event dialog of an occurrence, the department dialog,
the token prompt and the phone width with its menu open. No serious or critical violation."""
from __future__ import annotations

from playwright.sync_api import expect

from config import PROJECT_DIR
from support.calendar_page import (
    MONTH,
    PAGE_MARKS,
    WAIT,
    day_button,
    new_department,
    new_event,
    new_series,
    open_occurrence,
)

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
    person = people(token("zoe", "admin"), **AXE_BROWSER)
    page = person.open(department["id"], MONTH)
    expect(page.locator("#live")).to_have_text("연결됨", timeout=WAIT)
    day_button(page, f"{MONTH}-12").click()
    expect(page.locator("#day-events .event-title")).to_have_text(["주간 회의"])
    assert violations(page) == [], "month"

    open_occurrence(page, 10, "스터디")  # the dialog at its longest: the scope question and the weekdays
    expect(page.get_by_role("group", name="반복 요일")).to_be_visible()
    assert violations(page) == [], "event dialog"
    page.get_by_role("textbox", name="제목").fill(" ")
    page.get_by_role("button", name="저장", exact=True).click()
    expect(page.locator("#event-title-error")).to_have_text("비워 둘 수 없습니다.")
    assert violations(page) == [], "event dialog with a problem"
    page.get_by_role("button", name="취소").click()

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
