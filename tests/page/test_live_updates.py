"""What one person does shows on the others' pages live: an event made, edited and deleted; what
changed while a page was offline, once it is back; departments created, renamed and deleted."""
from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from support.calendar_page import (
    LIVE,
    MONTH,
    PAGE_MARKS,
    WAIT,
    chip,
    day_button,
    day_cell,
    days_with,
    fill_event,
    new_department,
    new_event,
    two_watching,
)
from support.live_helpers import http

pytestmark = PAGE_MARKS


def test_an_event_made_on_one_page_shows_on_the_other_live_and_so_do_its_edit_and_delete(server, people, token):
    department = new_department(server)
    alice, bob = two_watching(people, token, department, ("alice", "editor"), ("bob", "editor"))
    for person in (alice, bob):
        expect(person.page.locator("#month-title")).to_have_text("2031년 3월")
    a, b = alice.page, bob.page
    day_button(a, f"{MONTH}-14").click()
    a.get_by_role("button", name="이 날에 새 일정").click()
    fill_event(a, title="분기 보고", start_time="14:00", description="3층 회의실")
    a.get_by_role("button", name="저장", exact=True).click()
    expect(chip(b, "분기 보고")).to_be_visible(timeout=LIVE)
    expect(chip(a, "분기 보고")).to_be_visible()

    day_button(b, f"{MONTH}-14").click()
    expect(b.locator("#day-events .event-audit")).to_have_text(re.compile("^작성 alice-"))
    b.get_by_role("button", name="분기 보고 편집").click()
    fill_event(b, title="분기 보고 (변경)")
    b.get_by_role("button", name="저장", exact=True).click()
    expect(chip(a, "분기 보고 (변경)")).to_be_visible(timeout=LIVE)
    day_button(a, f"{MONTH}-14").click()
    expect(a.locator("#day-events .event-audit")).to_have_text(re.compile("^작성 alice-.* · 수정 bob-"))

    a.get_by_role("button", name="분기 보고 (변경) 편집").click()
    a.get_by_role("button", name="삭제", exact=True).click()
    a.get_by_role("button", name="삭제 확인").click()
    expect(b.locator("#grid-body .chip")).to_have_count(0, timeout=LIVE)
    expect(b.locator("#day-empty")).to_be_visible()
    assert http.get(f"{server.url}/api/events/{department['id']}").json() == []
    assert alice.console_errors() == [] and bob.console_errors() == []


def test_what_changed_while_the_connection_was_cut_shows_after_it_comes_back(server, people, token):
    """The browser goes offline for real (Playwright's set_offline: Chromium refuses every request
    and fires `offline`, on which socket.io closes its transport); while it is, the event list
    changes over REST. Back online, the socket reconnects, rejoins, and the page catches up with
    `changed_since`: nothing is broadcast to it for those changes, so only the sync can show them."""
    department = new_department(server)
    kept, doomed = new_event(server, department, title="그대로"), new_event(server, department, title="지울 일정")
    changed = new_event(server, department, title="바뀔 일정")
    person = people(token("carol", "viewer"))
    page = person.open(department["id"], MONTH)
    expect(page.locator("#live")).to_have_text("연결됨", timeout=WAIT)
    expect(chip(page, "지울 일정")).to_be_visible()

    person.context.set_offline(True)
    expect(page.locator("#live")).to_have_text("연결 끊김", timeout=WAIT)
    new_event(server, department, title="끊긴 사이 생긴 일정", event_date=f"{MONTH}-20")
    new_event(server, department, title="끊긴 사이 생긴 반복", event_date=f"{MONTH}-05",
              recurrence=["RRULE:FREQ=WEEKLY;COUNT=3"])  # a series: only a new list shows its occurrences
    assert http.delete(f"{server.url}/api/events/{doomed['id']}").status_code == 204
    assert http.put(f"{server.url}/api/events/{changed['id']}", json={"title": "바뀐 일정"}).status_code == 200
    expect(chip(page, "지울 일정")).to_be_visible()  # nothing reached it meanwhile

    person.context.set_offline(False)
    expect(page.locator("#live")).to_have_text("연결됨", timeout=WAIT)
    expect(chip(page, "끊긴 사이 생긴 일정")).to_be_visible(timeout=WAIT)
    expect(chip(page, "지울 일정")).to_have_count(0)
    expect(chip(page, "바뀐 일정")).to_be_visible()
    expect(page.locator("#grid-body .chip.recurring", has_text="끊긴 사이 생긴 반복")).to_have_count(3, timeout=WAIT)
    expect(chip(page, kept["title"])).to_be_visible()
    assert person.console_errors(offline=True) == []


