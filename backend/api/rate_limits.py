"""Rate limiting (the `limits` library, Flask-Limiter's engine): one budget of RATE_LIMIT per token,
or per address before authentication, shared by every route except the health probes.

The budget is checked before any DynamoDB read: a request is keyed by its token's name when the
token is in the cache of verified tokens, and by its address otherwise (auth/http.py reads the
token from DynamoDB only after), so a client over its budget, or one sending made-up tokens, gets
its 429 without costing a read. A token read from DynamoDB then spends its own budget as well.
Real CORS preflights (OPTIONS with Origin and Access-Control-Request-Method) carry no token and
are answered by serving/cors.py before the budget is checked; any other OPTIONS counts like a GET.

The budget lives in Redis when RATE_LIMIT_STORAGE_URI, or else SOCKETIO_MESSAGE_QUEUE, names
one, so all instances of a deployment count together; in this process's memory otherwise.
The moving window counts exactly the requests of the last period, so `Retry-After` is exact.
While Redis is unreachable each instance counts in its own memory (and checks Redis again with
backoff): a broken Redis costs precision, never availability.
"""
from __future__ import annotations

import logging
import math
import time

from flask import Flask, current_app, g, request
from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from redis.exceptions import RedisError

from api.errors import error_response
from api.memory_window import MemoryMovingWindow
from auth.principal import ANONYMOUS
from config import Settings

log = logging.getLogger(__name__)

# Answered without counting: load balancers probe these.
EXEMPT_ENDPOINTS = frozenset({"health.healthz", "health.readyz"})
# An unreachable Redis must not hold a request for the OS connect timeout (minutes).
REDIS_TIMEOUT_SECONDS = 2
REDIS_SCHEMES = ("redis://", "rediss://")
MAX_BACKOFF_SECONDS = 60
_EXTENSION = "calendar_rate_limits"


class RateLimited(Exception):
    """The request's key has spent its budget: 429 with Retry-After."""

    def __init__(self, limit: RateLimitItem, retry_after: int):
        super().__init__(str(limit))
        self.limit, self.retry_after = limit, retry_after


def storage_uri(settings: Settings) -> str:
    """RATE_LIMIT_STORAGE_URI, else the Redis of SOCKETIO_MESSAGE_QUEUE, else this process's memory."""
    if settings.rate_limit_storage_uri:
        return settings.rate_limit_storage_uri
    queue = settings.socketio_message_queue or ""
    return queue if queue.startswith(REDIS_SCHEMES) else "memory://"


def rate_limit_key() -> str:
    """Whose budget a request spends: the token's or the signed-in person's (set by authentication;
    a person by issuer and subject, as two people may share a display name), else the address's (no
    token, or one not verified yet)."""
    principal = g.get("principal")
    if principal is not None and principal is not ANONYMOUS:  # AUTH_MODE=off: everyone is anonymous
        if principal.identity is not None:
            return f"person:{principal.identity[0]} {principal.identity[1]}"
        return f"token:{principal.name}"
    return f"address:{request.remote_addr}"


class Budgets:
    """RATE_LIMIT per key, counted in the shared store (Redis) or this process's memory; while the
    shared store fails, in memory, the store being tried again after a growing pause."""

    def __init__(self, settings: Settings):
        try:
            self.limits = sorted(parse_many(settings.rate_limit))
        except ValueError as exc:
            raise ValueError(f'RATE_LIMIT must be like "6000 per minute", got {settings.rate_limit!r}') from exc
        uri = storage_uri(settings)
        options = {}
        if uri.startswith(REDIS_SCHEMES):
            options = {"socket_connect_timeout": REDIS_TIMEOUT_SECONDS, "socket_timeout": REDIS_TIMEOUT_SECONDS}
        self.prefix = f"calendar:{settings.table_prefix}"  # environments sharing a Redis count apart
        self.local = MemoryMovingWindow()
        self.shared = self.local if uri == "memory://" else MovingWindowRateLimiter(storage_from_string(uri, **options))
        self._failures = 0
        self._retry_at = 0.0

    def spend(self, key: str) -> None:
        """Count one request against `key`'s budget; raises RateLimited once it is spent."""
        limiter = self._limiter()
        for limit in self.limits:
            try:
                allowed = limiter.hit(limit, self.prefix, key)
            except (RedisError, OSError):
                self._shared_failed()
                limiter = self.local
                allowed = limiter.hit(limit, self.prefix, key)
            if not allowed:
                raise RateLimited(limit, self._seconds_until_allowed(limiter, limit, key))

    def _limiter(self) -> MovingWindowRateLimiter | MemoryMovingWindow:
        if self._failures and time.monotonic() < self._retry_at:
            return self.local
        return self.shared

    def _shared_failed(self) -> None:
        if not self._failures:
            log.warning("Rate limit storage unreachable - falling back to in-memory storage")
        self._failures += 1
        self._retry_at = time.monotonic() + min(MAX_BACKOFF_SECONDS, 2 ** self._failures)

    def _seconds_until_allowed(self, limiter: MovingWindowRateLimiter | MemoryMovingWindow, limit: RateLimitItem, key: str) -> int:
        """Whole seconds until the breached window lets a request through again (at least 1)."""
        try:
            reset_time = limiter.get_window_stats(limit, self.prefix, key).reset_time
        except (RedisError, OSError):
            return 1
        return max(1, math.ceil(reset_time - time.time()))


def init_app(app: Flask) -> None:
    """Check every request against its key's budget; over it, 429 `rate_limited` + `Retry-After`.
    Register between authentication from the cache and enforce_authentication (api/__init__.py)."""
    budgets = Budgets(app.config["SETTINGS"])  # a bad RATE_LIMIT stops the start here
    app.extensions[_EXTENSION] = budgets

    @app.before_request
    def _spend_budget() -> None:
        if request.endpoint in EXEMPT_ENDPOINTS:
            return
        key = g.rate_limit_key = rate_limit_key()
        budgets.spend(key)

    app.register_error_handler(RateLimited, _rate_limited)


def spend_verified_token_budget() -> None:
    """A token just read from DynamoDB (the request was counted by its address) spends its own
    budget too; for the pipeline's step after enforce_authentication."""
    counted = g.get("rate_limit_key")
    if counted is not None and rate_limit_key() != counted:
        g.rate_limit_key = rate_limit_key()
        current_app.extensions[_EXTENSION].spend(g.rate_limit_key)


def _rate_limited(exc: RateLimited):
    retry_after = exc.retry_after
    response = error_response(429, "rate_limited", f"Too many requests: the limit is {exc.limit}; "
                              f"retry in {retry_after} s.", limit=str(exc.limit), retry_after=retry_after)
    response.headers["Retry-After"] = str(retry_after)
    return response
