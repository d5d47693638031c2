"""The `tokens` table: one item per token, keyed by its hash, and one marker per name.

    {"id": "token#<sha256>", "name", "role", "departments": [ids] (absent: all), "created_at", "created_by"}
    {"id": "name#<name>", "token_id": "token#<sha256>"}

The two are written in one transaction, so names are unique. A revoke deletes the token item
first and the marker last: a revoke cut short leaves a marker that the next revoke of the name
finishes, never a token that still works without a name.
"""
from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from auth.principal import Principal
from auth.tokens import new_token, token_hash
from errors import Conflict, NotFound
from models import DynamoDBDatabase, error_code, from_item, to_item
from schema import ITEM_EXISTS, ITEM_IS_NEW, utc_now_iso

TOKEN_KEY_PREFIX = "token#"
NAME_KEY_PREFIX = "name#"
TOKEN_SUMMARY_FIELDS = ("name", "role", "departments", "created_at", "created_by")


def _token_key(hashed: str) -> str:
    return TOKEN_KEY_PREFIX + hashed


class TokenStore:
    """Create, find, list and revoke API tokens; shares the database's client and table prefix."""

    def __init__(self, db: DynamoDBDatabase):
        self.client = db.client
        self.table = db.settings.tokens_table

    def create(self, name: str, role: str, departments: list[str] | None = None, created_by: str = "cli") -> str:
        """Store a new token; returns its secret (kept nowhere). Raises Conflict if the name is taken."""
        secret = new_token()
        item: dict[str, Any] = {"id": _token_key(token_hash(secret)), "name": name, "role": role,
                                "created_at": utc_now_iso(), "created_by": created_by}
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
        return secret

    def find(self, hashed: str) -> Principal | None:
        """The principal of the token with this hash, or None (one strongly consistent GetItem)."""
        response = self.client.get_item(TableName=self.table, Key=to_item({"id": _token_key(hashed)}),
                                        ConsistentRead=True)
        if "Item" not in response:
            return None
        item = from_item(response["Item"])
        departments = item.get("departments")
        return Principal(item["name"], item["role"], None if departments is None else frozenset(departments))

    def list(self) -> list[dict[str, Any]]:
        """Every token's name, role, departments and creation, sorted by name; never its hash."""
        kwargs: dict[str, Any] = {"TableName": self.table, "FilterExpression": "attribute_exists(#role)",
                                  "ExpressionAttributeNames": {"#role": "role"}}
        tokens = []
        while True:
            page = self.client.scan(**kwargs)
            tokens += [from_item(item) for item in page.get("Items", [])]
            if not page.get("LastEvaluatedKey"):
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        summaries = [{f: t.get(f) for f in TOKEN_SUMMARY_FIELDS} for t in tokens]
        return sorted(summaries, key=lambda t: t["name"])

    def revoke(self, name: str) -> None:
        """Delete the token of this name (it stops working when caches expire). Raises NotFound."""
        marker_key = to_item({"id": NAME_KEY_PREFIX + name})
        marker = self.client.get_item(TableName=self.table, Key=marker_key, ConsistentRead=True).get("Item")
        if marker is None:
            raise NotFound(f"no token named {name!r}")
        self.client.delete_item(TableName=self.table, Key=to_item({"id": from_item(marker)["token_id"]}))
        try:
            self.client.delete_item(TableName=self.table, Key=marker_key, **ITEM_EXISTS.params())
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":  # revoked concurrently: done too
                raise
