"""Socket.IO through real clients against live app processes: rooms, payloads, several instances.

Each app process is served the production way (live_helpers.SERVER_COMMANDS: gunicorn for
threading and gevent, eventlet's own server for eventlet). The full contract runs under the
default async mode; every mode runs the two-instance case through Redis and the 100-socket fan-out.
"""
from __future__ import annotations

import json
import subprocess
import threading
import uuid
from pathlib import Path

import pytest
import websocket

from auth import TokenStore
from config import ASYNC_MODES, PROJECT_DIR, Settings
from models import DynamoDBDatabase
from realtime import QUEUE_CHANNEL
from support.live_helpers import (
    WAIT,
    RedisServer,
    SocketClient,
    http,
    open_raw_socket,
    require_redis_server,
    start_app,
    stop_all,
    token_for,
)
from support.servers import app_instances

DEFAULT_MODE = Settings().socketio_async_mode

pytestmark = [
    pytest.mark.live,
    # Realtime does not depend on the DynamoDB engine (the REST suites run both): moto is quick.
    pytest.mark.parametrize("dynamodb_server", ["moto"], indirect=True),
]


# -- fixtures ---------------------------------------------------------------------------------

@pytest.fixture(scope="module", params=ASYNC_MODES)
def server(request, module_settings, tmp_path_factory):
    """One app process in each async mode in turn, without a message queue."""
    app = start_app(request.param, module_settings, tmp_path_factory.mktemp(f"app-{request.param}") / "app.log")
    yield app
    app.stop()


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    require_redis_server()
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture(scope="module", params=ASYNC_MODES)
def instances(request, module_settings, redis_server, tmp_path_factory):
    """Two app processes in one async mode, sharing broadcasts through Redis."""
    with app_instances(request.param, module_settings, tmp_path_factory.mktemp(f"instances-{request.param}"),
                       SOCKETIO_MESSAGE_QUEUE=redis_server.url) as started:
        yield started


# -- REST helpers -----------------------------------------------------------------------------

def create_department(url: str) -> dict:
    response = http.post(f"{url}/api/departments", json={"name": f"dept-{uuid.uuid4().hex[:10]}"},
                             timeout=WAIT)
    assert response.status_code == 201, response.text
    return response.json()


def create_event(base: str, department_id: str, **fields) -> dict:
    body = {"event_date": "2024-03-05", "title": "주간 회의", "time": "10:00", **fields}
    response = http.post(f"{base}/api/events/{department_id}", json=body, timeout=WAIT)
    assert response.status_code == 201, response.text
    return response.json()


def listed_event(url: str, department_id: str, event_id: str) -> dict:
    """The event exactly as `GET /api/events/{department_id}` returns it."""
    response = http.get(f"{url}/api/events/{department_id}", timeout=WAIT)
    assert response.status_code == 200
    return next(e for e in response.json() if e["id"] == event_id)


def expect_only(client: SocketClient, name: str, payload) -> None:
    """The client's next event is exactly (name, payload)."""
    assert client.next_event() == (name, payload)


def assert_received_nothing_before_marker(url: str, *clients: SocketClient) -> None:
    """Creates a department (sent to every socket); for each client it must be the next event.

    Sockets get broadcasts in the order they were emitted, so anything sent to them earlier
    would arrive before this marker: no fixed sleep needed to prove that nothing came.
    """
    marker = create_department(url)
    for client in clients:
        expect_only(client, "department_created", marker)


# -- joining and leaving ----------------------------------------------------------------------

def test_join_and_leave_are_acknowledged(server, sockets):
    department = create_department(server.url)
    client = sockets(server.url)
    assert client.transport() == "websocket"

    assert client.join(department["id"]) == {"ok": True, "department_id": department["id"]}
    assert client.leave(department["id"]) == {"ok": True, "department_id": department["id"]}


def test_join_names_the_canonical_id(server, sockets):
    department = create_department(server.url)
    client = sockets(server.url)
    assert client.join(department["id"].upper()) == {"ok": True, "department_id": department["id"]}


