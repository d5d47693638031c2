"""A department's trash: the events and series deleted in the last TRASH_DAYS, restorable by its
editors. They are the deletions' history entries that still hold TRASH_DEPARTMENT, listed newest
first through the sparse department-trash-index; a restore or a final removal takes that attribute
away under the condition that it is still there, so of two racing, exactly one wins."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import cast

from botocore.exceptions import ClientError

from errors import Conflict, DatabaseError, NotFound
from rules.actors import Actor, stamped
from rules.history_entries import StoredEntry
from rules.series_scope import Edit
from rules.shapes import EXCEPTION_DATES, SERIES_MONTHS, PublicEvent, StoredEvent, public_event, with_search_text
from rules.timestamps import format_timestamp
from schema import (
    DEPARTMENT_IS_LIVE,
    DEPARTMENT_TRASH_INDEX,
    HISTORY_ENTRY,
    HISTORY_KEY,
    TOMBSTONE_MARKER,
    TRASH_DEPARTMENT,
    department_key,
    department_not_found,
    utc_now_iso,
)
from storage import plumbing, series_actions
from storage.client import error_code
from storage.event_history import stored_entry_from_wire
from storage.events import Events
from storage.items import to_item
from storage.wire import QueryInput, TransactAction, WireItem

# The event is gone for good or was deleted again since: its tombstone is no longer the one the
# deletion left, nor absent.
RESTORABLE = ("attribute_not_exists(#id) OR (attribute_exists(#deleted) AND #version = :tombstone)")


class TrashedEvent(PublicEvent):
    """A deleted event as the trash lists it: the event as it was, when and by whom it was deleted."""

    deleted_at: str
    deleted_by: str


def _not_in_trash(event_id: str) -> NotFound:
    return NotFound(f"event {event_id} is not in the department's trash (restored, removed, or deleted too long ago)")


class Trash:
    """The trash of every department, on the events store (its history and client)."""

    def __init__(self, events: Events):
        self.events = events
        self.history = events.history
        self.client = events.client

    def page(self, department_id: str, limit: int,
             start_key: WireItem | None = None) -> tuple[list[TrashedEvent], WireItem | None]:
        """Up to `limit` deleted events of the department, newest first, after start_key; with the
        key the next page starts after, or None."""
        query: QueryInput = {
            "TableName": self.history.table, "IndexName": DEPARTMENT_TRASH_INDEX, "ScanIndexForward": False,
            "KeyConditionExpression": "#dep = :dep AND #at >= :since",
            "ExpressionAttributeNames": {"#dep": TRASH_DEPARTMENT, "#at": "changed_at"},
            "ExpressionAttributeValues": to_item({":dep": department_id, ":since": self._oldest()}),
        }
        items, next_key = plumbing.page(self.client, "query", query, limit, start_key,
                                        key_names=(TRASH_DEPARTMENT, "changed_at", HISTORY_KEY, HISTORY_ENTRY))
        return [_trashed(stored_entry_from_wire(item)) for item in items], next_key

    def restore(self, department_id: str, event_id: str, actor: Actor) -> Edit:
        """Store the deleted event again (a series with the exceptions deleted with it), under its
        id, as the version after its tombstone's, with a "restored" history entry each. Raises
        NotFound when it is not in the trash or the department is gone."""
        entry = self._in_trash(department_id, event_id)
        entries = [entry, *self._exception_entries(entry)]
        now = utc_now_iso()
        items = [_restored(e, now, actor) for e in entries]
        self.events.departments.mark_spanning(items)
        first: list[TransactAction] = [
            {"ConditionCheck": {"TableName": self.events.settings.departments_table,
                                "Key": to_item(department_key(department_id)), **DEPARTMENT_IS_LIVE.params()}},
            self._take_out(entry, "restored", now, actor),
        ]
        groups = [self._put_back(e, item, actor) for e, item in zip(entries, items, strict=True)]
        head, *rest = series_actions.packed([first + groups[0], *groups[1:]])
        actions = [action for group in head for action in group]
        errors: list[DatabaseError] = [NotFound(department_not_found(department_id)), _not_in_trash(event_id)]
        errors += [Conflict(f"event {event_id} was stored again meanwhile")] * (len(actions) - len(errors))
        plumbing.transact(self.client, actions, if_condition_fails=errors)
        for transaction in rest:  # a series with more exceptions than one transaction holds
            plumbing.transact(self.client, [action for group in transaction for action in group])
        restored = [public_event(item) for item in items]
        return Edit(restored[0], created=restored)

    def remove(self, department_id: str, event_id: str, actor: Actor) -> None:
        """Take the deleted event out of the trash for good (its history stays). Raises NotFound."""
        entry = self._in_trash(department_id, event_id)
        update = self._take_out(entry, "removed", utc_now_iso(), actor)["Update"]
        try:
            self.client.update_item(**update)  # one item: no transaction needed
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                raise _not_in_trash(event_id) from exc
            raise

    def _in_trash(self, department_id: str, event_id: str) -> StoredEntry:
        """The event's deletion entry while it is in the trash; raises NotFound."""
        newest = self.history.newest(department_id, event_id)
        if newest is None or TRASH_DEPARTMENT not in newest or newest["changed_at"] < self._oldest():
            raise _not_in_trash(event_id)
        return newest

    def _exception_entries(self, entry: StoredEntry) -> list[StoredEntry]:
        """The deletion entries of the exceptions deleted with a series (those still stored)."""
        keys = entry.get("exceptions", [])
        found = [e for items in plumbing.batch_get_all(self.client, self.history.table, keys, stored_entry_from_wire)
                 for e in items]
        return sorted(found, key=lambda e: e["event_id"])

    def _oldest(self) -> str:
        """The earliest deletion time still in the trash."""
        return format_timestamp(datetime.now(UTC) - timedelta(days=self.events.settings.trash_days))

    def _take_out(self, entry: StoredEntry, how: str, now: str, actor: Actor) -> TransactAction:
        """The update taking the deletion out of the trash (`how`: restored or removed), if it is still in it."""
        return {"Update": {
            "TableName": self.history.table,
            "Key": to_item({HISTORY_KEY: entry[HISTORY_KEY], HISTORY_ENTRY: entry[HISTORY_ENTRY]}),
            "UpdateExpression": "REMOVE #trash SET #at = :now, #by = :actor",
            "ConditionExpression": "attribute_exists(#trash)",
            "ExpressionAttributeNames": {"#trash": TRASH_DEPARTMENT, "#at": f"{how}_at", "#by": f"{how}_by"},
            "ExpressionAttributeValues": to_item({":now": now, ":actor": actor.name}),
        }}

    def _put_back(self, entry: StoredEntry, item: StoredEvent, actor: Actor) -> list[TransactAction]:
        """The event stored again in place of its tombstone (or where it expired), and its history entry."""
        put: TransactAction = {"Put": {
            "TableName": self.events.table, "Item": to_item(item), "ConditionExpression": RESTORABLE,
            "ExpressionAttributeNames": {"#id": "id", "#deleted": TOMBSTONE_MARKER, "#version": "version"},
            "ExpressionAttributeValues": to_item({":tombstone": entry["version"]}),
        }}
        return [put, self.history.put(self.history.created(public_event(item), actor, "restored"))]


def _restored(entry: StoredEntry, now: str, actor: Actor) -> StoredEvent:
    """The deleted item as it is stored again: the version after its tombstone's."""
    item = stamped(cast(StoredEvent, {**entry["item"], "version": entry["version"] + 1, "last_modified": now}), actor)
    for name in (EXCEPTION_DATES, SERIES_MONTHS):  # read back as lists, stored as sets
        if name in item:
            item[name] = set(item[name])  # type: ignore[literal-required, typeddict-item]
    return with_search_text(item)  # deleted before search was built, it holds none


def _trashed(entry: StoredEntry) -> TrashedEvent:
    event = public_event(entry["item"])
    return cast(TrashedEvent, {**event, "deleted_at": entry["changed_at"], "deleted_by": entry["changed_by"]})

