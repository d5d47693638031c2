"""REST: the authentication hook (sets g.principal or answers 401) and the route decorators."""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask, current_app, g, request

from auth import csrf
from auth.cache import TokenVerifier
from auth.principal import ANONYMOUS, Principal
from auth.sessions import COOKIE_NAME
from auth.tokens import token_hash
from errors import Forbidden, NotFound, Unauthorized
from serving.cors import OriginPolicy

# Open to anyone (URL rules): the probes of load balancers and operators, and the API's document
# with its documentation page and the page's files (they describe the API, they hold no data), and
# the calendar page with its files (they hold no data either: the API calls they make carry the token),
# the sign-in routes (they are how a person gets a session; api/signin.py checks what they need),
# and CalDAV's discovery redirect (it names the DAV root, which needs the token).
PUBLIC_PATHS = frozenset({"/healthz", "/readyz", "/metrics", "/api/openapi.json", "/api/docs", "/api/docs/<asset>",
                          "/", "/page/<asset>", "/page/vendor/<asset>", "/auth/login", "/auth/callback", "/auth/logout",
                          "/.well-known/caldav"})
_EXTENSION = "calendar_auth"
_SESSIONS = "calendar_sessions"


def public(view: Callable) -> Callable:
    """Mark a view as open without a token (static pages, API docs)."""
    view.auth_public = True
    return view


def requires(role: str, query_token: bool = False) -> Callable[[Callable], Callable]:
    """The view needs a token of at least `role`; query_token also accepts a viewer token as
    `?token=` (only for feeds that calendar apps fetch without headers)."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def checked(*args, **kwargs):
            if not current_principal().allows(role):
                raise Forbidden(f"this needs a token with the {role} role")
            return view(*args, **kwargs)

        checked.auth_role = role
        checked.auth_query_token = query_token
        return checked

    return decorate


def current_principal() -> Principal:
    return g.principal


def check_department(department_id: str) -> None:
    """Raises Forbidden unless the caller's token covers this department."""
    if not current_principal().can_see(department_id):
        raise Forbidden(f"this token is not allowed department {department_id}")


@contextmanager
def events_outside_scope_hidden(event_id: str) -> Iterator[Callable[[str], None]]:
    """A department check for a route that learns the event's department by reading it: a token
    limited to departments gets the same 403 for another department's event as for one that does
    not exist (an answer must not tell it what exists outside its scope); others keep the 404."""
    principal = current_principal()
    refusal = f"this token is not allowed event {event_id} (or there is no such event)"
    checked: list[str] = []

    def check(department_id: str) -> None:
        if not principal.can_see(department_id):
            raise Forbidden(refusal)
        checked.append(department_id)

    try:
        yield check
    except NotFound:
        if principal.departments is None or checked:  # a missing occurrence of an event it may see
            raise
        raise Forbidden(refusal) from None


def verifier() -> TokenVerifier | None:
    """The current app's token verifier; None with AUTH_MODE=off."""
    return current_app.extensions[_EXTENSION]


def sessions() -> tuple[TokenVerifier, OriginPolicy] | None:
    """The current app's session verifier and the origins a session's changes may come from; None
    without sign-in (OIDC_ISSUER unset)."""
    return current_app.extensions[_SESSIONS]


def init_app(app: Flask, verifier: TokenVerifier | None,
             session_check: tuple[TokenVerifier, OriginPolicy] | None = None) -> None:
    """Register the authentication hook (verifier None: AUTH_MODE=off; session_check None: no
    sign-in cookies); api.errors answers 401/403."""
    app.extensions[_EXTENSION] = verifier
    app.extensions[_SESSIONS] = session_check
    app.before_request(_authenticate)


def _view() -> Callable | None:
    endpoint = request.endpoint
    return current_app.view_functions.get(endpoint) if endpoint else None


def _authenticate() -> None:
    """Who sends the request (g.principal), from the cache of verified tokens only. A token the
    cache does not hold is read from DynamoDB by enforce_authentication, after the rate limit has
    counted the request by its address: a client over its budget, or sending made-up tokens, costs
    no read. A failure is kept for enforce_authentication, so refused requests are counted too."""
    try:
        _identify()
    except (Unauthorized, Forbidden) as failure:
        g.auth_failure = failure


def enforce_authentication() -> None:
    """Verify the token the cache did not hold (one DynamoDB read), then answer 401 (or 403) for a
    request that could not be identified."""
    pending = g.pop("unverified_token", None)
    if pending is not None:
        hashed, in_url = pending
        _accept(verifier().verify_hash(hashed), in_url)
    pending_session = g.pop("unverified_session", None)
    if pending_session is not None:
        _accept_session(sessions()[0].verify_hash(pending_session))
    failure = g.pop("auth_failure", None)
    if failure is not None:
        raise failure


def _identify() -> None:
    checker = verifier()
    view = _view()
    asked = request._get_current_object()  # one context lookup, not one per attribute
    rule = asked.url_rule.rule if asked.url_rule is not None else None
    if asked.path in PUBLIC_PATHS or rule in PUBLIC_PATHS or getattr(view, "auth_public", False) or asked.endpoint == "static":
        return
    if checker is None:
        g.principal = ANONYMOUS
        return
    token, in_url = _presented_token(getattr(view, "auth_query_token", False))
    if not token:
        _identify_session()
        return
    hashed = token_hash(token)
    known, principal = checker.cached(hashed)
    if not known:
        g.unverified_token = (hashed, in_url)
        return
    _accept(principal, in_url)


def _accept(principal: Principal | None, in_url: bool) -> None:
    """Set g.principal, or raise why the token is refused."""
    if principal is None:
        raise Unauthorized("the token is unknown or revoked")
    if in_url and principal.role != "viewer":
        raise Forbidden("only a viewer token may be put in a URL; use the Authorization header")
    g.principal = principal


def _identify_session() -> None:
    """A request without a token: the person its sign-in cookie names, else 401."""
    cookie = request.cookies.get(COOKIE_NAME) if sessions() is not None else None
    if not cookie:
        raise Unauthorized("send `Authorization: Bearer <token>`" + (", or sign in at /auth/login" if sessions() else ""))
    hashed = token_hash(cookie)
    known, principal = sessions()[0].cached(hashed)
    if not known:
        g.unverified_session = hashed
        return
    _accept_session(principal)


def _accept_session(principal: Principal | None) -> None:
    """Set g.principal for a live session whose request may do what it asks (csrf), or raise why not."""
    if principal is None:
        raise Unauthorized("the session ended (signed out, expired or revoked): sign in again at /auth/login")
    csrf.check_same_origin(request, sessions()[1])
    g.principal = principal


def _presented_token(query_allowed: bool) -> tuple[str | None, bool]:
    """(the token, whether it came in the URL) from `Authorization: Bearer`, HTTP Basic (the
    password is the token: what calendar apps send), or, where allowed, ?token=."""
    asked = request._get_current_object()
    scheme, _, token = asked.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip(), False
    if scheme.lower() == "basic" and asked.authorization and asked.authorization.password:
        return asked.authorization.password, False
    if query_allowed and asked.args.get("token"):
        return asked.args["token"], True
    return None, False
