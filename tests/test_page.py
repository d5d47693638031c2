"""The calendar page at `/`, end to end: a live server (gunicorn, as `make run` serves it) on
DynamoDB Local, one headless Chromium for the module, each person a browser context of their own.
Every test asserts what a person sees, and that the page logged no error."""
from __future__ import annotations

import calendar
import datetime
import re
import time
import uuid

import pytest
from playwright.sync_api import expect

from auth import TokenStore
from config import PAGE_CONTENT_SECURITY_POLICY, PROJECT_DIR
from models import DynamoDBDatabase
from support.browser import Person, chromium, save_screenshot
from support.live_helpers import http, token_for
from support.servers import make_settings, start_live_server

# One worker runs them all under `make test` (--dist loadgroup): one server and one browser.
pytestmark = [pytest.mark.live, pytest.mark.xdist_group("page"),
              pytest.mark.parametrize("dynamodb_server", ["dynamodb-local"], indirect=True)]

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
    # Tokens are re-checked every second, so a revoked one stops working within the test's patience.
    live = start_live_server(settings, tmp_path_factory.mktemp("page") / "app.log", AUTH_CACHE_SECONDS="1")
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


def wait_until_refused(server, revoked: str) -> None:
    """Until the server's token cache (AUTH_CACHE_SECONDS=1) has let go of a revoked token."""
    deadline = time.monotonic() + WAIT / 1000
    while http.get(f"{server.url}/api/departments", headers={"Authorization": f"Bearer {revoked}"}).status_code != 401:
        assert time.monotonic() < deadline, "the revoked token still works"
        time.sleep(0.1)


def chip(page, title: str):
    return page.locator("#grid-body .chip", has_text=re.compile(f"^{re.escape(title)}$"))


def day_button(page, iso: str):
    return page.locator(f'#grid-body button[data-date="{iso}"]')


def two_watching(people, token, department: dict, first=("pat", "editor"), second=("quinn", "viewer")):
    """Two people (name, role) with the department's month open, both connected live."""
    both = people(token(*first)), people(token(*second))
    for person in both:
        person.open(department["id"], MONTH)
        expect(person.page.locator("#live")).to_have_text("연결됨", timeout=WAIT)
    return both


def fill_event(page, **fields) -> None:
    for name, value in fields.items():
        page.locator(f'#event-form [name="{name}"]').fill(value)


def test_an_event_made_on_one_page_shows_on_the_other_live_and_so_do_its_edit_and_delete(server, people, token):
    department = new_department(server)
    alice, bob = two_watching(people, token, department, ("alice", "editor"), ("bob", "editor"))
    for person in (alice, bob):
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


