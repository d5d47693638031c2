"""Sessions of people signed in with the company's account, as auth/ sees them: a secret in an
HttpOnly cookie, stored by its hash (storage/sessions.py keeps the table), and the principal a
live session stands for.

A session is checked like a token: through a TokenVerifier of its own (auth/cache.py), so a
request costs no DynamoDB read while the cache trusts it, and a session ended on one instance
(sign-out, expiry) is refused by every other within AUTH_CACHE_SECONDS. Each read of the store
(once per AUTH_CACHE_SECONDS per instance and session) moves its idle end on.
"""
from __future__ import annotations

import secrets
from typing import Any

from auth.principal import Principal
from auth.store import fitted_to
from auth.tokens import TOKEN_BYTES, token_hash
from config import Settings
from models import DynamoDBDatabase
from storage.sessions import SESSION_KEY_PREFIX, Sessions

COOKIE_NAME = "calendar_session"
SESSION_PREFIX = "ses_"


def new_session_secret() -> str:
    """A fresh cookie value: 32 random bytes, URL-safe base64, with a recognisable prefix."""
    return SESSION_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)


class SessionStore:
    """Create, find (and keep alive) and end sessions; shares the database's client and prefix."""

    def __init__(self, db: DynamoDBDatabase, settings: Settings):
        self.sessions = Sessions(db.client, settings.sessions_table)
        self.idle_seconds = settings.session_idle_seconds
        self.max_seconds = settings.session_max_seconds

    def create(self, person: dict[str, Any]) -> str:
        """Store a session for `person` (name, email, role, departments, issuer, subject); returns
        the secret for the cookie (only its hash is stored)."""
        secret = new_session_secret()
        self.sessions.create(token_hash(secret), person, self.idle_seconds, self.max_seconds)
        return secret

    def find(self, hashed: str) -> Principal | None:
        """The principal of the live session with this hash, its idle end moved on; None when it
        ended or never was (one UpdateItem)."""
        item = self.sessions.touch(hashed, self.idle_seconds)
        if item is None:
            return None
        departments = item.get("departments")
        return Principal(item["name"], item["role"], None if departments is None else frozenset(departments),
                         auth="session", email=item.get("email"), identity=(item["issuer"], item["subject"]))

    def end_beyond(self, person: dict[str, Any]) -> list[str]:
        """Record what this sign-in gives `person`; when that is less than their previous sign-in
        gave, end their sessions that have more (a Scan, only then). Returns the hashes ended."""
        role, departments = person["role"], person["departments"]
        before = self.sessions.swap_grant(person["issuer"], person["subject"], role, departments)
        if before is None or _within(before["role"], before.get("departments"), role, departments):
            return []
        ended = []
        for session in self.sessions.live():
            if (session["issuer"], session["subject"]) == (person["issuer"], person["subject"]) and not _within(
                    session["role"], session.get("departments"), role, departments):
                hashed = session["id"].removeprefix(SESSION_KEY_PREFIX)
                self.sessions.delete(hashed)
                ended.append(hashed)
        return ended

    def end(self, hashed: str) -> None:
        self.sessions.delete(hashed)


def _within(own_role: str, own: list[str] | None, role: str, departments: list[str] | None) -> bool:
    """Whether a grant of `own_role` and `own` departments (None: all) is no more than `role` and `departments`."""
    return fitted_to(own_role, own, role, departments) == (own_role, None if own is None else sorted(own))
