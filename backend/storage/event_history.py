"""The event_history table: one entry per change of an event, written as a Put in the same
TransactWriteItems as the change (so an entry exists exactly when its change does), read newest
first. A deletion's entry keeps the deleted item: the department's trash (storage/trash.py)."""
from __future__ import annotations

import time
from collections.abc import Iterable
from typing import cast

from config import Settings
from rules.actors import Actor
from rules.history_entries import (
    Action,
    EntryKey,
    HistoryEntry,
    PackedEntry,
    StoredEntry,
    changed_fields,
    entry_key,
    fields_of,
    history_key,
    new_entry,
    packed,
    public_entry,
    unpacked,
)
from rules.shapes import PublicEvent, StoredEvent, public_event
from schema import HISTORY_ENTRY, HISTORY_KEY, MIGRATION_ACTOR, TRASH_DEPARTMENT
from storage import plumbing
from storage.items import from_item, to_item
from storage.wire import QueryInput, TransactAction, WireItem

DAY_SECONDS = 86400


def stored_entry_from_wire(item: WireItem) -> StoredEntry:
    return unpacked(cast(PackedEntry, from_item(item)))


class EventHistory:
    """The event_history table on a shared client."""

    def __init__(self, settings: Settings, client):
        self.settings = settings
        self.client = client
        self.table = settings.history_table

    # -- what a change writes -------------------------------------------------------------

    def stored(self, entry: HistoryEntry, item: StoredEvent | None = None) -> StoredEntry:
        """The entry as stored: keyed, expiring after HISTORY_DAYS (a deletion's, which keeps
        `item`, after TRASH_DAYS if that is longer)."""
        days = self.settings.history_days
        stored = cast(StoredEntry, {
            **{k: v for k, v in entry.items() if v is not None},
            HISTORY_KEY: history_key(entry["department_id"], entry["event_id"]),
            HISTORY_ENTRY: entry_key(entry["changed_at"], entry["version"]),
        })
        if item is not None:
            stored["item"] = item
            days = max(days, self.settings.trash_days)
        stored["expires_at"] = int(time.time()) + days * DAY_SECONDS
        return stored

    def put(self, stored: StoredEntry) -> TransactAction:
        """The transaction's action writing the entry."""
        return {"Put": {"TableName": self.table, "Item": to_item(packed(stored))}}

    def created(self, event: PublicEvent, actor: Actor, action: Action = "created") -> StoredEntry:
        """The entry of a new (or restored) event, every field it has as `after`."""
        return self.stored(new_entry(action, event, event["version"], event["last_modified"], actor,
                                     after=fields_of(public_event(event))))

    def updated(self, before: PublicEvent, after: PublicEvent, actor: Actor) -> StoredEntry:
        """The entry of a change from `before` to `after` (the fields that differ)."""
        was, now = changed_fields(before, after)
        return self.stored(new_entry("updated", after, after["version"], after["last_modified"], actor,
                                     before=was, after=now))

    def deleted(self, item: StoredEvent, changed_at: str, actor: Actor, trash: bool = False,
                exceptions: list[EntryKey] | None = None) -> StoredEntry:
        """The entry of the deletion of `item` (its tombstone is the next version); with `trash`,
        restorable from the department's trash (with the `exceptions` deleted with it)."""
        stored = self.stored(new_entry("deleted", item, item["version"] + 1, changed_at, actor), item=item)
        if trash:
            stored[TRASH_DEPARTMENT] = item["department_id"]
        if exceptions:
            stored["exceptions"] = exceptions
        return stored

    def put_migrated(self, events: Iterable[PublicEvent]) -> None:
        """One "migrated" entry per event a bulk load wrote (batched, unconditional)."""
        entries = [self.created(event, Actor(MIGRATION_ACTOR), "migrated") for event in events]
        plumbing.batch_write(self.client, self.table, [{"PutRequest": {"Item": to_item(packed(e))}} for e in entries])

    # -- reads ----------------------------------------------------------------------------

    def page(self, department_id: str, event_id: str, limit: int,
             start_key: WireItem | None = None) -> tuple[list[HistoryEntry], WireItem | None]:
        """Up to `limit` entries of the event, newest first, after start_key; with the key the next
        page starts after, or None."""
        items, next_key = plumbing.page(self.client, "query", self._entries(department_id, event_id), limit,
                                        start_key, key_names=(HISTORY_KEY, HISTORY_ENTRY))
        return [public_entry(stored_entry_from_wire(item)) for item in items], next_key

    def newest(self, department_id: str, event_id: str) -> StoredEntry | None:
        """The event's latest entry (strongly consistent), None when it has none."""
        response = self.client.query(**self._entries(department_id, event_id), Limit=1)
        items = response.get("Items", [])
        return stored_entry_from_wire(items[0]) if items else None

    def _entries(self, department_id: str, event_id: str) -> QueryInput:
        return {"TableName": self.table, "KeyConditionExpression": "#key = :key", "ScanIndexForward": False,
                "ConsistentRead": True, "ExpressionAttributeNames": {"#key": HISTORY_KEY},
                "ExpressionAttributeValues": to_item({":key": history_key(department_id, event_id)})}