def test_the_apis_validation_errors_show_next_to_their_fields(server, people, token):
    department = new_department(server)
    person = people(token("dave", "editor"))
    page = person.open(department["id"], MONTH)
    page.get_by_role("button", name="새 일정", exact=True).click()
    fill_event(page, title="   ", url="ftp://files.example.com/x")
    page.get_by_role("button", name="저장", exact=True).click()
    # The API answers in English per field ("must not be empty", ...); the page says it in Korean.
    expect(page.locator("#event-title-error")).to_have_text("비워 둘 수 없습니다.")
    expect(page.locator("#event-url-error")).to_have_text("http:// 또는 https://로 시작하는 주소를 쓰거나 비워 두세요.")
    expect(page.locator("#event-title")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#event-title")).to_be_focused()
    expect(page.locator("#event-time-error")).to_be_hidden()
    assert http.get(f"{server.url}/api/events/{department['id']}").json() == []  # nothing stored

    fill_event(page, title="고친 제목", url="https://intranet.example.com/1", start_time="10:00", end_time="09:30")
    page.get_by_role("button", name="저장", exact=True).click()
    expect(page.locator("#event-end-time-error")).to_have_text("끝 시각은 시작 시각보다 늦어야 합니다.")
    expect(page.locator("#event-title-error")).to_be_hidden()
    expect(page.locator("#event-end-time")).to_be_focused()
    assert http.get(f"{server.url}/api/events/{department['id']}").json() == []

    fill_event(page, end_time="11:00")
    page.get_by_role("button", name="저장", exact=True).click()
    expect(page.locator("#event-dialog")).to_be_hidden()
    expect(chip(page, "고친 제목")).to_be_visible()
    assert person.console_errors(provoked=(400,)) == []


def _edit_while_someone_else_changes_it(server, page, event: dict, theirs: str, mine: str) -> None:
    day_button(page, event["event_date"]).click()
    page.get_by_role("button", name=f"{event['title']} 편집").click()
    answer = http.put(f"{server.url}/api/events/{event['id']}", json={"title": theirs})
    assert answer.status_code == 200
    fill_event(page, title=mine)
    page.get_by_role("button", name="저장", exact=True).click()
    expect(page.locator("#conflict")).to_be_visible()
    expect(page.locator("#conflict-theirs")).to_contain_text(theirs)


def test_a_conflict_shows_the_other_version_and_the_user_keeps_theirs_or_takes_the_other(server, people, token, tables):
    department = new_department(server)
    event = new_event(server, department, title="원래 제목")
    person = people(token("erin", "editor"))
    page = person.open(department["id"], MONTH)
    expect(chip(page, "원래 제목")).to_be_visible()
    _edit_while_someone_else_changes_it(server, page, event, theirs="다른 사람 제목", mine="내 제목")
    page.get_by_role("button", name="내 것으로 저장").click()
    expect(page.locator("#event-dialog")).to_be_hidden()
    expect(chip(page, "내 제목")).to_be_visible()
    stored = http.get(f"{server.url}/api/events/{department['id']}/{event['id']}").json()
    assert (stored["title"], stored["version"]) == ("내 제목", 3)

    _edit_while_someone_else_changes_it(server, page, stored, theirs="또 다른 제목", mine="버릴 제목")
    page.get_by_role("button", name="상대 것 받기").click()
    expect(page.locator("#event-dialog")).to_be_hidden()
    expect(chip(page, "또 다른 제목")).to_be_visible()
    stored = http.get(f"{server.url}/api/events/{department['id']}/{event['id']}").json()
    assert (stored["title"], stored["version"]) == ("또 다른 제목", 4)

    page.get_by_role("button", name="또 다른 제목 편집").click()  # deleting what someone just changed
    assert http.put(f"{server.url}/api/events/{event['id']}", json={"title": "마지막 제목"}).status_code == 200
    page.get_by_role("button", name="삭제", exact=True).click()
    page.get_by_role("button", name="삭제 확인").click()
    expect(page.locator("#conflict-theirs")).to_contain_text("마지막 제목")
    page.get_by_role("button", name="그래도 삭제").click()
    expect(page.locator("#event-dialog")).to_be_hidden()
    expect(page.locator("#grid-body .chip")).to_have_count(0)
    assert http.get(f"{server.url}/api/events/{department['id']}/{event['id']}").status_code == 404
    assert person.console_errors(provoked=(412,)) == []


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


def test_with_auth_on_the_page_asks_for_a_token_once_and_says_what_is_wrong_with_it(server, people, token, tables):
    department = new_department(server)
    person = people(None)
    page = person.open(department["id"], MONTH)
    expect(page.locator("#token-section")).to_be_visible()
    expect(page.locator("#message")).to_have_text("토큰이 필요합니다. 관리자에게 받은 토큰을 넣어 주세요.")
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

    page.get_by_role("button", name="새 일정", exact=True).click()  # a viewer may not write
    fill_event(page, title="못 만드는 일정")
    page.get_by_role("button", name="저장", exact=True).click()
    expect(page.locator("#event-error")).to_contain_text("권한 부족")
    page.get_by_role("button", name="취소").click()

    TokenStore(tables[1]).revoke(name)
    expect(page.locator("#live")).to_have_text("연결 끊김", timeout=WAIT)  # the server dropped its socket
    wait_until_refused(server, viewer)
    page.reload()
    expect(page.locator("#token-section")).to_be_visible()
    expect(page.locator("#message")).to_have_text("토큰이 맞지 않거나 폐기되었습니다. 새 토큰을 넣어 주세요.")
    assert person.console_errors(provoked=(401, 403)) == []


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
    expect(page.locator("#department-error")).to_contain_text("이미 있습니다")
    page.get_by_role("button", name="취소").click()

    page.get_by_role("button", name="부서 삭제").click()
    expect(page.locator("#department-delete-text")).to_contain_text(name)
    page.get_by_role("button", name="삭제", exact=True).click()
    expect(page.locator("#department option", has_text=name)).to_have_count(0)
    expect(other.locator("#department option", has_text=name)).to_have_count(0, timeout=LIVE)
    assert http.get(f"{server.url}/api/departments/{department_id}").status_code == 404
    assert admin.console_errors(provoked=(409,)) == [] and watcher.console_errors() == []


def test_on_a_phone_the_page_fits_and_works_by_keyboard(server, people, token):
    department = new_department(server)
    new_event(server, department, title="아침 회의", time="오전 9:00")
    new_event(server, department, title="점심", time="12:00")
    new_event(server, department, title="종일 워크숍")
    person = people(token("mia", "editor"), viewport={"width": 375, "height": 740}, has_touch=True)
    page = person.open(department["id"], MONTH)
    expect(chip(page, "점심")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling

    day_button(page, f"{MONTH}-12").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#day-title")).to_be_focused()
    expect(page.locator("#day-events .event-title")).to_have_text(["종일 워크숍", "아침 회의", "점심"])
    page.get_by_role("button", name="이 날에 새 일정").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#event-dialog")).to_be_visible()
    expect(page.locator("#event-title")).to_be_focused()
    expect(page.locator("#event-date")).to_have_value(f"{MONTH}-12")
    page.keyboard.type("저녁 약속")
    page.keyboard.press("Tab")
    page.keyboard.type("오후 7:00")
    page.keyboard.press("Enter")  # submits the form
    expect(page.locator("#event-dialog")).to_be_hidden()
    expect(page.locator("#day-events .event-title")).to_have_text(["종일 워크숍", "아침 회의", "점심", "저녁 약속"])
    day_button(page, f"{MONTH}-13").focus()
    new_event(server, department, title="다른 사람이 넣은 일정", event_date=f"{MONTH}-13")  # drawn anew, live
    expect(chip(page, "다른 사람이 넣은 일정")).to_be_visible(timeout=LIVE)
    expect(day_button(page, f"{MONTH}-13")).to_be_focused()  # the keyboard focus stayed where it was
    page.get_by_role("button", name="저녁 약속 편집").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#event-dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#event-dialog")).to_be_hidden()
    for control in page.locator("input, select, textarea").all():  # every control has a label
        assert control.evaluate("node => node.labels.length > 0"), control.evaluate("node => node.outerHTML")
    assert person.console_errors() == []


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


def test_the_api_document_page_renders_under_the_strict_csp(server, people):
    reader = people(None)
    reader.page.goto("/api/docs")
    expect(reader.page.locator(".opblock-summary-path", has_text="/api/events/{department_id}").first
           ).to_be_visible(timeout=WAIT)
    assert reader.page.locator(".opblock").count() > 10
    assert reader.console_errors() == []


# Recurring events (issue 12). March 2031: Mondays 3, 10, 17, 24, 31; Wednesdays 5, 12, 19, 26.
MONDAYS = [3, 10, 17, 24, 31]


def day_cell(page, day: int):
    return page.locator(f'#grid-body td:has(button[data-date="{MONTH}-{day:02d}"])')


def series_chip(page, title: str):
    """A chip of an occurrence: the ↻ marker, then the title."""
    return page.locator("#grid-body .chip.recurring", has_text=re.compile(f"^↻{re.escape(title)}$"))


def days_with(page, chips) -> list[int]:
    """The days of the month whose cells hold one of `chips`."""
    return [int(day) for day in chips.evaluate_all(
        "nodes => nodes.map(node => node.closest('td').querySelector('button').textContent)")]


def new_series(server, department: dict, rule: str, **fields) -> dict:
    return new_event(server, department, recurrence=[rule], **fields)


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


def test_a_repeating_event_made_in_the_dialog_shows_its_occurrences(server, people, token):
    department = new_department(server)
    person = people(token("olga", "editor"))
    page = person.open(department["id"], MONTH)
    day_button(page, f"{MONTH}-03").click()
    page.get_by_role("button", name="이 날에 새 일정").click()
    fill_event(page, title="요가")
    page.get_by_role("combobox", name="반복", exact=True).select_option(label="매주")
    days = page.get_by_role("group", name="반복 요일")
    days.get_by_label("월").check()
    days.get_by_label("수").check()
    page.get_by_role("combobox", name="끝").select_option(label="날짜까지")
    page.get_by_label("마지막 반복 날짜").fill(f"{MONTH}-01")  # before the first day: no occurrence, a 400
    page.get_by_role("button", name="저장", exact=True).click()
    expect(page.locator("#event-recurrence-error")).not_to_be_empty()
    expect(page.get_by_role("combobox", name="반복", exact=True)).to_have_attribute("aria-invalid", "true")
    assert http.get(f"{server.url}/api/events/{department['id']}?expand=false").json() == []

    page.get_by_role("combobox", name="끝").select_option(label="횟수만큼")
    page.get_by_label("반복 횟수").fill("4")
    page.get_by_role("button", name="저장", exact=True).click()
    expect(page.locator("#event-dialog")).to_be_hidden()
    expect(series_chip(page, "요가")).to_have_count(4)
    assert days_with(page, series_chip(page, "요가")) == [3, 5, 10, 12]
    stored = http.get(f"{server.url}/api/events/{department['id']}?expand=false").json()
    assert [item["recurrence"] for item in stored] == [["RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4"]]

    for title, repeat, end in (("월례 보고", "매월", "2031-05-31"), ("창립 기념일", "매년", None)):
        day_button(page, f"{MONTH}-28").click()
        page.get_by_role("button", name="이 날에 새 일정").click()
        fill_event(page, title=title)
        page.get_by_role("combobox", name="반복", exact=True).select_option(label=repeat)
        expect(page.get_by_role("group", name="반복 요일")).to_be_hidden()  # days are for weekly only
        if end:
            page.get_by_role("combobox", name="끝").select_option(label="날짜까지")
            page.get_by_label("마지막 반복 날짜").fill(end)
        page.get_by_role("button", name="저장", exact=True).click()
        expect(series_chip(page, title)).to_have_count(1)
    rules = {item["title"]: item["recurrence"] for item in
             http.get(f"{server.url}/api/events/{department['id']}?expand=false").json()}
    assert rules["월례 보고"] == ["RRULE:FREQ=MONTHLY;UNTIL=20310531"] and rules["창립 기념일"] == ["RRULE:FREQ=YEARLY"]
    page.get_by_role("button", name="다음 달").click()
    expect(page.locator("#month-title")).to_have_text("2031년 4월")
    expect(series_chip(page, "월례 보고")).to_have_count(1)
    assert days_with(page, series_chip(page, "월례 보고")) == [28]
    expect(series_chip(page, "창립 기념일")).to_have_count(0)
    assert person.console_errors(provoked=(400,)) == []


def test_editing_one_occurrence_changes_only_that_day_and_shows_live(server, people, token):
    _, alice, bob = mondays_watched_by_two(server, people, token, "주간 회의", 4)
    a, b = alice.page, bob.page
    open_occurrence(a, 10, "주간 회의")
    expect(a.get_by_role("radio", name="이 일정만")).to_be_checked()
    fill_event(a, title="주간 회의 (연기)", start_time="15:00")
    a.get_by_role("button", name="저장", exact=True).click()
    expect(a.locator("#event-dialog")).to_be_hidden()
    for page in (a, b):
        expect(series_chip(page, "주간 회의 (연기)")).to_have_count(1, timeout=LIVE)
        assert days_with(page, series_chip(page, "주간 회의 (연기)")) == [10]
        expect(series_chip(page, "주간 회의")).to_have_count(3)
        assert days_with(page, series_chip(page, "주간 회의")) == [3, 17, 24]
    day_button(b, f"{MONTH}-10").click()
    expect(b.locator("#day-events .event-time")).to_have_text(["15:00"])
    assert alice.console_errors() == [] and bob.console_errors() == []


def test_deleting_this_and_following_occurrences_removes_the_later_ones_live(server, people, token):
    series, alice, bob = mondays_watched_by_two(server, people, token, "스터디", 5)
    a, b = alice.page, bob.page
    open_occurrence(a, 24, "스터디")
    a.get_by_role("button", name="삭제", exact=True).click()  # "이 일정만", the default
    a.get_by_role("button", name="삭제 확인").click()
    for page in (a, b):
        expect(series_chip(page, "스터디")).to_have_count(4, timeout=LIVE)
        assert days_with(page, series_chip(page, "스터디")) == [3, 10, 17, 31]
    open_occurrence(a, 17, "스터디")
    a.get_by_role("radio", name="이 일정과 이후 일정").check()
    a.get_by_role("button", name="삭제", exact=True).click()
    a.get_by_role("button", name="삭제 확인").click()
    expect(a.locator("#event-dialog")).to_be_hidden()
    for page in (a, b):
        expect(series_chip(page, "스터디")).to_have_count(2, timeout=LIVE)
        assert days_with(page, series_chip(page, "스터디")) == [3, 10]
    listed = http.get(f"{server.url}/api/events/{series['department_id']}?from={MONTH}-01&to={MONTH}-31").json()
    assert [event["event_date"] for event in listed] == [f"{MONTH}-03", f"{MONTH}-10"]
    assert alice.console_errors() == [] and bob.console_errors() == []


def test_a_multi_day_event_shows_on_each_day_it_covers(server, people, token):
    department = new_department(server)
    alice, bob = people(token("ruth", "editor")), people(token("sam", "viewer"))
    a = alice.open(department["id"], MONTH)
    b = bob.open(department["id"], "2031-04")
    expect(b.locator("#live")).to_have_text("연결됨", timeout=WAIT)
    day_button(a, f"{MONTH}-28").click()
    a.get_by_role("button", name="이 날에 새 일정").click()
    fill_event(a, title="워크숍", start_time="09:00", end_time="18:00", end_date="2031-04-02")
    a.get_by_role("button", name="저장", exact=True).click()
    expect(a.locator("#event-dialog")).to_be_hidden()
    expect(chip(a, "워크숍")).to_have_count(4)
    assert days_with(a, chip(a, "워크숍")) == [28, 29, 30, 31]
    expect(chip(b, "워크숍")).to_have_count(2, timeout=LIVE)  # April, live: the 1st and the 2nd
    assert days_with(b, chip(b, "워크숍")) == [1, 2]
    day_button(a, f"{MONTH}-30").click()
    expect(a.locator("#day-events .event-time")).to_have_text(["09:00–18:00 (3/28~4/2)"])
    assert alice.console_errors() == [] and bob.console_errors() == []


def mondays_watched_by_two(server, people, token, title: str, count: int):
    """A series on `count` Mondays from MONTH-03 in a new department, and two people (pat, quinn)
    watching its month live, the second one already showing every occurrence."""
    department = new_department(server)
    series = new_series(server, department, f"RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT={count}", title=title,
                        event_date=f"{MONTH}-03")
    alice, bob = two_watching(people, token, department)
    expect(series_chip(bob.page, title)).to_have_count(count)
    return series, alice, bob


def repeat_control(page):
    return page.get_by_role("combobox", name="반복", exact=True)


def open_occurrence(page, day: int, title: str) -> None:
    """The editor of the occurrence on `day`, once its series' rule is read into the repeat controls."""
    day_button(page, f"{MONTH}-{day:02d}").click()
    page.get_by_role("button", name=f"{title} 편집").click()
    expect(page.locator("#repeat-note")).not_to_have_text("반복 규칙을 읽는 중…")


def test_editing_a_series_changes_how_it_repeats_and_the_other_page_shows_it_live(server, people, token):
    series, alice, bob = mondays_watched_by_two(server, people, token, "주간 회의", 4)
    a, b = alice.page, bob.page
    open_occurrence(a, 10, "주간 회의")
    days = a.get_by_role("group", name="반복 요일")
    expect(repeat_control(a)).to_have_value("WEEKLY")  # the series' rule, read back into the controls
    expect(days.get_by_label("월")).to_be_checked()
    expect(days.get_by_label("수")).not_to_be_checked()
    expect(a.get_by_role("combobox", name="끝")).to_have_value("count")
    expect(a.get_by_label("반복 횟수")).to_have_value("4")
    expect(a.get_by_role("radio", name="이 일정만")).to_be_checked()
    days.get_by_label("수").check()
    a.get_by_role("combobox", name="끝").select_option(label="날짜까지")
    a.get_by_label("마지막 반복 날짜").fill(f"{MONTH}-31")
    expect(a.get_by_role("radio")).to_have_count(2)  # "이 일정만" is gone: one occurrence has no rule
    expect(a.get_by_role("radio", name="이 일정과 이후 일정")).to_be_checked()
    a.get_by_role("radio", name="모든 일정").check()
    a.get_by_role("button", name="저장", exact=True).click()
    expect(a.locator("#event-dialog")).to_be_hidden()
    mondays_and_wednesdays = [3, 5, 10, 12, 17, 19, 24, 26, 31]
    for page in (a, b):
        expect(series_chip(page, "주간 회의")).to_have_count(len(mondays_and_wednesdays), timeout=LIVE)
        assert days_with(page, series_chip(page, "주간 회의")) == mondays_and_wednesdays
    stored = http.get(f"{server.url}/api/events/{series['department_id']}/{series['id']}").json()
    assert stored["recurrence"] == ["RRULE:FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20310331"]
    assert alice.console_errors() == [] and bob.console_errors() == []


def test_a_plain_event_becomes_a_series_and_a_rule_from_one_day_on_must_start_on_that_day(server, people, token):
    department = new_department(server)
    plain = new_event(server, department, title="독서 모임", event_date=f"{MONTH}-04")  # a Tuesday
    odd = new_series(server, department, "RRULE:FREQ=DAILY;INTERVAL=2;COUNT=3", title="격일 점검", event_date=f"{MONTH}-24")
    person = people(token("tess", "editor"))
    page = person.open(department["id"], MONTH)
    day_button(page, f"{MONTH}-04").click()
    page.get_by_role("button", name="독서 모임 편집").click()
    expect(repeat_control(page)).to_have_value("")
    expect(page.locator("#scope-box")).to_be_hidden()
    repeat_control(page).select_option(label="매주")
    page.get_by_role("combobox", name="끝").select_option(label="횟수만큼")
    page.get_by_label("반복 횟수").fill("3")
    page.get_by_role("button", name="저장", exact=True).click()
    expect(page.locator("#event-dialog")).to_be_hidden()
    expect(series_chip(page, "독서 모임")).to_have_count(3)
    assert days_with(page, series_chip(page, "독서 모임")) == [4, 11, 18]
    stored = http.get(f"{server.url}/api/events/{department['id']}/{plain['id']}").json()
    assert stored["recurrence"] == ["RRULE:FREQ=WEEKLY;COUNT=3"]

    # From the 11th (a Tuesday) on Thursdays: the new rule's first day is no longer the 11th, which
    # the API refuses (said in Korean under the repeat control) until the date moves as well.
    open_occurrence(page, 11, "독서 모임")
    expect(repeat_control(page)).to_have_value("WEEKLY")
    page.get_by_role("group", name="반복 요일").get_by_label("목").check()
    page.get_by_role("radio", name="이 일정과 이후 일정").check()
    page.get_by_role("button", name="저장", exact=True).click()
    expect(page.locator("#event-recurrence-error")).to_have_text(re.compile("^반복이 시작 날짜에 시작하지 않습니다"))
    expect(repeat_control(page)).to_have_attribute("aria-invalid", "true")
    assert http.get(f"{server.url}/api/events/{department['id']}/{plain['id']}").json() == stored  # nothing changed
    fill_event(page, event_date=f"{MONTH}-13")
    page.get_by_role("button", name="저장", exact=True).click()
    expect(page.locator("#event-dialog")).to_be_hidden()
    expect(series_chip(page, "독서 모임")).to_have_count(4)
    assert days_with(page, series_chip(page, "독서 모임")) == [4, 13, 20, 27]

    # A rule the controls cannot show is kept as it is, and the page says so.
    open_occurrence(page, 26, "격일 점검")
    expect(page.locator("#repeat-note")).to_have_text(
        "이 반복 규칙은 여기서 바꿀 수 없습니다 (그대로 둡니다): RRULE:FREQ=DAILY;INTERVAL=2;COUNT=3")
    expect(repeat_control(page)).to_be_disabled()
    fill_event(page, title="격일 점검 (변경)")
    page.get_by_role("radio", name="모든 일정").check()
    page.get_by_role("button", name="저장", exact=True).click()
    expect(series_chip(page, "격일 점검 (변경)")).to_have_count(3)
    stored = http.get(f"{server.url}/api/events/{department['id']}/{odd['id']}").json()
    assert (stored["title"], stored["recurrence"]) == ("격일 점검 (변경)", ["RRULE:FREQ=DAILY;INTERVAL=2;COUNT=3"])
    assert person.console_errors(provoked=(400,)) == []


def test_a_series_stops_repeating_from_one_occurrence_on_and_then_altogether(server, people, token):
    department = new_department(server)
    series = new_series(server, department, "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4", title="주간 회의", event_date=f"{MONTH}-03")
    person = people(token("uma", "editor"))
    page = person.open(department["id"], MONTH)
    expect(series_chip(page, "주간 회의")).to_have_count(4)

    open_occurrence(page, 17, "주간 회의")
    repeat_control(page).select_option(label="반복 안 함")
    expect(page.get_by_role("radio")).to_have_count(2)  # one occurrence alone has no rule to stop
    page.get_by_role("radio", name="이 일정과 이후 일정").check()
    page.get_by_role("button", name="저장", exact=True).click()
    expect(page.locator("#event-dialog")).to_be_hidden()
    expect(series_chip(page, "주간 회의")).to_have_count(2)
    assert days_with(page, series_chip(page, "주간 회의")) == [3, 10]
    expect(chip(page, "주간 회의")).to_have_count(1)  # the 17th, an event of its own; the 24th is gone
    assert days_with(page, chip(page, "주간 회의")) == [17]

    open_occurrence(page, 10, "주간 회의")
    repeat_control(page).select_option(label="반복 안 함")
    page.get_by_role("radio", name="모든 일정").check()
    page.get_by_role("button", name="저장", exact=True).click()
    expect(page.locator("#event-dialog")).to_be_hidden()
    expect(series_chip(page, "주간 회의")).to_have_count(0)
    assert days_with(page, chip(page, "주간 회의")) == [3, 17]
    stored = http.get(f"{server.url}/api/events/{department['id']}/{series['id']}").json()
    assert "recurrence" not in stored and stored["event_date"] == f"{MONTH}-03"
    assert person.console_errors() == []


def test_a_stale_edit_of_a_series_with_following_or_all_shows_the_conflict_and_overwrites_nothing(server, people, token):
    department = new_department(server)
    series = new_series(server, department, "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=5", title="팀 회의", event_date=f"{MONTH}-03")
    alice, bob = two_watching(people, token, department, ("pat", "editor"), ("quinn", "editor"))
    a, b = alice.page, bob.page
    open_occurrence(b, 17, "팀 회의")  # Bob reads the series (version 1) ...
    open_occurrence(a, 10, "팀 회의")  # ... then Alice changes it for all
    fill_event(a, title="팀 회의 (변경)")
    a.get_by_role("group", name="반복 요일").get_by_label("수").check()
    a.get_by_role("radio", name="모든 일정").check()
    a.get_by_role("button", name="저장", exact=True).click()
    expect(series_chip(b, "팀 회의 (변경)")).to_have_count(5, timeout=LIVE)
    assert days_with(b, series_chip(b, "팀 회의 (변경)")) == [3, 5, 10, 12, 17]
    after_alice = http.get(f"{server.url}/api/events/{department['id']}/{series['id']}").json()
    assert after_alice["version"] == 2

    fill_event(b, title="밥의 제목")
    b.get_by_role("radio", name="이 일정과 이후 일정").check()
    b.get_by_role("button", name="저장", exact=True).click()
    expect(b.locator("#conflict")).to_be_visible()
    expect(b.locator("#conflict-title")).to_have_text("다른 사람이 먼저 이 일정을 바꿨습니다")
    expect(b.locator("#conflict-theirs")).to_contain_text("팀 회의 (변경)")
    expect(b.locator("#conflict-theirs")).to_contain_text("매주 월·수, 5번")
    assert http.get(f"{server.url}/api/events/{department['id']}/{series['id']}").json() == after_alice
    b.get_by_role("button", name="상대 것 받기").click()
    expect(b.locator("#event-dialog")).to_be_hidden()

    open_occurrence(b, 17, "팀 회의 (변경)")  # read again (version 2); someone changes it once more
    assert http.put(f"{server.url}/api/events/{series['id']}?scope=all", json={"title": "세 번째 제목"}).status_code == 200
    fill_event(b, title="밥의 두 번째 제목")
    b.get_by_role("radio", name="모든 일정").check()
    b.get_by_role("button", name="저장", exact=True).click()
    expect(b.locator("#conflict")).to_be_visible()
    expect(b.locator("#conflict-theirs")).to_contain_text("세 번째 제목")
    stored = http.get(f"{server.url}/api/events/{department['id']}/{series['id']}").json()
    assert (stored["title"], stored["version"]) == ("세 번째 제목", 3)
    listed = http.get(f"{server.url}/api/events/{department['id']}?from={MONTH}-01&to={MONTH}-31").json()
    assert {event["title"] for event in listed} == {"세 번째 제목"}
    assert alice.console_errors() == [] and bob.console_errors(provoked=(412,)) == []
