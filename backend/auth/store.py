"""API tokens as auth/ sees them: a new secret for each, stored by its hash (storage/tokens.py
keeps the table), and the principal a stored token stands for.

A personal token never has more than its person: it is made with at most their role and
departments, and each time they sign in (their groups read afresh) their tokens are cut down to
what they have now (`fit_to_person`), or revoked when that leaves them nothing."""
from __future__ import annotations

from contextlib import suppress
from typing import Any

from auth.principal import ROLES, Principal
from auth.tokens import new_token, token_hash
from errors import NotFound
from models import DynamoDBDatabase
from rules.actors import person
from storage.tokens import TOKEN_KEY_PREFIX, TokenOwner, Tokens, TokenSummary


class TokenStore:
    """Create, find, list and revoke API tokens; shares the database's client and table prefix."""

    def __init__(self, db: DynamoDBDatabase):
        self.tokens = Tokens(db.client, db.settings.tokens_table)

    def create(self, name: str, role: str, departments: list[str] | None = None, created_by: str = "cli") -> str:
        """Store a new token; returns its secret (kept nowhere). Raises Conflict if the name is taken."""
        secret = new_token()
        self.tokens.create(token_hash(secret), name, role, departments, created_by)
        return secret

    def create_personal(self, name: str, role: str, departments: list[str] | None, person: Principal) -> dict[str, Any]:
        """A signed-in person's own token: its summary with the secret as `token` (shown once).
        Raises Conflict if the name is taken."""
        secret = new_token()
        issuer, subject = person.identity or ("", "")
        owner = TokenOwner(owner_issuer=issuer, owner_subject=subject, owner_name=person.name)
        return {**self.tokens.create(token_hash(secret), name, role, departments, person.name, owner), "token": secret}

    def named(self, name: str) -> TokenSummary:
        """The summary of the token of this name; raises NotFound."""
        return self.tokens.named(name)

    def find(self, hashed: str) -> Principal | None:
        """The principal of the token with this hash, or None (one strongly consistent GetItem)."""
        item = self.tokens.find(hashed)
        if item is None:
            return None
        departments = item.get("departments")
        owner = person(item["owner_name"], item["owner_issuer"], item["owner_subject"]) if "owner_subject" in item else None
        return Principal(item["name"], item["role"], None if departments is None else frozenset(departments), owner=owner)

    def list(self) -> list[TokenSummary]:
        """Every token's name, role, departments and creation, sorted by name; never its hash."""
        return self.tokens.list()

    def fit_to_person(self, issuer: str, subject: str, name: str, role: str | None,
                      departments: list[str] | None) -> list[str]:
        """Cut the person's personal tokens down to the role and departments they have now (role
        None: none at all), renaming their owner to `name`; a token left no department, or its
        person no role, is revoked. Returns the hashes of the tokens changed or revoked."""
        touched = []
        for token in [*self.tokens.owned_by(issuer, subject)]:  # read all before changing any
            fitted = None if role is None else fitted_to(token["role"], token.get("departments"), role, departments)
            if fitted is None:
                with suppress(NotFound):  # revoked meanwhile
                    self.tokens.revoke(token["name"])
            elif fitted != (token["role"], token.get("departments")) or name != token.get("owner_name"):
                self.tokens.limit(token["id"], *fitted, name)
            else:
                continue
            touched.append(token["id"].removeprefix(TOKEN_KEY_PREFIX))
        return touched

    def revoke(self, name: str) -> str:
        """Delete the token of this name (it stops working when caches expire); returns its hash.
        Raises NotFound."""
        return self.tokens.revoke(name)


def fitted_to(own_role: str, own: list[str] | None, role: str,
              departments: list[str] | None) -> tuple[str, list[str] | None] | None:
    """The role and departments (None: all) a token (or a session) of `own_role` and `own`
    departments keeps under its person's `role` and `departments` of now: the lower role, the
    departments both reach; None when that is no department."""
    kept_role = min(own_role, role, key=ROLES.index)
    if departments is None:
        kept = own
    else:
        kept = sorted(set(departments) if own is None else set(own) & set(departments))
    return None if kept == [] else (kept_role, kept)
