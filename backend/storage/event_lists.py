"""A department's events as lists: a month (each series expanded into its occurrences, lazily, as
far as a page needs: rules/event_listing.py), a page in storage order, and the changes since a
moment (catch-up sync)."""
from __future__ import annotations

from itertools import islice

from config import Settings
from rules import recurrence
from rules.event_listing import expanded, listed_order
from rules.shapes import Change, ListedEvent, PublicEvent
from storage import department_spans, event_queries, plumbing
from storage.departments import Departments
from storage.items import change_from_wire, event_from_wire, listed_from_wire
from storage.wire import WireItem


class EventLists:
    """Reads of many events of one department, each after the department's existence check."""

    def __init__(self, settings: Settings, client, departments: Departments):
        self.client = client
        self.table = settings.events_table
        self.departments = departments

    def list_events(self, department_id: str, start: str | None = None, end: str | None = None,
                    expand: bool = True) -> list[PublicEvent]:
        """The department's events touching start..end (inclusive, YYYY-MM-DD), ordered by
        event_date then created_at: each series as its occurrences in the range (recurrence.expand),
        or with expand=False as stored. Raises NotFound for an unknown department."""
        return self.list_events_after(department_id, start, end, expand)[0]

    def list_events_after(
        self, department_id: str, start: str | None, end: str | None, expand: bool = True,
        after: tuple[str, ...] | None = None, limit: int | None = None,
    ) -> tuple[list[PublicEvent], tuple[str, ...] | None]:
        """Up to `limit` (all without one) of list_events' answer whose listed_order is after
        `after`, and the listed_order of the last one when more follow: series are expanded only
        as far as the page needs. Raises NotFound for an unknown department."""
        events = self._events_touching(department_id, start, end)
        # Occurrences before the day of the last one shown sort before it: expand from that day.
        window = (max(start, after[0]) if start and after else start, end) if expand else (None, None)
        with recurrence.listing():
            listed = (e for e in expanded(events.values(), *window, expand) if after is None or listed_order(e) > after)
            page = list(islice(listed, None if limit is None else limit + 1))
        if limit is None or len(page) <= limit:
            return page, None
        return page[:limit], listed_order(page[limit - 1])

    def _events_touching(self, department_id: str, start: str | None, end: str | None) -> dict[str, ListedEvent]:
        """The stored events (by id) of the department that touch start..end."""
        spans = self.departments.check_exists(department_id, self.table, may_grant=bool(start))
        query = event_queries.department_events(self.table, department_id, start, end)
        events = {e["id"]: e for e in plumbing.paginate(self.client, "query", query, listed_from_wire)}
        # Events spanning days and series that began before `start` and reach into the range.
        if start and spans != department_spans.NONE:
            spanning = event_queries.spanning(self.table, department_id, start, end)
            events.update((e["id"], e) for e in plumbing.paginate(self.client, "query", spanning, listed_from_wire))
        return events

    def list_events_page(
        self, department_id: str, start: str | None, end: str | None, limit: int,
        start_key: WireItem | None = None,
    ) -> tuple[list[PublicEvent], WireItem | None]:
        """Up to `limit` of the department's events after start_key, pages following event_date
        (each page ordered as list_events orders); with the key the next page starts after, or None
        when no event follows. Raises NotFound for an unknown department."""
        self.departments.check_exists(department_id, self.table)
        query = event_queries.department_events(self.table, department_id, start, end)
        items, next_key = plumbing.page(self.client, "query", query, limit, start_key,
                                        key_names=("id", "department_id", "event_date"))
        return sorted((event_from_wire(item) for item in items), key=listed_order), next_key

    def event_changes(self, department_id: str, since: str) -> list[Change]:
        """Every event of the department written at or after `since` (ISO-8601, as last_modified
        is stored), deleted ones as tombstones, ordered by last_modified then id: one Query of
        department-modified-index. Raises NotFound for an unknown department."""
        self.departments.check_exists(department_id, self.table)
        query = event_queries.changes_since(self.table, department_id, since)
        changes = plumbing.paginate(self.client, "query", query, change_from_wire)
        return sorted(changes, key=lambda change: (change["last_modified"], change["id"]))
