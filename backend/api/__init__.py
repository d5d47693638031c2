"""HTTP: one blueprint per resource, the health probes, and the one JSON error shape."""
from __future__ import annotations

from flask import Flask

from api import departments, events, health
from api.errors import register_error_handlers


def init_app(app: Flask) -> None:
    """Register the blueprints and the error handlers."""
    for blueprint in (departments.bp, events.bp, health.bp):
        app.register_blueprint(blueprint)
    register_error_handlers(app)
