"""Authentication and authorisation: bearer tokens (stored as hashes), roles, department scopes.

Views declare what they need: `@auth.requires("viewer"|"editor"|"admin")` and, for a
department, `auth.check_department(department_id)`. `init_app` registers the hook that sets
`g.principal` (or answers 401) for every request but the public ones.
"""
from __future__ import annotations

import logging

from flask import Flask

from auth.cache import TokenVerifier
from auth.http import (
    Forbidden,
    Unauthorized,
    check_department,
    current_principal,
    enforce_authentication,
    events_outside_scope_hidden,
    public,
    requires,
)
from auth.http import init_app as init_http
from auth.principal import ANONYMOUS, ROLES, Principal
from auth.store import TokenStore
from config import Settings
from database import db_of
from models import DynamoDBDatabase
from serving.log_redaction import RedactTokens, redact, redact_library_logs

__all__ = [
    "ANONYMOUS", "ROLES", "Forbidden", "Principal", "TokenStore", "TokenVerifier", "Unauthorized",
    "check_department", "current_principal", "enforce_authentication", "events_outside_scope_hidden", "init_app", "public", "redact", "requires",
]

log = logging.getLogger(__name__)

# gunicorn logs the request line of a request it refuses itself ("Invalid request from ...") and
# the URI of one the app failed on: with the feed's ?token=, those lines would hold a token.
GUNICORN_ERROR_LOGGER = "gunicorn.error"


def _redact_server_logs() -> None:
    """Redact tokens in Werkzeug's and gunicorn's own log lines (in this process; idempotent)."""
    redact_library_logs()
    logger = logging.getLogger(GUNICORN_ERROR_LOGGER)
    if not any(isinstance(f, RedactTokens) for f in logger.filters):
        logger.addFilter(RedactTokens())


def init_app(app: Flask) -> None:
    """Authenticate every request (AUTH_MODE=token) or none (off, with a warning at each start)."""
    settings: Settings = app.config["SETTINGS"]
    db: DynamoDBDatabase = db_of(app)
    _redact_server_logs()
    verifier = None
    if settings.auth_mode == "off":
        log.warning("AUTH_MODE=off: NO AUTHENTICATION. Anyone who reaches this port can read and delete "
                    "every department. Use it only for local experiments.")
    else:
        verifier = TokenVerifier(TokenStore(db), settings.auth_cache_seconds)
    init_http(app, verifier)
