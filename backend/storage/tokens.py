"""The `tokens` table: one item per token, keyed by its hash, and one marker per name.

    {"id": "token#<sha256>", "name", "role", "departments": [ids] (absent: all), "created_at", "created_by",
     "owner_issuer", "owner_subject", "owner_name" (a person's personal token only)}
    {"id": "name#<name>", "token_id": "token#<sha256>"}

The two are written in one transaction, so names are unique. A revoke deletes the token item
first and the marker last: a revoke cut short leaves a marker that the next revoke of the name
finishes, never a token that still works without a name. Secrets and principals are auth/'s.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import NotRequired, TypedDict, cast

from botocore.exceptions import ClientError

from errors import Conflict, NotFound
from schema import ITEM_EXISTS, ITEM_IS_NEW, utc_now_iso
from storage import plumbing
from storage.client import error_code
from storage.items import from_item, to_item
from storage.wire import WireItem

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
    owner_issuer: NotRequired[str]
    owner_subject: NotRequired[str]
    owner_name: NotRequired[str]


class TokenOwner(TypedDict):
    """Whose personal token it is: the person's issuer and subject, and their display name."""

    owner_issuer: str
    owner_subject: str
    owner_name: str


class TokenSummary(TypedDict):
    """What a listing shows of a token (TOKEN_SUMMARY_FIELDS; departments None: all; the owner
    fields None for an operator's token)."""

    name: str
    role: str
    departments: list[str] | None
    created_at: str
    created_by: str
    owner_issuer: str | None
    owner_subject: str | None
    owner_name: str | None


def _summary(item: TokenItem) -> TokenSummary:
    return cast(TokenSummary, {f: item.get(f) for f in TOKEN_SUMMARY_FIELDS})


def token_from_wire(item: WireItem) -> TokenItem:
    """A token item as plain values."""
    return cast(TokenItem, from_item(item))


def _token_key(hashed: str) -> str:
    return TOKEN_KEY_PREFIX + hashed


class Tokens:
    """The tokens table on a shared client."""

    def __init__(self, client, table: str):
        self.client = client
        self.table = table

    def create(self, hashed: str, name: str, role: str, departments: list[str] | None, created_by: str,
               owner: TokenOwner | None = None) -> TokenSummary:
        """Store a token by the hash of its secret (`owner`: whose personal token it is); returns its
        summary. Raises Conflict if the name is taken."""
        item: TokenItem = {"id": _token_key(hashed), "name": name, "role": role,
                           "created_at": utc_now_iso(), "created_by": created_by}
        if owner is not None:
            item.update(owner)
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
        return _summary(item)

    def find(self, hashed: str) -> TokenItem | None:
        """The token with this hash, or None (one strongly consistent GetItem)."""
        response = self.client.get_item(TableName=self.table, Key=to_item({"id": _token_key(hashed)}),
                                        ConsistentRead=True)
        return token_from_wire(response["Item"]) if "Item" in response else None

    def list(self) -> list[TokenSummary]:
        """Every token's name, role, departments and creation, sorted by name; never its hash."""
        tokens = plumbing.paginate(self.client, "scan", {
            "TableName": self.table, "FilterExpression": "attribute_exists(#role)",
            "ExpressionAttributeNames": {"#role": "role"}}, token_from_wire)
        summaries = [_summary(t) for t in tokens]
        return sorted(summaries, key=lambda t: t["name"])

    def owned_by(self, issuer: str, subject: str) -> Iterator[TokenItem]:
        """The personal tokens of the person with this issuer and subject (a paginated Scan: tokens
        are few, and sign-in, which asks, is rare)."""
        return plumbing.paginate(self.client, "scan", {
            "TableName": self.table, "FilterExpression": "#issuer = :issuer AND #subject = :subject",
            "ExpressionAttributeNames": {"#issuer": "owner_issuer", "#subject": "owner_subject"},
            "ExpressionAttributeValues": to_item({":issuer": issuer, ":subject": subject})}, token_from_wire)

    def limit(self, token_id: str, role: str, departments: Sequence[str] | None, owner_name: str) -> None:
        """Give the token with this key (`token#<hash>`) this role, these departments (None: all) and
        owner name; nothing happens when it was revoked meanwhile (never brought back)."""
        update = "SET #role = :role, #owner = :owner" + (", #departments = :departments" if departments is not None
                                                          else " REMOVE #departments")
        values = {":role": role, ":owner": owner_name,
                  **({":departments": sorted(set(departments))} if departments is not None else {})}
        try:
            self.client.update_item(
                TableName=self.table, Key=to_item({"id": token_id}), UpdateExpression=update,
                ConditionExpression=ITEM_EXISTS.expression, ExpressionAttributeValues=to_item(values),
                ExpressionAttributeNames={"#role": "role", "#owner": "owner_name", "#departments": "departments",
                                          **ITEM_EXISTS.names})
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise

    def named(self, name: str) -> TokenSummary:
        """The summary of the token of this name (never its hash); raises NotFound."""
        item = self.client.get_item(TableName=self.table, Key=to_item({"id": self._token_id(name)}),
                                    ConsistentRead=True).get("Item")
        if item is None:
            raise NotFound(f"no token named {name!r}")
        return _summary(token_from_wire(item))

    def _token_id(self, name: str) -> str:
        """The key of the token this name's marker points at; raises NotFound."""
        marker = self.client.get_item(TableName=self.table, Key=to_item({"id": NAME_KEY_PREFIX + name}),
                                      ConsistentRead=True).get("Item")
        if marker is None:
            raise NotFound(f"no token named {name!r}")
        return str(from_item(marker)["token_id"])

    def revoke(self, name: str) -> str:
        """Delete the token of this name (it stops working when caches expire); returns its hash.
        Raises NotFound."""
        marker_key = to_item({"id": NAME_KEY_PREFIX + name})
        token_id = self._token_id(name)
        self.client.delete_item(TableName=self.table, Key=to_item({"id": token_id}))
        try:
            self.client.delete_item(TableName=self.table, Key=marker_key, **ITEM_EXISTS.params())
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":  # revoked concurrently: done too
                raise
        return token_id.removeprefix(TOKEN_KEY_PREFIX)