@pytest.mark.parametrize("payload", [
    {"department_id": "not-a-uuid"},
    {"department_id": 42},
    {"department_id": None},
    {},
    "3f2b1c9e-0000-4000-8000-000000000000",
    None,
    ["3f2b1c9e-0000-4000-8000-000000000000"],
    {"department_id": {"nested": "3f2b1c9e-0000-4000-8000-000000000000"}},
    {"department_id": "3f2b1c9e-0000-4000-8000-000000000000" * 1000},
])
@pytest.mark.parametrize("action", ["join_department", "leave_department"])
def test_malformed_requests_are_refused_and_the_socket_stays(server, sockets, action, payload):
    department = create_department(server.url)
    client = sockets(server.url)

    ack = client.client.call(action, payload, timeout=WAIT)

    assert ack["ok"] is False
    assert ack["error"] == "validation_error"
    assert ack["message"]
    assert client.client.connected
    assert client.join(department["id"])["ok"] is True


def test_a_payload_over_the_size_limit_drops_that_socket_only(server, sockets):
    department = create_department(server.url)
    bystander = sockets(server.url)
    assert bystander.join(department["id"])["ok"] is True
    hostile = open_raw_socket(server.url)
    try:
        hostile.send('42["join_department",{"department_id":"' + "x" * (2 * 1024 * 1024) + '"}]')
        with pytest.raises((websocket.WebSocketConnectionClosedException, ConnectionError)):
            while True:  # over SOCKETIO_MAX_MESSAGE_BYTES: the server closes this socket
                if hostile.recv() in ("", b""):
                    raise websocket.WebSocketConnectionClosedException("closed")
    finally:
        hostile.shutdown()  # close() skips the socket of a connection the server already closed
    created = create_event(server.url, department["id"])
    expect_only(bystander, "event_created", listed_event(server.url, department["id"], created["id"]))


def test_a_thousand_joins_from_one_socket_deliver_each_broadcast_once(server, sockets):
    department = create_department(server.url)
    client = sockets(server.url)

    acks = [client.join(department["id"]) for _ in range(1000)]

    assert all(ack == {"ok": True, "department_id": department["id"]} for ack in acks)
    created = create_event(server.url, department["id"])
    expect_only(client, "event_created", listed_event(server.url, department["id"], created["id"]))
    assert_received_nothing_before_marker(server.url, client)


@pytest.mark.parametrize("action", ["join", "leave"])
def test_unknown_department_is_not_found_and_the_socket_stays(server, sockets, action):
    unknown = str(uuid.uuid4())
    client = sockets(server.url)

    ack = getattr(client, action)(unknown)

    assert ack["ok"] is False and ack["error"] == "not_found" and unknown in ack["message"]
    assert client.client.connected
    department = create_department(server.url)
    assert client.join(department["id"])["ok"] is True


# -- room broadcasts --------------------------------------------------------------------------

@pytest.fixture
def rooms(server, sockets):
    """Two departments; sockets in the first, the second, both, and none."""
    first, second = create_department(server.url), create_department(server.url)
    clients = {name: sockets(server.url) for name in ("first", "second", "both", "lobby")}
    for name, client in clients.items():
        for department, wanted in ((first, ("first", "both")), (second, ("second", "both"))):
            if name in wanted:
                assert client.join(department["id"])["ok"] is True
    return first, second, clients


def test_event_created_reaches_only_its_room_as_get_returns_it(server, rooms):
    first, second, clients = rooms

    created = create_event(server.url, first["id"], description="설명 🚀", url="https://example.com/x")

    listed = listed_event(server.url, first["id"], created["id"])
    assert listed == created
    for name in ("first", "both"):
        event, payload = clients[name].next_event()
        assert (event, payload) == ("event_created", listed)
        assert isinstance(payload["version"], int)
        assert json.loads(json.dumps(payload)) == payload
    assert_received_nothing_before_marker(server.url, clients["second"], clients["lobby"],
                                          clients["first"], clients["both"])


def test_event_updated_carries_the_whole_updated_event(server, rooms):
    first, second, clients = rooms
    created = create_event(server.url, second["id"])
    for name in ("second", "both"):
        assert clients[name].next_event()[0] == "event_created"

    response = http.put(f"{server.url}/api/events/{created['id']}", json={"title": "바뀐 제목"},
                            headers={"If-Match": f'"{created["version"]}"'}, timeout=WAIT)

    assert response.status_code == 200
    listed = listed_event(server.url, second["id"], created["id"])
    assert listed["title"] == "바뀐 제목" and listed["version"] == created["version"] + 1
    for name in ("second", "both"):
        expect_only(clients[name], "event_updated", listed)
    assert_received_nothing_before_marker(server.url, clients["first"], clients["lobby"])


