"""Departments in the departments table: each with a name marker item (written in the same
transaction) that keeps names unique; a delete drains the department's events first."""
from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from typing import TypedDict, cast

from botocore.exceptions import ClientError

from config import Settings
from errors import Conflict, DatabaseError, NotFound
from rules.actors import SYSTEM as SYSTEM_ACTOR
from rules.actors import Actor, audit_fields, stamped
from rules.shapes import EventKey, PublicDepartment, StoredDepartment, StoredEvent, public_department
from schema import (
    DEPARTMENT_EXISTS,
    DEPARTMENT_IS_LIVE,
    ITEM_EXISTS,
    ITEM_IS_NEW,
    LAST_DATE,
    MARKER_FREE_OR_HELD_BY,
    department_key,
    department_name_key,
    department_not_found,
    name_marker_key,
    utc_now_iso,
)
from storage import department_spans, event_queries, plumbing
from storage.client import error_code
from storage.items import department_from_wire, event_key_from_wire, to_item
from storage.wire import QueryInput, TransactAction, WireItem


class NameMarker(TypedDict):
    """The item that reserves a department's name (its id: schema.name_marker_key)."""

    id: str
    department_id: str


class _DepartmentChanged(DatabaseError):
    """The department was renamed or marked for deletion between the read and the write."""


def _listed_order(department: PublicDepartment) -> tuple[str, str, str]:
    return department_name_key(department["name"]), department["name"], department["id"]


