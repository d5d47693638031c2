"""A person signs in with the company's account (a server with OIDC_ISSUER, a mock provider):
the token prompt offers 회사 계정으로 로그인, the page then shows who they are and only what their
group's role may do, and 로그아웃 ends the session. The module's server is its own, since
sign-in is the server's setting."""
from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from support.browser import Person
from support.calendar_page import MONTH, PAGE_MARKS, WAIT
from support.oidc_provider import running_provider
from support.servers import start_live_server

pytestmark = PAGE_MARKS


@pytest.fixture(scope="module")
def signing_in(tables, tmp_path_factory):
    """(the provider, a server that signs people in with it)."""
    settings, _ = tables
    with running_provider() as provider:
        served = start_live_server(settings, tmp_path_factory.mktemp("signin") / "app.log", **provider.settings_env())
        try:
            yield provider, served
        finally:
            served.stop()


def test_a_person_signs_in_with_the_company_account_and_out_again(signing_in, tables, browser):
    provider, served = signing_in
    department = tables[1].create_department(f"영업부-{uuid.uuid4().hex[:6]}", "")
    sub = provider.add_person(["staff", "calendar-editors"], name="김민지")
    person = Person(browser, served.url)
    try:
        page = person.open(department["id"], MONTH)
        expect(page.locator("#token-section")).to_be_visible()
        page.get_by_role("link", name="회사 계정으로 로그인").click()
        page.locator('input[name="sub"][placeholder="sub"]').fill(sub)  # the provider's own form
        page.get_by_role("button", name="Authorize").click()
        expect(page.locator("#app")).to_be_visible(timeout=WAIT)
        person.problems.clear()  # the provider's page is not ours to judge
        expect(page.locator("#who")).to_have_text("김민지 · 편집")
        expect(page.locator("#live")).to_have_text("연결됨", timeout=WAIT)  # the socket by the cookie too
        expect(page.get_by_role("button", name="새 일정", exact=True)).to_be_visible()
        expect(page.get_by_role("button", name="새 부서")).to_be_hidden()  # an editor's group
        expect(page.get_by_role("button", name="토큰 지우기")).to_be_hidden()
        page.get_by_role("button", name="로그아웃").click()
        expect(page.locator("#token-section")).to_be_visible(timeout=WAIT)
        expect(page.get_by_role("link", name="회사 계정으로 로그인")).to_be_visible()
        assert person.console_errors(provoked=(401,)) == []
    finally:
        person.close()
