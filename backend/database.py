"""The app's one DynamoDBDatabase: bound by create_app(), reached through get_db() in handlers."""
from __future__ import annotations

from flask import Flask, current_app

from models import DynamoDBDatabase

_EXTENSION = "calendar_db"


def init_app(app: Flask, db: DynamoDBDatabase) -> None:
    app.extensions[_EXTENSION] = db


def get_db() -> DynamoDBDatabase:
    """The database of the current app (needs an app context: a request or a Socket.IO handler)."""
    return current_app.extensions[_EXTENSION]


def db_of(app: Flask) -> DynamoDBDatabase:
    """The database bound to this app (no app context needed)."""
    return app.extensions[_EXTENSION]
