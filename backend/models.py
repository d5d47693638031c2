"""The seed's entry point to storage: DynamoDBDatabase composes the stores of storage/ (tables,
departments, events, series edits' reads, idempotency) behind the method names callers know, and
re-exports the domain errors (errors.py) and item conversion (storage/items.py)."""
from __future__ import annotations

import heapq
import uuid
from collections.abc import Iterable, Iterator
from datetime import date
from itertools import islice
from typing import Any

import recurrence
from config import Settings
from errors import Conflict, DatabaseError, NotFound, PreconditionFailed, Throttled
from rules.shapes import PublicDepartment, PublicEvent, StoredEvent, public_event, stored_event
from schema import (
    DEPARTMENT_CHANGES_INDEX,
    DEPARTMENT_IS_LIVE,
    DEPARTMENT_SPAN_INDEX,
    EVENT_DEFAULTS,
    EXCEPTION_DATES,
    ITEM_IS_NEW,
    LAST_DATE,
    SERIES_MONTHS,
    department_key,
    department_not_found,
    utc_now_iso,
)
from storage import event_queries, plumbing
from storage.client import make_client
from storage.departments import SYSTEM_ACTOR, Departments
from storage.events import Events
from storage.idempotency import IdempotencyStore
from storage.items import change_from_wire, event_from_wire, from_item, to_item
from storage.series import SeriesEdits
from storage.tables import Tables

__all__ = ["Conflict", "DatabaseError", "DynamoDBDatabase", "NotFound", "PreconditionFailed", "Throttled",
           "from_item", "to_item"]


def _listed_event(item: dict[str, Any]) -> dict[str, Any]:
    return event_from_wire(item, listed=True)


_public_event = event_from_wire
_public_change = change_from_wire


def _expanded(
    events: Iterable[dict[str, Any]], start: str | None, end: str | None, expand: bool = True,
) -> Iterator[dict[str, Any]]:
    """The events in listed_order with each series replaced by its occurrences touching start..end
    (unless not `expand`), without the internal EXCEPTION_DATES; series are expanded lazily, as far
    as the reader reads (within a `recurrence.listing()` budget)."""
    window = (date.fromisoformat(start) if start else None, date.fromisoformat(end) if end else None)
    singles, series = [], []
    for event in events:
        skip = frozenset(event.pop(EXCEPTION_DATES, ()))
        if expand and event.get("recurrence"):
            series.append(recurrence.iter_expand(event, *window, skip))
        else:
            singles.append(event)
    return heapq.merge(sorted(singles, key=listed_order), *series, key=listed_order)


def listed_order(event: dict[str, Any]) -> tuple[str, str, str]:
    """The order of an event list: by event_date, then created_at (then id, for ties)."""
    return event["event_date"], event["created_at"], event["id"]



