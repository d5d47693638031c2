"""What an event's history records of one change, in pure code (no boto3, no Flask): the entry's
keys, which fields changed from what to what, and the entry as an answer shows it.

storage/event_history.py stores the entries in the same transaction as the change."""
from __future__ import annotations

import json
from typing import Final, Literal, NotRequired, TypedDict, cast

from rules.actors import Actor
from rules.shapes import EventFields, PublicEvent, StoredEvent

# The event_history table's keys (schema.py re-exports them): `<department id>/<event id>` and
# `<changed_at>#<version>`; a deletion still restorable carries TRASH_DEPARTMENT (the trash's GSI).
HISTORY_KEY: Final = "event"
HISTORY_ENTRY: Final = "entry"
TRASH_DEPARTMENT: Final = "trash_department"
# Stored as compact JSON text, one attribute each: an entry is written on every change, and a map
# costs botocore a walk of every field to send (the POST path's CPU).
PACKED = ("before", "after", "item", "exceptions")
# Read from the keys, not stored again.
DERIVED = ("event_id", "department_id", "version")

Action = Literal["created", "updated", "deleted", "restored", "migrated"]
# The fields a change is recorded by: those a request may write.
RECORDED_FIELDS = tuple(EventFields.__annotations__)


class HistoryEntry(TypedDict):
    """One change of an event as its history answers it (`before`/`after`: the changed fields;
    a creation's `after` and a deletion's `before` hold every field the event had)."""

    event_id: str
    department_id: str
    action: Action
    version: int
    changed_at: str
    changed_by: str
    before: EventFields | None
    after: EventFields | None
    changed_by_id: NotRequired[str]  # a person's identity (rules/actors.py), when a person made it


class EntryKey(TypedDict):
    """The key of an entry in the event_history table."""

    event: str
    entry: str


class StoredEntry(HistoryEntry):
    """An entry as the event_history table holds it (see schema.HISTORY_KEY)."""

    event: str
    entry: str
    expires_at: int
    item: NotRequired[StoredEvent]  # a deletion's: the event as it was, to restore it
    trash_department: NotRequired[str]  # while the deletion is restorable
    exceptions: NotRequired[list[EntryKey]]  # a series' deletion: its exceptions' entries' keys


class PackedEntry(TypedDict, total=False):
    """An entry as the item holds it (`packed`): the PACKED fields as JSON text, no DERIVED one,
    `changed_at` only on a deletion in the trash (the trash index's sort key)."""

    event: str
    entry: str
    action: str
    changed_by: str
    changed_at: str
    expires_at: int
    trash_department: str
    before: str
    after: str
    item: str
    exceptions: str


def packed(stored: StoredEntry) -> PackedEntry:
    """The entry as its item holds it."""
    item = {k: v for k, v in stored.items() if k not in DERIVED and k not in PACKED}
    if TRASH_DEPARTMENT not in stored:
        del item["changed_at"]
    for name in PACKED:
        if stored.get(name) is not None:
            item[name] = json.dumps(stored[name], ensure_ascii=False, separators=(",", ":"), default=sorted)  # type: ignore[literal-required]
    return cast(PackedEntry, item)


def unpacked(item: PackedEntry) -> StoredEntry:
    """The entry of an item as `packed` wrote it (sets read back as lists)."""
    department_id, event_id = item[HISTORY_KEY].split("/", 1)  # type: ignore[literal-required]
    changed_at, version = item[HISTORY_ENTRY].rsplit("#", 1)  # type: ignore[literal-required]
    stored = {**item, "department_id": department_id, "event_id": event_id, "changed_at": changed_at,
              "version": int(version), "before": None, "after": None}
    for name in PACKED:
        if name in item:
            stored[name] = json.loads(item[name])  # type: ignore[literal-required]
    return cast(StoredEntry, stored)


def history_key(department_id: str, event_id: str) -> str:
    """The partition of an event's entries: the department is part of it, so another department's
    id reads none of them."""
    return f"{department_id}/{event_id}"


def entry_key(changed_at: str, version: int) -> str:
    """The sort key of an entry: when, then the version (so entries sort by time)."""
    return f"{changed_at}#{version:010d}"


def fields_of(event: PublicEvent) -> EventFields:
    """The recorded fields the event has (empty texts left out)."""
    return cast(EventFields, {f: event.get(f) for f in RECORDED_FIELDS if event.get(f) not in (None, "")})


def changed_fields(before: PublicEvent, after: PublicEvent) -> tuple[EventFields, EventFields]:
    """The recorded fields that differ, as they were and as they are (None: not set)."""
    changed = [f for f in RECORDED_FIELDS if before.get(f) != after.get(f)]
    return (cast(EventFields, {f: before.get(f) for f in changed}),
            cast(EventFields, {f: after.get(f) for f in changed}))


def new_entry(action: Action, event: PublicEvent, version: int, changed_at: str, changed_by: Actor,
              before: EventFields | None = None, after: EventFields | None = None) -> HistoryEntry:
    """The entry of a change of `event` (its id and department) that left it at `version`."""
    entry: HistoryEntry = {"event_id": event["id"], "department_id": event["department_id"], "action": action,
                           "version": version, "changed_at": changed_at, "changed_by": changed_by.name,
                           "before": before, "after": after}
    if changed_by.identity is not None:
        entry["changed_by_id"] = changed_by.identity
    return entry


def public_entry(stored: StoredEntry) -> HistoryEntry:
    """The entry as an answer shows it: a deletion's `before` is the event it deleted."""
    before = stored.get("before")
    if stored["action"] == "deleted" and before is None and "item" in stored:
        before = fields_of(stored["item"])
    entry: HistoryEntry = {"event_id": stored["event_id"], "department_id": stored["department_id"],
                           "action": stored["action"], "version": stored["version"], "changed_at": stored["changed_at"],
                           "changed_by": stored["changed_by"], "before": before or None,
                           "after": stored.get("after") or None}
    if "changed_by_id" in stored:
        entry["changed_by_id"] = stored["changed_by_id"]
    return entry
