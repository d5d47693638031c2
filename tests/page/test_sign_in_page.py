"""Signing in with the company's account in Chromium: the provider's form, back to the calendar page
with no token in the browser, live updates over the cookie's socket, the person's name on what
they write, and signing out. A server of its own (sign-in configured) beside the package's one."""
from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import Browser, expect

from support.browser import Person
from support.calendar_page import LIVE, MONTH, PAGE_MARKS, WAIT, chip, day_button, new_department
from support.oidc_provider import running_provider
from support.servers import start_live_server

pytestmark = PAGE_MARKS


@pytest.fixture(scope="module")
def provider():
    with running_provider() as running:
        yield running


@pytest.fixture(scope="module")
def signed_in_server(tables, provider, tmp_path_factory):
    settings, _ = tables
    live = start_live_server(settings, tmp_path_factory.mktemp("page_sign_in") / "app.log", AUTH_CACHE_SECONDS="1",
                             **provider.settings_env())
    yield live
    live.stop()


def _signed_in(browser: Browser, url: str, sub: str) -> Person:
    """A browser in which the person went through /auth/login and the provider's form."""
    person = Person(browser, url)
    person.page.goto("/auth/login")
    person.page.locator('input[name="sub"]').fill(sub)
    person.page.get_by_role("button", name="Authorize").click()
    person.page.wait_for_url(f"{url}/", timeout=WAIT)
    person.problems.clear()  # the provider's own form page (it links a stylesheet on the internet) is not ours
    return person


POST_EVENT = """async ([department, title]) => {
  const answer = await fetch(`/api/events/${department}`, {method: "POST", headers: {"Content-Type": "application/json"},
                                                          body: JSON.stringify({event_date: "2031-03-12", title})});
  return [answer.status, await answer.json()];
}"""


def test_a_person_signs_in_works_live_under_their_name_and_signs_out(browser, signed_in_server, provider):
    url = signed_in_server.url
    department = new_department(signed_in_server)
    minji = _signed_in(browser, url, provider.add_person(["calendar-editors"], name="김민지"))
    watcher = _signed_in(browser, url, provider.add_person(["calendar-viewers"], name="관찰자"))
    try:
        for person in (minji, watcher):
            person.open(department["id"], MONTH)
            expect(person.page.locator("#app")).to_be_visible(timeout=WAIT)
            expect(person.page.locator("#live")).to_have_text("연결됨", timeout=WAIT)  # the socket took the cookie
            assert person.page.evaluate("Object.keys(localStorage)") == []  # no secret kept by the page
        status, event = minji.page.evaluate(POST_EVENT, [department["id"], "로그인 회의"])
        assert status == 201 and (event["created_by"], event["updated_by"]) == ("김민지", "김민지")
        expect(chip(watcher.page, "로그인 회의")).to_be_visible(timeout=LIVE)
        day_button(watcher.page, "2031-03-12").click()  # the second person's page names who made it
        expect(watcher.page.locator(".event-audit").filter(has_text="작성 김민지")).to_be_visible(timeout=WAIT)
        assert minji.page.evaluate("async () => (await fetch('/auth/logout', {method: 'POST'})).status") == 204
        minji.open(department["id"], MONTH)
        expect(minji.page.locator("#token-section")).to_be_visible(timeout=WAIT)  # signed out: asked to sign in
        assert minji.console_errors(provoked=(401,)) == [] and watcher.console_errors() == []
    finally:
        minji.close()
        watcher.close()


def test_a_person_makes_a_token_on_the_page_uses_it_and_revokes_it_there(browser, signed_in_server, provider):
    url = signed_in_server.url
    department = new_department(signed_in_server)
    person = _signed_in(browser, url, provider.add_person(["calendar-editors"], name="손유진"))
    try:
        page = person.open(department["id"], MONTH)
        page.get_by_text("내 토큰 (앱 비밀번호)").click()
        expect(page.get_by_label("권한", exact=True)).to_have_text("열람편집")  # never more than the person's own role
        page.get_by_label("이름", exact=True).fill("no spaces")
        page.get_by_role("button", name="토큰 만들기").click()
        expect(page.locator("#personal-token-error")).to_contain_text("영문, 숫자", timeout=WAIT)
        page.get_by_label("이름", exact=True).fill("yujin-feed")
        page.get_by_label("권한", exact=True).select_option("viewer")
        page.get_by_role("button", name="토큰 만들기").click()
        secret = page.get_by_label("새 토큰 (지금 한 번만 보입니다. 복사해 두세요)")
        expect(secret).to_have_value(re.compile(r"^cal_"), timeout=WAIT)
        token = secret.input_value()
        expect(page.locator("#personal-token-list")).to_contain_text("yujin-feed · 열람 · 모든 부서")
        feed = f"{url}/api/departments/{department['id']}/calendar.ics?token={token}"
        assert requests.get(feed, timeout=10).status_code == 200
        page.get_by_role("button", name="yujin-feed 폐기").click()
        expect(page.locator("#personal-token-none")).to_be_visible(timeout=WAIT)
        expect(secret).to_be_hidden()
        assert requests.get(feed, timeout=10).status_code == 401  # refused at once here (elsewhere within the bound)
        assert person.console_errors(provoked=(400,)) == []
    finally:
        person.close()


@pytest.mark.parametrize(("group", "new_event", "new_department_button"), [
    ("calendar-viewers", False, False), ("calendar-editors", True, False), ("calendar-admins", True, True)])
def test_the_page_follows_the_signed_in_persons_role(browser, signed_in_server, provider, group, new_event,
                                                     new_department_button):
    department = new_department(signed_in_server)
    person = _signed_in(browser, signed_in_server.url, provider.add_person([group]))
    try:
        page = person.open(department["id"], MONTH)
        expect(page.locator("#app")).to_be_visible(timeout=WAIT)
        expect(page.get_by_role("button", name="로그아웃")).to_be_visible()
        for button, shown in (("새 일정", new_event), ("새 부서", new_department_button)):
            target = page.get_by_role("button", name=button, exact=True)
            expect(target).to_be_visible() if shown else expect(target).to_be_hidden()
    finally:
        person.close()
