"""Signing in with the company's account (OIDC) against a live server and a real OpenID provider on
loopback, driven the way a browser goes: /auth/login, the provider's form, back to /auth/callback.

One provider and one server for the module (TRUSTED_PROXY_COUNT=1, so a test can say it came
through a TLS proxy); each test makes its own people and departments."""
from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests
import socketio

from support.live_helpers import ADMIN_NAME, NO_TOKEN, SocketClient, http, token_for
from support.oidc_provider import FAULTS, approve, authorize_form, callback_url, page_text, sign_in

pytestmark = [pytest.mark.live, pytest.mark.xdist_group("sign_in")]

SESSION_COOKIE = "calendar_session"
SIGN_IN_ENV = {"TRUSTED_PROXY_COUNT": "1"}  # the module's server (support.oidc_provider's signing_in)


@pytest.fixture(scope="module")
def url(signing_in):
    return signing_in.url


@pytest.fixture
def fault(provider):
    """Sets the provider's fault for the test (and clears it after)."""
    def set_fault(kind: str) -> None:
        provider.fault = kind
    yield set_fault
    provider.fault = None


def _department(url: str, name: str | None = None) -> dict:
    answer = http.post(f"{url}/api/departments", json={"name": name or f"부서 {uuid.uuid4().hex[:8]}"}, timeout=10)
    assert answer.status_code == 201, answer.text
    return answer.json()


def _all_department_ids(url: str) -> list[str]:
    return [department["id"] for department in http.get(f"{url}/api/departments", timeout=10).json()]


def _with_query(location: str, **changes: str) -> str:
    parts = urlsplit(location)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()} | changes
    return urlunsplit(parts._replace(query=urlencode(query)))


def test_a_person_signs_in_and_me_names_them(url, provider):
    _department(url)
    sub = provider.add_person(["staff", "calendar-editors"], name="김민지", email="minji@example.com")
    browser = requests.Session()
    form = authorize_form(browser, url)
    asked = parse_qs(urlsplit(form.url).query)
    assert asked["code_challenge_method"] == ["S256"] and asked["code_challenge"][0]
    assert asked["state"][0] and asked["nonce"][0] and "openid" in asked["scope"][0].split()
    page = approve(browser, form, sub)
    assert page.status_code == 200 and page.url == f"{url}/"
    me = browser.get(f"{url}/api/me", timeout=10)
    assert me.status_code == 200
    assert me.json() == {"name": "김민지", "email": "minji@example.com", "role": "editor",
                         "departments": _all_department_ids(url), "every_department": True, "auth": "session"}


