"""WebSocket transport of python-engineio in threading mode (gunicorn gthread), closing quietly.

engineio's writer thread ends a WebSocket with `ws.close()`, which sends a close frame. When the
client went first (closed or reset its TCP connection), simple-websocket's reader thread has
already closed the socket, and that send raises `OSError: [Errno 9] Bad file descriptor` or
`ConnectionResetError` in the writer thread: a traceback in the log for an ordinary disconnect.
"""
from __future__ import annotations

import simple_websocket
from engineio.async_drivers._websocket_wsgi import SimpleWebSocketWSGI


class QuietlyClosingWebSocket(SimpleWebSocketWSGI):
    def close(self) -> None:
        try:
            super().close()
        except (OSError, simple_websocket.ConnectionClosed):
            pass  # the connection is gone already, which is all close() wanted


def use_quiet_close(engineio_server) -> None:
    """Make `engineio_server` (socketio.server.eio) serve WebSockets with QuietlyClosingWebSocket."""
    drivers = engineio_server._async  # the async mode's driver table, chosen by engineio
    if drivers.get("websocket") is SimpleWebSocketWSGI:
        engineio_server._async = {**drivers, "websocket": QuietlyClosingWebSocket}
