"""Tokens over Socket.IO and in logs, against live app processes: refused connections, scoped
joins and broadcasts, a revoked token's open sockets (on every instance), no token in a log line."""
from __future__ import annotations

import queue
import time
import uuid

import pytest
import socketio

from auth import TokenStore
from support.live_helpers import NO_TOKEN, WAIT, SocketClient, http, start_app
from support.servers import app_instances

pytestmark = pytest.mark.parametrize("dynamodb_server", ["moto"], indirect=True)
ROLES = ("viewer", "editor", "admin")
CACHE_SECONDS = 1.0
# Fast revocation for the tests; INFO so the access log and the library logs are written.
SERVER_ENV = {"AUTH_CACHE_SECONDS": str(CACHE_SECONDS), "LOG_LEVEL": "INFO"}


@pytest.fixture(scope="module")
def servers(module_settings, tmp_path_factory):
    """Two instances on the same tables (gunicorn, as production serves them), no message queue."""
    with app_instances("threading", module_settings, tmp_path_factory.mktemp("auth-realtime"), **SERVER_ENV) as started:
        yield started


def new_token(db, role: str, departments: list[str] | None = None) -> tuple[str, str]:
    name = f"{role}-{uuid.uuid4().hex[:8]}"
    return name, TokenStore(db).create(name, role, departments)


def department(url: str) -> dict:
    response = http.post(f"{url}/api/departments", json={"name": f"d-{uuid.uuid4().hex[:8]}"}, timeout=WAIT)
    assert response.status_code == 201
    return response.json()