def test_event_deleted_carries_id_and_department(server, rooms):
    first, second, clients = rooms
    created = create_event(server.url, first["id"])
    for name in ("first", "both"):
        assert clients[name].next_event()[0] == "event_created"

    response = http.delete(f"{server.url}/api/events/{created['id']}", timeout=WAIT)

    assert response.status_code == 204
    for name in ("first", "both"):
        expect_only(clients[name], "event_deleted", {"id": created["id"], "department_id": first["id"]})
    assert_received_nothing_before_marker(server.url, clients["second"], clients["lobby"])


def test_failed_writes_emit_nothing(server, rooms):
    first, second, clients = rooms
    created = create_event(server.url, first["id"])
    for name in ("first", "both"):
        assert clients[name].next_event()[0] == "event_created"
    url = server.url

    failures = [
        http.post(f"{url}/api/events/{first['id']}", json={"title": ""}, timeout=WAIT),
        http.post(f"{url}/api/events/{uuid.uuid4()}", json={"event_date": "2024-03-05", "title": "x"},
                      timeout=WAIT),
        http.put(f"{url}/api/events/{created['id']}", json={"title": "stale"},
                     headers={"If-Match": '"99"'}, timeout=WAIT),
        http.delete(f"{url}/api/events/{created['id']}", headers={"If-Match": '"99"'}, timeout=WAIT),
        http.delete(f"{url}/api/events/{uuid.uuid4()}", timeout=WAIT),
        http.post(f"{url}/api/departments", json={"name": first["name"]}, timeout=WAIT),
        http.delete(f"{url}/api/departments/{uuid.uuid4()}", timeout=WAIT),
    ]

    assert [r.status_code for r in failures] == [400, 404, 412, 412, 404, 409, 404]
    assert_received_nothing_before_marker(url, *clients.values())


def test_after_leaving_a_room_nothing_more_arrives(server, rooms):
    first, second, clients = rooms
    assert clients["both"].leave(first["id"]) == {"ok": True, "department_id": first["id"]}

    create_event(server.url, first["id"])

    assert clients["first"].next_event()[0] == "event_created"
    assert_received_nothing_before_marker(server.url, clients["both"])


def test_department_created_and_deleted_reach_every_socket(server, rooms):
    first, second, clients = rooms
    create_event(server.url, first["id"])
    create_event(server.url, first["id"], event_date="2024-03-06")
    for name in ("first", "both"):
        assert [clients[name].next_event()[0] for _ in range(2)] == ["event_created"] * 2

    department = create_department(server.url)
    fetched = http.get(f"{server.url}/api/departments/{department['id']}", timeout=WAIT).json()
    for client in clients.values():
        expect_only(client, "department_created", fetched)

    assert http.delete(f"{server.url}/api/departments/{first['id']}", timeout=WAIT).status_code == 204
    # One department_deleted to everybody; no event_deleted per removed event.
    for client in clients.values():
        expect_only(client, "department_deleted", {"id": first["id"]})
    assert_received_nothing_before_marker(server.url, *clients.values())


def test_department_updated_reaches_every_socket_as_get_returns_it(server, rooms):
    first, second, clients = rooms
    response = http.patch(f"{server.url}/api/departments/{first['id']}",
                              json={"name": f"새 이름 {uuid.uuid4().hex[:6]}", "description": "바뀜"}, timeout=WAIT)
    assert response.status_code == 200
    fetched = http.get(f"{server.url}/api/departments/{first['id']}", timeout=WAIT).json()
    assert fetched == response.json()
    for client in clients.values():
        expect_only(client, "department_updated", fetched)

    taken = http.patch(f"{server.url}/api/departments/{first['id']}", json={"name": second["name"]},
                           timeout=WAIT)
    assert taken.status_code == 409  # a refused rename sends nothing
    assert_received_nothing_before_marker(server.url, *clients.values())


