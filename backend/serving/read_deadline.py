"""A bound on how long a client may take to send one request: request line, headers and body.

The server arms a deadline when it starts reading a request (serving.worker); the app's WSGI
middleware reads the body within it, then disarms it. A client still sending when it passes
(4 bytes of a `Content-Length: 100` body, headers trickled a byte at a time) gets 408 and the
connection closes: in the gthread worker a watchdog thread shuts the socket's read side, which
wakes the thread blocked on it; the gevent worker's reads stop at the deadline themselves
(serving.gevent_reading). A WebSocket or long-polling GET has no body, so its deadline ends as
the app sees it.
"""
from __future__ import annotations

import heapq
import io
import itertools
import socket
import threading
import time
from typing import Any

from serving.json_errors import error_body
from serving.oversized import close_after, discard_rest

TICK_SECONDS = 0.05  # how late a deadline may be noticed


class Deadline:
    """One request's deadline; `expired` once the watchdog has shut its socket's read side."""

    __slots__ = ("sock", "when", "expired")

    def __init__(self, sock: socket.socket, when: float):
        self.sock: socket.socket | None = sock
        self.when = when
        self.expired = False


class ReadDeadlines:
    """Armed deadlines by socket, and one watchdog thread that expires them."""

    def __init__(self) -> None:
        self._wakeup = threading.Condition()
        self._armed: dict[socket.socket, Deadline] = {}
        self._queue: list[tuple[float, int, Deadline]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def arm(self, sock: socket.socket, seconds: float, watched: bool = True) -> Deadline:
        """Start (or restart) the deadline of the request about to be read from `sock`. Unwatched,
        the reader enforces it itself (the gevent worker's reads, serving.gevent_reading)."""
        deadline = Deadline(sock, time.monotonic() + seconds)
        with self._wakeup:
            self._armed[sock] = deadline
            if not watched:
                return deadline
            heapq.heappush(self._queue, (deadline.when, next(self._order), deadline))
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, name="read-deadlines", daemon=True)
                self._thread.start()
            if self._queue[0][2] is deadline:
                # Only a deadline sooner than every other one moves the watchdog's wake-up; with one
                # read timeout for all that is only the first of a quiet spell (no thread switch
                # on every request).
                self._wakeup.notify()
        return deadline

    def armed(self, sock: Any) -> Deadline | None:
        with self._wakeup:
            return self._armed.get(sock)

    def disarm(self, sock: Any) -> Deadline | None:
        """Stop watching `sock`; the deadline it had (None when it had none)."""
        with self._wakeup:
            deadline = self._armed.pop(sock, None)
        if deadline is not None:
            deadline.sock = None
        return deadline

    def _watch(self) -> None:
        with self._wakeup:
            while True:
                now = time.monotonic()
                while self._queue and self._queue[0][0] <= now:
                    _, _, deadline = heapq.heappop(self._queue)
                    if deadline.sock is not None and self._armed.get(deadline.sock) is deadline:
                        deadline.expired = True
                        _shut_reading(deadline.sock)
                # Most entries are of requests read long ago (disarmed, left in the queue): waking
                # at most every TICK_SECONDS pops them in batches, not one thread switch each.
                self._wakeup.wait(max(self._queue[0][0] - now, TICK_SECONDS) if self._queue else None)


def _shut_reading(sock: socket.socket) -> None:
    # A thread blocked in recv() on this socket returns b"" at once; the socket still writes.
    try:
        sock.shutdown(socket.SHUT_RD)
    except OSError:  # already closed by the client or the server
        pass


DEADLINES = ReadDeadlines()

TIMEOUT_MESSAGE = "The request did not arrive in time; the connection is closed."


def timeout_response(start_response) -> list[bytes]:
    body = error_body("Request Timeout", TIMEOUT_MESSAGE)
    start_response("408 Request Timeout", [("Content-Type", "application/json"), ("Connection", "close"),
                                           ("Content-Length", str(len(body)))])
    return [body]


class ReadWholeRequest:
    """WSGI middleware: under an armed deadline, read the body first, then disarm and run the app
    on the buffered body (the app never waits on a slow client); 408 when the deadline passes.
    A body over the limit is read and dropped as well (serving.oversized): the app answers 413."""

    def __init__(self, app, max_body: int, deadlines: ReadDeadlines = DEADLINES):
        self.app = app
        self.max_body = max_body
        self.deadlines = deadlines

    def __call__(self, environ: dict, start_response):
        sock = environ.get("gunicorn.socket")
        deadline = self.deadlines.armed(sock) if sock is not None else None
        if deadline is None:
            return self.app(environ, start_response)
        body, whole = None, True
        try:
            body = self._read_body(environ)
            if self._over_limit(environ, body):  # read the rest too: the connection stays in step
                whole = discard_rest(environ["wsgi.input"])
        except Exception:
            if not deadline.expired:
                raise
        finally:
            self.deadlines.disarm(sock)
        over_limit = self._over_limit(environ, body)
        if deadline.expired and not over_limit:
            return timeout_response(start_response)
        if body is not None or over_limit:
            environ["wsgi.input"] = io.BytesIO(body or b"")
        if over_limit and (deadline.expired or not whole):  # the rest is still coming: 413, then close
            return close_after(environ, self.app(environ, start_response))
        return self.app(environ, start_response)

    def _over_limit(self, environ: dict, body: bytes | None) -> bool:
        """Whether the body is over the limit (the app answers 413)."""
        announced = environ.get("CONTENT_LENGTH") or "0"
        return (announced.isdigit() and int(announced) > self.max_body) or len(body or b"") > self.max_body

    def _read_body(self, environ: dict) -> bytes | None:
        """The whole body; one byte past the limit at most, so the app still answers 413.
        None when there is no body or its announced length is already over the limit."""
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        announced = environ.get("CONTENT_LENGTH") or "0"
        length = self.max_body + 1 if chunked else int(announced) if announced.isdigit() else 0
        if length <= 0 or length > self.max_body + 1:
            return None
        stream, parts, read = environ["wsgi.input"], [], 0
        while read < length:
            part = stream.read(min(65536, length - read))
            if not part:
                break
            parts.append(part)
            read += len(part)
        return b"".join(parts)
