"""The app's JSON error shape, for the errors a server answers before the app sees the request
(api.errors.error_response is the app's own, a Flask response)."""
from __future__ import annotations

import json
import re


def reason_code(reason: str) -> str:
    """"URI Too Long" -> "uri_too_long": the code the app's handler derives from an HTTP reason."""
    return re.sub(r"[^a-z0-9]+", "_", reason.lower()).strip("_") or "error"


def error_body(reason: str, message: str | None = None) -> bytes:
    return json.dumps({"error": reason_code(reason), "message": message or reason}).encode()


def closing_response_bytes(status: int, reason: str, message: str | None = None) -> bytes:
    """A whole HTTP/1.1 response that closes the connection, its body `{"error", "message"}`."""
    body = error_body(reason, message)
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    return head.encode("latin-1") + body