def test_company_days_reach_every_socket_a_limited_tokens_too(server, rooms, sockets, module_settings):
    first, _second, clients = rooms
    limited = TokenStore(DynamoDBDatabase(module_settings)).create(f"limited-{uuid.uuid4().hex[:6]}", "viewer", [first["id"]])
    clients["limited"] = sockets(server.url, token=limited)
    added = http.post(f"{server.url}/api/company-days", json={"date": "2031-04-01", "name": "창립기념일"}, timeout=WAIT)
    assert added.status_code == 201, added.text
    for client in clients.values():
        expect_only(client, "company_day_added", added.json())
    again = http.post(f"{server.url}/api/company-days", json={"date": "2031-04-01", "name": "휴무"}, timeout=WAIT)
    assert again.status_code == 409  # a refused add sends nothing
    assert http.delete(f"{server.url}/api/company-days/2031-04-01", timeout=WAIT).status_code == 204
    for client in clients.values():
        expect_only(client, "company_day_removed", {"date": "2031-04-01"})
    assert_received_nothing_before_marker(server.url, *(c for name, c in clients.items() if name != "limited"))


def test_polling_transport_works_too(server, sockets):
    department = create_department(server.url)
    client = sockets(server.url, transports=("polling",))
    assert client.transport() == "polling"
    assert client.join(department["id"])["ok"] is True

    created = create_event(server.url, department["id"])

    expect_only(client, "event_created", created)


# -- reconnecting -----------------------------------------------------------------------------

def test_client_that_disconnects_and_reconnects_keeps_working(server, sockets):
    department = create_department(server.url)
    client = sockets(server.url)
    assert client.join(department["id"])["ok"] is True
    first_sid = client.client.get_sid()
    client.client.disconnect()

    create_event(server.url, department["id"])  # while away: missed, as Socket.IO does
    client.connect()
    assert client.client.get_sid() != first_sid
    assert client.join(department["id"])["ok"] is True
    created = create_event(server.url, department["id"])

    expect_only(client, "event_created", created)


def test_client_reconnects_by_itself_after_a_server_restart(module_settings, tmp_path):
    """A browser-like client: automatic reconnection, rejoining its room on every connect."""
    first = start_app(DEFAULT_MODE, module_settings, tmp_path / "first.log")
    port = first.url.rsplit(":", 1)[1]
    department = create_department(first.url)
    client = SocketClient(first.url, reconnection=True, reconnection_delay=0.2,
                          reconnection_delay_max=1, randomization_factor=0)
    joined = threading.Semaphore(0)

    @client.client.event
    def connect():
        client.client.start_background_task(lambda: (client.join(department["id"]), joined.release()))

    second = None
    try:
        client.connect()
        assert joined.acquire(timeout=WAIT)
        first.stop()
        second = start_app(DEFAULT_MODE, module_settings, tmp_path / "second.log", PORT=port)
        assert joined.acquire(timeout=WAIT), "the client did not reconnect and rejoin"

        created = create_event(second.url, department["id"])

        expect_only(client, "event_created", created)
    finally:
        client.close()
        first.stop()
        if second is not None:
            second.stop()


# -- the browser's client ---------------------------------------------------------------------

