"""HTTP: /api/tokens, personal tokens (app passwords) of people signed in with the company's account.

A signed-in person makes tokens for the C# client, feeds and calendar apps, never with more than
their own role and departments; the secret is in the creation's answer only. They list and revoke
their own; an admin who reaches every department lists and revokes anyone's. Operators' tokens
(`flask --app app tokens ...`) show up for admins with no owner.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

import auth
from api.request_body import json_body
from auth.principal import Principal
from auth.store import TokenStore
from database import get_db
from errors import NotFound, ValidationError
from validation import validate_personal_token

bp = Blueprint("personal_tokens", __name__, url_prefix="/api/tokens")


def _store() -> TokenStore:
    return TokenStore(get_db())


def _owns(principal: Principal, token: dict[str, Any]) -> bool:
    return principal.identity is not None and principal.identity == (token.get("owner_issuer"), token.get("owner_subject"))


def _public(token: dict[str, Any]) -> dict[str, Any]:
    shown = {key: token.get(key) for key in ("name", "role", "departments", "created_at", "created_by")}
    return {**shown, "owner": token.get("owner_name"), **({"token": token["token"]} if "token" in token else {})}


@bp.post("")
@auth.requires("viewer")
def create_token():
    """A new token of the signed-in person, at most their role and departments; 201 with the secret."""
    person = auth.current_principal()
    if person.auth != "session":
        raise auth.Forbidden("personal tokens are made by a person signed in with the company account (/auth/login)")
    fields = validate_personal_token(json_body())
    role = fields["role"] or person.role
    if not person.allows(role):
        raise auth.Forbidden(f"a token cannot have more than your own role ({person.role})")
    departments = fields["departments"]
    if departments is None:
        departments = None if person.departments is None else sorted(person.departments)
    elif person.departments is not None and not set(departments) <= person.departments:
        raise auth.Forbidden("a token cannot reach departments you cannot reach")
    elif len(get_db().get_departments(departments)) != len(departments):
        raise ValidationError("invalid input: departments must name existing departments",
                              {"departments": "must name existing departments"})
    response = jsonify(_public(_store().create_personal(fields["name"], role, departments, person)))
    response.status_code = 201
    return response


@bp.get("")
@auth.requires("viewer")
def list_tokens():
    """The caller's own tokens; an admin of every department: every token."""
    principal = auth.current_principal()
    tokens = _store().list()
    if not principal.administers_everything():
        tokens = [token for token in tokens if _owns(principal, token)]
    return jsonify([_public(token) for token in tokens])


@bp.delete("/<token_name>")
@auth.requires("viewer")
def revoke_token(token_name: str):
    """Revoke one of the caller's tokens (an admin of every department: anyone's); it stops working
    here at once, on other instances within AUTH_CACHE_SECONDS. 404 for a token that is not theirs."""
    principal, store = auth.current_principal(), _store()
    if not principal.administers_everything() and not _owns(principal, store.named(token_name)):
        raise NotFound(f"no token named {token_name!r}")
    auth.http.verifier().forget(store.revoke(token_name))
    return "", 204