class Departments:
    """The departments table, and what this process knows of which departments exist."""

    def __init__(self, settings: Settings, client):
        self.settings = settings
        self.client = client
        self.table = settings.departments_table
        # Departments seen to exist: id -> (time.monotonic() until which that is trusted, what they
        # said of their events spanning days: department_spans' state).
        self._known: dict[str, tuple[float, str | None]] = {}
        # Departments this process marked department_spans.SOME (it never changes back).
        self._spanning: set[str] = set()
        self._forgotten = 0  # bumped by every forget, so a check racing a delete caches nothing

    # -- reads ----------------------------------------------------------------------------

    def list_departments(self) -> list[PublicDepartment]:
        """All departments, sorted by name (case-insensitively)."""
        items = plumbing.paginate(self.client, "scan", {
            "TableName": self.table, "FilterExpression": DEPARTMENT_IS_LIVE.expression,
            "ExpressionAttributeNames": dict(DEPARTMENT_IS_LIVE.names)}, department_from_wire)
        return sorted((public_department(item) for item in items), key=_listed_order)

    def list_departments_page(
        self, limit: int, start_key: WireItem | None = None
    ) -> tuple[list[PublicDepartment], WireItem | None]:
        """Up to `limit` departments in storage order (stable from page to page), after start_key;
        with the key the next page starts after, or None when no department follows."""
        kwargs: QueryInput = {
            "TableName": self.table,
            "FilterExpression": DEPARTMENT_IS_LIVE.expression,
            "ExpressionAttributeNames": dict(DEPARTMENT_IS_LIVE.names),
        }
        # About half the items are name markers, which the filter drops after Limit counted them.
        items, next_key = plumbing.page(self.client, "scan", kwargs, limit, start_key, key_names=("id",), overread=2)
        return [public_department(department_from_wire(item)) for item in items], next_key

    def get_department(self, department_id: str) -> PublicDepartment:
        """The department; raises NotFound if it does not exist or is being deleted."""
        item = self.get_item(department_id)
        if item is None or "deleting" in item:
            raise NotFound(department_not_found(department_id))
        return public_department(item)

    def get_departments(self, department_ids: Iterable[str]) -> list[PublicDepartment]:
        """The departments of these ids that exist (missing and deleting ones left out), sorted as
        list_departments sorts them; BatchGetItem, no Scan."""
        return sorted(self._get_departments_after(sorted(set(department_ids)), None), key=_listed_order)

    def get_departments_page(
        self, department_ids: Iterable[str], limit: int, start_key: dict[str, str] | None = None
    ) -> tuple[list[PublicDepartment], dict[str, str] | None]:
        """Up to `limit` of these departments in id order after start_key (a key as
        list_departments_page gives), with the key the next page starts after, or None."""
        after = str((start_key or {}).get("id", ""))
        found = self._get_departments_after(sorted(i for i in set(department_ids) if i > after), limit + 1)
        first = found[:limit]
        return first, ({"id": first[-1]["id"]} if len(found) > limit else None)

    def _get_departments_after(self, ids: list[str], wanted: int | None) -> list[PublicDepartment]:
        """The live departments of `ids` (sorted), in that order, read BATCH_GET_LIMIT keys at a
        time until `wanted` are found (None: all)."""
        found: list[PublicDepartment] = []
        for start in range(0, len(ids), plumbing.BATCH_GET_LIMIT):
            chunk = ids[start : start + plumbing.BATCH_GET_LIMIT]
            items = {item["id"]: item for item in
                     plumbing.batch_get(self.client, self.table, [department_key(i) for i in chunk], department_from_wire)}
            found += [public_department(items[i]) for i in chunk if i in items and "deleting" not in items[i]]
            if wanted is not None and len(found) >= wanted:
                break
        return found

    def find_department_by_name(self, name: str) -> PublicDepartment | None:
        """The department holding this name (compared as department_name_key does), or None."""
        marker = self._get_marker(name)
        if marker is None:
            return None
        try:
            return self.get_department(marker["department_id"])
        except NotFound:
            return None

    def check_exists(self, department_id: str, events_table: str, may_grant: bool = False) -> str | None:
        """Raises NotFound unless the department exists; returns its department_spans state (which
        a list of a range, `may_grant`, may settle). A yes
        is trusted department_cache_seconds (the state as department_spans.trusted_for says),
        counted from before the read; reads only: writes check the department in the same
        transaction as the write."""
        read_at = time.monotonic()
        trusted_until, spans = self._known.get(department_id, (0.0, None))
        if trusted_until > read_at:
            return spans
        forgotten = self._forgotten
        item = self.get_item(department_id)
        if item is None or "deleting" in item:
            raise NotFound(department_not_found(department_id))
        spans = department_spans.state_of(item)
        if department_id in self._spanning:
            spans = department_spans.SOME
        elif not self.settings.single_query_months:
            spans = None  # an older instance may be writing events spanning days without a marker
        elif may_grant and department_spans.may_grant(item):
            spans = department_spans.grant_if_free(self.client, self.table, events_table, department_id)
        trust = department_spans.trusted_for(spans, self.settings.department_cache_seconds)
        if trust > 0 and forgotten == self._forgotten:
            self._known[department_id] = (read_at + trust, spans)
        return spans

    def mark_spanning(self, items: Iterable[StoredEvent]) -> None:
        """Before writing these event items: department_spans.mark_spanning for the departments of
        those spanning days (with a LAST_DATE), once per department and process."""
        for department_id in sorted({item["department_id"] for item in items if item.get(LAST_DATE)}):
            if department_id not in self._spanning:
                department_spans.mark_spanning(self.client, self.table, department_id)
                self._spanning.add(department_id)

    def forget_department(self, department_id: str) -> None:
        """Drop what this process knows of the department (it was deleted, here or elsewhere)."""
        self._forgotten += 1
        self._known.pop(department_id, None)
        self._spanning.discard(department_id)

    def get_item(self, department_id: str) -> StoredDepartment | None:
        """The department's item as stored (None: there is none), strongly consistent."""
        item = self._get_item(department_id)
        return None if item is None else department_from_wire(item)

    def _get_marker(self, name: str) -> NameMarker | None:
        """The marker holding this name (compared as department_name_key does), or None."""
        item = self._get_item(name_marker_key(name)["id"])
        return None if item is None else {"id": item["id"]["S"], "department_id": item["department_id"]["S"]}

    def _get_item(self, key: str) -> WireItem | None:
        """The item of this key in the departments table (a department or a name marker), as sent."""
        response = self.client.get_item(TableName=self.table, Key=to_item(department_key(key)), ConsistentRead=True)
        return response.get("Item")

    # -- writes ---------------------------------------------------------------------------

    def create_department(
        self, name: str, description: str = "", *, department_id: str | None = None, created_at: str | None = None,
        updated_at: str | None = None, actor: Actor = SYSTEM_ACTOR, updated_by: Actor | None = None,
    ) -> PublicDepartment:
        """Store a new department (created by `actor`, last changed by `updated_by` or `actor`:
        rules/actors.py); raises Conflict if the name (or the id) is taken."""
        now = utc_now_iso()
        department: PublicDepartment = {
            "id": department_id or str(uuid.uuid4()), "name": name, "description": description,
            "created_at": created_at or now, "updated_at": updated_at or now,
            **audit_fields(actor, updated_by or actor),  # type: ignore[typeddict-item]
        }
        marker: NameMarker = {"id": name_marker_key(name)["id"], "department_id": department["id"]}
        plumbing.transact(
            self.client,
            [
                {"Put": {"TableName": self.table, "Item": to_item(marker), **ITEM_IS_NEW.params()}},
                {"Put": {"TableName": self.table, "Item": to_item(department), **ITEM_IS_NEW.params()}},
            ],
            if_condition_fails=[
                Conflict(f"a department named {name!r} already exists"),
                Conflict(f"a department with id {department['id']} already exists"),
            ],
        )
        return department

    def update_department(
        self, department_id: str, changes: dict[str, str], actor: Actor = SYSTEM_ACTOR
    ) -> PublicDepartment:
        """Change the department's `name` and/or `description`, renew `updated_at` and set
        `updated_by` (and `updated_by_id`) to the actor's; returns it.

        A new name is reserved, and the old one freed, in the transaction that renames. Raises
        NotFound, or Conflict when another department holds the name.
        """
        for _attempt in range(plumbing.TRANSACTION_RETRIES):
            current = self.get_department(department_id)
            updated = stamped(cast(PublicDepartment, {**current, **changes, "updated_at": utc_now_iso()}), actor)
            try:
                plumbing.transact(self.client, *self._department_update(current, updated))
                return updated
            except _DepartmentChanged:
                continue  # renamed, or marked for deletion, since it was read: read it again
        raise Conflict(f"department {department_id} kept changing; try again")

    def _department_update(
        self, current: PublicDepartment, updated: PublicDepartment
    ) -> tuple[list[TransactAction], list[DatabaseError]]:
        """TransactWriteItems of an update from `current` (the name still as read) to `updated`,
        and the error for each item whose condition fails."""
        changed = _DepartmentChanged()
        items: list[TransactAction] = [{"Update": {
            "TableName": self.table,
            "Key": to_item(department_key(current["id"])),
            "UpdateExpression": "SET #name = :name, #description = :description, #updated_at = :now, #by = :by"
                                + (", #by_id = :by_id" if "updated_by_id" in updated else " REMOVE #by_id"),
            "ConditionExpression": f"{DEPARTMENT_IS_LIVE.expression} AND #name = :old",
            "ExpressionAttributeNames": {**DEPARTMENT_IS_LIVE.names, "#description": "description",
                                         "#updated_at": "updated_at", "#by": "updated_by", "#by_id": "updated_by_id"},
            "ExpressionAttributeValues": to_item({":name": updated["name"], ":old": current["name"],
                                                  ":description": updated["description"],
                                                  ":now": updated["updated_at"], ":by": updated["updated_by"],
                                                  **({":by_id": updated["updated_by_id"]} if "updated_by_id" in updated else {})}),
        }}]
        if department_name_key(current["name"]) == department_name_key(updated["name"]):
            return items, [changed]
        marker: NameMarker = {"id": name_marker_key(updated["name"])["id"], "department_id": current["id"]}
        items.append({"Put": {"TableName": self.table, "Item": to_item(marker), **ITEM_IS_NEW.params()}})
        items.append({"Delete": {
            "TableName": self.table, "Key": to_item(name_marker_key(current["name"])),
            **MARKER_FREE_OR_HELD_BY.params(), "ExpressionAttributeValues": to_item({":dep": current["id"]}),
        }})
        return items, [changed, Conflict(f"a department named {updated['name']!r} already exists"), changed]

    # -- delete ---------------------------------------------------------------------------

    def delete_department(self, department_id: str, events_table: str) -> int:
        """Delete the department, its events and their tombstones (in `events_table`); returns how
        many items went.

        The department is first marked `deleting`, so no event can be added while its events
        are removed, and a delete interrupted half-way is finished by the next one.
        """
        self.forget_department(department_id)
        name = self._mark_deleting(department_id)
        deleted = self._drain_events(department_id, events_table, marked_at=time.monotonic())
        self._remove_department(department_id, name)
        return deleted

    def _mark_deleting(self, department_id: str) -> str:
        """Mark the department `deleting` (kept if already marked); returns its name. Raises NotFound."""
        try:
            marked = self.client.update_item(
                TableName=self.table,
                Key=to_item(department_key(department_id)),
                UpdateExpression="SET #deleting = if_not_exists(#deleting, :now)",
                **DEPARTMENT_EXISTS.params({"#deleting": "deleting"}),
                ExpressionAttributeValues=to_item({":now": utc_now_iso()}),
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                raise NotFound(department_not_found(department_id)) from exc
            raise
        return department_from_wire(marked["Attributes"])["name"]

    def _drain_events(self, department_id: str, events_table: str, marked_at: float) -> int:
        """Delete the department's events and tombstones until the indexes show none; returns how many went."""
        deleted = 0
        while True:
            keys = self._event_keys(department_id, events_table)
            if keys:
                plumbing.batch_write(self.client, events_table, [{"DeleteRequest": {"Key": to_item(k)}} for k in keys])
                deleted += len(keys)
                continue
            # The index may not show yet an event written just before the mark (GSIs lag on AWS):
            # only an empty read made gsi_settle_seconds after the mark means nothing is left.
            wait = self.settings.gsi_settle_seconds - (time.monotonic() - marked_at)
            if wait <= 0:
                return deleted
            time.sleep(wait)

    def _event_keys(self, department_id: str, events_table: str) -> list[EventKey]:
        """Keys of the department's events (department-date-index) and of its tombstones
        (department-modified-index, where they alone are), each once."""
        keys: dict[str, EventKey] = {}
        for query in (event_queries.event_keys, event_queries.tombstone_keys):
            for found in plumbing.paginate(self.client, "query", query(events_table, department_id), event_key_from_wire):
                keys[found["id"]] = found
        return list(keys.values())

    def _remove_department(self, department_id: str, name: str) -> None:
        """Delete the department item and its name marker in one transaction. Raises NotFound."""
        plumbing.transact(
            self.client,
            [
                {"Delete": {"TableName": self.table, "Key": to_item(department_key(department_id)),
                            **ITEM_EXISTS.params()}},
                {"Delete": {"TableName": self.table, "Key": to_item(name_marker_key(name)),
                            **MARKER_FREE_OR_HELD_BY.params(),
                            "ExpressionAttributeValues": to_item({":dep": department_id})}},
            ],
            # A concurrent delete of the same department finished first.
            if_condition_fails=[NotFound(department_not_found(department_id))],
        )
