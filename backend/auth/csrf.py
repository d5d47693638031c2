"""CSRF: a request that a session cookie authenticates may change something only when it comes
from the service's own pages or an origin of CORS_ALLOWED_ORIGINS.

Browsers attach cookies to requests other sites make them send (a form posted to us); they never
let another site set `Authorization`, so bearer-token requests need no such check. The `Origin`
header says who made the request; without it, the origin of `Referer`; without either, the
request is refused (a browser sends one of them with every POST, PUT, PATCH and DELETE).
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Request

from errors import Forbidden
from serving.cors import OriginPolicy

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def check_same_origin(request: Request, policy: OriginPolicy) -> None:
    """Raises Forbidden for an unsafe request whose Origin (or Referer) is not one the policy allows."""
    if request.method not in UNSAFE_METHODS:
        return
    origin = request.headers.get("Origin") or _origin_of(request.headers.get("Referer", ""))
    if not origin or origin == "null" or not policy.allows(origin, request.environ):
        raise Forbidden("a change made with a sign-in cookie must come from this service's own page "
                        f"(Origin or Referer; got {origin or 'neither'})")


def _origin_of(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None
