"""Slow and incomplete requests are cut off after REQUEST_READ_TIMEOUT with a 408, on `make run`
and on gunicorn as AWS_DEPLOYMENT_CONFIG.md serves it, and they never hold up other clients."""
from __future__ import annotations

import json
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest

from live_helpers import (
    MAKE_RUN,
    SERVER_COMMANDS,
    assert_socket_still_hears,
    auth_headers,
    http,
    raw_head,
    read_until_closed,
    start_shell_server,
)
from local.dynamodb_local import start_moto_server
from models import DynamoDBDatabase
from servers import make_settings

READ_TIMEOUT = 2.0
SERVERS = {"make run": (MAKE_RUN, "threading"), "gunicorn": (SERVER_COMMANDS["threading"], "threading"),
           "gunicorn gevent": (SERVER_COMMANDS["gevent"], "gevent")}


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    moto = start_moto_server(log_file=tmp_path_factory.mktemp("moto") / "moto.log")
    settings = make_settings(moto.endpoint_url)
    db = DynamoDBDatabase(settings)
    db.create_tables()
    yield settings, db
    moto.stop()


@pytest.fixture(scope="module", params=list(SERVERS))
def server(request, tables, tmp_path_factory):
    settings, _ = tables
    log_path = tmp_path_factory.mktemp("app") / "app.log"
    command, mode = SERVERS[request.param]
    served = start_shell_server(command, settings, log_path, SOCKETIO_ASYNC_MODE=mode,
                                REQUEST_READ_TIMEOUT=str(READ_TIMEOUT))
    yield served
    served.stop()


@pytest.fixture
def department(server):
    return http.post(server.url + "/api/departments", json={"name": f"slow {time.monotonic_ns()}"},
                         timeout=10).json()


def connect(url: str) -> socket.socket:
    address = urlsplit(url)
    return socket.create_connection((address.hostname, address.port), timeout=READ_TIMEOUT + 10)


def incomplete_post(url: str, department_id: str) -> socket.socket:
    """A POST announcing 100 bytes of body and sending 4."""
    conn = connect(url)
    conn.sendall(raw_head("POST", f"/api/events/{department_id}",
                          {"Content-Type": "application/json", "Content-Length": "100"}) + b'{"ev')
    return conn


def answer_of(conn: socket.socket) -> tuple[int, dict, float]:
    """(status, JSON body, seconds until the server closed the connection)."""
    started = time.monotonic()
    with conn:
        answer = read_until_closed(conn)
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), json.loads(body), time.monotonic() - started


def test_a_body_shorter_than_its_content_length_is_408_after_the_timeout(server, department, tables):
    _, db = tables
    status, body, waited = answer_of(incomplete_post(server.url, department["id"]))

    assert status == 408 and body["error"] == "request_timeout"
    assert READ_TIMEOUT - 0.5 < waited < READ_TIMEOUT + 3
    assert db.department_event_ids(department["id"]) == set()


def test_headers_trickled_a_byte_at_a_time_are_cut_off(server):
    conn = connect(server.url)
    head = raw_head("GET", "/api/departments", {"X-Slow": "s" * 200})
    started = time.monotonic()
    try:
        for byte in head:
            conn.send(bytes([byte]))
            time.sleep(0.05)
    except OSError:  # the server closed the connection under us: what this test expects
        pass
    status, body, _ = answer_of(conn)

    assert status == 408 and body["error"] == "request_timeout"
    assert time.monotonic() - started < READ_TIMEOUT + 3


def test_a_slow_but_timely_body_is_served(server, department):
    conn = connect(server.url)
    body = json.dumps({"event_date": "2024-01-05", "title": "slow but on time"}).encode()
    conn.sendall(raw_head("POST", f"/api/events/{department['id']}",
                          {"Content-Type": "application/json", "Content-Length": str(len(body)),
                           "Connection": "close", **auth_headers(server.url)}) + body[:10])
    time.sleep(READ_TIMEOUT / 2)
    conn.sendall(body[10:])
    status, created, _ = answer_of(conn)

    assert status == 201 and created["title"] == "slow but on time"


def test_slow_clients_never_hold_up_others(server, department):
    stalled = [incomplete_post(server.url, department["id"]) for _ in range(30)]
    started = time.monotonic()

    def read(_):
        response = http.get(f"{server.url}/api/events/{department['id']}", timeout=10)
        return response.status_code, time.monotonic() - started

    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(read, range(30)))

    assert [status for status, _ in answers] == [200] * 30
    # All served while the stalled clients still wait for their cut-off.
    assert max(seconds for _, seconds in answers) < READ_TIMEOUT
    assert {answer_of(conn)[0] for conn in stalled} == {408}


def test_a_websocket_outlives_the_read_timeout(server, department):
    assert_socket_still_hears(server.url, department["id"], READ_TIMEOUT + 1)
