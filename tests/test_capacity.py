"""Open pages do not cost REST: with 300 authenticated sockets open (more than the 200 threads
that used to stop the service) REST answers at once; past the socket limits a new socket is
refused at once with the reason; a socket that never authenticates is closed. On the server
`make run` and production run (gunicorn, gevent)."""
from __future__ import annotations

import json
import sys
import time

import pytest
import requests
import websocket
from playwright.sync_api import expect

from config import PROJECT_DIR
from local.dynamodb_local import start_moto_server
from models import DynamoDBDatabase
from support.browser import Person, chromium
from support.live_helpers import NO_TOKEN, SocketClient, http, token_for
from support.servers import make_settings, start_live_server

sys.path.insert(0, str(PROJECT_DIR / "bench"))
from capacity_clients import ClientProcesses  # noqa: E402

pytestmark = [pytest.mark.live, pytest.mark.xdist_group("capacity")]

CROWD = 300  # idle pages; gunicorn's 200 threads used to be all there was
MAX_SOCKETS = CROWD + 5
AUTH_TIMEOUT = 2.0
QUICK = 3.0  # seconds within which REST and refusals must answer


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    moto = start_moto_server(log_file=tmp_path_factory.mktemp("moto") / "moto.log")
    settings = make_settings(moto.endpoint_url)
    DynamoDBDatabase(settings).create_tables()
    yield settings
    moto.stop()


@pytest.fixture(scope="module")
def server(settings, tmp_path_factory):
    served = start_live_server(settings, tmp_path_factory.mktemp("capacity") / "app.log", SOCKETIO_ASYNC_MODE="gevent",
                               TRUSTED_PROXY_COUNT="1", SOCKETIO_MAX_SOCKETS=str(MAX_SOCKETS),
                               SOCKETIO_MAX_SOCKETS_PER_ADDRESS=str(CROWD),
                               SOCKETIO_AUTH_TIMEOUT_SECONDS=str(AUTH_TIMEOUT))
    yield served
    served.stop()


@pytest.fixture(scope="module")
def department(server):
    department = http.post(server.url + "/api/departments", json={"name": "capacity"}, timeout=10).json()
    http.post(f"{server.url}/api/events/{department['id']}", json={"event_date": "2024-03-05", "title": "x"},
              timeout=10).raise_for_status()
    return department


@pytest.fixture(scope="module")
def crowd(server, department):
    """CROWD authenticated sockets from 127.0.0.1, in the department's room, in a process of their own."""
    clients = ClientProcesses(server.url, token_for(server.url))
    opened, errors, _ = clients.open([department["id"]] * CROWD, timeout=60)
    assert opened == CROWD, errors
    yield clients
    clients.stop()


def _timed_get(url: str, **kwargs) -> tuple[requests.Response, float]:
    started = time.monotonic()
    answer = http.get(url, timeout=30, **kwargs)
    return answer, time.monotonic() - started


def _handshake(url: str, address: str) -> requests.Response:
    """A new Engine.IO session (polling handshake) from `address` behind the trusted proxy."""
    return requests.get(url + "/socket.io/?EIO=4&transport=polling", headers={"X-Forwarded-For": address},
                        timeout=30)


def _open_from(url: str, address: str) -> websocket.WebSocket:
    raw = websocket.create_connection(url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket",
                                      header={"X-Forwarded-For": address}, timeout=10)
    assert raw.recv().startswith("0{")
    raw.send("40" + json.dumps({"token": token_for(url)}))
    assert raw.recv().startswith("40{")
    return raw


def test_rest_answers_at_once_while_300_pages_are_open(server, department, crowd):
    for path in ("/healthz", f"/api/events/{department['id']}?from=2024-03-01&to=2024-03-31"):
        answer, seconds = _timed_get(server.url + path)
        assert answer.status_code == 200 and seconds < QUICK, (path, answer.status_code, seconds)
    assert [e["title"] for e in answer.json()] == ["x"]
    # and the crowd hears a write
    created = http.post(f"{server.url}/api/events/{department['id']}",
                        json={"event_date": "2024-03-06", "title": "y"}, timeout=10).json()
    assert crowd.last_arrival(created["id"], department["id"], timeout=10) is not None


def test_one_address_past_its_limit_is_refused_with_the_reason(server, crowd):
    started = time.monotonic()
    answer = _handshake(server.url, "127.0.0.1")  # the crowd's address, at its limit
    assert time.monotonic() - started < QUICK
    assert answer.status_code == 429
    assert answer.json()["error"] == "too_many_sockets"
    assert str(CROWD) in answer.json()["message"]
    assert answer.headers["Retry-After"]


