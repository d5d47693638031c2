"""CORS: one allowlist, CORS_ALLOWED_ORIGINS, for REST and Socket.IO alike.

A browser request whose `Origin` is neither the service's own origin nor listed is refused:
REST answers 403 `forbidden` (api.errors' answer to Forbidden) before any view (or authentication) runs, Socket.IO refuses the
connection. Allowed origins get `Access-Control-Allow-Origin` (their own origin, never `*`) and
preflights (`OPTIONS` with `Access-Control-Request-Method`) are answered here, without a token:
browsers send none with them. Requests without `Origin` (curl, the C# client) are not browsers'
cross-origin requests and pass. Every REST answer says `Vary: Origin`.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Flask, Response, current_app, request

from errors import Forbidden

ALLOWED_HEADERS = "Authorization, Content-Type, If-Match, X-Request-ID"
EXPOSED_HEADERS = "ETag, Location, Retry-After, X-Request-ID"
PREFLIGHT_MAX_AGE_SECONDS = 600


class OriginPolicy:
    """Whether a browser origin may talk to the service: listed, or the service's own origin.

    Callable as `(origin, environ)`, the form python-engineio takes for `cors_allowed_origins`.
    """

    def __init__(self, origins: Iterable[str]):
        self.origins = frozenset(origins)

    def allows(self, origin: str, environ: dict[str, Any]) -> bool:
        if origin in self.origins:
            return True
        own = f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}"
        return origin == own

    __call__ = allows


def init_app(app: Flask, policy: OriginPolicy) -> None:
    """Refuse foreign origins and answer preflights (before authentication), label the answers."""

    @app.before_request
    def _check_origin():
        origin = request.headers.get("Origin")
        if origin is None:
            return None
        if not policy.allows(origin, request.environ):
            raise Forbidden(f"Origin {origin} is not allowed (CORS_ALLOWED_ORIGINS).")
        if _is_preflight():
            return _preflight_response()
        return None

    @app.after_request
    def _label(response: Response) -> Response:
        vary = response.headers.get("Vary")  # (not response.vary: parsing it costs every answer more)
        if vary is None:
            response.headers["Vary"] = "Origin"
        elif "origin" not in (name.strip().lower() for name in vary.split(",")):
            response.headers["Vary"] = f"{vary}, Origin"
        origin = request.headers.get("Origin")
        if origin is not None and policy.allows(origin, request.environ):
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        return response


def _is_preflight() -> bool:
    return (request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers
            and request.url_rule is not None)


def _preflight_response() -> Response:
    response = Response(status=204)
    del response.headers["Content-Type"]  # no body, and no page
    routes = current_app.url_map.bind_to_environ(request.environ)
    methods = sorted(set(routes.allowed_methods(request.path)) - {"HEAD", "OPTIONS"})
    response.headers["Access-Control-Allow-Methods"] = ", ".join(methods)
    response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
    response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE_SECONDS)
    return response