def test_the_session_cookie_is_httponly_lax_and_secure_behind_tls(url, provider):
    sub = provider.add_person(["calendar-viewers"])
    browser = requests.Session()
    back = callback_url(browser, authorize_form(browser, url), sub)
    plain = requests.Session()
    plain.cookies.update(browser.cookies)
    over_http = browser.get(back, allow_redirects=False, timeout=10)
    cookie = over_http.headers["Set-Cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Path=/;" in cookie and "Secure" not in cookie
    behind_tls = callback_url(plain, authorize_form(plain, url), sub)
    answer = plain.get(behind_tls, headers={"X-Forwarded-Proto": "https"}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    assert "Secure" in answer.headers["Set-Cookie"] and "HttpOnly" in answer.headers["Set-Cookie"]


def test_signing_out_ends_the_session_for_rest_and_sockets(url, provider):
    sub = provider.add_person(["calendar-admins"], name="이관리")
    browser = sign_in(url, sub)
    cookie = {"Cookie": f"{SESSION_COOKIE}={browser.cookies[SESSION_COOKIE]}"}
    live = SocketClient(url, token=NO_TOKEN, headers=cookie).connect()  # the cookie opens a socket too
    live.close()
    out = browser.post(f"{url}/auth/logout", headers={"Origin": url}, timeout=10)
    assert out.status_code == 204 and SESSION_COOKIE not in browser.cookies
    assert requests.get(f"{url}/api/me", headers=cookie, timeout=10).status_code == 401
    with pytest.raises(socketio.exceptions.ConnectionError):
        SocketClient(url, token=NO_TOKEN, headers=cookie).connect()


def test_a_person_in_no_mapped_group_is_refused_with_a_korean_page(url, provider):
    sub = provider.add_person(["staff", "dept:영업부"])
    browser = requests.Session()
    refused = approve(browser, authorize_form(browser, url), sub)
    assert refused.status_code == 403
    assert "관리자에게" in page_text(refused) and refused.headers["Content-Type"].startswith("text/html")
    assert SESSION_COOKIE not in browser.cookies
    assert browser.get(f"{url}/api/me", timeout=10).status_code == 401


def test_a_department_group_limits_the_person_to_that_department_on_rest_feeds_and_sockets(url, provider):
    sales, other = _department(url, f"영업부{uuid.uuid4().hex[:4]}"), _department(url)
    sub = provider.add_person(["calendar-editors", f"dept:{sales['name']}"])
    browser = sign_in(url, sub)
    assert browser.get(f"{url}/api/me", timeout=10).json()["departments"] == [sales["id"]]
    assert [d["id"] for d in browser.get(f"{url}/api/departments", timeout=10).json()] == [sales["id"]]
    assert browser.get(f"{url}/api/events/{other['id']}", timeout=10).status_code == 403
    assert browser.get(f"{url}/api/events/{sales['id']}", timeout=10).status_code == 200
    assert browser.get(f"{url}/api/departments/{other['id']}/calendar.ics", timeout=10).status_code == 403
    assert browser.get(f"{url}/api/departments/{sales['id']}/calendar.ics", timeout=10).status_code == 200
    cookie = {"Cookie": f"{SESSION_COOKIE}={browser.cookies[SESSION_COOKIE]}"}
    socket = SocketClient(url, token=NO_TOKEN, headers=cookie).connect()
    try:
        assert socket.join(other["id"])["ok"] is False
        assert socket.join(sales["id"])["ok"] is True
    finally:
        socket.close()


def test_a_cross_site_post_with_the_cookie_is_403_and_changes_nothing(url, provider):
    department = _department(url)
    sub = provider.add_person(["calendar-editors"], name="박편집")
    browser = sign_in(url, sub)
    target, event = f"{url}/api/events/{department['id']}", {"event_date": "2024-03-05", "title": "회의"}
    for headers in ({"Origin": "https://evil.example"}, {"Referer": "https://evil.example/form.html"}, {}):
        refused = browser.post(target, json=event, headers=headers, timeout=10)
        assert refused.status_code == 403, headers
        assert refused.json()["error"] == "forbidden"
    assert http.get(target, timeout=10).json() == []
    made = browser.post(target, json=event, headers={"Origin": url}, timeout=10)
    assert made.status_code == 201
    assert (made.json()["created_by"], made.json()["updated_by"]) == ("박편집", "박편집")


def test_a_tampered_session_cookie_is_401(url, provider):
    browser = sign_in(url, provider.add_person(["calendar-viewers"]))
    secret = browser.cookies[SESSION_COOKIE]
    tampered = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    answer = requests.get(f"{url}/api/me", headers={"Cookie": f"{SESSION_COOKIE}={tampered}"}, timeout=10)
    assert answer.status_code == 401


def test_a_wrong_state_is_refused(url, provider):
    sub = provider.add_person(["calendar-viewers"])
    browser = requests.Session()
    back = callback_url(browser, authorize_form(browser, url), sub)
    answer = browser.get(_with_query(back, state="not-the-state"), timeout=10)
    assert answer.status_code == 400 and "다시 로그인" in page_text(answer)
    assert SESSION_COOKIE not in browser.cookies


def test_a_replayed_code_is_refused(url, provider):
    sub = provider.add_person(["calendar-viewers"])
    browser = requests.Session()
    form = authorize_form(browser, url)
    signin_cookie = dict(browser.cookies)  # what the browser held before it came back
    back = callback_url(browser, form, sub)
    assert browser.get(back, timeout=10).status_code == 200
    replay = requests.Session()
    replay.cookies.update(signin_cookie)
    answer = replay.get(back, allow_redirects=False, timeout=10)
    assert answer.status_code == 400 and SESSION_COOKIE not in replay.cookies


@pytest.mark.parametrize("kind", FAULTS)
def test_an_id_token_for_another_audience_or_issuer_with_another_nonce_expired_or_badly_signed_is_refused(
        url, provider, fault, kind):
    sub = provider.add_person(["calendar-admins"])
    browser = requests.Session()
    form = authorize_form(browser, url)
    fault(kind)
    answer = approve(browser, form, sub)
    assert answer.status_code == 400 and SESSION_COOKIE not in browser.cookies


def test_a_bearer_token_wins_over_the_cookie_and_needs_no_origin(url, provider):
    department = _department(url)
    browser = sign_in(url, provider.add_person(["calendar-viewers"]))
    made = browser.post(f"{url}/api/events/{department['id']}", json={"event_date": "2024-03-05", "title": "회의"},
                        headers={"Authorization": f"Bearer {token_for(url)}"}, timeout=10)
    assert made.status_code == 201 and made.json()["created_by"] == ADMIN_NAME


def test_with_sign_in_the_api_document_offers_the_session_cookie_and_the_sign_in_routes(url):
    document = requests.get(f"{url}/api/openapi.json", timeout=10).json()
    assert document["components"]["securitySchemes"]["sessionCookie"]["in"] == "cookie"
    assert document["components"]["securitySchemes"]["sessionCookie"]["name"] == SESSION_COOKIE
    assert {"sessionCookie": []} in document["paths"]["/api/me"]["get"]["security"]
    routes = {(path, method) for path, operations in document["paths"].items() for method in operations}
    assert {("/auth/login", "get"), ("/auth/callback", "get"), ("/auth/logout", "post")} <= routes


def test_a_socket_with_the_cookie_from_another_site_is_refused(url, provider):
    cookie = {"Cookie": f"{SESSION_COOKIE}={sign_in(url, provider.add_person(['calendar-viewers'])).cookies[SESSION_COOKIE]}"}
    polling = ("polling",)  # the headers as given (the WebSocket client adds an Origin of its own)
    with pytest.raises(socketio.exceptions.ConnectionError):
        SocketClient(url, polling, token=NO_TOKEN, headers={**cookie, "Origin": "https://evil.example"}).connect()
    SocketClient(url, polling, token=NO_TOKEN, headers={**cookie, "Origin": url}).connect().close()


def test_an_unreachable_provider_is_a_korean_page_not_an_error(settings, db):
    from app import create_app
    from local.dynamodb_local import free_port

    nowhere = settings.with_overrides(oidc_issuer=f"http://127.0.0.1:{free_port()}", oidc_client_id="calendar")
    answer = create_app(nowhere, db).test_client().get("/auth/login")
    assert answer.status_code == 503 and answer.content_type.startswith("text/html")
    assert "연결할 수 없습니다" in answer.get_data(as_text=True)


def test_a_401_tells_a_browser_where_to_sign_in(url):
    answer = requests.get(f"{url}/api/me", timeout=10)
    assert answer.status_code == 401 and answer.json()["sign_in"] == "/auth/login"