def test_a_full_process_refuses_new_sockets_at_once_and_reads_not_ready(server, department, crowd):
    others = [_open_from(server.url, f"10.0.0.{n}") for n in range(MAX_SOCKETS - CROWD)]
    try:
        started = time.monotonic()
        answer = _handshake(server.url, "10.0.1.1")
        assert time.monotonic() - started < QUICK
        assert answer.status_code == 503
        assert answer.json()["error"] == "server_full"
        assert answer.headers["Retry-After"]
        assert http.get(server.url + "/readyz", timeout=QUICK).json()["error"] == "sockets_full"
        assert http.get(server.url + "/healthz", timeout=QUICK).status_code == 200
        month, seconds = _timed_get(f"{server.url}/api/events/{department['id']}?from=2024-03-01&to=2024-03-31")
        assert month.status_code == 200 and seconds < QUICK
    finally:
        for raw in others:
            raw.close()
    deadline = time.monotonic() + 10
    while http.get(server.url + "/readyz", timeout=QUICK).status_code != 200:
        assert time.monotonic() < deadline, "the process still reads full after its sockets closed"
        time.sleep(0.1)


def _closed_within(raw: websocket.WebSocket, seconds: float) -> bool:
    """True when the server closes `raw` within `seconds` (pings answered meanwhile)."""
    raw.settimeout(seconds)
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            message = raw.recv()
            if message == "2":
                raw.send("3")
            elif message in ("", "1") or message is None:
                return True
    except (websocket.WebSocketConnectionClosedException, ConnectionError):
        return True
    except websocket.WebSocketTimeoutException:
        return False
    return False


def _gauge(url: str, name: str) -> float:
    text = http.get(url + "/metrics", timeout=QUICK).text
    return float(next(line.split()[-1] for line in text.splitlines() if line.startswith(name + " ")))


def test_sockets_that_do_not_authenticate_are_closed_and_counted_meanwhile(server, crowd):
    ws_url = server.url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
    silent = websocket.create_connection(ws_url, header={"X-Forwarded-For": "10.0.2.1"}, timeout=10)
    assert silent.recv().startswith("0{")  # Engine.IO open, then never a CONNECT
    refused = websocket.create_connection(ws_url, header={"X-Forwarded-For": "10.0.2.2"}, timeout=10)
    refused.recv()
    refused.send('40{"token": "cal_not-a-token"}')
    assert refused.recv().startswith("44")  # Socket.IO CONNECT refused: unknown token
    assert _gauge(server.url, "calendar_socketio_engine_connections") == CROWD + 2
    assert _gauge(server.url, "calendar_socketio_connected_sockets") == CROWD
    assert _closed_within(silent, AUTH_TIMEOUT + 3)
    assert _closed_within(refused, AUTH_TIMEOUT + 3)
    silent.close()
    refused.close()
    authenticated = _open_from(server.url, "10.0.2.3")  # one that did authenticate stays
    assert not _closed_within(authenticated, AUTH_TIMEOUT + 1)
    authenticated.close()
    assert crowd.lost() == 0


def test_a_refused_socket_io_client_sees_the_reason(server, crowd):
    client = SocketClient(server.url, transports=("polling",), token=NO_TOKEN)
    with pytest.raises(Exception) as refused:
        client.connect()
    assert "429" in str(refused.value)


def test_a_page_refused_for_capacity_says_so_and_connects_once_there_is_room(settings, tmp_path):
    small = start_live_server(settings, tmp_path / "small.log", SOCKETIO_ASYNC_MODE="gevent", SOCKETIO_MAX_SOCKETS="1")
    department = DynamoDBDatabase(settings).create_department("작은 서버", "")
    holder = SocketClient(small.url).connect()  # the one place there is
    try:
        with chromium() as browser:
            person = Person(browser, small.url, token_for(small.url))
            page = person.open(department["id"], "2024-03")
            expect(page.locator("#message")).to_have_text(
                "서버의 실시간 연결이 가득 찼습니다. 잠시 후 자동으로 다시 연결합니다.", timeout=15_000)
            expect(page.locator("#live")).to_have_text("연결 끊김")
            holder.close()
            expect(page.locator("#live")).to_have_text("연결됨", timeout=30_000)  # retries 2 s, 4 s, 8 s ±50%
            expect(page.locator("#message")).to_be_hidden()
            assert person.console_errors(provoked=(503,)) == []
            person.close()
    finally:
        holder.close()
        small.stop()
