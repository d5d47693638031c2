"""The gevent worker's side of REQUEST_READ_TIMEOUT (serving.read_deadline): the client socket
as gunicorn's parser reads it.

Between requests a connection is idle under gunicorn's keepalive timer, which closes it silently.
The first bytes of a request stop that timer and arm the request's read deadline; every read
waits at most until the deadline (a gevent.Timeout around the read), then reads as end of data:
the parser or the app's middleware gives up, and the client gets 408 JSON. The middleware
disarms the deadline once the body is read, so a WebSocket then reads freely.
"""
from __future__ import annotations

import time
from typing import Any

import gevent

from serving.json_errors import closing_response_bytes
from serving.lingering import finish_sending
from serving.read_deadline import DEADLINES, TIMEOUT_MESSAGE, Deadline


class RequestReading:
    """A client socket whose reads keep to the read deadline of the request being received."""

    def __init__(self, sock: Any, seconds: float):
        self.sock = sock
        self.seconds = seconds
        self.idle: gevent.Timeout | None = None
        self.await_request(None)

    def await_request(self, idle: gevent.Timeout | None) -> None:
        """The next bytes start a request; until they come, `idle` (gunicorn's keepalive) runs.
        A request already buffered (pipelined) reads under the deadline armed here."""
        self.awaiting, self.idle = True, idle
        self.deadline: Deadline | None = DEADLINES.arm(self, self.seconds, watched=False)

    def recv(self, *args: Any) -> bytes:
        deadline = self.deadline
        if deadline is None or deadline.sock is None:  # disarmed: the app has the request (a WebSocket)
            return self.sock.recv(*args)
        data = self._recv_before(deadline, args)
        if data and self.awaiting:  # a request starts: its deadline counts from now
            self.awaiting = False
            if self.idle is not None:
                self.idle.cancel()
            self.deadline = DEADLINES.arm(self, self.seconds, watched=False)
        return data

    def request_begun(self) -> None:
        """gunicorn parsed a request (one pipelined behind the last comes without a read): the
        deadline armed for it stands, and its expiry is a 408."""
        self.awaiting = False

    def _recv_before(self, deadline: Deadline, args: tuple) -> bytes:
        remaining = deadline.when - time.monotonic()
        if remaining > 0:
            with gevent.Timeout(remaining, False):
                return self.sock.recv(*args)
        # Read as the end of the data: the request is cut off here, answered 408 once it had begun;
        # a connection that sent nothing of a request closes without an answer, like an idle one.
        deadline.expired = not self.awaiting
        return b""

    def close(self) -> None:
        """Close, saying why first when the request's headers never came whole in time."""
        deadline = DEADLINES.disarm(self)  # None once the app has read the request
        if deadline is not None and deadline.expired:
            try:
                self.sock.sendall(closing_response_bytes(408, "Request Timeout", TIMEOUT_MESSAGE))
            except OSError:
                pass
            finish_sending(self.sock)  # the client may still be sending: let it read the 408
        self.sock.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sock, name)
