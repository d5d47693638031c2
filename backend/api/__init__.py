"""HTTP: one blueprint per resource, the health probes, and the one JSON error shape."""
from __future__ import annotations

from flask import Flask, g

import stall_budget
from api import calendar_feed, departments, docs, events, health
from api.errors import register_error_handlers


def init_app(app: Flask) -> None:
    """Register the blueprints, the error handlers, and the DynamoDB stall budget of each request."""
    for blueprint in (departments.bp, events.bp, calendar_feed.bp, docs.bp, health.bp):
        app.register_blueprint(blueprint)
    register_error_handlers(app)
    seconds = app.config["SETTINGS"].dynamodb_stall_seconds

    @app.before_request
    def _open_stall_budget():
        g.stall_budget = stall_budget.open_budget(seconds)

    @app.teardown_request
    def _close_stall_budget(_exc):
        token = g.pop("stall_budget", None)
        if token is not None:
            stall_budget.close_budget(token)
