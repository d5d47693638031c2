"""Events in the events table, one at a time: read, create, change (conditioned on the version
read), delete as a tombstone; and the bulk reads and writes of exports and migrations."""
from __future__ import annotations

import random
import time
import uuid
from collections.abc import Iterable, Iterator
from typing import cast

from config import Settings
from errors import Conflict, DatabaseError, NotFound, PreconditionFailed
from rules.actors import UPDATED_BY_ID, Actor, stamped
from rules.search_text import SEARCHED_FIELDS
from rules.series_scope import checked_times
from rules.shapes import (
    CALDAV_UID,
    SEARCH_TEXT,
    EventFields,
    ItemChanges,
    PublicEvent,
    StoredEvent,
    WrittenAttributes,
    public_event,
    span_attributes,
    stored_event,
    with_search_text,
)
from schema import (
    DEPARTMENT_IS_LIVE,
    EVENT_DEFAULTS,
    EVENT_IS_LIVE,
    EVENT_TIME_FIELDS,
    ITEM_IS_NEW,
    TOMBSTONE_MARKER,
    TOMBSTONE_REMOVES,
    TTL_ATTRIBUTE,
    VERSION_MATCHES,
    department_key,
    department_not_found,
    event_key,
    event_not_found,
    utc_now_iso,
)
from storage import event_queries, plumbing
from storage.departments import SYSTEM_ACTOR, Departments
from storage.event_history import EventHistory
from storage.items import event_from_wire, stored_event_from_wire, to_item
from storage.wire import Expression, ExpressionValues, QueryInput, TransactAction, WireItem

AUDIT_DEFAULTS = SYSTEM_ACTOR.created()
# Attempts of a change without If-Match, read again each time another change came first (twenty
# people editing one event at once all get theirs written, each with its history entry).
EDIT_ATTEMPTS = 40


class _EventChanged(DatabaseError):
    """The event was deleted or changed between the read and the write."""


