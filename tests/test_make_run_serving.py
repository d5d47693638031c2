"""`make run` serves like production (gunicorn): WebSockets open and close without protocol
errors or delays, and what the worker logs on disconnects is clean."""
from __future__ import annotations

import socket
import struct
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import websocket

from local.dynamodb_local import start_moto_server
from models import DynamoDBDatabase
from support.live_helpers import MAKE_RUN, SocketClient, http, start_shell_server
from support.servers import make_settings

SOCKETS = 30
PROTOCOL_ERRORS = ("Bad request syntax", "code 400", "Bad file descriptor", "Traceback", "Exception")


@pytest.fixture(scope="module", params=["gevent", "threading"])
def make_run(request, tmp_path_factory):
    """`make run` (with DYNAMODB_ENDPOINT_URL set) in each async mode, against a moto server of its own."""
    tmp = tmp_path_factory.mktemp("make-run")
    moto = start_moto_server(log_file=tmp / "moto.log")
    settings = make_settings(moto.endpoint_url)
    DynamoDBDatabase(settings).create_tables()  # so the tests' admin token exists before it starts
    log_path = tmp / "run.log"
    server = start_shell_server(MAKE_RUN, settings, log_path, SOCKETIO_ASYNC_MODE=request.param, LOG_LEVEL="INFO")
    yield server.url, log_path, settings
    server.stop()
    moto.stop()


def test_sockets_close_one_after_another_promptly_and_cleanly(make_run):
    url, log_path, _ = make_run
    department = http.post(url + "/api/departments", json={"name": "sockets"}, timeout=10).json()
    slowest = 0.0
    for _ in range(SOCKETS):
        client = SocketClient(url).connect()
        assert client.join(department["id"])["ok"] is True
        started = time.monotonic()
        client.close()
        slowest = max(slowest, time.monotonic() - started)
    assert slowest < 1.0, f"a WebSocket close took {slowest:.1f}s"
    assert http.get(url + "/healthz", timeout=5).status_code == 200
    time.sleep(0.5)  # let the server log whatever the last close made it log
    log = log_path.read_text()
    assert not [line for line in log.splitlines() if any(e in line for e in PROTOCOL_ERRORS)], log[-3000:]


def test_make_run_serves_with_gunicorn(make_run):
    _, log_path, _ = make_run
    assert "Booting worker" in log_path.read_text()


def _open_then_reset(ws_url: str, say_goodbye: bool) -> None:
    """A raw Engine.IO WebSocket that connects to Socket.IO, then drops with a TCP reset."""
    ws = websocket.create_connection(ws_url, timeout=10)
    ws.recv()  # Engine.IO open
    ws.send("40")
    ws.recv()  # Socket.IO connect
    if say_goodbye:
        ws.send("1")  # Engine.IO close: the server starts closing while the reset arrives
    ws.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    ws.sock.close()


def test_clients_that_reset_their_connection_leave_no_traceback(make_run):
    url, log_path, _ = make_run
    ws_url = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    before = len(log_path.read_text())

    def churn(count: int) -> None:
        for i in range(count):
            _open_then_reset(ws_url, say_goodbye=bool(i % 2))

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(churn, [100] * 4))

    assert http.get(url + "/healthz", timeout=5).status_code == 200
    time.sleep(0.5)
    log = log_path.read_text()[before:]
    assert "Traceback" not in log and "Bad file descriptor" not in log, log[-3000:]
