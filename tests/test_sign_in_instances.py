"""A signed-in person's session across two app instances on one set of tables behind one Redis
(AUTH_CACHE_SECONDS=1): each accepts it, and what the person writes on one reaches their socket on
the other live; a sign-out on one ends it on the other for REST and open sockets within the bound,
a session unused for SESSION_IDLE_SECONDS ends by itself, and one in use at SESSION_MAX_SECONDS."""
from __future__ import annotations

import time
import uuid

import pytest
import requests

from auth.tokens import token_hash
from models import DynamoDBDatabase
from realtime import QUEUE_CHANNEL
from support.live_helpers import NO_TOKEN, SocketClient, http
from support.oidc_provider import approve, authorize_form, page_text, sign_in

pytestmark = [pytest.mark.live, pytest.mark.xdist_group("sign_in_instances")]
# (and an admin blocks a person: sessions, personal tokens and sockets end on both within the bound)

SESSION_COOKIE = "calendar_session"
BOUND = 1.0  # AUTH_CACHE_SECONDS of both instances
IDLE = 3.0  # SESSION_IDLE_SECONDS of both instances
MAX = 6.0  # SESSION_MAX_SECONDS of both instances


# The module's two instances (support.oidc_provider's signing_in), behind one Redis.
SIGN_IN_INSTANCES = 2
SIGN_IN_REDIS = True
SIGN_IN_ENV = {"AUTH_CACHE_SECONDS": str(BOUND), "SESSION_IDLE_SECONDS": str(IDLE), "SESSION_MAX_SECONDS": str(MAX),
               "SECRET_KEY": "one key for both instances"}


@pytest.fixture(scope="module")
def instances(signing_in):
    return signing_in.urls, signing_in.settings


def _cookie(browser: requests.Session) -> dict[str, str]:
    return {"Cookie": f"{SESSION_COOKIE}={browser.cookies[SESSION_COOKIE]}"}


def _me_status(url: str, cookie: dict[str, str]) -> int:
    return requests.get(f"{url}/api/me", headers=cookie, timeout=10).status_code


def test_two_instances_behind_one_redis_accept_one_session_and_carry_its_writes_live(signing_in, provider):
    a, b = signing_in.urls
    department = http.post(f"{a}/api/departments", json={"name": f"영업부 {uuid.uuid4().hex[:6]}"}, timeout=10).json()
    browser = sign_in(a, provider.add_person(["calendar-editors"], name="강다은"))
    cookie = _cookie(browser)
    socket_on_b = SocketClient(b, token=NO_TOKEN, headers=cookie).connect()  # b takes a's session
    try:
        assert socket_on_b.join(department["id"]) == {"ok": True, "department_id": department["id"]}
        signing_in.redis.wait_for_subscribers(QUEUE_CHANNEL, 2)
        made = browser.post(f"{a}/api/events/{department['id']}", json={"event_date": "2024-07-01", "title": "방문"},
                            headers={"Origin": a}, timeout=10)
        assert made.status_code == 201 and made.json()["created_by"] == "강다은"
        name, payload = socket_on_b.next_event()
        while name != "event_created":
            name, payload = socket_on_b.next_event()
        assert payload == made.json()
    finally:
        socket_on_b.close()


def test_signing_out_on_one_instance_ends_the_session_on_the_other_within_the_bound(instances, provider):
    (a, b), _settings = instances
    browser = sign_in(a, provider.add_person(["calendar-viewers", "calendar-admins"], name="최관리"))
    cookie = _cookie(browser)
    me_on_b = requests.get(f"{b}/api/me", headers=cookie, timeout=10)
    assert me_on_b.status_code == 200 and (me_on_b.json()["name"], me_on_b.json()["role"]) == ("최관리", "admin")
    socket_on_b = SocketClient(b, token=NO_TOKEN, headers=cookie).connect()
    try:
        assert browser.post(f"{a}/auth/logout", headers={"Origin": a}, timeout=10).status_code == 204
        signed_out = time.monotonic()
        assert _me_status(a, cookie) == 401  # at once where the sign-out happened
        while _me_status(b, cookie) == 200:
            assert time.monotonic() - signed_out < BOUND + 2, "instance b still accepts the ended session"
            time.sleep(0.1)
        while socket_on_b.client.connected:
            assert time.monotonic() - signed_out < 2 * BOUND + 3, "b's socket of the ended session is still open"
            time.sleep(0.1)
    finally:
        socket_on_b.close()