class DynamoDBDatabase:
    """Departments and events in DynamoDB; one public method per access pattern, each answered by
    the store of storage/ that owns it."""

    def __init__(self, settings: Settings | None = None, client=None):
        self.settings = settings or Settings.from_env()
        self.client = client or make_client(self.settings)
        self.departments_table = self.settings.departments_table
        self.events_table = self.settings.events_table
        self.tables = Tables(self.settings, self.client)
        self.departments = Departments(self.settings, self.client)
        self.events = Events(self.settings, self.client)
        self.series = SeriesEdits(self.events)  # edits and deletes by scope (this, following, all)
        self.idempotency = IdempotencyStore(
            self.client, self.settings.idempotency_table, self.settings.idempotency_in_progress_seconds
        )

    # -- tables ---------------------------------------------------------------------------

    def create_tables(self, wait: bool = True) -> list[str]:
        """See Tables.create_tables: the names created."""
        return self.tables.create_tables(wait)

    def upgrade_tables(self, described: dict[str, dict[str, Any] | None] | None = None) -> list[str]:
        """See Tables.upgrade_tables: what it added."""
        return self.tables.upgrade_tables(described)

    def table_statuses(self, probe: bool = False) -> dict[str, str]:
        """See Tables.table_statuses."""
        return self.tables.table_statuses(probe)

    # -- departments ----------------------------------------------------------------------

    def list_departments(self) -> list[PublicDepartment]:
        return self.departments.list_departments()

    def list_departments_page(
        self, limit: int, start_key: dict[str, Any] | None = None
    ) -> tuple[list[PublicDepartment], dict[str, Any] | None]:
        return self.departments.list_departments_page(limit, start_key)

    def get_department(self, department_id: str) -> PublicDepartment:
        return self.departments.get_department(department_id)

    def get_departments(self, department_ids: Iterable[str]) -> list[PublicDepartment]:
        return self.departments.get_departments(department_ids)

    def get_departments_page(
        self, department_ids: Iterable[str], limit: int, start_key: dict[str, Any] | None = None
    ) -> tuple[list[PublicDepartment], dict[str, Any] | None]:
        return self.departments.get_departments_page(department_ids, limit, start_key)

    def find_department_by_name(self, name: str) -> PublicDepartment | None:
        return self.departments.find_department_by_name(name)

    def create_department(self, name: str, description: str = "", **options: Any) -> PublicDepartment:
        """See Departments.create_department (options: department_id, created_at, updated_at,
        actor, updated_by)."""
        return self.departments.create_department(name, description, **options)

    def update_department(self, department_id: str, changes: dict[str, str], actor: str = SYSTEM_ACTOR
                          ) -> PublicDepartment:
        return self.departments.update_department(department_id, changes, actor)

    def delete_department(self, department_id: str) -> int:
        """Delete the department, its events and their tombstones; returns how many items went."""
        return self.departments.delete_department(department_id, self.events_table)

    def forget_department(self, department_id: str) -> None:
        self.departments.forget_department(department_id)

    def _check_department_exists(self, department_id: str) -> None:
        self.departments.check_exists(department_id)

    # -- events ---------------------------------------------------------------------------

    def list_events(
        self, department_id: str, start: str | None = None, end: str | None = None, expand: bool = True,
    ) -> list[dict[str, Any]]:
        """The department's events touching start..end (inclusive, YYYY-MM-DD), ordered by
        event_date then created_at: each series as its occurrences in the range (recurrence.expand),
        or with expand=False as stored. Raises NotFound for an unknown department."""
        return self.list_events_after(department_id, start, end, expand)[0]

    def list_events_after(
        self, department_id: str, start: str | None, end: str | None, expand: bool = True,
        after: tuple[str, ...] | None = None, limit: int | None = None,
    ) -> tuple[list[dict[str, Any]], tuple[str, ...] | None]:
        """Up to `limit` (all without one) of list_events' answer whose listed_order is after
        `after`, and the listed_order of the last one when more follow: series are expanded only
        as far as the page needs. Raises NotFound for an unknown department."""
        events = self._events_touching(department_id, start, end)
        # Occurrences before the day of the last one shown sort before it: expand from that day.
        window = (max(start, after[0]) if start and after else start, end) if expand else (None, None)
        with recurrence.listing():
            listed = (e for e in _expanded(events.values(), *window, expand) if after is None or listed_order(e) > after)
            page = list(islice(listed, None if limit is None else limit + 1))
        if limit is None or len(page) <= limit:
            return page, None
        return page[:limit], listed_order(page[limit - 1])

    def _events_touching(self, department_id: str, start: str | None, end: str | None) -> dict[str, dict[str, Any]]:
        """The stored events (by id) of the department that touch start..end."""
        self._check_department_exists(department_id)
        events = {e["id"]: e for e in self._query_department_events(department_id, start, end, convert=_listed_event)}
        if start:  # events spanning days and series that began before `start` and reach into the range
            events.update((e["id"], e) for e in self._query_spans(department_id, start, end))
        return events

    def _query_spans(self, department_id: str, start: str, end: str | None) -> Iterator[dict[str, Any]]:
        """The department's events spanning days whose last day is at or after `start` and whose
        first is not after `end` (but the series whose SERIES_MONTHS miss start..end's months): one
        Query of the sparse department-span-index."""
        kwargs: dict[str, Any] = {
            "TableName": self.events_table,
            "IndexName": DEPARTMENT_SPAN_INDEX,
            "KeyConditionExpression": "#dep = :dep AND #last >= :start",
            "ExpressionAttributeNames": {"#dep": "department_id", "#last": LAST_DATE},
            "ExpressionAttributeValues": to_item({":dep": department_id, ":start": start}),
        }
        if end:
            kwargs["FilterExpression"] = "#date <= :end"
            kwargs["ExpressionAttributeNames"]["#date"] = "event_date"
            values = {":dep": department_id, ":start": start, ":end": end}
            months = recurrence.months_between(date.fromisoformat(start), date.fromisoformat(end))
            if months != recurrence.ALL_MONTHS:  # series that never occur in these months stay behind
                in_months = " OR ".join(f"contains(#months, :m{m})" for m in sorted(months))
                kwargs["FilterExpression"] += f" AND (attribute_not_exists(#months) OR {in_months})"
                kwargs["ExpressionAttributeNames"]["#months"] = SERIES_MONTHS
                values.update({f":m{m}": m for m in months})
            kwargs["ExpressionAttributeValues"] = to_item(values)
        yield from self._paginate("query", kwargs, _listed_event)

    def list_events_page(
        self, department_id: str, start: str | None, end: str | None, limit: int,
        start_key: dict[str, Any] | None = None,
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """Up to `limit` of the department's events after start_key, pages following event_date
        (each page ordered as list_events orders); with the key the next page starts after, or None
        when no event follows. Raises NotFound for an unknown department."""
        self._check_department_exists(department_id)
        kwargs = self._department_events_query(department_id, start, end)
        items, next_key = self._page("query", kwargs, limit, start_key,
                                     key_names=("id", "department_id", "event_date"))
        events = [_public_event(item) for item in items]
        return sorted(events, key=listed_order), next_key

    def event_changes(self, department_id: str, since: str) -> list[dict[str, Any]]:
        """Every event of the department written at or after `since` (ISO-8601, as last_modified
        is stored), deleted ones as tombstones, ordered by last_modified then id: one Query of
        department-modified-index. Raises NotFound for an unknown department."""
        self._check_department_exists(department_id)
        kwargs: dict[str, Any] = {
            "TableName": self.events_table,
            "IndexName": DEPARTMENT_CHANGES_INDEX,
            "KeyConditionExpression": "#dep = :dep AND #last_modified >= :since",
            "ExpressionAttributeNames": {"#dep": "department_id", "#last_modified": "last_modified"},
            "ExpressionAttributeValues": to_item({":dep": department_id, ":since": since}),
        }
        changes = self._paginate("query", kwargs, _public_change)
        return sorted(changes, key=lambda change: (change["last_modified"], change["id"]))

    def get_event(self, event_id: str) -> PublicEvent:
        return self.events.get_event(event_id)

    def get_event_item(self, event_id: str) -> StoredEvent:
        return self.events.get_event_item(event_id)

    def get_event_items(self, department_id: str, event_ids: list[str]) -> list[StoredEvent]:
        return self.events.get_event_items(department_id, event_ids)

    def get_department_event(self, department_id: str, event_id: str) -> PublicEvent:
        return self.events.get_department_event(department_id, event_id)

    def create_event(
        self,
        department_id: str,
        fields: dict[str, Any],
        *,
        event_id: str | None = None,
        created_at: str | None = None,
        last_modified: str | None = None,
        actor: str = SYSTEM_ACTOR,
    ) -> dict[str, Any]:
        """Store a new event of an existing department (created_by = updated_by = actor); raises
        NotFound or Conflict (id taken)."""
        now = utc_now_iso()
        event = {
            **EVENT_DEFAULTS,
            **fields,
            "id": event_id or str(uuid.uuid4()),
            "department_id": department_id,
            "created_at": created_at or now,
            "last_modified": last_modified or created_at or now,
            "version": 1,
            "created_by": actor,
            "updated_by": actor,
        }
        self.transact(
            [
                {"ConditionCheck": {
                    "TableName": self.departments_table,
                    "Key": to_item(department_key(department_id)),
                    **DEPARTMENT_IS_LIVE.params(),
                }},
                {"Put": {"TableName": self.events_table, "Item": to_item(stored_event(event)),
                         **ITEM_IS_NEW.params()}},
            ],
            if_condition_fails=[
                NotFound(department_not_found(department_id)),
                Conflict(f"an event with id {event['id']} already exists"),
            ],
        )
        return public_event(event)

    def update_event(self, event_id: str, changes: dict[str, Any], expected_version: int | None = None,
                     actor: str = SYSTEM_ACTOR) -> PublicEvent:
        return self.events.update_event(event_id, changes, expected_version, actor)

    def delete_event(self, event_id: str, expected_version: int | None = None,
                     current: StoredEvent | None = None) -> PublicEvent:
        return self.events.delete_event(event_id, expected_version, current)

    def put_events(self, events: Iterable[dict[str, Any]]) -> None:
        self.events.put_events(events)

    def department_event_ids(self, department_id: str) -> set[str]:
        return self.events.department_event_ids(department_id)

    def count_department_events(self, department_id: str) -> int:
        return self.events.count_department_events(department_id)

    def scan_events(self) -> Iterator[PublicEvent]:
        return self.events.scan_events()

    def _query_department_events(self, department_id: str, start: str | None = None, end: str | None = None,
                                 convert=from_item) -> Iterator[dict[str, Any]]:
        yield from self._paginate("query", self._department_events_query(department_id, start, end), convert)

    def _department_events_query(self, department_id: str, start: str | None = None,
                                 end: str | None = None) -> dict[str, Any]:
        return event_queries.department_events(self.events_table, department_id, start, end)

    # -- plumbing -------------------------------------------------------------------------

    def _paginate(self, operation: str, kwargs: dict[str, Any], convert=from_item) -> Iterator[dict[str, Any]]:
        return plumbing.paginate(self.client, operation, kwargs, convert)

    def _page(self, operation: str, kwargs: dict[str, Any], limit: int, start_key: dict[str, Any] | None,
              key_names: tuple[str, ...], overread: int = 1) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        return plumbing.page(self.client, operation, kwargs, limit, start_key, key_names, overread)

    def transact(self, items: list[dict[str, Any]], if_condition_fails: list[DatabaseError] | None = None) -> None:
        """TransactWriteItems (storage.plumbing.transact): each failed condition raises its error."""
        plumbing.transact(self.client, items, if_condition_fails)
