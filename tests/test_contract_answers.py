"""Every route of contract/routes.py, called on a live server: its real status is the declared one,
and its real headers are the declared ones (so `Location` and the like cannot drift).

Each declared header shows up in at least one of a route's answers (pages carry the cursor headers
only when there is a next page, a replay its Idempotent-Replayed), and an answer carries no
header of the contract's HEADERS that its route does not declare for that status."""
from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
import requests

from contract.routes import DOCS_ASSETS, ERRORS, HEADERS, PAGE_VENDOR_ASSETS, ROUTES, Route
from support.live_helpers import NO_TOKEN, http
from support.oidc_provider import authorize_form, callback_url, running_provider, sign_in
from support.servers import moto_tables, start_live_server

pytestmark = [pytest.mark.live, pytest.mark.xdist_group("contract_answers")]

# On every answer of the app (the builder adds it to each operation, no route lists it).
ON_EVERY_ANSWER = {"X-Request-ID"}
Call = Callable[[str], list[requests.Response]]


@pytest.fixture(scope="module")
def provider():
    with running_provider() as running:
        yield running


@pytest.fixture(scope="module")
def url(tmp_path_factory, provider):
    log_dir = tmp_path_factory.mktemp("contract_answers")
    with moto_tables(log_dir) as settings:
        served = start_live_server(settings, log_dir / "app.log", **provider.settings_env())
        try:
            yield served.url
        finally:
            served.stop()


def _callbacks(provider) -> Call:
    """A sign-in's way back (302), one with a wrong state (400), and one of a person in no mapped group (403)."""
    def call(url: str) -> list[requests.Response]:
        answers = []
        for groups, state in ((["calendar-viewers"], None), (["calendar-viewers"], "wrong"), (["staff"], None)):
            browser = requests.Session()
            back = callback_url(browser, authorize_form(browser, url), provider.add_person(groups))
            answers.append(browser.get(back.replace("state=", f"state={state}") if state else back,
                                       allow_redirects=False, timeout=10))
        return answers
    return call


def _sign_out(provider) -> Call:
    def call(url: str) -> list[requests.Response]:
        browser = sign_in(url, provider.add_person(["calendar-viewers"]))
        return [browser.post(f"{url}/auth/logout", headers={"Origin": url}, timeout=10)]
    return call


def _department(url: str) -> str:
    answer = http.post(f"{url}/api/departments", json={"name": f"계약 {uuid.uuid4().hex[:8]}"}, timeout=10)
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def _event(url: str, department_id: str) -> dict:
    answer = http.post(f"{url}/api/events/{department_id}", json={"event_date": "2024-03-05", "title": "회의"},
                       timeout=10)
    assert answer.status_code == 201, answer.text
    return answer.json()


def _twice(method: str, target: str, body: dict) -> list[requests.Response]:
    """A create, then the same request again (same Idempotency-Key): the stored answer, replayed."""
    key = {"Idempotency-Key": uuid.uuid4().hex}
    return [http.request(method, target, json=body, headers=key, timeout=10) for _ in range(2)]


def _feed(url: str) -> list[requests.Response]:
    feed = f"{url}/api/departments/{_department(url)}/calendar.ics"
    first = http.get(feed, timeout=10)
    return [first, http.get(feed, headers={"If-None-Match": first.headers["ETag"]}, timeout=10)]


def _company_days_feed(url: str) -> list[requests.Response]:
    feed = f"{url}/api/company-days/calendar.ics"
    first = http.get(feed, timeout=10)
    return [first, http.get(feed, headers={"If-None-Match": first.headers["ETag"]}, timeout=10)]


def _event_pages(url: str) -> list[requests.Response]:
    department_id = _department(url)
    _event(url, department_id), _event(url, department_id)
    return [http.get(f"{url}/api/events/{department_id}?limit=1", timeout=10)]


def _department_pages(url: str) -> list[requests.Response]:
    _department(url), _department(url)
    return [http.get(f"{url}/api/departments?limit=1", timeout=10)]


def _on_event(method: str, **kwargs) -> Call:
    def call(url: str) -> list[requests.Response]:
        event = _event(url, _department(url))
        return [http.request(method, f"{url}/api/events/{event['id']}", timeout=10, **kwargs)]
    return call


