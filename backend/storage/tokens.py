"""The `tokens` table: one item per token, keyed by its hash, and one marker per name.

    {"id": "token#<sha256>", "name", "role", "departments": [ids] (absent: all), "created_at", "created_by",
     "owner_issuer", "owner_subject", "owner_name" (a person's personal token only)}
    {"id": "name#<name>", "token_id": "token#<sha256>"}

The two are written in one transaction, so names are unique. A revoke deletes the token item
first and the marker last: a revoke cut short leaves a marker that the next revoke of the name
finishes, never a token that still works without a name. Secrets and principals are auth/'s.
"""
from __future__ import annotations

from typing import Any, NotRequired, TypedDict

from botocore.exceptions import ClientError

from errors import Conflict, NotFound
from schema import ITEM_EXISTS, ITEM_IS_NEW, utc_now_iso
from storage import plumbing
from storage.client import error_code
from storage.items import from_item, to_item

TOKEN_KEY_PREFIX = "token#"
NAME_KEY_PREFIX = "name#"
TOKEN_SUMMARY_FIELDS = ("name", "role", "departments", "created_at", "created_by", "owner_issuer", "owner_subject",
                        "owner_name")


class TokenItem(TypedDict):
    """A token as stored (never its secret; `id` holds its hash)."""

    id: str
    name: str
    role: str
    created_at: str
    created_by: str
    departments: NotRequired[list[str]]


def _token_key(hashed: str) -> str:
    return TOKEN_KEY_PREFIX + hashed


class Tokens:
    """The tokens table on a shared client."""

    def __init__(self, client, table: str):
        self.client = client
        self.table = table

    def create(self, hashed: str, name: str, role: str, departments: list[str] | None, created_by: str,
               owner: dict[str, str] | None = None) -> dict[str, Any]:
        """Store a token by the hash of its secret (`owner`: owner_issuer, owner_subject, owner_name
        of a personal token); returns its summary. Raises Conflict if the name is taken."""
        item: dict[str, Any] = {"id": _token_key(hashed), "name": name, "role": role,
                                "created_at": utc_now_iso(), "created_by": created_by, **(owner or {})}
        if departments is not None:
            item["departments"] = sorted(set(departments))
        marker = {"id": NAME_KEY_PREFIX + name, "token_id": item["id"]}
        try:
            self.client.transact_write_items(TransactItems=[
                {"Put": {"TableName": self.table, "Item": to_item(marker), **ITEM_IS_NEW.params()}},
                {"Put": {"TableName": self.table, "Item": to_item(item), **ITEM_IS_NEW.params()}},
            ])
        except ClientError as exc:
            if error_code(exc) == "TransactionCanceledException":
                raise Conflict(f"a token named {name!r} already exists") from exc
            raise
        return {f: item.get(f) for f in TOKEN_SUMMARY_FIELDS}

    def find(self, hashed: str) -> TokenItem | None:
        """The token with this hash, or None (one strongly consistent GetItem)."""
        response = self.client.get_item(TableName=self.table, Key=to_item({"id": _token_key(hashed)}),
                                        ConsistentRead=True)
        return from_item(response["Item"]) if "Item" in response else None  # type: ignore[return-value]

    def list(self) -> list[dict[str, Any]]:
        """Every token's name, role, departments and creation, sorted by name; never its hash."""
        tokens = plumbing.paginate(self.client, "scan", {
            "TableName": self.table, "FilterExpression": "attribute_exists(#role)",
            "ExpressionAttributeNames": {"#role": "role"}})
        summaries = [{f: t.get(f) for f in TOKEN_SUMMARY_FIELDS} for t in tokens]
        return sorted(summaries, key=lambda t: t["name"])

    def named(self, name: str) -> dict[str, Any]:
        """The summary of the token of this name (never its hash); raises NotFound."""
        marker = self._marker(name)
        item = self.client.get_item(TableName=self.table, Key=to_item({"id": marker["token_id"]}),
                                    ConsistentRead=True).get("Item")
        if item is None:
            raise NotFound(f"no token named {name!r}")
        return {f: from_item(item).get(f) for f in TOKEN_SUMMARY_FIELDS}

    def _marker(self, name: str) -> dict[str, Any]:
        marker = self.client.get_item(TableName=self.table, Key=to_item({"id": NAME_KEY_PREFIX + name}),
                                      ConsistentRead=True).get("Item")
        if marker is None:
            raise NotFound(f"no token named {name!r}")
        return from_item(marker)

    def revoke(self, name: str) -> str:
        """Delete the token of this name (it stops working when caches expire); returns its hash.
        Raises NotFound."""
        marker_key = to_item({"id": NAME_KEY_PREFIX + name})
        token_id = self._marker(name)["token_id"]
        self.client.delete_item(TableName=self.table, Key=to_item({"id": token_id}))
        try:
            self.client.delete_item(TableName=self.table, Key=marker_key, **ITEM_EXISTS.params())
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":  # revoked concurrently: done too
                raise
        return token_id.removeprefix(TOKEN_KEY_PREFIX)
