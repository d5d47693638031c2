"""CORS: CORS_ALLOWED_ORIGINS is the one allowlist for REST and Socket.IO, on a live server."""
from __future__ import annotations

import pytest
import socketio

from support.live_helpers import SocketClient, api_request
from support.servers import start_live_server

ALLOWED = "https://calendar.example"
REFUSED = "https://evil.example"

pytestmark = [pytest.mark.live, pytest.mark.parametrize("dynamodb_server", ["moto"], indirect=True)]


@pytest.fixture
def server(settings, db, tmp_path):
    app = start_live_server(settings, tmp_path / "app.log", CORS_ALLOWED_ORIGINS=f"{ALLOWED}, https://other.example")
    yield app
    app.stop()


def test_an_allowed_origin_reads_and_writes_over_rest(server, db):
    created = api_request("POST", f"{server.url}/api/departments", json={"name": "영업부"}, headers={"Origin": ALLOWED})
    listed = api_request("GET", f"{server.url}/api/departments", headers={"Origin": ALLOWED})

    for response in (created, listed):
        assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
        assert "Origin" in response.headers["Vary"]
        assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    assert created.status_code == 201 and listed.json() == [created.json()]


def test_an_allowed_origin_gets_its_preflight_answered_without_a_token(server):
    response = api_request("OPTIONS", f"{server.url}/api/events/3f2b1c9e-0000-4000-8000-000000000000", headers={
        "Origin": ALLOWED, "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "authorization, content-type, if-match"})

    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert response.headers["Access-Control-Allow-Methods"] == "DELETE, GET, POST, PUT"
    allowed_headers = response.headers["Access-Control-Allow-Headers"].lower()
    assert all(h in allowed_headers for h in ("authorization", "content-type", "if-match"))
    assert int(response.headers["Access-Control-Max-Age"]) > 0
    assert "Origin" in response.headers["Vary"]


@pytest.mark.parametrize("method", ["GET", "POST", "OPTIONS"])
def test_a_refused_origin_is_403_without_cors_headers_and_changes_nothing(server, db, method):
    headers = {"Origin": REFUSED, "Access-Control-Request-Method": "POST"} if method == "OPTIONS" else {"Origin": REFUSED}
    response = api_request(method, f"{server.url}/api/departments", json={"name": "몰래"}, headers=headers)

    assert response.status_code == 403
    assert response.json() == {"error": "forbidden",
                               "message": f"Origin {REFUSED} is not allowed (CORS_ALLOWED_ORIGINS)."}
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Origin" in response.headers["Vary"]
    assert db.list_departments() == []


def test_requests_without_origin_and_from_the_own_origin_pass(server):
    plain = api_request("GET", f"{server.url}/api/departments")
    own = api_request("GET", f"{server.url}/api/departments", headers={"Origin": server.url})

    assert plain.status_code == 200 and "Access-Control-Allow-Origin" not in plain.headers
    assert own.status_code == 200


def socket_from(url: str, origin: str, transport: str) -> SocketClient:
    """A Socket.IO client whose handshake carries `origin` (websocket-client sends an Origin of
    its own, so for WebSocket the origin is its option, not an extra header)."""
    if transport == "websocket":
        return SocketClient(url, transports=(transport,), websocket_extra_options={"origin": origin})
    return SocketClient(url, transports=(transport,), headers={"Origin": origin})


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_socket_io_takes_the_same_allowlist(server, transport):
    allowed = socket_from(server.url, ALLOWED, transport)
    refused = socket_from(server.url, REFUSED, transport)
    try:
        allowed.connect()
        assert allowed.client.connected and allowed.transport() == transport
        with pytest.raises(socketio.exceptions.ConnectionError):
            refused.connect()
        assert not refused.client.connected
    finally:
        allowed.close()
        refused.close()
