"""Socket.IO under gevent (gunicorn's gevent worker): fair reads, and less memory per idle socket.

Out of the box python-engineio gives each WebSocket four greenlets for its whole life: the
request's (reading, through simple-websocket), simple-websocket's own reader, engineio's writer
and a ping greenlet that sleeps out each ping interval. Every greenlet keeps its stack, so an idle
socket cost the process about 72 KB (bench/README.md). Here the request's greenlet reads the
socket itself (no reader greenlet) and pings are libev timers (a short greenlet only while one is
sent): two greenlets per socket.
"""
from __future__ import annotations

import logging
import socket
import time
from typing import Any

import gevent
import gevent.event
import simple_websocket
from engineio import packet
from engineio import socket as engineio_socket
from engineio.async_drivers._websocket_wsgi import SimpleWebSocketWSGI
from wsproto.utilities import LocalProtocolError

from serving.websocket import QuietClose

log = logging.getLogger(__name__)

# A timer this short fires on the loop's next turn, after it polled I/O (gevent.sleep(0) would
# not poll: the ready greenlets run, the sockets with data waiting do not).
YIELD_SECONDS = 1e-6
# Where FairWebSocketReads leaves gunicorn's socket for LeanWebSocket (see there).
SOCKET_KEY = "calendar.websocket"


class FairWebSocketReads:
    """WSGI middleware for gevent under gunicorn: a WebSocket's reader yields before every read.

    A gevent socket's recv() returns at once while data is waiting, without switching greenlets:
    a client that never stops sending would keep its reader, and with it the whole worker, busy
    forever (every other socket and request starved).
    The socket moves from `gunicorn.socket` to SOCKET_KEY, which also spares each WebSocket the
    class python-engineio's middleware defines per request that carries `gunicorn.socket`.
    """

    def __init__(self, wsgi_app: Any):
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("HTTP_UPGRADE", "").lower() == "websocket" and "gunicorn.socket" in environ:
            environ[SOCKET_KEY] = _YieldingSocket(environ.pop("gunicorn.socket"))
        return self.wsgi_app(environ, start_response)


class _YieldingSocket:
    def __init__(self, sock: Any):
        self._sock = sock

    def recv(self, *args: Any) -> bytes:
        # Through one turn of the event loop, its I/O polled, before reading: every other socket gets
        # its turn. (gevent.idle() waits for a loop with nothing else to do, which never comes
        # while thousands of sockets are open: their reads starved for tens of seconds.)
        gevent.sleep(YIELD_SECONDS)
        return self._sock.recv(*args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class _NoThread:
    """simple-websocket starts a reader thread per socket; _LeanServer reads without one."""

    name = "no reader"

    def __init__(self, target: Any = None, **_kwargs: Any):
        pass

    def start(self) -> None:
        pass


class _LeanServer(simple_websocket.Server):
    """simple-websocket's server that reads in the greenlet calling receive()."""

    def __init__(self, environ: dict[str, Any], sock: Any):
        super().__init__({**environ, "gunicorn.socket": sock}, thread_class=_NoThread,
                         event_class=gevent.event.Event)
        self.environ = environ
        # The handshake is over (wsproto talks through ws.connection from now on): its HTTP/1.1
        # parser and the request it parsed are a few KB a socket that nothing reads again.
        self.ws.handshake._h11_connection = None
        self.ws.handshake._initiating_request = None

    def receive(self, timeout: float | None = None) -> Any:
        while self.connected and not self.input_buffer:
            self._read()
        if self.input_buffer:
            return self.input_buffer.pop(0)
        raise simple_websocket.ConnectionClosed(self.close_reason, self.close_message)

    def _read(self) -> None:
        try:
            data = self.sock.recv(self.receive_bytes)
            if not data:
                raise OSError("closed by the client")
            self.ws.receive_data(data)
            self.connected = self._handle_events()
        except (OSError, LocalProtocolError):
            self.connected = False
        if not self.connected:
            self.sock.close()

    def close(self, reason: int | None = None, message: str | None = None) -> None:
        super().close(reason, message)
        try:  # wake the greenlet reading: the session is over once the close frame is out
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class LeanWebSocket(QuietClose, SimpleWebSocketWSGI):
    """python-engineio's WebSocket wrapper for gunicorn's gevent worker: no reader greenlet, and
    the socket served from a new greenlet of its own while the request's greenlet ends.

    The request's greenlet is deep (gunicorn, every WSGI middleware, Flask-SocketIO, engineio) and
    a greenlet keeps its stack while it waits: handing the connection (a duplicate of its file
    descriptor) to a shallow greenlet lets gunicorn free the request, its parser and that stack.
    """

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        sock = environ.get(SOCKET_KEY)
        if sock is None:  # not behind FairWebSocketReads (gevent's own WSGIServer): the usual way
            return super().__call__(environ, start_response)
        self.ws = _LeanServer(environ, _YieldingSocket(sock.dup()))
        gevent.spawn(self._serve)
        raise StopIteration()  # gunicorn: the connection was taken over, there is no response to write

    def _serve(self) -> None:
        try:
            self.app(self)
        except Exception:  # one socket's failure is logged, never raised into the hub
            log.exception("a WebSocket ended with an error")
        finally:
            self.ws.sock.close()


def _schedule_ping(self: engineio_socket.Socket) -> None:
    """engineio's Socket.schedule_ping, on a libev timer instead of a greenlet asleep per socket."""
    if self.last_ping:
        self.last_ping = None
        timer = gevent.get_hub().loop.timer(self.server.ping_interval)
        timer.start(_ping_soon, self, timer)


def _ping_soon(sock: engineio_socket.Socket, timer: Any) -> None:
    timer.close()
    gevent.spawn(_ping, sock)  # the hub runs timers and must not block: send from a greenlet


def _ping(sock: engineio_socket.Socket) -> None:
    if not sock.closing and not sock.closed:
        sock.last_ping = time.time()
        sock.send(packet.Packet(packet.PING))


def serve_lean(eio: Any) -> None:
    """Serve `eio`'s WebSockets with LeanWebSocket and ping them on timers (gevent mode only)."""
    eio._async = {**eio._async, "websocket": LeanWebSocket}  # the async mode's driver table
    engineio_socket.Socket.schedule_ping = _schedule_ping  # one engineio server per process