def event_in(url: str, department_id: str, token: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = http.post(f"{url}/api/events/{department_id}", json={"event_date": "2024-03-05", "title": "t"},
                         headers=headers, timeout=WAIT)
    assert response.status_code == 201, response.text
    return response.json()


def nothing_more(client: SocketClient, seconds: float = 1.0) -> list:
    """What the client received within `seconds` (expected: nothing)."""
    got = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            got.append(client.received.get(timeout=0.1))
        except queue.Empty:
            pass
    return got


def test_a_socket_without_a_valid_token_is_refused(servers, module_db, sockets):
    url = servers[0].url
    for token in (NO_TOKEN, "cal_not-a-token"):
        with pytest.raises(socketio.exceptions.ConnectionError):
            SocketClient(url, token=token).connect()
    _, viewer = new_token(module_db, "viewer")
    by_header = SocketClient(url, token=NO_TOKEN, headers={"Authorization": f"Bearer {viewer}"})
    try:
        assert by_header.connect().client.connected
    finally:
        by_header.close()


@pytest.mark.parametrize("role", ROLES)
def test_each_role_joins_and_leaves_only_the_departments_of_its_token(role, servers, module_db, sockets):
    url = servers[0].url
    own, other = department(url), department(url)
    _, scoped = new_token(module_db, role, [own["id"]])
    _, unscoped = new_token(module_db, role)
    scoped_socket, unscoped_socket = sockets(url, scoped), sockets(url, unscoped)

    assert scoped_socket.join(own["id"]) == {"ok": True, "department_id": own["id"]}
    refused = scoped_socket.join(other["id"])
    assert (refused["ok"], refused["error"]) == (False, "forbidden") and refused["message"]
    assert unscoped_socket.join(other["id"])["ok"] is True
    assert scoped_socket.leave(own["id"])["ok"] is True
    assert scoped_socket.join(own["id"])["ok"] is True

    created_elsewhere = event_in(url, other["id"])
    assert unscoped_socket.next_event() == ("event_created", created_elsewhere)
    mine = event_in(url, own["id"])
    assert scoped_socket.next_event() == ("event_created", mine)  # and nothing of the other department before it
    assert nothing_more(scoped_socket, 0.5) == []


def test_leaving_tells_a_scoped_socket_nothing_of_what_exists_outside_its_scope(servers, module_db, sockets):
    url = servers[0].url
    own, other = department(url), department(url)
    _, scoped = new_token(module_db, "viewer", [own["id"]])
    socket = sockets(url, scoped)
    existing, missing = socket.leave(other["id"]), socket.leave(str(uuid.uuid4()))
    assert (existing["ok"], existing["error"]) == (False, "forbidden")
    assert (missing["ok"], missing["error"]) == (False, "forbidden")


def test_a_scoped_socket_hears_nothing_of_other_departments(servers, module_db, sockets):
    url = servers[0].url
    own = department(url)
    _, scoped = new_token(module_db, "viewer", [own["id"]])
    watcher, admin = sockets(url, scoped), sockets(url)
    assert watcher.join(own["id"])["ok"] is True
    other = department(url)
    assert admin.next_event() == ("department_created", other)
    assert admin.join(other["id"])["ok"] is True
    foreign = event_in(url, other["id"])
    assert admin.next_event() == ("event_created", foreign)
    assert http.delete(f"{url}/api/departments/{other['id']}", timeout=WAIT).status_code == 204
    assert admin.next_event() == ("department_deleted", {"id": other["id"]})
    assert nothing_more(watcher, 1.0) == []
    mine = event_in(url, own["id"])
    assert watcher.next_event() == ("event_created", mine)
    assert mine["created_by"] == "test-admin" and mine["updated_by"] == "test-admin"


def test_a_revoked_token_loses_rest_and_its_open_sockets_on_every_instance(servers, module_db, sockets):
    a, b = servers
    own = department(a.url)
    name, token = new_token(module_db, "viewer")
    on_a, on_b = sockets(a.url, token), sockets(b.url, token)
    assert on_a.join(own["id"])["ok"] and on_b.join(own["id"])["ok"]
    assert http.get(f"{b.url}/api/departments", headers={"Authorization": f"Bearer {token}"},
                    timeout=WAIT).status_code == 200

    TokenStore(module_db).revoke(name)
    revoked_at = time.monotonic()
    bound = CACHE_SECONDS * 2 + 3  # the re-check period, plus a generous margin for this shared machine
    while on_a.client.connected or on_b.client.connected:
        assert time.monotonic() - revoked_at < bound, "an open socket outlived its revoked token"
        time.sleep(0.05)
    for server in servers:
        response = http.get(f"{server.url}/api/departments", headers={"Authorization": f"Bearer {token}"},
                            timeout=WAIT)
        assert response.status_code == 401
    event_in(a.url, own["id"])
    assert nothing_more(on_a, 0.5) == [] and nothing_more(on_b, 0.5) == []
    with pytest.raises(socketio.exceptions.ConnectionError):
        SocketClient(a.url, token=token).connect()


def test_no_token_reaches_a_log_line(module_settings, module_db, tmp_path):
    """Both servers of the project (gunicorn's access log; Werkzeug under `python backend/wsgi.py`)."""
    settings = module_settings
    _, token = new_token(module_db, "viewer")
    logs = []
    for command_mode in ("threading", "werkzeug"):
        log_path = tmp_path / f"{command_mode}.log"
        if command_mode == "werkzeug":
            from support.servers import start_live_server

            server = start_live_server(settings, log_path, **SERVER_ENV)
        else:
            server = start_app("threading", settings, log_path, **SERVER_ENV)
        try:
            headers = {"Authorization": f"Bearer {token}"}
            assert http.get(f"{server.url}/api/departments", headers=headers, timeout=WAIT).status_code == 200
            assert http.get(f"{server.url}/api/departments?token={token}", headers={"Authorization": "x"},
                            timeout=WAIT).status_code == 401
            assert http.get(f"{server.url}/api/departments?token={token}&x=1", headers=headers,
                            timeout=WAIT).status_code == 200
            client = SocketClient(server.url, token=token, transports=("polling", "websocket")).connect()
            client.close()
            with pytest.raises(socketio.exceptions.ConnectionError):
                SocketClient(server.url, token="cal_wrong-" + token).connect()
        finally:
            server.stop()
        logs.append(log_path.read_text())
    gunicorn_log, werkzeug_log = logs
    # The requests are logged (route and status, never the query string), the token nowhere.
    assert '"route": "/api/departments", "status": 401' in gunicorn_log, gunicorn_log
    assert token not in gunicorn_log and token not in werkzeug_log
