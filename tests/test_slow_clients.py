"""Slow and incomplete requests are cut off after REQUEST_READ_TIMEOUT with a 408, on `make run`
and on gunicorn as AWS_DEPLOYMENT_CONFIG.md serves it (gevent and threading), and they never hold
up other clients: under gevent not even hundreds of connections trickling headers and coming back."""
from __future__ import annotations

import json
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest

from models import DynamoDBDatabase
from support.live_helpers import (
    MAKE_RUN,
    SERVER_COMMANDS,
    assert_socket_still_hears,
    auth_headers,
    http,
    raw_head,
    read_until_closed,
    start_shell_server,
)
from support.servers import moto_tables

READ_TIMEOUT = 2.0
SERVERS = {"make run": (MAKE_RUN, "threading"), "gunicorn": (SERVER_COMMANDS["threading"], "threading"),
           "gunicorn gevent": (SERVER_COMMANDS["gevent"], "gevent")}


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    with moto_tables(tmp_path_factory.mktemp("moto")) as settings:
        yield settings, DynamoDBDatabase(settings)


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


class Tricklers:
    """`count` connections sending a request's headers a byte every `pause` seconds, each opening
    a new connection as soon as the server answers (408) or closes the last one."""

    def __init__(self, url: str, count: int, pause: float = 0.2):
        self.address = urlsplit(url)
        self.count, self.pause = count, pause
        self.head = raw_head("GET", "/api/departments", {"X-Slow": "s" * 400})
        self.cut_off = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Tricklers:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _open(self) -> list:
        conn = socket.create_connection((self.address.hostname, self.address.port), timeout=5)
        conn.setblocking(False)
        return [conn, 0]

    def _run(self) -> None:
        conns = [self._open() for _ in range(self.count)]
        while not self._stop.wait(self.pause):
            for i, (conn, sent) in enumerate(conns):
                if self._answered(conn) or sent >= len(self.head):
                    conn.close()
                    conns[i] = self._open()
                    continue
                try:
                    conn.send(self.head[sent:sent + 1])
                    conns[i][1] += 1
                except OSError:
                    conns[i][1] = len(self.head)  # closed under us: reconnect next round
        for conn, _ in conns:
            conn.close()

    def _answered(self, conn: socket.socket) -> bool:
        try:
            answer = conn.recv(65536)
        except BlockingIOError:
            return False
        except OSError:
            return True
        self.cut_off += answer.startswith(b"HTTP/1.1 408")
        return True


@pytest.mark.parametrize("server", ["gunicorn gevent"], indirect=True)
def test_connections_trickling_headers_never_hold_up_others(server):
    with Tricklers(server.url, 210) as tricklers:
        time.sleep(1.0)
        probes = []
        for _ in range(12):
            started = time.monotonic()
            status = http.get(server.url + "/healthz", timeout=10).status_code
            probes.append((status, time.monotonic() - started))
            time.sleep(READ_TIMEOUT / 6)

    assert [status for status, _ in probes] == [200] * 12
    assert max(seconds for _, seconds in probes) < 0.5, probes
    assert tricklers.cut_off >= 210  # each was cut off at least once while the probes went through


def test_a_pipelined_request_with_a_short_body_is_cut_off_too(server, department):
    conn = connect(server.url)
    conn.sendall(raw_head("GET", "/healthz") + raw_head(
        "POST", f"/api/events/{department['id']}", {"Content-Type": "application/json", "Content-Length": "100"})
        + b'{"ev')
    started = time.monotonic()
    with conn:
        answers = read_until_closed(conn)

    assert answers.startswith(b"HTTP/1.1 200") and b"HTTP/1.1 408" in answers
    assert time.monotonic() - started < READ_TIMEOUT + 3