def test_javascript_socket_io_client_v4_receives_room_events(server):
    department = create_department(server.url)
    script = Path(__file__).parent / "js" / "socket_io_client_check.mjs"
    process = subprocess.Popen(
        ["node", str(script), server.url, department["id"], token_for(server.url)], cwd=PROJECT_DIR,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        joined = json.loads(process.stdout.readline() or "null")
        assert joined == {"ack": {"ok": True, "department_id": department["id"]},
                          "transport": "websocket", "version": joined["version"]}
        assert joined["version"].startswith("4.")

        created = create_event(server.url, department["id"])

        received = json.loads(process.stdout.readline() or "null")
        assert received == {"event_created": listed_event(server.url, department["id"], created["id"])}
        assert process.wait(timeout=WAIT) == 0
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        stderr = process.stderr.read()
        process.stdout.close()
        process.stderr.close()
    assert stderr == ""


# -- several instances through Redis, in every async mode -------------------------------------

def test_event_written_on_one_instance_reaches_sockets_on_the_other(instances, redis_server, sockets):
    a, b = instances
    department, elsewhere = create_department(a.url), create_department(a.url)
    on_a, on_b = sockets(a.url), sockets(b.url)
    other_room = sockets(a.url)
    assert on_a.join(department["id"]) == {"ok": True, "department_id": department["id"]}
    assert on_b.join(department["id"])["ok"] is True
    assert other_room.join(elsewhere["id"])["ok"] is True
    redis_server.wait_for_subscribers(QUEUE_CHANNEL, 2)

    created = create_event(b.url, department["id"])

    listed = listed_event(a.url, department["id"], created["id"])
    expect_only(on_a, "event_created", listed)
    expect_only(on_b, "event_created", listed)

    response = http.put(f"{a.url}/api/events/{created['id']}", json={"title": "from A"}, timeout=WAIT)
    assert response.status_code == 200
    expect_only(on_b, "event_updated", response.json())
    expect_only(on_a, "event_updated", response.json())

    assert_received_nothing_before_marker(b.url, other_room, on_a, on_b)


def test_department_deleted_on_one_instance_is_not_found_on_the_other_at_once(instances, redis_server, sockets):
    a, b = instances
    department = create_department(a.url)
    assert http.get(f"{b.url}/api/events/{department['id']}", timeout=WAIT).status_code == 200  # b trusts it now
    redis_server.wait_for_subscribers(QUEUE_CHANNEL, 2)  # both listen, though no socket is connected yet
    on_b = sockets(b.url)

    assert http.delete(f"{a.url}/api/departments/{department['id']}", timeout=WAIT).status_code == 204

    assert on_b.next_event() == ("department_deleted", {"id": department["id"]})
    # Within DEPARTMENT_CACHE_SECONDS (5 s): only the broadcast can have told b.
    assert http.get(f"{b.url}/api/events/{department['id']}", timeout=WAIT).status_code == 404


def test_hundred_sockets_in_one_room_each_receive_the_event_once(instances, redis_server, sockets):
    a, b = instances
    department = create_department(a.url)
    clients = [sockets((a if i % 2 else b).url) for i in range(100)]
    for client in clients:
        assert client.join(department["id"])["ok"] is True
    redis_server.wait_for_subscribers(QUEUE_CHANNEL, 2)

    created = create_event(b.url, department["id"])

    for client in clients:
        expect_only(client, "event_created", created)
    assert_received_nothing_before_marker(a.url, *clients)


def test_rest_writes_succeed_while_redis_is_down(module_settings, tmp_path, sockets):
    require_redis_server()
    redis_server = RedisServer(tmp_path).start()
    restarted = RedisServer(tmp_path, port=redis_server.port)
    started = []
    try:
        for name in ("a", "b"):
            started.append(start_app(DEFAULT_MODE, module_settings, tmp_path / f"{name}.log",
                                     SOCKETIO_MESSAGE_QUEUE=redis_server.url))
        a, b = started
        department = create_department(b.url)
        on_a, on_b = sockets(a.url), sockets(b.url)
        assert on_a.join(department["id"])["ok"] is True
        assert on_b.join(department["id"])["ok"] is True
        redis_server.wait_for_subscribers(QUEUE_CHANNEL, 2)
        redis_server.stop()

        created = create_event(b.url, department["id"])
        updated = http.put(f"{b.url}/api/events/{created['id']}", json={"title": "t2"}, timeout=WAIT)
        deleted = http.delete(f"{b.url}/api/events/{created['id']}", timeout=WAIT)

        assert updated.status_code == 200 and updated.json()["version"] == 2
        assert deleted.status_code == 204
        assert http.get(f"{a.url}/api/events/{department['id']}", timeout=WAIT).json() == []
        assert "Cannot publish to redis" in b.log_path.read_text()
        # The writing instance still delivers to its own sockets; the others miss these.
        assert [on_b.next_event()[0] for _ in range(3)] == ["event_created", "event_updated", "event_deleted"]

        # Redis back on the same port: both instances resubscribe and share broadcasts again.
        restarted.start().wait_for_subscribers(QUEUE_CHANNEL, 2, timeout=30)
        again = create_event(b.url, department["id"])
        expect_only(on_a, "event_created", again)
        expect_only(on_b, "event_created", again)
    finally:
        stop_all(started)
        redis_server.stop()
        restarted.stop()
