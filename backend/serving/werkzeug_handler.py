"""Werkzeug's request handler (`python backend/wsgi.py` in threading mode) answering the errors it
finds itself (a garbage request line: 400, a request line over 64 KiB: 414, over 100 headers or
a header line over 64 KiB: 431) in the app's JSON shape instead of an HTML page."""
from __future__ import annotations

from werkzeug.serving import WSGIRequestHandler

from serving.json_errors import error_body


class JsonErrorRequestHandler(WSGIRequestHandler):
    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        reason = self.responses.get(code, ("Error",))[0]
        self.log_error("code %d, message %s", code, message)
        body = error_body(reason, message)
        # A garbage request line leaves http.server's default HTTP/0.9, which sends no status line
        # and no headers: the client could not tell the body is an error.
        self.request_version = "HTTP/1.1"
        self.send_response(code, reason)
        self.send_header("Content-Type", "application/json")
        self.send_header("Connection", "close")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.close_connection = True
        if self.command != "HEAD":
            self.wfile.write(body)
