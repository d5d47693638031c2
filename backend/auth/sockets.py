"""Socket.IO: a token (or a sign-in cookie) at connect, and the re-check that disconnects the
sockets of revoked tokens and ended sessions.

Each instance checks the tokens and sessions of its own sockets against DynamoDB every
AUTH_CACHE_SECONDS (one read per distinct token or session; for a session it also counts as
activity, moving its idle end on: an open page keeps its session alive up to SESSION_MAX_SECONDS),
so a revoked token's or ended session's sockets are gone within that time on every instance; no
message between instances is needed.
"""
from __future__ import annotations

import logging
import threading
from typing import Any

from flask import request
from socketio.exceptions import ConnectionRefusedError as SocketRefused

from auth import http
from auth.cache import TokenVerifier
from auth.principal import ANONYMOUS, Principal
from auth.sessions import COOKIE_NAME
from auth.tokens import token_hash
from storage.aws_failures import AWS_ERRORS

log = logging.getLogger(__name__)

# sid -> (verifier, token hash, principal) of every socket connected to this process (verifier
# and hash None with AUTH_MODE=off).
_sockets: dict[str, tuple[TokenVerifier | None, str | None, Principal]] = {}
_sweeper_lock = threading.Lock()
_sweeper_started = False


def refuse(message: str) -> SocketRefused:
    """The refusal a client sees as its connect error: `message`, and as its `data` the API's error
    body. (python-socketio's exception: Python's own ConnectionRefusedError reaches the client as
    "Connection refused by server" only.)"""
    return SocketRefused(message, {"error": "unauthorized", "message": message})


def authenticate(auth_payload: Any, sid: str, socketio: Any) -> Principal:
    """The principal of a connecting socket, from `{"token": ...}` or `Authorization: Bearer`;
    raises the refusal (`refuse`) without a valid token."""
    verifier = http.verifier()
    if verifier is None:
        _sockets[sid] = (None, None, ANONYMOUS)
        return ANONYMOUS
    token = auth_payload.get("token") if isinstance(auth_payload, dict) else None
    if not isinstance(token, str) or not token:
        scheme, _, header_token = request.headers.get("Authorization", "").strip().partition(" ")
        token = header_token.strip() if scheme.lower() == "bearer" else None
    if not token:
        verifier, hashed, principal = _session_of_cookie()
    else:
        hashed = token_hash(token)
        principal = verifier.verify_hash(hashed)
        if principal is None:
            raise refuse("the token is unknown or revoked")
    _sockets[sid] = (verifier, hashed, principal)
    _start_sweeper(socketio, verifier.seconds)
    return principal


def _session_of_cookie() -> tuple[TokenVerifier, str, Principal]:
    """(the session verifier, the hash, the person) of the sign-in cookie the socket connected
    with; raises the refusal without a live session."""
    session_check = http.sessions()
    cookie = request.cookies.get(COOKIE_NAME) if session_check is not None else None
    if not cookie:
        raise refuse('send {"token": "<token>"} as the auth payload, or `Authorization: Bearer <token>`'
                     + (", or sign in at /auth/login" if session_check is not None else ""))
    hashed = token_hash(cookie)
    principal = session_check[0].verify_hash(hashed)
    if principal is None:
        raise refuse("the session ended (signed out, expired or revoked): sign in again at /auth/login")
    return session_check[0], hashed, principal


def principal_of(sid: str) -> Principal | None:
    """The principal a connected socket authenticated as; None once its token was found revoked."""
    entry = _sockets.get(sid)
    return entry[2] if entry else None


def forget(sid: str) -> None:
    _sockets.pop(sid, None)


def _start_sweeper(socketio: Any, interval: float) -> None:
    global _sweeper_started
    with _sweeper_lock:
        if _sweeper_started:
            return
        _sweeper_started = True
    socketio.start_background_task(_sweep_forever, socketio, interval)


def _sweep_forever(socketio: Any, interval: float) -> None:
    while True:
        socketio.sleep(interval)
        try:
            sweep(socketio)
        except Exception:  # the sweeper must outlive any one failure
            log.exception("re-checking the tokens of open sockets failed")


def sweep(socketio: Any) -> int:
    """Re-check each distinct token of this process's sockets in DynamoDB; disconnect the sockets
    of revoked ones. Returns how many were disconnected."""
    by_token: dict[tuple[int, str], list[str]] = {}
    verifiers = {}
    for sid, (verifier, hashed, _principal) in list(_sockets.items()):
        if verifier is None or hashed is None:
            continue
        by_token.setdefault((id(verifier), hashed), []).append(sid)
        verifiers[id(verifier)] = verifier
    dropped = 0
    for (verifier_id, hashed), sids in by_token.items():
        try:
            still_valid = verifiers[verifier_id].verify_hash(hashed, fresh=True) is not None
        except AWS_ERRORS as exc:
            log.warning("could not re-check a socket token (kept for now): %s", exc)
            continue
        if not still_valid:
            for sid in sids:
                forget(sid)
                socketio.server.disconnect(sid, namespace="/")
            dropped += len(sids)
            log.info("disconnected %d socket(s) of a revoked token", len(sids))
    return dropped
