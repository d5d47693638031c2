"""WebSocket transport of python-engineio (simple-websocket, in threading and gevent mode),
closing quietly.

engineio's writer thread (a greenlet under gevent) ends a WebSocket with `ws.close()`, which
sends a close frame. When the client went first (closed or reset its TCP connection),
simple-websocket's reader has already closed the socket, and that send raises `OSError: [Errno 9]
Bad file descriptor` or `ConnectionResetError` in the writer: a traceback in the log for an
ordinary disconnect.
"""
from __future__ import annotations

import simple_websocket
from engineio.async_drivers._websocket_wsgi import SimpleWebSocketWSGI


class QuietClose:
    """Mixed into the mode's WebSocket class: close() of a connection already gone is done."""

    def close(self) -> None:
        try:
            super().close()
        except (OSError, simple_websocket.ConnectionClosed):
            pass  # the connection is gone already, which is all close() wanted


def use_quiet_close(engineio_server) -> None:
    """Make `engineio_server` (socketio.server.eio) close its WebSockets quietly, whichever
    simple-websocket class its async mode serves them with."""
    drivers = engineio_server._async  # the async mode's driver table, chosen by engineio
    websocket = drivers.get("websocket")
    simple = isinstance(websocket, type) and issubclass(websocket, SimpleWebSocketWSGI)
    if not simple or issubclass(websocket, QuietClose):
        return
    quiet = type(f"Quietly{websocket.__name__}", (QuietClose, websocket), {})
    engineio_server._async = {**drivers, "websocket": quiet}
