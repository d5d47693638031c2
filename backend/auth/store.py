"""API tokens as auth/ sees them: a new secret for each, stored by its hash (storage/tokens.py
keeps the table), and the principal a stored token stands for."""
from __future__ import annotations

from typing import Any

from auth.principal import Principal
from auth.tokens import new_token, token_hash
from models import DynamoDBDatabase
from rules.actors import person
from storage.tokens import TokenOwner, Tokens, TokenSummary


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

    def revoke(self, name: str) -> str:
        """Delete the token of this name (it stops working when caches expire); returns its hash.
        Raises NotFound."""
        return self.tokens.revoke(name)
