"""The Flask application: create_app() binds settings, storage, the API, Socket.IO and errors.

Importing this module builds nothing. `app` (what `flask --app app` and `from app import app`
find) is built on first access, with the settings of the environment.
"""
from __future__ import annotations

from collections.abc import Callable
from inspect import CO_COROUTINE
from types import FunctionType

from flask import Flask
from flask.sessions import SessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

import api
import commands
import database
import dav
import realtime
from config import Settings
from models import DynamoDBDatabase
from observability import logs
from serving.read_deadline import ReadWholeRequest
from serving.security_headers import SecurityHeaders


def quick_ensure_sync(ensure_sync: Callable[[Callable], Callable]) -> Callable[[Callable], Callable]:
    """Flask's ensure_sync, answering at once for plain functions (Flask's own runs
    inspect.iscoroutinefunction on each of the dozen views and hooks of every request)."""

    def quick(func: Callable) -> Callable:
        if (type(func) is FunctionType and not func.__code__.co_flags & CO_COROUTINE
                and not hasattr(func, "_is_coroutine_marker")):  # inspect.markcoroutinefunction's mark
            return func
        return ensure_sync(func)

    return quick


def create_app(settings: Settings | None = None, db: DynamoDBDatabase | None = None) -> Flask:
    """Build the app; nothing here talks to DynamoDB until a request does."""
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.ensure_sync = quick_ensure_sync(app.ensure_sync)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_content_length,
        SETTINGS=settings,
    )
    app.json.ensure_ascii = False  # Korean text goes out as UTF-8, not \uXXXX escapes
    app.session_interface = NoSessions()
    db = db or DynamoDBDatabase(settings)
    database.init_app(app, db)
    api.init_app(app)
    dav.init_app(app)  # CalDAV, through the same request pipeline
    realtime.init_app(app, settings, db)
    commands.init_app(app)
    # Outermost, around Socket.IO's middleware too: bodies are read whole before anything runs.
    app.wsgi_app = ReadWholeRequest(app.wsgi_app, settings.max_content_length)
    wrap_wsgi(app, settings)
    return app


def wrap_wsgi(app: Flask, settings: Settings) -> None:
    """Around everything (Socket.IO included): security headers, then the proxies' headers."""
    app.wsgi_app = SecurityHeaders(app.wsgi_app, settings)
    if settings.trusted_proxy_count:
        # X-Forwarded-For/-Proto are only trusted from as many proxies as the operator says are in
        # front (the ALB: 1): anyone can send the headers, so by default they are ignored.
        count = settings.trusted_proxy_count
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


class NoSessions(SessionInterface):
    """The service keeps nothing in cookie sessions, so no request pays for opening one
    (with SECRET_KEY set, Flask builds a signing serializer per request otherwise)."""

    def open_session(self, app, request):
        return None  # Flask then uses its empty, unsaved null session

    def save_session(self, app, session, response) -> None:
        pass


def configure_logging(settings: Settings) -> None:
    """The service's log format (LOG_FORMAT: one JSON object per line, or text) and level, for
    every logger of the process; for the entry points that serve the app."""
    logs.configure(settings.log_level, settings.log_format)


def create_configured_app() -> Flask:
    """The app as an entry point serves it: settings from the environment, logging configured,
    listening to the other instances."""
    settings = Settings.from_env()
    configure_logging(settings)
    app = create_app(settings)
    realtime.listen_to_other_instances()
    return app


def __getattr__(name: str) -> Flask:
    # PEP 562: `app` is built once, when something asks for it, not when the module is imported.
    if name == "app":
        globals()["app"] = create_configured_app()
        return globals()["app"]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