def _company_day(url: str) -> requests.Response:
    """A company day added on a date no other call took."""
    day = f"2031-{uuid.uuid4().int % 12 + 1:02d}-{uuid.uuid4().int % 28 + 1:02d}"
    while (added := http.post(f"{url}/api/company-days", json={"date": day, "name": "창립기념일"}, timeout=10)
           ).status_code == 409:
        day = f"2032{day[4:]}" if day.startswith("2031") else f"{int(day[:4]) + 1}{day[4:]}"
    return added


def _history_pages(url: str) -> list[requests.Response]:
    event = _event(url, _department(url))
    http.put(f"{url}/api/events/{event['id']}", json={"title": "바뀐 회의"}, timeout=10)
    return [http.get(f"{url}/api/events/{event['department_id']}/{event['id']}/history?limit=1", timeout=10)]


def _search_pages(url: str) -> list[requests.Response]:
    department = _department(url)
    _event(url, department), _event(url, department)
    return [http.get(f"{url}/api/search", params={"q": "회의", "department": department, "limit": 1}, timeout=10)]


def _in_trash(url: str) -> dict:
    event = _event(url, _department(url))
    assert http.delete(f"{url}/api/events/{event['id']}", timeout=10).status_code == 204
    return event


def _trash_pages(url: str) -> list[requests.Response]:
    first = _in_trash(url)
    department = first["department_id"]
    second = http.post(f"{url}/api/events/{department}", json={"event_date": "2024-03-06", "title": "둘"},
                          timeout=10).json()
    http.delete(f"{url}/api/events/{second['id']}", timeout=10)
    return [http.get(f"{url}/api/departments/{department}/trash?limit=1", timeout=10)]


def _from_trash(method: str, tail: str) -> Call:
    def call(url: str) -> list[requests.Response]:
        event = _in_trash(url)
        return [http.request(method, f"{url}/api/departments/{event['department_id']}/trash/{event['id']}{tail}",
                             timeout=10)]
    return call


def _get(path: str) -> Call:
    return lambda url: [http.get(url + path, timeout=10)]


# How each declared route is called so that it answers its declared success statuses.
CALLS: dict[str, Call] = {
    "GET /api/departments": _department_pages,
    "POST /api/departments": lambda url: _twice("POST", f"{url}/api/departments", {"name": f"새 {uuid.uuid4().hex[:8]}"}),
    "GET /api/departments/{department_id}": lambda url: [http.get(f"{url}/api/departments/{_department(url)}",
                                                                  timeout=10)],
    "PATCH /api/departments/{department_id}": lambda url: [http.patch(f"{url}/api/departments/{_department(url)}",
                                                                      json={"description": "바뀜"}, timeout=10)],
    "DELETE /api/departments/{department_id}": lambda url: [http.delete(f"{url}/api/departments/{_department(url)}",
                                                                        timeout=10)],
    "GET /api/departments/{department_id}/calendar.ics": _feed,
    "GET /api/events/{id}": _event_pages,
    "POST /api/events/{id}": lambda url: _twice("POST", f"{url}/api/events/{_department(url)}",
                                                {"event_date": "2024-03-05", "title": "회의"}),
    "GET /api/events/{department_id}/{event_id}": lambda url: [
        http.get(f"{url}/api/events/{event['department_id']}/{event['id']}", timeout=10)
        for event in [_event(url, _department(url))]],
    "PUT /api/events/{id}": _on_event("PUT", json={"title": "바뀐 회의"}),
    "DELETE /api/events/{id}": _on_event("DELETE"),
    "GET /api/events/{department_id}/{event_id}/history": _history_pages,
    "GET /api/departments/{department_id}/trash": _trash_pages,
    "POST /api/departments/{department_id}/trash/{event_id}/restore": _from_trash("POST", "/restore"),
    "DELETE /api/departments/{department_id}/trash/{event_id}": _from_trash("DELETE", ""),
    "GET /api/search": _search_pages,
    "GET /api/me": _get("/api/me"),
    "GET /api/people": _get("/api/people"),
    "PUT /api/people/{subject}/block": lambda url: [http.put(f"{url}/api/people/p-{uuid.uuid4().hex[:6]}/block", timeout=10)],
    "DELETE /api/people/{subject}/block": lambda url: [http.delete(f"{url}/api/people/p-{uuid.uuid4().hex[:6]}/block",
                                                                  timeout=10)],
    "GET /api/holidays": _get("/api/holidays?from=2031-03-01&to=2031-03-31"),
    "POST /api/company-days": lambda url: [_company_day(url)],
    "GET /api/company-days/calendar.ics": _company_days_feed,
    "DELETE /api/company-days/{date}": lambda url: [
        http.delete(f"{url}/api/company-days/{_company_day(url).json()['date']}", timeout=10)],
    "GET /auth/login": lambda url: [requests.get(f"{url}/auth/login", allow_redirects=False, timeout=10)],
    "GET /healthz": _get("/healthz"),
    "GET /readyz": _get("/readyz"),
    "GET /metrics": _get("/metrics"),
    "GET /api/openapi.json": _get("/api/openapi.json"),
    "GET /api/docs": _get("/api/docs"),
    "GET /": _get("/"),
    "GET /page/{asset}": _get("/page/app.js"),
    "GET /page/vendor/{asset}": _get(f"/page/vendor/{PAGE_VENDOR_ASSETS[0]}"),
    "GET /api/docs/{asset}": _get(f"/api/docs/{DOCS_ASSETS[0]}"),
}


