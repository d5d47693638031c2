"""The calendar page at `/`, end to end: a live server (gunicorn, as `make run` serves it) on
DynamoDB Local, one headless Chromium for the module, each person a browser context of their own.
Every test asserts what a person sees, and that the page logged no error."""
from __future__ import annotations

import calendar
import datetime
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from auth import TokenStore
from browser import Person, chromium
from config import PAGE_CONTENT_SECURITY_POLICY, PROJECT_DIR
from live_helpers import http, token_for
from models import DynamoDBDatabase
from servers import make_settings, start_live_server

pytestmark = [pytest.mark.live, pytest.mark.parametrize("dynamodb_server", ["dynamodb-local"], indirect=True)]

LIVE = 2_000  # ms: a change made on one page shows on the other within this (the number)
WAIT = 15_000  # ms: anything else (a reconnect with backoff, on a busy machine)
MONTH = "2031-03"  # a fixed month: the screenshot and the grid checks do not move with the clock
SCREENSHOT = PROJECT_DIR / "docs" / "page.png"


@pytest.fixture(scope="module")
def tables(dynamodb_server):
    settings = make_settings(dynamodb_server.endpoint_url)
    db = DynamoDBDatabase(settings)
    db.create_tables()
    yield settings, db
    for name in settings.table_names:
        db.client.delete_table(TableName=name)


@pytest.fixture(scope="module")
def server(tables, tmp_path_factory):
    """The one app server of the module (AUTH_MODE=token, the default)."""
    settings, _ = tables
    live = start_live_server(settings, tmp_path_factory.mktemp("page") / "app.log")
    yield live
    live.stop()


@pytest.fixture(scope="module")
def browser():
    with chromium() as running:
        yield running


@pytest.fixture(scope="module")
def token(tables):
    """A new token of `role` named `name` in the module's tables."""
    _, db = tables
    store = TokenStore(db)
    return lambda name, role: store.create(f"{name}-{uuid.uuid4().hex[:6]}", role)


@pytest.fixture
def people(browser, server):
    """Opens browsers for people; closes them after the test."""
    opened: list[Person] = []

    def open_for(token: str | None, **options) -> Person:
        person = Person(browser, server.url, token, **options)
        opened.append(person)
        return person

    yield open_for
    for person in opened:
        person.close()


def new_department(server, name: str | None = None) -> dict:
    answer = http.post(f"{server.url}/api/departments", json={"name": name or f"부서-{uuid.uuid4().hex[:8]}"})
    assert answer.status_code == 201, answer.text
    return answer.json()


def new_event(server, department: dict, **fields) -> dict:
    answer = http.post(f"{server.url}/api/events/{department['id']}",
                       json={"event_date": f"{MONTH}-12", "title": "주간 회의", **fields})
    assert answer.status_code == 201, answer.text
    return answer.json()


def chip(page, title: str):
    return page.locator("#grid-body .chip", has_text=re.compile(f"^{re.escape(title)}$"))


def day_button(page, iso: str):
    return page.locator(f'#grid-body button[data-date="{iso}"]')


def fill_event(page, **fields) -> None:
    for name, value in fields.items():
        page.locator(f'#event-form [name="{name}"]').fill(value)


def test_an_event_made_on_one_page_shows_on_the_other_live_and_so_do_its_edit_and_delete(server, people, token):
    department = new_department(server)
    alice, bob = people(token("alice", "editor")), people(token("bob", "editor"))
    for person in (alice, bob):
        person.open(department["id"], MONTH)
        expect(person.page.locator("#live")).to_have_text("연결됨", timeout=WAIT)
        expect(person.page.locator("#month-title")).to_have_text("2031년 3월")
    a, b = alice.page, bob.page
    day_button(a, f"{MONTH}-14").click()
    a.get_by_role("button", name="이 날에 새 일정").click()
    fill_event(a, title="분기 보고", time="오후 2:00", description="3층 회의실")
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
