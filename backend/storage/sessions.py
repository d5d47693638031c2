"""The `sessions` table: one item per signed-in person's session, keyed by the hash of its secret.

    {"id": "session#<sha256>", "name", "email", "role", "departments": [ids] (absent: all),
     "issuer", "subject", "created_at", "ends_at", "expires_at"}
    {"id": "blocked#<subject>", "subject", "name", "blocked_at", "blocked_by"}
    {"id": "person#<issuer>#<subject>", "role", "departments"}: what their latest sign-in gave them

`ends_at` is the absolute end (sign-in + SESSION_MAX_SECONDS); `expires_at`, DynamoDB's TTL
attribute, the sooner of that and the idle end, moved on by `touch`. Both are epoch seconds and
every read checks them itself (DynamoDB's TTL sweep may run days late). Secrets and principals
are auth/'s.
"""
from __future__ import annotations

import time
from typing import NotRequired, TypedDict, cast

from botocore.exceptions import ClientError

from rules.shapes import SessionPerson, StoredSession
from schema import ITEM_IS_NEW, SESSION_EXPIRES_AT, utc_now_iso
from storage import plumbing
from storage.client import error_code
from storage.items import from_item, session_from_wire, to_item
from storage.wire import ExpressionValues, WireItem

SESSION_KEY_PREFIX = "session#"
# A person an admin blocked: no new session for them (sign-in checks it). Kept until unblocked.
BLOCKED_KEY_PREFIX = "blocked#"
# What a person's groups gave them at their latest sign-in (GrantedPerson): a sign-in that gives
# less ends their sessions that have more.
PERSON_KEY_PREFIX = "person#"


class BlockedPerson(TypedDict):
    """A block as stored: whom (their subject and name), when and by whom."""

    id: str
    subject: str
    name: str
    blocked_at: str
    blocked_by: str


class GrantedPerson(TypedDict):
    """A person's role and departments (absent: all) as of their latest sign-in."""

    id: str
    role: str
    departments: NotRequired[list[str]]


_NAMES = {"#id": "id", "#expires": SESSION_EXPIRES_AT, "#ends": "ends_at"}
# Alive, and its absolute end leaves room for the whole idle time asked for.
_ALIVE_WITH_ROOM = "attribute_exists(#id) AND #expires > :now AND #ends >= :until"
_ALIVE = "attribute_exists(#id) AND #expires > :now"


def _key(hashed: str) -> WireItem:
    return to_item({"id": SESSION_KEY_PREFIX + hashed})


class Sessions:
    """The sessions table on a shared client."""

    def __init__(self, client, table: str):
        self.client = client
        self.table = table

    def create(self, hashed: str, person: SessionPerson, idle_seconds: float, max_seconds: float) -> None:
        """Store a new session for `person` (name, email, role, departments or None, issuer, subject)."""
        now = int(time.time())
        ends_at = now + int(max_seconds)
        item = StoredSession(id=SESSION_KEY_PREFIX + hashed, name=person["name"], role=person["role"],
                             issuer=person["issuer"], subject=person["subject"], created_at=utc_now_iso(),
                             ends_at=ends_at, expires_at=min(now + int(idle_seconds), ends_at))
        if person["email"] is not None:
            item["email"] = person["email"]
        if person["departments"] is not None:
            item["departments"] = sorted(set(person["departments"]))
        self.client.put_item(TableName=self.table, Item=to_item(item), **ITEM_IS_NEW.params())

    def touch(self, hashed: str, idle_seconds: float) -> StoredSession | None:
        """The live session with this hash, its idle end moved to now + idle_seconds (never past its
        absolute end); None when there is none or it ended. One UpdateItem (two near the end)."""
        now = int(time.time())
        until = now + int(idle_seconds)
        try:
            return self._extend(hashed, _ALIVE_WITH_ROOM, {":now": now, ":until": until}, ":until")
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            old = exc.response.get("Item")
        if old is None or session_from_wire(old)["ends_at"] <= now:
            return None
        try:  # the last idle period of its life: it ends at its absolute end, if alive now
            return self._extend(hashed, _ALIVE, {":now": now}, "#ends")
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            return None

    def _extend(self, hashed: str, condition: str, values: ExpressionValues, new_end: str) -> StoredSession:
        names = {name: _NAMES[name] for name in _NAMES if name in condition or name in ("#expires", new_end)}
        response = self.client.update_item(
            TableName=self.table, Key=_key(hashed), UpdateExpression=f"SET #expires = {new_end}",
            ConditionExpression=condition, ExpressionAttributeNames=names,
            ExpressionAttributeValues=to_item(values), ReturnValues="ALL_NEW",
            ReturnValuesOnConditionCheckFailure="ALL_OLD")
        return session_from_wire(response["Attributes"])

    def delete(self, hashed: str) -> None:
        """End the session (nothing happens when it is gone already)."""
        self.client.delete_item(TableName=self.table, Key=_key(hashed))

    def live(self) -> list[StoredSession]:
        """Every session that has not ended (a paginated Scan: an admin's listing, not a request's path)."""
        items = plumbing.paginate(self.client, "scan", {
            "TableName": self.table, "FilterExpression": "begins_with(#id, :session) AND #expires > :now",
            "ExpressionAttributeNames": {"#id": "id", "#expires": SESSION_EXPIRES_AT},
            "ExpressionAttributeValues": to_item({":session": SESSION_KEY_PREFIX, ":now": int(time.time())})},
            session_from_wire)
        return list(items)

    def end_person(self, subject: str) -> list[str]:
        """End every session of the person with this subject; returns their hashes."""
        ended = [session["id"].removeprefix(SESSION_KEY_PREFIX) for session in self.live() if session["subject"] == subject]
        for hashed in ended:
            self.delete(hashed)
        return ended

    def swap_grant(self, issuer: str, subject: str, role: str, departments: list[str] | None) -> GrantedPerson | None:
        """Keep what the person's sign-in gives them now; returns what the one before gave (None:
        a first sign-in). One PutItem."""
        item = GrantedPerson(id=f"{PERSON_KEY_PREFIX}{issuer}#{subject}", role=role)
        if departments is not None:
            item["departments"] = sorted(set(departments))
        old = self.client.put_item(TableName=self.table, Item=to_item(item), ReturnValues="ALL_OLD").get("Attributes")
        return None if old is None else cast(GrantedPerson, from_item(old))

    def block(self, subject: str, name: str, blocked_by: str) -> None:
        item = BlockedPerson(id=BLOCKED_KEY_PREFIX + subject, subject=subject, name=name, blocked_at=utc_now_iso(),
                             blocked_by=blocked_by)
        self.client.put_item(TableName=self.table, Item=to_item(item))

    def unblock(self, subject: str) -> None:
        self.client.delete_item(TableName=self.table, Key=to_item({"id": BLOCKED_KEY_PREFIX + subject}))

    def is_blocked(self, subject: str) -> bool:
        """Whether an admin blocked this person (one strongly consistent GetItem)."""
        return "Item" in self.client.get_item(TableName=self.table, Key=to_item({"id": BLOCKED_KEY_PREFIX + subject}),
                                              ConsistentRead=True)

    def blocked(self) -> list[BlockedPerson]:
        """Every blocked person."""
        return list(plumbing.paginate(self.client, "scan", {
            "TableName": self.table, "FilterExpression": "begins_with(#id, :blocked)",
            "ExpressionAttributeNames": {"#id": "id"},
            "ExpressionAttributeValues": to_item({":blocked": BLOCKED_KEY_PREFIX})},
            lambda item: cast(BlockedPerson, from_item(item))))
