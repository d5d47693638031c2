"""botocore's HTTP exchange with DynamoDB, framed in one pass on urllib3's own pooled connections.

For each call botocore's `URLLib3Session.send` goes through urllib3's `urlopen` and http.client:
a Retry object, the request line and every header written one by one, the answer's headers
parsed with the `email` package, the body read through two stream wrappers. That is about a fifth
of a POST's CPU (bench/README.md, "The HTTP exchange"). Here the request is one `sendall` of its
bytes and the answer is read with one split of its head and the body's length.

What stays botocore's and urllib3's: the connection pool, opening connections (TLS and its
certificates included: a connection not yet open is handed to botocore's own send, which opens
it), proxies and streamed answers (such requests go to botocore's send whole), the error types
(a timeout is botocore's ReadTimeoutError, a connection lost mid-answer its ConnectionClosedError,
which its retries retry) and the answer's type (AWSResponse). urllib3 is pinned with botocore
(requirements.txt); tests/test_lean_transport.py checks the answers against botocore's own send.
"""
from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any, NamedTuple

from botocore.auth import _host_from_url
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ConnectionClosedError, ReadTimeoutError

READ_BYTES = 65536


class AnswerBroken(Exception):
    """The connection ended, or sent something other than HTTP/1.1, before the answer was whole."""


class Answer(NamedTuple):
    status: int
    headers: dict[str, str]
    body: bytes
    keep_alive: bool


class _Read:
    """What botocore reads an answer's body through (AWSResponse.raw): the body, already whole."""

    def __init__(self, body: bytes):
        self._body = body

    def stream(self, *_args: object, **_kwargs: object) -> Iterator[bytes]:
        yield self._body


class Endpoint(NamedTuple):
    """The pool of one URL, and what every request to it says the same way."""

    pool: Any  # urllib3's HTTP(S)ConnectionPool
    target: str
    host: str


def request_bytes(request: Any, endpoint: Endpoint) -> bytes:
    """The request as HTTP/1.1 sends it: the lines http.client would write, then the body."""
    body = request.body
    given = {name.lower() for name in request.headers}
    lines = [f"{request.method} {endpoint.target} HTTP/1.1"]
    lines += [line for name, line in (("host", f"Host: {endpoint.host}"), ("accept-encoding", "Accept-Encoding: identity"))
              if name not in given]
    for name, value in request.headers.items():
        lines.append(f"{name}: {value.decode('latin-1') if isinstance(value, bytes) else value}")
    if "content-length" not in given:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class AnswerReader:
    """Reads one HTTP/1.1 answer from a socket: its head, then a body of Content-Length bytes,
    chunked, or (neither given) everything up to the end of the connection."""

    def __init__(self, sock: Any):
        self._sock = sock
        self._buffer = b""

    def _more(self) -> bool:
        chunk = self._sock.recv(READ_BYTES)
        self._buffer += chunk
        return bool(chunk)

    def _until(self, marker: bytes) -> bytes:
        while (end := self._buffer.find(marker)) < 0:
            if not self._more():
                raise AnswerBroken("the connection closed before the answer was whole")
        found, self._buffer = self._buffer[:end], self._buffer[end + len(marker):]
        return found

    def _exactly(self, count: int) -> bytes:
        parts, have = [self._buffer], len(self._buffer)
        while have < count:
            chunk = self._sock.recv(max(READ_BYTES, count - have))
            if not chunk:
                raise AnswerBroken(f"the connection closed {count - have} bytes before the body's end")
            parts.append(chunk)
            have += len(chunk)
        joined = b"".join(parts)
        self._buffer = joined[count:]
        return joined[:count]

    def answer(self) -> Answer:
        while True:  # an interim answer (1xx) comes before the real one
            status, headers = self._head()
            if status >= 200:
                break
        lowered = {name.lower(): value for name, value in headers.items()}
        keep_alive = lowered.get("connection", "").lower() != "close"
        if status in (204, 304):  # never a body, whatever the headers say
            body = b""
        elif lowered.get("transfer-encoding", "").lower() == "chunked":
            body = self._chunked()
        elif "content-length" in lowered:
            body = self._exactly(int(lowered["content-length"]))
        else:
            while self._more():
                pass
            body, self._buffer, keep_alive = self._buffer, b"", False
        # Bytes past the answer belong to nothing this client asked: the answer stands, the connection goes.
        return Answer(status, headers, body, keep_alive and not self._buffer)

    def _head(self) -> tuple[int, dict[str, str]]:
        lines = self._until(b"\r\n\r\n").decode("latin-1").split("\r\n")
        version, _, rest = lines[0].partition(" ")
        code = rest[:3]
        if not version.startswith("HTTP/1.") or not code.isdigit():
            raise AnswerBroken(f"not an HTTP/1.1 answer: {lines[0][:80]!r}")
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name, value = name.strip(), value.strip()
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        return int(code), headers

    def _chunked(self) -> bytes:
        parts: list[bytes] = []
        while True:
            size = int(self._until(b"\r\n").split(b";", 1)[0].strip() or b"x", 16)
            if size == 0:
                while self._until(b"\r\n"):  # trailers, up to the empty line
                    pass
                return b"".join(parts)
            parts.append(self._exactly(size))
            self._until(b"\r\n")


class LeanTransport:
    """An http_session for a botocore endpoint: plain requests framed here, the rest to botocore's."""

    def __init__(self, botocore_session: Any):
        self._botocore = botocore_session
        self._endpoints: dict[str, Endpoint | None] = {}

    def _endpoint(self, url: str) -> Endpoint | None:
        """The URL's pool, None when requests to it go through a proxy."""
        if url in self._endpoints:
            return self._endpoints[url]
        session, endpoint = self._botocore, None
        if not session._proxy_config.proxy_url_for(url):
            pool = session._manager.connection_from_url(url)
            session._setup_ssl_cert(pool, url, session._verify)  # as botocore's send does
            endpoint = Endpoint(pool, session._path_url(url), _host_from_url(url))  # its request target
        self._endpoints[url] = endpoint
        return endpoint

    def send(self, request: Any) -> AWSResponse:
        endpoint = self._endpoint(request.url)
        context = getattr(request, "context", None) or {}
        if (endpoint is None or request.stream_output or not isinstance(request.body, bytes)
                or context.get("read_timeout") is not None):
            return self._botocore.send(request)
        conn = endpoint.pool._get_conn()  # a dropped keep-alive connection comes back closed
        if conn.sock is None:
            endpoint.pool._put_conn(conn)
            return self._botocore.send(request)  # which opens it (TLS, errors) and pools it
        try:
            conn.sock.settimeout(endpoint.pool.timeout.read_timeout)
            conn.sock.sendall(request_bytes(request, endpoint))
            answer = AnswerReader(conn.sock).answer()
        except BaseException as exc:
            conn.close()
            endpoint.pool._put_conn(conn)
            if isinstance(exc, socket.timeout):
                raise ReadTimeoutError(endpoint_url=request.url, error=exc) from exc
            if isinstance(exc, (OSError, AnswerBroken, ValueError)):
                raise ConnectionClosedError(endpoint_url=request.url, error=exc, request=request) from exc
            raise
        if not answer.keep_alive:
            conn.close()
        endpoint.pool._put_conn(conn)
        return AWSResponse(request.url, answer.status, answer.headers, _Read(answer.body))

    def close(self) -> None:
        self._botocore.close()


def lean_transport(client: Any) -> None:
    """Make `client` (a botocore client) exchange its plain requests through LeanTransport."""
    client._endpoint.http_session = LeanTransport(client._endpoint.http_session)
