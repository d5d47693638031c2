"""HTTP: one blueprint per resource, the health probes and metrics, and the one JSON error shape."""
from __future__ import annotations

from flask import Flask, g

import auth
import web
from api import (
    calendar_feed,
    company_days,
    departments,
    docs,
    events,
    health,
    history,
    me,
    metrics,
    people,
    personal_tokens,
    public_holidays,
    rate_limits,
    request_log,
    search,
    signin,
    trash,
)
from api.errors import register_error_handlers
from serving import cors
from storage import stall_budget


def init_app(app: Flask) -> None:
    """Register the blueprints, the error handlers, and the request pipeline in its agreed order:
    request id and log, the DynamoDB stall budget, CORS (preflights carry no token),
    authentication from the token cache (who sends it), rate limits (counting refused requests too),
    then the DynamoDB read of a token the cache did not hold, and the 401s."""
    request_log.init_app(app)
    app.url_map.converters["event_id"] = events.EventIdConverter
    for blueprint in (departments.bp, events.bp, calendar_feed.bp, company_days.bp, docs.bp, health.bp, me.bp,
                      metrics.bp, people.bp, personal_tokens.bp, public_holidays.bp, search.bp, signin.bp, history.bp, trash.bp,
                      web.bp):
        app.register_blueprint(blueprint)
    register_error_handlers(app)
    settings = app.config["SETTINGS"]
    seconds = settings.dynamodb_stall_seconds

    @app.before_request
    def _open_stall_budget():
        g.stall_budget = stall_budget.open_budget(seconds)

    @app.teardown_request
    def _close_stall_budget(_exc):
        token = g.pop("stall_budget", None)
        if token is not None:
            stall_budget.close_budget(token)

    cors.init_app(app, cors.OriginPolicy(settings.cors_allowed_origins))  # answers preflights, no token
    auth.init_app(app)  # sets g.principal from the token cache, or keeps why it could not
    rate_limits.init_app(app)  # keyed by g.principal.name when set, else the remote address
    app.before_request(auth.enforce_authentication)  # once counted: reads an uncached token, 401/403
    app.before_request(rate_limits.spend_verified_token_budget)  # the token just read spends its budget too
