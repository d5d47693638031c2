"""The DynamoDB client's HTTP exchange (storage/lean_transport.py) gets the answers botocore's own
send gets: every read of a day of the service's calls is sent both ways and the answers compared;
a server of the tests' own answers in the ways HTTP/1.1 allows (chunked, trickled, closing) and
fails (a stall, a cut answer, garbage), and each failure is botocore's error, retried by botocore."""
from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable

import pytest
from botocore.exceptions import ConnectionClosedError, ReadTimeoutError

from storage.client import make_client
from storage.lean_transport import _Read
from support.servers import make_settings
from test_lean_calls import a_day_of_calls

READS = frozenset({"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems", "DescribeTable"})


def _comparable(response) -> tuple[int, dict, set[str]]:
    headers = {name.lower() for name in response.headers} - {"date", "x-amzn-requestid", "x-amz-crc32"}
    return response.status_code, json.loads(response.content or b"{}"), headers


def test_every_read_of_a_day_gets_the_answer_botocore_send_gets(client, db, request):
    transport = db.client._endpoint.http_session
    compared, framed = [], 0

    def both_ways(request):
        nonlocal framed
        answer = transport_send(request)
        framed += isinstance(answer.raw, _Read)
        target = request.headers.get("X-Amz-Target", b"")
        operation = (target.decode() if isinstance(target, bytes) else target).rpartition(".")[2]
        if operation in READS:
            compared.append(operation)
            assert _comparable(answer) == _comparable(transport._botocore.send(request)), operation
        return answer

    transport_send, transport.send = transport.send, both_ways
    try:
        a_day_of_calls(client, db)
    finally:
        transport.send = transport_send
    assert {"GetItem", "Query", "BatchGetItem"} <= set(compared)
    if request.node.callspec.params["dynamodb_server"] == "dynamodb-local":
        assert framed > 0.9 * len(compared)  # but calls that open a connection
    # moto's server answers HTTP/1.0 and closes each connection: botocore's send opens a new one each time.


# -- a server of the tests' own ----------------------------------------------------------------

GET_ITEM_ANSWER = json.dumps({"Item": {"id": {"S": "a"}, "title": {"S": "회의"}}}).encode()


def answer_bytes(body: bytes = GET_ITEM_ANSWER, extra: str = "", status: str = "200 OK") -> bytes:
    return (f"HTTP/1.1 {status}\r\nContent-Type: application/x-amz-json-1.0\r\nx-amzn-RequestId: r1\r\n"
            f"{extra}Content-Length: {len(body)}\r\n\r\n").encode() + body


def chunked_bytes(body: bytes = GET_ITEM_ANSWER) -> bytes:
    chunks = b"".join(b"%x;ext=1\r\n%s\r\n" % (len(body[i:i + 7]), body[i:i + 7]) for i in range(0, len(body), 7))
    return (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\nX-Trailer: t\r\n\r\n")


class RawServer:
    """Reads each request of each connection whole and answers what `answer(attempt, request)` does
    with the connection: a count of requests (attempts) and connections is kept."""

    def __init__(self, answer: Callable[[int, bytes, socket.socket], bool]):
        self.answer, self.attempts, self.connections, self.requests = answer, 0, 0, []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:  # closed: the test is over
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            self._answer_each_request(conn)
        except OSError:  # the client went (a test's client is dropped or times out mid-answer)
            pass

    def _answer_each_request(self, conn: socket.socket) -> None:
        buffer = b""
        with conn:
            while True:
                while b"\r\n\r\n" not in buffer:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    buffer += chunk
                head, _, buffer = buffer.partition(b"\r\n\r\n")
                length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                                  if line.lower().startswith(b"content-length")))
                while len(buffer) < length:
                    buffer += conn.recv(65536)
                self.requests.append(head + b"\r\n\r\n" + buffer[:length])
                buffer = buffer[length:]
                self.attempts += 1
                if not self.answer(self.attempts, head, conn):
                    return

    def close(self) -> None:
        self._listener.close()


@pytest.fixture
def raw_server():
    servers = []

    def start(answer):
        servers.append(RawServer(answer))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def get_item(server: RawServer, attempts: int = 2, read_timeout: float = 5, **settings):
    client = make_client(make_settings(server.url, **settings), max_attempts=attempts, read_timeout=read_timeout)
    return client, lambda: client.get_item(TableName="events", Key={"id": {"S": "a"}})


def sends(*answers: bytes, keep: bool = True):
    """Each request answered with `answers`; the connection then kept open or closed."""
    def answer(_attempt, _head, conn):
        for part in answers:
            conn.sendall(part)
        return keep
    return answer