def test_an_admin_creates_renames_and_deletes_departments_and_other_pages_follow(server, people, token):
    admin, watcher = people(token("kim", "admin")), people(token("lee", "viewer"))
    page = admin.open(None, MONTH)
    other = watcher.open(None, MONTH)
    expect(other.locator("#live")).to_have_text("연결됨", timeout=WAIT)
    name = f"인사팀-{uuid.uuid4().hex[:6]}"
    page.get_by_role("button", name="새 부서").click()
    page.get_by_role("textbox", name="부서 이름").fill(name)
    page.get_by_role("button", name="저장").click()
    expect(page.locator("#department option:checked")).to_have_text(name)
    department_id = page.locator("#department").input_value()
    expect(page).to_have_url(re.compile(f"department={department_id}"))
    expect(other.locator("#department option", has_text=name)).to_have_count(1, timeout=LIVE)

    page.get_by_role("button", name="이름 바꾸기").click()
    page.get_by_role("textbox", name="부서 이름").fill(name + " (새 이름)")
    page.get_by_role("button", name="저장").click()
    expect(page.locator("#department option:checked")).to_have_text(name + " (새 이름)")
    expect(other.locator("#department option", has_text=name + " (새 이름)")).to_have_count(1, timeout=LIVE)

    page.get_by_role("button", name="새 부서").click()
    page.get_by_role("textbox", name="부서 이름").fill(name + " (새 이름)")  # taken: the API's 409, told in the dialog
    page.get_by_role("button", name="저장").click()
    expect(page.locator("#department-error")).to_have_text("같은 이름의 부서가 이미 있습니다. 다른 이름을 쓰세요.")
    page.get_by_role("button", name="취소").click()

    page.get_by_role("button", name="부서 삭제").click()
    expect(page.locator("#department-delete-text")).to_contain_text(name)
    red, green, blue = (int(part) for part in re.findall(r"\d+", page.locator("#department-save").evaluate(
        "node => getComputedStyle(node).backgroundColor"))[:3])
    assert red > 150 and green < 80 and blue < 80, "the button that deletes a department is not red"
    page.get_by_role("button", name="삭제", exact=True).click()
    expect(page.locator("#department option", has_text=name)).to_have_count(0)
    expect(other.locator("#department option", has_text=name)).to_have_count(0, timeout=LIVE)
    assert http.get(f"{server.url}/api/departments/{department_id}").status_code == 404
    assert admin.console_errors(provoked=(409,)) == [] and watcher.console_errors() == []


def test_dragging_a_chip_to_another_day_moves_the_event_there_for_everyone(server, people, token):
    department = new_department(server)
    event = new_event(server, department, title="고객 미팅", start_time="10:00")  # the 12th
    trip = new_event(server, department, title="출장", event_date=f"{MONTH}-04", end_date=f"{MONTH}-05")
    alice, bob = two_watching(people, token, department)
    a, b = alice.page, bob.page
    expect(b.locator('#grid-body .chip[draggable="true"]')).to_have_count(0)  # a viewer moves nothing
    chip(a, "고객 미팅").drag_to(day_button(a, f"{MONTH}-20"))
    for page in (a, b):
        expect(day_cell(page, 20).locator(".chip")).to_have_text(["10:00 고객 미팅"], timeout=LIVE)
        assert days_with(page, chip(page, "고객 미팅")) == [20]
    stored = http.get(f"{server.url}/api/events/{department['id']}/{event['id']}").json()
    assert (stored["event_date"], stored["start_time"], stored["version"]) == (f"{MONTH}-20", "10:00", 2)

    chip(a, "출장").drag_to(day_button(a, f"{MONTH}-10"))  # both days move: its bar from the 10th
    expect(day_cell(b, 10).locator(".chip")).to_have_text(["출장"], timeout=LIVE)
    assert days_with(b, chip(b, "출장")) == [10]
    stored = http.get(f"{server.url}/api/events/{department['id']}/{trip['id']}").json()
    assert (stored["event_date"], stored["end_date"]) == (f"{MONTH}-10", f"{MONTH}-11")
    assert alice.console_errors() == [] and bob.console_errors() == []


def test_alt_and_an_arrow_on_an_event_in_the_days_list_moves_it_a_day_or_a_week(server, people, token):
    department = new_department(server)
    event = new_event(server, department, title="팀 회고")  # the 12th
    alice, bob = two_watching(people, token, department)
    a = alice.page
    day_button(a, f"{MONTH}-12").click()
    a.get_by_role("button", name="팀 회고 편집").focus()
    a.keyboard.press("Alt+ArrowRight")
    expect(day_cell(bob.page, 13).locator(".chip")).to_have_text(["팀 회고"], timeout=LIVE)
    expect(a.locator("#day-title")).to_have_text("2031년 3월 13일 (목)")  # the list followed it
    a.get_by_role("button", name="팀 회고 편집").focus()
    a.keyboard.press("Alt+ArrowDown")
    expect(day_cell(bob.page, 20).locator(".chip")).to_have_text(["팀 회고"], timeout=LIVE)
    assert http.get(f"{server.url}/api/events/{department['id']}/{event['id']}").json()["event_date"] == f"{MONTH}-20"
    assert alice.console_errors() == [] and bob.console_errors() == []


def test_an_event_restored_from_the_trash_comes_back_live_on_a_page_that_saw_it_deleted(server, people, token):
    department = new_department(server)
    event = new_event(server, department, event_date=f"{MONTH}-20", title="되살릴 회의")
    alice, _bob = two_watching(people, token, department, ("alice", "editor"), ("bob", "viewer"))
    a = alice.page
    expect(chip(a, "되살릴 회의")).to_be_visible(timeout=LIVE)
    assert http.delete(f"{server.url}/api/events/{event['id']}").status_code == 204
    expect(chip(a, "되살릴 회의")).to_have_count(0, timeout=LIVE)  # the page now remembers it deleted

    restored = http.post(f"{server.url}/api/departments/{department['id']}/trash/{event['id']}/restore")
    assert restored.status_code == 200 and restored.json()["version"] == event["version"] + 2
    expect(chip(a, "되살릴 회의")).to_be_visible(timeout=LIVE)  # one version above its tombstone: shown again
    assert alice.console_errors() == []
