"""HTTP: one blueprint per resource, the health probes and metrics, and the one JSON error shape."""
from __future__ import annotations

from flask import Flask, g

import stall_budget
from api import departments, events, health, metrics, request_log
from api.errors import register_error_handlers


def init_app(app: Flask) -> None:
    """Register the request pipeline (request id and log first), the blueprints and the error handlers."""
    request_log.init_app(app)
    for blueprint in (departments.bp, events.bp, health.bp, metrics.bp):
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