def trickles(data: bytes, step: int = 5):
    """Each request answered `step` bytes at a time."""
    def answer(_attempt, _head, conn):
        for start in range(0, len(data), step):
            conn.sendall(data[start:start + step])
            time.sleep(0.001)
        return True
    return answer


def from_the_second(first: bytes, then: Callable[[socket.socket], None]):
    """The first request answered `first`, every later one by `then`; the connection kept open."""
    def answer(attempt, _head, conn):
        if attempt == 1:
            conn.sendall(first)
        else:
            then(conn)
        return True
    return answer


def test_keep_alive_answers_chunked_trickled_and_after_an_interim_one_are_read_whole(raw_server):
    server = raw_server(sends(chunked_bytes()))
    _, call = get_item(server)
    assert [call()["Item"]["title"]["S"] for _ in range(3)] == ["회의"] * 3
    assert server.connections == 1 and server.attempts == 3

    trickled = raw_server(trickles(answer_bytes()))
    _, call = get_item(trickled)
    assert [call()["Item"]["id"]["S"] for _ in range(3)] == ["a"] * 3
    assert trickled.connections == 1


def test_the_request_is_what_http_client_would_send(raw_server):
    server = raw_server(sends(answer_bytes()))
    _, call = get_item(server)
    for _ in range(2):  # the first through botocore's own send (it opens the connection), then framed here
        call()
    first, second = (request.split(b"\r\n\r\n")[0].split(b"\r\n") for request in server.requests)
    varying = (b"x-amz-date", b"authorization", b"amz-sdk-invocation-id", b"amz-sdk-request", b"user-agent")
    assert first[0] == second[0] == b"POST / HTTP/1.1"
    assert ({line.split(b":")[0].lower(): line for line in first[1:] if not line.lower().startswith(varying)}
            == {line.split(b":")[0].lower(): line for line in second[1:] if not line.lower().startswith(varying)})
    assert server.requests[0].split(b"\r\n\r\n")[1] == server.requests[1].split(b"\r\n\r\n")[1]


def test_a_closed_or_ending_connection_is_replaced(raw_server):
    closing = raw_server(sends(answer_bytes(extra="Connection: close\r\n"), keep=False))
    _, call = get_item(closing)
    assert [call()["Item"]["id"]["S"] for _ in range(3)] == ["a"] * 3
    assert closing.connections == 3

    silent_close = raw_server(sends(answer_bytes(), keep=False))  # keep-alive said, then closed
    _, call = get_item(silent_close)
    for _ in range(3):
        assert call()["Item"]["id"]["S"] == "a"
        time.sleep(0.05)
    assert silent_close.connections == 3

    no_body = raw_server(sends(b"HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n"))
    _, call = get_item(no_body)
    assert [call()["ResponseMetadata"]["HTTPStatusCode"] for _ in range(3)] == [204] * 3
    assert no_body.connections == 1

    no_length = raw_server(sends(b"HTTP/1.1 200 OK\r\n\r\n" + GET_ITEM_ANSWER, keep=False))
    _, call = get_item(no_length)
    assert [call()["Item"]["id"]["S"] for _ in range(3)] == ["a"] * 3


def test_an_answer_cut_short_is_retried_by_botocore_then_its_error(raw_server):
    whole = answer_bytes()

    def cut_first(attempt, _head, conn):
        conn.sendall(whole[: len(whole) - 10] if attempt % 2 == 0 else whole)
        return attempt % 2 == 1

    server = raw_server(cut_first)
    _, call = get_item(server, attempts=2)
    call()  # attempt 1: whole, through botocore's send; the connection stays open
    assert call()["Item"]["id"]["S"] == "a"  # attempt 2 cut short, attempt 3 whole
    assert server.attempts == 3

    garbage = raw_server(from_the_second(answer_bytes(), lambda conn: conn.sendall(b"SMTP ready\r\n\r\n")))
    _, call = get_item(garbage, attempts=2)
    call()
    with pytest.raises(ConnectionClosedError):
        call()


def test_a_stalled_answer_is_botocores_read_timeout(raw_server):
    server = raw_server(from_the_second(answer_bytes(), lambda _conn: time.sleep(3)))
    _, call = get_item(server, attempts=1, read_timeout=0.5)
    call()
    started = time.monotonic()
    with pytest.raises(ReadTimeoutError):
        call()
    assert time.monotonic() - started < 2


def test_a_request_through_a_proxy_is_sent_by_botocore(raw_server, monkeypatch):
    proxy = raw_server(sends(answer_bytes()))
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    client = make_client(make_settings("http://dynamodb.invalid:8000"), max_attempts=1)
    for _ in range(2):
        assert client.get_item(TableName="events", Key={"id": {"S": "a"}})["Item"]["id"]["S"] == "a"
    assert all(request.startswith(b"POST http://dynamodb.invalid:8000/ HTTP/1.1") for request in proxy.requests)
