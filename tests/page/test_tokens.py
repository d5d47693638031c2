"""A person signs in with a token: asked once and told what is wrong with it, offered only the
controls the token's role may use, told in Korean when it is revoked while the page is open, given
a feed link only with a viewer token, and not asked at all with AUTH_MODE=off."""
from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from auth import TokenStore
from support.browser import Person
from support.calendar_page import (
    MONTH,
    PAGE_MARKS,
    WAIT,
    day_button,
    fill_event,
    new_department,
    new_event,
    wait_until_refused,
)
from support.live_helpers import http
from support.servers import start_live_server

pytestmark = PAGE_MARKS


def test_with_auth_on_the_page_asks_for_a_token_once_and_says_what_is_wrong_with_it(server, people, token, tables):
    department = new_department(server)
    person = people(None)
    page = person.open(department["id"], MONTH)
    expect(page.locator("#token-section")).to_be_visible()
    expect(page.locator("#message")).to_have_text("토큰이 필요합니다. 관리자에게 받은 토큰을 넣어 주세요.")
    expect(page.get_by_role("link", name="회사 계정으로 로그인")).to_be_hidden()  # this server signs no one in
    page.get_by_label("토큰", exact=True).fill("cal_not-a-real-token")
    page.get_by_role("button", name="저장").click()
    expect(page.locator("#message")).to_have_text("토큰이 맞지 않거나 폐기되었습니다. 새 토큰을 넣어 주세요.")

    name = f"henry-{uuid.uuid4().hex[:6]}"
    viewer = TokenStore(tables[1]).create(name, "viewer")
    page.get_by_label("토큰", exact=True).fill(viewer)
    page.get_by_role("button", name="저장").click()
    expect(page.locator("#app")).to_be_visible()
    expect(page.locator("#department")).to_have_value(department["id"])
    expect(page.locator("#live")).to_have_text("연결됨", timeout=WAIT)

    page.reload()  # the token was kept: no prompt
    expect(page.locator("#app")).to_be_visible()
    expect(page.locator("#token-section")).to_be_hidden()

    expect(page.get_by_role("button", name="새 일정", exact=True)).to_be_hidden()  # a viewer may not write

    TokenStore(tables[1]).revoke(name)
    expect(page.locator("#live")).to_have_text("연결 끊김", timeout=WAIT)  # the server dropped its socket
    wait_until_refused(server, viewer)
    page.reload()
    expect(page.locator("#token-section")).to_be_visible()
    expect(page.locator("#message")).to_have_text("토큰이 맞지 않거나 폐기되었습니다. 새 토큰을 넣어 주세요.")
    assert person.console_errors(provoked=(401, 403)) == []


# The controls each role is offered (by their names on the page): a viewer reads, an editor also
# writes events, an admin also runs the departments.
EVENT_CONTROLS = ("새 일정", "이 날에 새 일정", "주간 회의 편집")
DEPARTMENT_CONTROLS = ("새 부서", "이름 바꾸기", "부서 삭제")


def test_the_page_offers_only_the_controls_the_tokens_role_may_use(server, people, token):
    department = new_department(server)
    new_event(server, department, title="주간 회의")
    for role, offered in (("viewer", ()), ("editor", EVENT_CONTROLS), ("admin", EVENT_CONTROLS + DEPARTMENT_CONTROLS)):
        person = people(token(f"role-{role}", role))
        page = person.open(department["id"], MONTH)
        day_button(page, f"{MONTH}-12").click()
        expect(page.locator("#day-events .event-title")).to_have_text(["주간 회의"])
        for name in EVENT_CONTROLS + DEPARTMENT_CONTROLS:
            expect(page.get_by_role("button", name=name, exact=True)).to_have_count(1 if name in offered else 0)
        expect(page.get_by_role("button", name="구독 링크 복사")).to_be_visible()  # every role may subscribe
        assert person.console_errors() == [], role


def test_a_page_whose_token_is_revoked_while_it_is_open_says_so_in_korean(server, people, tables):
    """The server drops the sockets of a revoked token (auth/sockets.py); the page tries once more,
    is refused, and says why, asking for a new token."""
    department = new_department(server)
    name = f"uma-{uuid.uuid4().hex[:6]}"
    person = people(TokenStore(tables[1]).create(name, "viewer"))
    page = person.open(department["id"], MONTH)
    expect(page.locator("#live")).to_have_text("연결됨", timeout=WAIT)
    expect(page.locator("#message")).to_be_hidden()
    TokenStore(tables[1]).revoke(name)
    expect(page.locator("#message")).to_have_text(
        "실시간 연결이 거절되었습니다. 토큰이 맞지 않거나 폐기되었습니다. 새 토큰을 넣어 주세요.", timeout=WAIT)
    expect(page.locator("#live")).to_have_text("연결 끊김")
    expect(page.locator("#token-section")).to_be_visible()
    expect(page.get_by_label("토큰", exact=True)).to_be_focused()
    assert person.console_errors() == []


def test_the_subscribe_button_copies_the_feed_link_with_a_viewer_token_only(server, people, token):
    department = new_department(server)
    new_event(server, department, title="구독할 일정")
    viewer = token("ivy", "viewer")
    person = people(viewer, permissions=["clipboard-read", "clipboard-write"])
    page = person.open(department["id"], MONTH)
    page.get_by_role("button", name="구독 링크 복사").click()
    expect(page.locator("#subscribe-note")).to_have_text(re.compile("^링크를 복사했습니다"))
    link = page.locator("#subscribe-link").input_value()
    assert link == f"{server.url}/api/departments/{department['id']}/calendar.ics?token={viewer}"
    assert page.evaluate("navigator.clipboard.readText()") == link
    feed = http.get(link, headers={"Authorization": ""})  # as a calendar app fetches it: no header
    assert feed.status_code == 200 and "SUMMARY:구독할 일정" in feed.text

    editor = people(token("jack", "editor"), permissions=["clipboard-read", "clipboard-write"])
    editor.open(department["id"], MONTH).get_by_role("button", name="구독 링크 복사").click()
    expect(editor.page.locator("#subscribe-note")).to_contain_text("열람(viewer) 토큰이 아니어서")
    assert editor.page.locator("#subscribe-link").input_value() == \
        f"{server.url}/api/departments/{department['id']}/calendar.ics"
    assert person.console_errors() == [] and editor.console_errors(provoked=(403,)) == []


def test_with_auth_off_the_page_works_without_a_token(tables, browser, tmp_path):
    """AUTH_MODE=off (local experiments): no prompt, and changes are made by `anonymous`. The one
    test with a server of its own, since the mode is the server's."""
    settings, db = tables
    department = db.create_department(f"열린 부서-{uuid.uuid4().hex[:6]}", "")
    open_server = start_live_server(settings, tmp_path / "open.log", AUTH_MODE="off")
    person = Person(browser, open_server.url)
    try:
        page = person.open(department["id"], MONTH)
        expect(page.locator("#live")).to_have_text("연결됨", timeout=WAIT)
        expect(page.locator("#token-section")).to_be_hidden()
        expect(page.get_by_role("button", name="토큰 지우기")).to_be_hidden()
        page.get_by_role("button", name="새 일정", exact=True).click()
        fill_event(page, title="토큰 없이 만든 일정", event_date=f"{MONTH}-03")
        page.get_by_role("button", name="저장", exact=True).click()
        day_button(page, f"{MONTH}-03").click()
        expect(page.locator("#day-events .event-audit")).to_have_text("작성 anonymous")
        assert person.console_errors() == []
    finally:
        person.close()
        open_server.stop()
