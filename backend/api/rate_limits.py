"""Rate limiting (Flask-Limiter): one budget of RATE_LIMIT per token, or per address before
authentication, shared by every route except the health probes and CORS preflights.

The budget lives in Redis when RATE_LIMIT_STORAGE_URI, or else SOCKETIO_MESSAGE_QUEUE, names
one, so all instances of a deployment count together; in this process's memory otherwise.
The moving window counts exactly the requests of the last period, so `Retry-After` is exact.
While Redis is unreachable each instance counts in its own memory (and checks Redis again with
backoff): a broken Redis costs precision, never availability.
"""
from __future__ import annotations

import math
import time

from flask import Flask, g, request
from flask_limiter import Limiter, RateLimitExceeded
from limits import parse_many

from api.errors import error_response
from auth.principal import ANONYMOUS
from config import Settings

# Answered without counting: load balancers probe these, and a preflight carries no token.
EXEMPT_ENDPOINTS = frozenset({"health.healthz", "health.readyz"})
# An unreachable Redis must not hold a request for the OS connect timeout (minutes).
REDIS_TIMEOUT_SECONDS = 2
REDIS_SCHEMES = ("redis://", "rediss://")


def storage_uri(settings: Settings) -> str:
    """RATE_LIMIT_STORAGE_URI, else the Redis of SOCKETIO_MESSAGE_QUEUE, else this process's memory."""
    if settings.rate_limit_storage_uri:
        return settings.rate_limit_storage_uri
    queue = settings.socketio_message_queue or ""
    return queue if queue.startswith(REDIS_SCHEMES) else "memory://"


def rate_limit_key() -> str:
    """Whose budget a request spends: the token's (set by authentication), else the address's."""
    principal = g.get("principal")
    if principal is not None and principal is not ANONYMOUS:  # AUTH_MODE=off: everyone is anonymous
        return f"token:{principal.name}"
    return f"address:{request.remote_addr}"


def _exempt() -> bool:
    return request.endpoint in EXEMPT_ENDPOINTS or request.method == "OPTIONS"


def build_limiter(settings: Settings) -> Limiter:
    """A Limiter for RATE_LIMIT (checked here: a bad value stops the start, naming the variable)."""
    try:
        parse_many(settings.rate_limit)
    except ValueError as exc:
        raise ValueError(f'RATE_LIMIT must be like "6000 per minute", got {settings.rate_limit!r}') from exc
    uri = storage_uri(settings)
    options = {}
    if uri.startswith(REDIS_SCHEMES):
        options = {"socket_connect_timeout": REDIS_TIMEOUT_SECONDS, "socket_timeout": REDIS_TIMEOUT_SECONDS}
    return Limiter(
        rate_limit_key,
        application_limits=[settings.rate_limit],
        storage_uri=uri,
        storage_options=options,
        strategy="moving-window",
        key_prefix=f"calendar:{settings.table_prefix}",  # environments sharing a Redis count apart
        in_memory_fallback_enabled=True,
        swallow_errors=True,
        # Flask-Limiter skips requests that match no route; here a 404 spends budget like any other.
        request_identifier=lambda: request.endpoint or "unrouted",
    )


def init_app(app: Flask) -> None:
    """Check every request against its key's budget; over it, 429 `rate_limited` + `Retry-After`."""
    limiter = build_limiter(app.config["SETTINGS"])
    limiter.request_filter(_exempt)
    limiter.init_app(app)

    @app.errorhandler(RateLimitExceeded)
    def _rate_limited(exc: RateLimitExceeded):
        retry_after = _seconds_until_allowed(limiter)
        response = error_response(429, "rate_limited", f"Too many requests: the limit is {exc.description}; "
                                  f"retry in {retry_after} s.", limit=exc.description, retry_after=retry_after)
        response.headers["Retry-After"] = str(retry_after)
        return response


def _seconds_until_allowed(limiter: Limiter) -> int:
    """Whole seconds until the breached window lets a request through again (at least 1)."""
    breached = limiter.current_limit
    if breached is None:
        return 1
    reset_time, _remaining = breached.window
    return max(1, math.ceil(reset_time - time.time()))
