"""Socket.IO limits on live servers: rooms per socket, message size, and a socket flooding joins
that does not slow the others down."""
from __future__ import annotations

import statistics
import threading
import time
import uuid

import pytest
import websocket

from config import ASYNC_MODES, Settings
from support.live_helpers import WAIT, SocketClient, api_request, open_raw_socket, start_app

DEFAULT_MODE = Settings().socketio_async_mode

pytestmark = [pytest.mark.live, pytest.mark.parametrize("dynamodb_server", ["moto"], indirect=True)]


def create_department(url: str) -> dict:
    response = api_request("POST", f"{url}/api/departments", json={"name": f"dept-{uuid.uuid4().hex[:10]}"})
    assert response.status_code == 201, response.text
    return response.json()


def create_event(url: str, department_id: str) -> dict:
    response = api_request("POST", f"{url}/api/events/{department_id}", json={"event_date": "2024-03-05", "title": "회의"})
    assert response.status_code == 201, response.text
    return response.json()


def test_rooms_per_socket_are_bounded_by_the_setting(settings, db, tmp_path, sockets):
    server = start_app(DEFAULT_MODE, settings, tmp_path / "app.log", SOCKETIO_MAX_ROOMS_PER_SOCKET="3")
    try:
        departments = [create_department(server.url) for _ in range(4)]
        client, other = sockets(server.url), sockets(server.url)
        assert all(client.join(d["id"])["ok"] for d in departments[:3])

        refused = client.join(departments[3]["id"])

        assert refused["ok"] is False and refused["error"] == "too_many_rooms" and "3" in refused["message"]
        assert client.join(departments[0]["id"])["ok"] is True  # a room it is in: no new room
        assert other.join(departments[3]["id"])["ok"] is True  # the bound is per socket
        create_event(server.url, departments[3]["id"])
        assert other.next_event()[0] == "event_created"
        assert client.leave(departments[1]["id"])["ok"] is True
        assert client.join(departments[3]["id"]) == {"ok": True, "department_id": departments[3]["id"]}
    finally:
        server.stop()


def _closed_by_server(raw: websocket.WebSocket) -> bool:
    try:
        while True:
            if raw.recv() in ("", b""):
                return True
    except (websocket.WebSocketConnectionClosedException, ConnectionError):
        return True
    except websocket.WebSocketTimeoutException:
        return False


def test_messages_over_the_size_setting_drop_that_socket(settings, db, tmp_path, sockets):
    server = start_app(DEFAULT_MODE, settings, tmp_path / "app.log")
    try:
        department = create_department(server.url)
        bystander = sockets(server.url)
        assert bystander.join(department["id"])["ok"] is True
        limit = Settings().socketio_max_message_bytes
        under, over = open_raw_socket(server.url), open_raw_socket(server.url)
        try:
            # Within the limit: an answer (the id is no UUID), and the socket stays.
            under.send('421["join_department",{"department_id":"' + "x" * (limit // 2) + '"}]')
            assert '"validation_error"' in under.recv()
            # Over it (though far below python-engineio's 1 MB default): the server closes the socket.
            over.send('42["join_department",{"department_id":"' + "x" * (limit + 1024) + '"}]')
            over.settimeout(WAIT)
            assert _closed_by_server(over)
            under.send("422[\"join_department\",{\"department_id\":\"" + department["id"] + "\"}]")
            assert '"ok":true' in under.recv().replace(" ", "")
        finally:
            under.close()
            over.shutdown()
        created = create_event(server.url, department["id"])
        assert bystander.next_event() == ("event_created", created)
    finally:
        server.stop()


def _broadcast_latencies(url: str, department_id: str, listener: SocketClient, count: int) -> list[float]:
    """Seconds from sending each REST write to the listener receiving its broadcast."""
    latencies = []
    for _ in range(count):
        started = time.monotonic()
        created = create_event(url, department_id)
        assert listener.next_event() == ("event_created", created)
        latencies.append(time.monotonic() - started)
    return latencies


class JoinFlood:
    """One raw socket sending join_department as fast as it can, never reading an answer."""

    def __init__(self, url: str, department_id: str):
        self.raw = open_raw_socket(url)
        self.message = '42["join_department",{"department_id":"' + department_id + '"}]'
        self.sent = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._flood, daemon=True)

    def _flood(self) -> None:
        try:
            while not self.stopping.is_set():
                self.raw.send(self.message)
                self.sent += 1
        except (websocket.WebSocketException, OSError):
            pass  # the server may close it, or the test did

    def __enter__(self) -> JoinFlood:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.raw.shutdown()
        self.thread.join(timeout=WAIT)


@pytest.mark.parametrize("mode", ASYNC_MODES)
def test_a_socket_flooding_joins_does_not_slow_the_others(settings, db, tmp_path, sockets, mode):
    server = start_app(mode, settings, tmp_path / "app.log")
    try:
        department = create_department(server.url)
        listener = sockets(server.url)
        assert listener.join(department["id"])["ok"] is True
        _broadcast_latencies(server.url, department["id"], listener, 3)  # warm-up
        quiet = _broadcast_latencies(server.url, department["id"], listener, 10)

        with JoinFlood(server.url, department["id"]) as flood:
            time.sleep(1)  # let it build up
            flooded = _broadcast_latencies(server.url, department["id"], listener, 10)
            sent = flood.sent

        assert sent > 2000, f"the flood sent only {sent} joins"
        # Generous (the machine is shared): one socket's flood may not make others wait for it.
        assert statistics.median(flooded) < max(0.5, 5 * statistics.median(quiet)), (quiet, flooded)
        assert max(flooded) < 2.0, flooded
    finally:
        server.stop()
