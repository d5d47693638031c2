"""Only Socket.IO's requests pass through Socket.IO's middleware (realtime/socketio_paths.py):
a REST request under gunicorn leaves no class behind for the garbage collector, and Socket.IO's
own requests still reach Engine.IO."""
from __future__ import annotations

import gc

from werkzeug.test import EnvironBuilder

ENGINEIO_CLASS = "WSGIApp.__call__.<locals>.Input"  # what python-engineio defines per request


def served(app, path: str, query: str = "") -> tuple[str, bytes]:
    environ = EnvironBuilder(path=path, query_string=query).get_environ()
    environ["gunicorn.socket"] = object()  # as gunicorn's workers hand every request over
    statuses = []
    body = b"".join(app.wsgi_app(environ, lambda status, headers, exc_info=None: statuses.append(status)))
    return statuses[0], body


def engineio_classes() -> int:
    return sum(1 for thing in gc.get_objects() if isinstance(thing, type) and thing.__qualname__ == ENGINEIO_CLASS)


def test_rest_requests_under_gunicorn_leave_no_class_per_request(app):
    gc.collect()
    gc.disable()
    try:
        before = engineio_classes()
        for _ in range(20):
            assert served(app, "/healthz")[0].startswith("200")
        assert engineio_classes() == before
    finally:
        gc.enable()


def test_socketio_requests_still_reach_engineio(app):
    status, body = served(app, "/socket.io/", "EIO=4&transport=polling")
    assert status.startswith("200") and body.startswith(b'0{"sid":'), (status, body)