def _check_version(current: StoredEvent, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != current["version"]:
        raise PreconditionFailed(f"event {current['id']} is at version {current['version']}", current["version"],
                                 dict(public_event(current)))


def _pause(attempt: int) -> None:
    """A short random wait before reading again, longer the more often another change came first."""
    time.sleep(random.uniform(0, 0.002 * min(attempt + 1, 10)))


class Events:
    """The events table on a shared client; the departments store marks those with events spanning days."""

    def __init__(self, settings: Settings, client, departments: Departments):
        self.settings = settings
        self.client = client
        self.table = settings.events_table
        self.departments = departments
        self.history = EventHistory(settings, client)  # written in the same transaction as each change

    # -- reads ----------------------------------------------------------------------------

    def get_event(self, event_id: str) -> PublicEvent:
        """The event; raises NotFound."""
        return public_event(self.get_event_item(event_id))

    def get_event_item(self, event_id: str) -> StoredEvent:
        """The stored item of a live event (a series' and an exception's internal attributes
        included), strongly consistent; raises NotFound."""
        # The table key is (id, department_id); the id alone is a partition holding one item.
        response = self.client.query(
            TableName=self.table,
            KeyConditionExpression="#id = :id",
            ExpressionAttributeNames={"#id": "id"},
            ExpressionAttributeValues=to_item({":id": event_id}),
            ConsistentRead=True,
        )
        if not response["Items"] or TOMBSTONE_MARKER in response["Items"][0]:
            raise NotFound(event_not_found(event_id))
        return stored_event_from_wire(response["Items"][0])

    def get_event_items(self, department_id: str, event_ids: list[str]) -> list[StoredEvent]:
        """The stored items of the department's live events among `event_ids` (as get_event_item),
        in the order of `event_ids`: BATCH_GET_LIMIT keys a call."""
        found: dict[str, StoredEvent] = {}
        keys = [event_key(i, department_id) for i in event_ids]
        for items in plumbing.batch_get_all(self.client, self.table, keys, stored_event_from_wire):
            found.update((item["id"], item) for item in items)
        return [found[i] for i in event_ids if i in found and TOMBSTONE_MARKER not in found[i]]

    def get_department_event(self, department_id: str, event_id: str) -> PublicEvent:
        """The department's event (one strongly consistent GetItem); raises NotFound when it does
        not exist, was deleted (a tombstone) or belongs to another department."""
        response = self.client.get_item(
            TableName=self.table, Key=to_item(event_key(event_id, department_id)), ConsistentRead=True
        )
        if "Item" not in response or TOMBSTONE_MARKER in response["Item"]:
            raise NotFound(event_not_found(event_id))
        return event_from_wire(response["Item"])

    def department_event_ids(self, department_id: str) -> set[str]:
        """Ids of the department's events, read through department-date-index."""
        query = event_queries.department_events(self.table, department_id)
        query["ExpressionAttributeNames"]["#id"] = "id"
        query["ProjectionExpression"] = "#id"
        return set(plumbing.paginate(self.client, "query", query, _id_of))

    def department_ids_with_uid(self, department_id: str, uid: str) -> set[str]:
        """Ids of the department's events holding `uid` as a CalDAV client's UID (CALDAV_UID): one
        Query of department-date-index, filtered (a calendar's UIDs are unique, RFC 4791)."""
        query = event_queries.department_events(self.table, department_id)
        query["ExpressionAttributeNames"].update({"#id": "id", "#uid": CALDAV_UID})
        query["ExpressionAttributeValues"].update(to_item({":uid": uid}))
        query["ProjectionExpression"], query["FilterExpression"] = "#id", "#uid = :uid"
        return set(plumbing.paginate(self.client, "query", query, _id_of))

    def count_department_events(self, department_id: str) -> int:
        """How many events the department has: a Query with Select=COUNT, every page."""
        return plumbing.count(self.client, event_queries.department_events(self.table, department_id))

    def scan_events(self) -> Iterator[PublicEvent]:
        """Every event of every department (no tombstones): a paginated Scan, meant for exports only."""
        live: QueryInput = {"TableName": self.table, "FilterExpression": "attribute_not_exists(#deleted)",
                            "ExpressionAttributeNames": {"#deleted": TOMBSTONE_MARKER}}
        for item in plumbing.paginate(self.client, "scan", live, stored_event_from_wire):
            yield public_event(item)

    # -- writes ---------------------------------------------------------------------------

    def create_event(
        self, department_id: str, fields: EventFields, *, event_id: str | None = None,
        created_at: str | None = None, last_modified: str | None = None, actor: Actor = SYSTEM_ACTOR,
        attributes: WrittenAttributes | None = None,
    ) -> PublicEvent:
        """Store a new event of an existing department (created and last changed by `actor`; `attributes`:
        internal ones the item also holds, e.g. CALDAV_PROPERTIES); raises NotFound or Conflict (id taken)."""
        now = utc_now_iso()
        event = cast(PublicEvent, {
            **EVENT_DEFAULTS, **fields, "id": event_id or str(uuid.uuid4()), "department_id": department_id,
            "created_at": created_at or now, "last_modified": last_modified or created_at or now,
            "version": 1, **actor.created(),
        })
        item = cast(StoredEvent, {**stored_event(event), **(attributes or {})})
        self.departments.mark_spanning([item])
        plumbing.transact(
            self.client,
            [
                {"ConditionCheck": {"TableName": self.settings.departments_table,
                                    "Key": to_item(department_key(department_id)), **DEPARTMENT_IS_LIVE.params()}},
                {"Put": {"TableName": self.table, "Item": to_item(item), **ITEM_IS_NEW.params()}},
                self.history.put(self.history.created(event, actor)),
            ],
            if_condition_fails=[
                NotFound(department_not_found(department_id)),
                Conflict(f"an event with id {event['id']} already exists"),
            ],
        )
        return public_event(event)

    def put_events(self, events: Iterable[PublicEvent], history: bool = False) -> None:
        """Batch-put complete events (every EVENT_FIELDS key; created_by/updated_by default to
        SYSTEM_ACTOR) as given, for bulk loads; with `history`, a "migrated" history entry each.

        Unconditional: the caller makes sure the departments exist and the ids are new.
        """
        items = [stored_event(cast(PublicEvent, {**AUDIT_DEFAULTS, **event})) for event in events]
        self.departments.mark_spanning(items)
        plumbing.batch_write(self.client, self.table, [{"PutRequest": {"Item": to_item(item)}} for item in items])
        if history:
            self.history.put_migrated(items)

    def update_event(
        self, event_id: str, changes: EventFields, expected_version: int | None = None,
        actor: Actor = SYSTEM_ACTOR,
    ) -> PublicEvent:
        """Change only the given fields (None removes an optional one; ItemChanges' internal
        attributes too), bump version, renew last_modified and updated_by (and updated_by_id:
        rules/actors.py); returns the event.

        Written with its history entry in one transaction, only if the event is still at the version
        read (else read again, unless expected_version was given). A change to when the event is
        (EVENT_TIME_FIELDS) is checked against the other times as stored. Raises NotFound,
        ValidationError, or PreconditionFailed when expected_version is not the stored one.
        """
        for attempt in range(EDIT_ATTEMPTS):
            current = self.get_event_item(event_id)
            _check_version(current, expected_version)
            spanned = cast(ItemChanges, changes)
            if changes.keys() & set(EVENT_TIME_FIELDS):
                after = checked_times(current, changes)
                spanned = {**changes, **span_attributes(after)}
                self.departments.mark_spanning([stored_event(after)])
            if changes.keys() & set(SEARCHED_FIELDS):
                searched = with_search_text(cast(StoredEvent, {**current, **changes}))
                spanned = {**spanned, SEARCH_TEXT: searched.get(SEARCH_TEXT)}
            try:
                return self._update_event(current, spanned, actor)
            except PreconditionFailed:
                if expected_version is not None:
                    raise
            _pause(attempt)
        raise Conflict(f"event {event_id} kept changing; try again")

    def _update_event(self, current: StoredEvent, changes: ItemChanges, actor: Actor) -> PublicEvent:
        """The change written on the event at the version read, with its history entry."""
        now = utc_now_iso()
        kept = {k: v for k, v in {**current, **changes}.items() if v is not None}
        after = stamped(cast(StoredEvent, {**kept, "version": current["version"] + 1, "last_modified": now}), actor)
        names = {"#version": "version", "#last_modified": "last_modified", "#updated_by": "updated_by",
                 "#updated_by_id": UPDATED_BY_ID}
        values: ExpressionValues = {":one": 1, ":now": now, ":actor": actor.name}
        assignments = ["#version = #version + :one", "#last_modified = :now", "#updated_by = :actor"]
        removals = ["#updated_by_id"] if actor.identity is None else []
        if actor.identity is not None:
            values[":actor_id"] = actor.identity
            assignments.append("#updated_by_id = :actor_id")
        for i, (field, value) in enumerate(sorted(changes.items())):
            names[f"#f{i}"] = field
            if value is None:
                removals.append(f"#f{i}")
            else:
                values[f":v{i}"] = value
                assignments.append(f"#f{i} = :v{i}")
        update = "SET " + ", ".join(assignments) + (" REMOVE " + ", ".join(removals) if removals else "")
        history = self.history.updated(public_event(current), public_event(after), actor)
        self._write_change(current, (update, names, values), self.history.put(history))
        return public_event(after)

    def delete_event(self, event_id: str, expected_version: int | None = None,
                     current: StoredEvent | None = None, actor: Actor = SYSTEM_ACTOR) -> PublicEvent:
        """Delete the event (`current`: as the caller already read it); returns it as it was. Raises
        NotFound or PreconditionFailed.

        What stays is a tombstone for catch-up sync: the texts and event_date removed (so month
        lists and counts never see it), version bumped, last_modified renewed, and a TTL. Its
        history entry, written in the same transaction, keeps the event for the department's trash.
        """
        for attempt in range(EDIT_ATTEMPTS):
            current = current or self.get_event_item(event_id)
            _check_version(current, expected_version)
            tombstone = self.tombstone_update()
            entry = self.history.deleted(current, str(tombstone[2][":now"]), actor, trash=True)
            try:
                self._write_change(current, tombstone, self.history.put(entry))
                return public_event(current)
            except PreconditionFailed:
                if expected_version is not None:
                    raise
            current = None
            _pause(attempt)
        raise Conflict(f"event {event_id} kept changing; try again")

    def tombstone_update(self) -> Expression:
        """The UpdateExpression (with its names and values) that turns an event into a tombstone."""
        names = {"#version": "version", "#last_modified": "last_modified", "#deleted": TOMBSTONE_MARKER,
                 "#expires": TTL_ATTRIBUTE}
        names.update({f"#r{i}": field for i, field in enumerate(TOMBSTONE_REMOVES)})
        expires = int(time.time()) + self.settings.sync_tombstone_days * 86400
        values: ExpressionValues = {":one": 1, ":now": utc_now_iso(), ":true": True, ":expires": expires}
        update = ("SET #version = #version + :one, #last_modified = :now, #deleted = :true, #expires = :expires"
                  " REMOVE " + ", ".join(f"#r{i}" for i in range(len(TOMBSTONE_REMOVES))))
        return update, names, values

    def _write_change(self, current: StoredEvent, change: Expression, history: TransactAction) -> None:
        """The update `change` of the live event `current`, if still at the version read, and its
        history entry, in one transaction. Raises NotFound or PreconditionFailed."""
        update, names, values = change
        action: TransactAction = {"Update": {
            "TableName": self.table, "Key": to_item(event_key(current["id"], current["department_id"])),
            "UpdateExpression": update,
            "ConditionExpression": f"{EVENT_IS_LIVE.expression} AND {VERSION_MATCHES.expression}",
            "ExpressionAttributeNames": {**names, **EVENT_IS_LIVE.names, **VERSION_MATCHES.names},
            "ExpressionAttributeValues": to_item({**values, ":expected": current["version"]}),
        }}
        try:
            plumbing.transact(self.client, [action, history], if_condition_fails=[_EventChanged()])
        except _EventChanged as exc:
            self._raise_for_failed_condition(current["id"], exc)

    def _raise_for_failed_condition(self, event_id: str, exc: Exception) -> None:
        try:
            current = self.get_event(event_id)
        except NotFound as missing:
            raise missing from exc
        raise PreconditionFailed(
            f"event {event_id} is at version {current['version']}", current["version"], dict(current)
        ) from exc


def _id_of(item: WireItem) -> str:
    """The id of an event item read with the id alone projected."""
    return item["id"]["S"]