def _name(route: Route) -> str:
    return f"{route.method} {route.path}"


def _contract_headers(answer: requests.Response) -> set[str]:
    """The headers of the answer that the contract knows by name (HEADERS), as the contract spells them."""
    return {name for name in HEADERS if name in answer.headers} - ON_EVERY_ANSWER


def _personal_tokens(provider, method: str) -> Call:
    """A signed-in person's token made (POST), listed (GET) or revoked (DELETE)."""
    def call(url: str) -> list[requests.Response]:
        browser = sign_in(url, provider.add_person(["calendar-editors"]))
        made = browser.post(f"{url}/api/tokens", json={"name": f"app-{uuid.uuid4().hex[:8]}"},
                            headers={"Origin": url}, timeout=10)
        if method == "POST":
            return [made]
        if method == "GET":
            return [browser.get(f"{url}/api/tokens", timeout=10)]
        return [browser.delete(f"{url}/api/tokens/{made.json()['name']}", headers={"Origin": url}, timeout=10)]
    return call


def _calls(provider) -> dict[str, Call]:
    """CALLS and the sign-in routes' calls, which need the module's identity provider."""
    return {**CALLS, "GET /auth/callback": _callbacks(provider), "POST /auth/logout": _sign_out(provider),
            **{f"{method} {path}": _personal_tokens(provider, method)
               for method, path in (("POST", "/api/tokens"), ("GET", "/api/tokens"), ("DELETE", "/api/tokens/{token_name}"))}}


def test_every_declared_route_is_called():
    assert set(_calls(None)) == {_name(route) for route in ROUTES}


@pytest.mark.parametrize("route", ROUTES, ids=_name)
def test_answers_have_the_declared_status_and_headers(url, provider, route):
    answers = _calls(provider)[_name(route)](url)
    seen: set[str] = set()
    for answer in answers:
        assert answer.status_code in route.answers, (answer.status_code, answer.text[:300])
        declared = set(route.answers[answer.status_code].headers)
        assert _contract_headers(answer) <= declared, f"{_name(route)} {answer.status_code} sends undeclared headers"
        assert ON_EVERY_ANSWER <= set(answer.headers)
        seen |= _contract_headers(answer)
    every_declared = {name for answer in route.answers.values() for name in answer.headers}
    assert every_declared <= seen, f"{_name(route)} never sends {sorted(every_declared - seen)}"


@pytest.mark.parametrize("route", [r for r in ROUTES if 201 in r.answers and "Location" in r.answers[201].headers],
                         ids=_name)
def test_a_created_resource_is_where_location_says(url, route):
    created, replayed = CALLS[_name(route)](url)
    assert created.headers["Location"] == replayed.headers["Location"]
    there = http.get(url + created.headers["Location"], timeout=10)
    assert there.status_code == 200
    assert there.json() == created.json()


@pytest.mark.parametrize("route", [r for r in ROUTES if r.role is not None], ids=_name)
def test_a_refusal_without_a_token_has_the_declared_headers(url, route):
    target = url + route.path.replace("{department_id}", str(uuid.uuid4())).replace("{id}", str(uuid.uuid4()))
    target = target.replace("{event_id}", str(uuid.uuid4()))
    answer = http.request(route.method, target, headers={"Authorization": NO_TOKEN}, timeout=10)
    assert answer.status_code == 401
    assert _contract_headers(answer) == set(ERRORS[401][2])
