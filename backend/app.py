"""The Flask application: create_app() binds settings, storage, blueprints, Socket.IO, errors."""
from __future__ import annotations

import logging

from flask import Flask

import departments_api
import events_api
import health
import realtime
from config import Settings
from errors import register_error_handlers
from models import DynamoDBDatabase


def create_app(settings: Settings | None = None, db: DynamoDBDatabase | None = None) -> Flask:
    """Build the app; nothing here talks to DynamoDB until a request does."""
    settings = settings or Settings.from_env()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_content_length,
        SETTINGS=settings,
    )
    app.json.ensure_ascii = False  # Korean text goes out as UTF-8, not \uXXXX escapes
    app.extensions["calendar_db"] = db or DynamoDBDatabase(settings)
    for blueprint in (departments_api.bp, events_api.bp, health.bp):
        app.register_blueprint(blueprint)
    register_error_handlers(app)
    realtime.init_app(app, settings)
    return app


app = create_app()
