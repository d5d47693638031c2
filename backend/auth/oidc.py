"""Sign-in with the company's identity provider: OpenID Connect through Authlib's Flask client.

The authorization code flow with PKCE (S256); Authlib makes `state`, `nonce` and the code verifier,
keeps them in a short-lived signed cookie (SignInState, only on /auth/ paths: no other request
opens a cookie session), checks `state` at the callback, and verifies the ID token against the
provider's keys (JWKS) from discovery: signature, issuer, audience (OIDC_CLIENT_ID), expiry and
`nonce`. Who the person is and what they may do comes from the verified ID token alone
(auth/groups.py maps its groups claim).
"""
from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app, request
from flask.sessions import SecureCookieSessionInterface
from joserfc.errors import JoseError

from config import Settings

log = logging.getLogger(__name__)

PROVIDER = "company"
_EXTENSION = "calendar_oidc"
SIGN_IN_PATH = "/auth/"
STATE_COOKIE = "calendar_signin"
# How long a browser may take between leaving for the provider and coming back.
STATE_SECONDS = 600
# Talking to the provider (discovery, keys, the code exchange) must not hold a worker for long.
PROVIDER_TIMEOUT_SECONDS = 10
# Everything that means "this callback does not sign anyone in": a wrong or missing state, an
# error from the provider, a refused code exchange, an ID token that fails verification, a
# provider that does not answer.
SIGN_IN_FAILURES = (AuthlibBaseError, JoseError, requests.RequestException, ValueError, KeyError)


class SignInFailed(Exception):
    """The callback did not prove who the person is."""


class SignInState(SecureCookieSessionInterface):
    """Flask's signed cookie session, opened only on /auth/ paths: it carries Authlib's state,
    nonce and code verifier from /auth/login to /auth/callback (HttpOnly, SameSite=Lax, path /auth,
    ten minutes; Secure over HTTPS). Needs one SECRET_KEY on every instance, as paging cursors do."""

    def open_session(self, app: Flask, request_: Any):
        if not request_.path.startswith(SIGN_IN_PATH):
            return None  # Flask's unsaved null session: no other request pays for a cookie session
        return super().open_session(app, request_)

    def get_cookie_name(self, app: Flask) -> str:
        return STATE_COOKIE

    def get_cookie_path(self, app: Flask) -> str:
        return SIGN_IN_PATH.rstrip("/")

    def get_cookie_httponly(self, app: Flask) -> bool:
        return True

    def get_cookie_samesite(self, app: Flask) -> str:
        return "Lax"

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure

    def get_expiration_time(self, app: Flask, session: Any) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=STATE_SECONDS)


def init_app(app: Flask, settings: Settings) -> None:
    """Register the provider (discovery is read on first use) and the sign-in state cookie."""
    oauth = OAuth()
    oauth.init_app(app)
    app.extensions[_EXTENSION] = oauth.register(
        PROVIDER,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        server_metadata_url=settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": settings.oidc_scopes, "code_challenge_method": "S256",
                       "default_timeout": PROVIDER_TIMEOUT_SECONDS},
    )
    app.session_interface = SignInState()


def configured() -> bool:
    return current_app.extensions.get(_EXTENSION) is not None


def login_redirect(callback_url: str):
    """The redirect to the provider's authorization endpoint (state, nonce and PKCE kept for the
    callback); raises SignInFailed when the provider's discovery cannot be read."""
    try:
        return current_app.extensions[_EXTENSION].authorize_redirect(callback_url)
    except SIGN_IN_FAILURES as exc:
        log.warning("sign-in cannot start: the identity provider did not answer: %s: %s", type(exc).__name__, exc)
        raise SignInFailed(str(exc)) from exc


def verified_claims() -> dict[str, Any]:
    """The claims of the callback's verified ID token; raises SignInFailed (and logs why) otherwise."""
    client = current_app.extensions[_EXTENSION]
    try:
        token = client.authorize_access_token()
    except SIGN_IN_FAILURES as exc:
        log.warning("sign-in refused: %s: %s", type(exc).__name__, exc)
        raise SignInFailed(str(exc)) from exc
    claims = token.get("userinfo")
    if not claims or not claims.get("sub") or not claims.get("iss"):
        log.warning("sign-in refused: the provider sent no ID token")
        raise SignInFailed("no ID token")
    return dict(claims)
