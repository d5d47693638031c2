"""Tokens never reach a log line: the request lines of Werkzeug and gunicorn are redacted.

Standard library only, so anything may import it early, before a gevent worker monkey-patches
(importing boto3 or ssl there first breaks gevent).
"""
from __future__ import annotations

import logging
import re

_SECRETS = (
    (re.compile(r"((?:^|[?&\s])token=)[^&\s\"']*", re.IGNORECASE), r"\1[redacted]"),
    (re.compile(r"(Bearer\s+)[^\s\"',]+", re.IGNORECASE), r"\1[redacted]"),
)


def redact(text: str) -> str:
    """The text with `?token=...` values and `Bearer ...` credentials replaced by [redacted]."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class RedactTokens(logging.Filter):
    """A logging filter that redacts the message and its arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(str(record.msg))
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in args)
        return True


# The loggers that write request lines: Werkzeug's development server, and gunicorn's error log
# (the request line of a request gunicorn refuses itself, "Invalid request from ...", and the URI
# of one the app failed on: with the feed's ?token=, those lines would hold a token).
SERVER_LOGGERS = ("werkzeug", "gunicorn.error")


def redact_library_logs() -> None:
    """Filter the loggers that write request lines (SERVER_LOGGERS), in this process; idempotent."""
    for name in SERVER_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