def test_a_session_unused_for_the_idle_time_ends(instances, provider):
    (a, b), _settings = instances
    cookie = _cookie(sign_in(a, provider.add_person(["calendar-viewers"])))
    assert _me_status(b, cookie) == 200
    time.sleep(IDLE + BOUND + 0.5)
    assert (_me_status(a, cookie), _me_status(b, cookie)) == (401, 401)


def test_only_the_hash_of_the_cookie_is_stored(instances, provider):
    (a, _b), settings = instances
    secret = sign_in(a, provider.add_person(["calendar-viewers"])).cookies[SESSION_COOKIE]
    items = DynamoDBDatabase(settings).client.scan(TableName=settings.sessions_table)["Items"]
    assert items and not any(secret in str(item) for item in items)
    assert any(item["id"]["S"] == f"session#{token_hash(secret)}" for item in items)


def test_a_session_in_use_still_ends_at_its_absolute_end(instances, provider):
    (a, b), _settings = instances
    cookie = _cookie(sign_in(a, provider.add_person(["calendar-viewers"])))
    signed_in = time.monotonic()
    while _me_status(b, cookie) == 200:  # used all along: only the absolute end can end it
        assert time.monotonic() - signed_in < MAX + BOUND + 1, "the session outlived SESSION_MAX_SECONDS"
        time.sleep(0.3)
    assert time.monotonic() - signed_in > MAX - 1  # not ended by the idle time (IDLE < MAX), nor early


def _gone_within(check, seconds: float, what: str) -> None:
    started = time.monotonic()
    while check():
        assert time.monotonic() - started < seconds, what
        time.sleep(0.1)


def test_an_admin_blocks_a_person_and_their_open_page_loses_access_within_the_bound(instances, provider):
    (a, b), _settings = instances
    sub = provider.add_person(["calendar-editors"], name="차단될사람")
    browser = sign_in(a, sub)
    cookie = _cookie(browser)
    token = browser.post(f"{a}/api/tokens", json={"name": f"app-{sub}"}, headers={"Origin": a}, timeout=10).json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert _me_status(b, bearer) == 200
    socket_on_b = SocketClient(b, token=NO_TOKEN, headers=cookie).connect()
    try:
        listed = {person["subject"]: person for person in http.get(f"{a}/api/people", timeout=10).json()}
        assert listed[sub] == {"subject": sub, "name": "차단될사람", "blocked": False}
        assert http.put(f"{a}/api/people/{sub}/block", timeout=10).status_code == 204
        _gone_within(lambda: _me_status(b, cookie) == 200, BOUND + 2, "b still accepts the blocked person's session")
        _gone_within(lambda: _me_status(b, bearer) == 200, BOUND + 2, "b still accepts the blocked person's token")
        _gone_within(lambda: socket_on_b.client.connected, 2 * BOUND + 3, "the blocked person's socket is still open")
    finally:
        socket_on_b.close()
    again = requests.Session()
    refused = approve(again, authorize_form(again, a), sub)
    assert refused.status_code == 403 and "차단" in page_text(refused) and SESSION_COOKIE not in again.cookies
    assert {p["subject"]: p for p in http.get(f"{a}/api/people", timeout=10).json()}[sub]["blocked"] is True
    assert http.delete(f"{a}/api/people/{sub}/block", timeout=10).status_code == 204
    assert _me_status(b, _cookie(sign_in(a, sub))) == 200
