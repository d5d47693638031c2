"""Log lines as JSON objects (one per line) or readable text, each carrying the request id.

The request id lives in a ContextVar set by api/request_log.py for the request running in this
context (thread or greenlet), so any logger of the service gets it without passing it around.
"""
from __future__ import annotations

import json
import logging
import time
from contextvars import ContextVar, Token
from typing import Any

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def bind_request_id(request_id: str) -> Token:
    """Tag what this context logs with `request_id`; pass the token to unbind_request_id."""
    return _request_id.set(request_id)


def unbind_request_id(token: Token) -> None:
    _request_id.reset(token)


def current_request_id() -> str | None:
    return _request_id.get()


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    """The structured fields a caller passed with extra={"fields": {...}}."""
    fields = getattr(record, "fields", None)
    return fields if isinstance(fields, dict) else {}


# json.dumps with these options would build a new encoder for every line.
_encode_line = json.JSONEncoder(ensure_ascii=False, default=str).encode


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request_id, fields, exception."""

    def __init__(self) -> None:
        super().__init__()
        self._second: tuple[int, str] = (-1, "")  # the last second's text: lines come many a second

    def _utc_second(self, created: float) -> str:
        second, text = self._second
        if int(created) != second:
            second, text = int(created), time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created))
            self._second = (second, text)
        return text

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": f"{self._utc_second(record.created)}.{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = current_request_id()
        if request_id is not None:
            line["request_id"] = request_id
        line.update(_fields(record))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return _encode_line(line)


class TextFormatter(logging.Formatter):
    """The classic readable line, with the request id and the structured fields appended."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 (logging's name)
        text = super().formatMessage(record)
        extras = " ".join(f"{key}={value}" for key, value in _fields(record).items())
        request_id = current_request_id()
        if request_id is not None:
            extras = f"{extras} request_id={request_id}".lstrip()
        return f"{text} {extras}" if extras else text


def make_formatter(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else TextFormatter()


def configure(level: str, log_format: str) -> None:
    """Send every log line of the process to stderr in `log_format`, at `level` and up.

    Werkzeug's own access lines are silenced (warnings and errors stay): they print the raw
    request line, query string included, and api/request_log.py writes the request's line.
    """
    handler = logging.StreamHandler()
    handler.setFormatter(make_formatter(log_format))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    skip_what_no_line_shows()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def skip_what_no_line_shows() -> None:
    """Neither format shows the thread or the caller's file and line: records need not look them
    up (the logging HOWTO's "Optimization"; one record per request, and under gevent the current
    thread of a greenlet is costly to find). The process stays: gunicorn's lines show it."""
    logging.logThreads = False
    logging.logMultiprocessing = False
    logging._srcfile = None
