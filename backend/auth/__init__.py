"""Authentication and authorisation: bearer tokens (stored as hashes), people signed in with the
company's account (OIDC_ISSUER: auth/oidc.py, sessions in auth/sessions.py), roles, department scopes.

Views declare what they need: `@auth.requires("viewer"|"editor"|"admin")` and, for a
department, `auth.check_department(department_id)`. `init_app` registers the hook that sets
`g.principal` (or answers 401) for every request but the public ones.
"""
from __future__ import annotations

import logging

from flask import Flask

from auth import oidc
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
from auth.sessions import SessionStore
from auth.store import TokenStore
from config import Settings
from database import db_of
from models import DynamoDBDatabase
from serving.cors import OriginPolicy
from serving.log_redaction import redact, redact_library_logs

__all__ = [
    "ANONYMOUS", "ROLES", "Forbidden", "Principal", "TokenStore", "TokenVerifier", "Unauthorized",
    "check_department", "current_principal", "enforce_authentication", "events_outside_scope_hidden", "init_app", "public", "redact", "requires",
]

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Authenticate every request (AUTH_MODE=token) or none (off, with a warning at each start)."""
    settings: Settings = app.config["SETTINGS"]
    db: DynamoDBDatabase = db_of(app)
    redact_library_logs()  # tokens never reach Werkzeug's or gunicorn's log lines
    verifier = session_check = None
    if settings.auth_mode == "off":
        log.warning("AUTH_MODE=off: NO AUTHENTICATION. Anyone who reaches this port can read and delete "
                    "every department. Use it only for local experiments.")
    else:
        verifier = TokenVerifier(TokenStore(db), settings.auth_cache_seconds)
    if settings.sign_in and verifier is not None:
        session_check = (TokenVerifier(SessionStore(db, settings), settings.auth_cache_seconds),
                         OriginPolicy(settings.cors_allowed_origins))
        oidc.init_app(app, settings)
    init_http(app, verifier, session_check)
