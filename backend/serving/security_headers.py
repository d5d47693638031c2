"""Security headers on every response the process sends: REST answers, errors, Socket.IO's own.

A WSGI middleware around the whole app (Flask and the Socket.IO server), so no answer slips
past it. `Content-Security-Policy` depends on what the answer is: an HTML page gets
CONTENT_SECURITY_POLICY_PAGES (its own scripts, styles and connections only), anything else
(JSON, Socket.IO packets) CONTENT_SECURITY_POLICY (nothing at all may load). A header a view set
itself is kept.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from config import Settings

REFERRER_POLICY = "no-referrer"


class SecurityHeaders:
    """WSGI middleware adding X-Content-Type-Options, Referrer-Policy and Content-Security-Policy."""

    def __init__(self, wsgi_app: Callable, settings: Settings):
        self.wsgi_app = wsgi_app
        self.api_policy = settings.content_security_policy
        self.page_policy = settings.content_security_policy_pages

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        def start_with_headers(status: str, headers: list[tuple[str, str]], exc_info: Any = None):
            return start_response(status, self.secure(status, headers), exc_info)

        return self.wsgi_app(environ, start_with_headers)

    def secure(self, status: str, headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """The headers with the security ones added where missing."""
        present = {name.lower(): value for name, value in headers}
        # Flask labels even an empty answer (`"", 204`) text/html: only one with a body is a page.
        is_page = (present.get("content-type", "").lower().startswith("text/html")
                   and present.get("content-length") != "0" and not status.startswith(("204", "304")))
        wanted = (
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", REFERRER_POLICY),
            ("Content-Security-Policy", self.page_policy if is_page else self.api_policy),
        )
        return headers + [(name, value) for name, value in wanted if name.lower() not in present]
