"""Security headers on every response: successes, every kind of error, Socket.IO's own answers,
and the page policy for HTML."""
from __future__ import annotations

import uuid

import pytest

from app import create_app
from config import API_CONTENT_SECURITY_POLICY, PAGE_CONTENT_SECURITY_POLICY
from support.faults import answer, throttling_hook
from support.live_helpers import admin_token, api_request
from support.servers import api_client, authorized

API_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": API_CONTENT_SECURITY_POLICY,
}


def assert_secured(response, policy: str = API_CONTENT_SECURITY_POLICY) -> None:
    for name, value in {**API_HEADERS, "Content-Security-Policy": policy}.items():
        assert response.headers.get(name) == value, (response.status_code, name)


def test_successes_carry_the_headers(client, make_department, make_event):
    department = make_department()
    event = make_event(department["id"])
    answers = [
        client.get("/healthz"),
        client.get("/readyz"),
        client.get("/api/departments"),
        client.post("/api/departments", json={"name": f"d-{uuid.uuid4().hex[:8]}"}),
        client.get(f"/api/events/{department['id']}"),
        client.delete(f"/api/events/{event['id']}"),
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 201, 200, 204]
    for response in answers:
        assert_secured(response)


def test_every_kind_of_error_carries_the_headers(settings, db, make_department):
    client = api_client(settings.with_overrides(rate_limit="20 per minute"), db)
    department = make_department()
    answers = {
        400: client.post(f"/api/events/{department['id']}", json={"title": ""}),
        404: client.get("/no/such/page"),
        405: client.patch("/api/departments"),
        409: client.post("/api/departments", json={"name": department["name"]}),
        413: client.post("/api/departments", data=b"x" * (2 * 1024 * 1024), content_type="application/json"),
    }
    answers[412] = client.put(f"/api/events/{_event_id(db, department)}", json={"title": "t"},
                              headers={"If-Match": '"99"'})
    answers[429] = [client.get("/api/departments") for _ in range(20)][-1]  # the 20th request is over
    for expected, response in answers.items():
        assert response.status_code == expected
        assert_secured(response)


def _event_id(db, department) -> str:
    return db.create_event(department["id"], {"event_date": "2024-01-20", "title": "회의"})["id"]


def test_server_errors_and_storage_failures_carry_the_headers(settings, db):
    hook, _ = throttling_hook(100)
    db.client.meta.events.register("before-send.dynamodb", hook)
    try:
        throttled = api_client(settings, db).get("/api/departments")
    finally:
        db.client.meta.events.unregister("before-send.dynamodb", hook)

    def unexpected(request, **kwargs):  # an error code nobody maps: the 500 path
        return answer(request, 400, {"__type": "com.amazonaws#SomethingNew", "message": "new"})

    db.client.meta.events.register("before-send.dynamodb", unexpected)
    try:
        broken = api_client(settings, db).get("/api/departments")
    finally:
        db.client.meta.events.unregister("before-send.dynamodb", unexpected)

    assert throttled.status_code == 503 and broken.status_code == 500
    assert_secured(throttled)
    assert_secured(broken)


def test_html_pages_get_the_page_policy_and_the_policies_are_settings(settings, db):
    app = create_app(settings.with_overrides(content_security_policy="default-src 'none'; sandbox"), db)
    # A page as the app will serve one later (the browser page): HTML from a view.
    app.add_url_rule("/page", "page", lambda: "<!doctype html><title>달력</title>")
    client = authorized(app.test_client(), admin_token(settings))

    page = client.get("/page")
    api = client.get("/api/departments")

    assert page.content_type.startswith("text/html")
    assert_secured(page, PAGE_CONTENT_SECURITY_POLICY)
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert api.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"


@pytest.mark.live
@pytest.mark.parametrize("dynamodb_server", ["moto"], indirect=True)
def test_live_server_answers_socket_io_included_carry_the_headers(live_server):
    answers = [
        api_request("GET", f"{live_server.url}/api/departments"),
        api_request("GET", f"{live_server.url}/api/events/not-a-uuid"),
        # Socket.IO's own HTTP answers (python-engineio, outside Flask): a handshake and a refusal.
        api_request("GET", f"{live_server.url}/socket.io/?EIO=4&transport=polling"),
        api_request("GET", f"{live_server.url}/socket.io/?EIO=4&transport=nonsense"),
    ]
    assert [a.status_code for a in answers] == [200, 404, 200, 400]
    for response in answers:
        assert_secured(response)
