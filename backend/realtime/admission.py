"""Admission of Socket.IO connections: how many one process holds, how many per client address,
and how long one may stay open without authenticating.

- A new Engine.IO session (a request to the Socket.IO path without `sid`) past SOCKETIO_MAX_SOCKETS
  is answered at once, before the server allocates anything for it: 503
  `{"error": "server_full", ...}` with Retry-After; past SOCKETIO_MAX_SOCKETS_PER_ADDRESS from one
  client address (REMOTE_ADDR, which ProxyFix sets from X-Forwarded-For when TRUSTED_PROXY_COUNT
  says so): 429 `{"error": "too_many_sockets", ...}`. REST is never refused here.
- Every session counts, authenticated or not; one that has not connected to Socket.IO with a
  valid token within SOCKETIO_AUTH_TIMEOUT_SECONDS is closed (a refused CONNECT included).
"""
from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from typing import Any

from observability import metrics
from realtime.socketio_paths import SOCKETIO_PATH

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10


class Admission:
    """The Engine.IO sessions of this process, by client address, and the unauthenticated ones."""

    def __init__(self, max_sockets: int, max_per_address: int, auth_timeout: float):
        self.max_sockets = max_sockets
        self.max_per_address = max_per_address
        self.auth_timeout = auth_timeout
        self._addresses: dict[str, str] = {}  # eio sid -> client address
        self._per_address: Counter[str] = Counter()
        self._deadlines: dict[str, float] = {}  # eio sid -> when it must have authenticated
        self._heard: set[str] = set()  # sessions whose deadline their first message extended
        self._lock = threading.Lock()

    @property
    def sessions(self) -> int:
        return len(self._addresses)

    @property
    def full(self) -> bool:
        return self.sessions >= self.max_sockets

    def refusal(self, address: str) -> tuple[str, str, str] | None:
        """(status, error code, message) when a new session from `address` must be refused, else None."""
        if self.full:
            return ("503 Service Unavailable", "server_full",
                    f"this server holds its maximum of {self.max_sockets} live connections; try again later")
        if self._per_address[address] >= self.max_per_address:
            return ("429 Too Many Requests", "too_many_sockets",
                    f"at most {self.max_per_address} live connections per client address; close one first")
        return None

    def opened(self, sid: str, address: str) -> None:
        with self._lock:
            self._addresses[sid] = address
            self._per_address[address] += 1
            self._deadlines[sid] = time.monotonic() + self.auth_timeout

    def is_open(self, sid: str) -> bool:
        return sid in self._addresses

    def authenticated(self, sid: str) -> None:
        self._deadlines.pop(sid, None)
        self._heard.discard(sid)

    def heard_from(self, sid: str) -> None:
        """The session's first message gives it the time to authenticate once more: a client that
        sent its CONNECT in time is not closed because a busy process read it late."""
        if sid in self._deadlines and sid not in self._heard:
            self._heard.add(sid)
            self._deadlines[sid] = time.monotonic() + self.auth_timeout

    def closed(self, sid: str) -> None:
        with self._lock:
            address = self._addresses.pop(sid, None)
            self._deadlines.pop(sid, None)
            self._heard.discard(sid)
            if address is not None:
                self._per_address[address] -= 1
                if self._per_address[address] <= 0:
                    del self._per_address[address]

    def overdue(self) -> list[str]:
        """The sessions whose time to authenticate is over."""
        now = time.monotonic()
        return [sid for sid, deadline in list(self._deadlines.items()) if deadline <= now]


class AdmissionGate:
    """WSGI middleware: refuses new Engine.IO sessions past the limits, before Engine.IO sees them."""

    def __init__(self, wsgi_app: Any, admission: Admission, path: str = SOCKETIO_PATH):
        self.wsgi_app, self.admission, self.path = wsgi_app, admission, path

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO", "").startswith(self.path) and "sid=" not in environ.get("QUERY_STRING", ""):
            refused = self.admission.refusal(environ.get("REMOTE_ADDR", ""))
            if refused is not None:
                return _refuse(start_response, *refused)
        return self.wsgi_app(environ, start_response)


def _refuse(start_response: Any, status: str, code: str, message: str) -> list[bytes]:
    metrics.socket_refused(code)
    body = json.dumps({"error": code, "message": message}).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
                            ("Retry-After", str(RETRY_AFTER_SECONDS))])
    return [body]


def watch_engine(eio: Any, admission: Admission, start_task: Any, sleep: Any) -> None:
    """Count eio's sessions in `admission` (wrapping its connect and disconnect handlers) and close
    the ones that do not authenticate in time (one background task, started with the first)."""
    on_connect, on_disconnect, on_message = (eio.handlers[name] for name in ("connect", "disconnect", "message"))
    started = []

    def connected(sid: str, environ: dict[str, Any]) -> Any:
        accepted = on_connect(sid, environ)
        if accepted is None or accepted is True:  # what engineio takes for "accepted"
            admission.opened(sid, environ.get("REMOTE_ADDR", ""))
            if not started:
                started.append(start_task(_close_overdue_forever, eio, admission, sleep))
        return accepted

    def disconnected(sid: str, *args: Any) -> Any:
        admission.closed(sid)
        return on_disconnect(sid, *args)

    def received(sid: str, data: Any) -> Any:
        # A message read just before its session was closed (its time to authenticate ran out while
        # the process was busy) is dropped: Socket.IO has forgotten the session already.
        if not admission.is_open(sid):
            return None
        admission.heard_from(sid)
        return on_message(sid, data)

    eio.on("connect", connected)
    eio.on("disconnect", disconnected)
    eio.on("message", received)


def _close_overdue_forever(eio: Any, admission: Admission, sleep: Any) -> None:
    tick = min(1.0, admission.auth_timeout / 2)
    while True:
        sleep(tick)
        for sid in admission.overdue():
            admission.authenticated(sid)  # once: the close below ends its session
            try:
                eio.disconnect(sid)
            except Exception:  # the closer must outlive any one socket's failure
                log.exception("closing an unauthenticated socket failed")
            metrics.socket_refused("auth_timeout")
