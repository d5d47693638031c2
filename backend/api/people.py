"""HTTP: /api/people, the people who signed in with the company's account, and blocking them.

For an admin of every department: who has a live session or a personal token, and who is blocked.
Blocking a person (by their subject at the identity provider) ends their sessions and revokes their
personal tokens at once on this instance and within AUTH_CACHE_SECONDS on the others (REST and open
sockets alike), and refuses their next sign-in until they are unblocked.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

import auth
from auth.http import sessions
from auth.store import TokenStore
from database import get_db
from errors import NotFound

bp = Blueprint("people", __name__, url_prefix="/api/people")


def _require_admin_of_everything() -> None:
    _require_sign_in()
    if not auth.current_principal().administers_everything():
        raise auth.Forbidden("only an admin of every department manages people")


def _require_sign_in() -> None:
    if sessions() is None:
        raise NotFound("sign-in with a company account is not configured (OIDC_ISSUER)")


@bp.get("")
@auth.requires("admin")
def list_people():
    """Everyone with a live session or a personal token, and everyone blocked, by name."""
    _require_admin_of_everything()
    store = sessions()[0].store.sessions
    people: dict[str, dict[str, Any]] = {}
    for token in TokenStore(get_db()).list():
        if token["owner_subject"]:
            people.setdefault(token["owner_subject"], {"subject": token["owner_subject"], "name": token["owner_name"]})
    for session in store.live():
        people[session["subject"]] = {"subject": session["subject"], "name": session["name"]}
    blocked = {person["subject"]: person for person in store.blocked()}
    for subject, person in blocked.items():
        people.setdefault(subject, {"subject": subject, "name": person["name"]})
    listed = [{**person, "blocked": person["subject"] in blocked} for person in people.values()]
    return jsonify(sorted(listed, key=lambda person: (person["name"], person["subject"])))


@bp.put("/<subject>/block")
@auth.requires("admin")
def block_person(subject: str):
    """Block the person: their sessions end, their personal tokens are revoked, sign-in refused."""
    _require_admin_of_everything()
    verifier, store = auth.http.verifier(), TokenStore(get_db())
    session_verifier = sessions()[0]
    owned = [token for token in store.list() if token["owner_subject"] == subject]
    name = next((token["owner_name"] for token in owned), None)
    for session in session_verifier.store.sessions.live():
        if session["subject"] == subject:
            name = session["name"]
    session_verifier.store.sessions.block(subject, name or subject, auth.current_principal().name)
    for hashed in session_verifier.store.sessions.end_person(subject):
        session_verifier.forget(hashed)
    for token in owned:
        verifier.forget(store.revoke(token["name"]))
    return "", 204


@bp.delete("/<subject>/block")
@auth.requires("admin")
def unblock_person(subject: str):
    """Let the person sign in again (their ended sessions and revoked tokens stay ended)."""
    _require_admin_of_everything()
    sessions()[0].store.sessions.unblock(subject)
    return "", 204
