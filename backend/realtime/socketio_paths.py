"""Socket.IO's middleware for Socket.IO's requests only: every other request goes straight to Flask.

Flask-SocketIO puts its WSGI middleware (and python-engineio's under it) in front of the whole
app. For a REST request it only passes the request on, but first Flask-SocketIO copies the
environ and python-engineio defines a new class for every request that carries
`gunicorn.socket` (every request under gunicorn): a type built and left to the garbage
collector on each REST call, for nothing (bench/README.md: the POST under gunicorn).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

SOCKETIO_PATH = "/socket.io/"  # Flask-SocketIO's default `path`, which realtime keeps


class SocketIOPathsOnly:
    """WSGI: requests under SOCKETIO_PATH through `socketio_app` (Socket.IO's middleware), the
    others to `flask_app` (Flask's own wsgi_app, as Socket.IO's middleware would call it)."""

    def __init__(self, socketio_app: Callable, flask_app: Callable, path: str = SOCKETIO_PATH):
        self.socketio_app, self.flask_app, self.path = socketio_app, flask_app, path

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith(self.path):
            return self.socketio_app(environ, start_response)
        return self.flask_app(environ, start_response)
