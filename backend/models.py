"""The seed's entry point to storage: DynamoDBDatabase composes the stores of storage/ (tables,
departments, events, event lists, series edits, idempotency) behind the method names callers know,
and re-exports the domain errors (errors.py) and item conversion (storage/items.py) tests import."""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from config import Settings
from errors import (  # re-exported: tests import them here
    Conflict,
    DatabaseError,
    NotFound,
    PreconditionFailed,
    Throttled,
)
from rules.actors import Actor
from rules.shapes import Change, EventFields, PublicDepartment, PublicEvent, StoredEvent, WrittenAttributes
from storage import plumbing
from storage.client import make_client
from storage.company_days import CompanyDays
from storage.departments import SYSTEM_ACTOR, Departments
from storage.event_lists import EventLists
from storage.event_search import EventSearch
from storage.events import Events
from storage.idempotency import IdempotencyStore
from storage.items import from_item, to_item
from storage.series import SeriesEdits
from storage.tables import Tables
from storage.trash import Trash
from storage.wire import TableSpec, TransactAction, WireItem

__all__ = ["Conflict", "DatabaseError", "DynamoDBDatabase", "NotFound", "PreconditionFailed", "Throttled",
           "from_item", "to_item"]


class DynamoDBDatabase:
    """Departments and events in DynamoDB; one public method per access pattern, each answered by
    the store of storage/ that owns it (reachable as attributes, e.g. `db.series.update`)."""

    def __init__(self, settings: Settings | None = None, client=None):
        self.settings = settings or Settings.from_env()
        self.client = client or make_client(self.settings)
        self.departments_table = self.settings.departments_table
        self.events_table = self.settings.events_table
        self.tables = Tables(self.settings, self.client)
        self.departments = Departments(self.settings, self.client)
        self.events = Events(self.settings, self.client, self.departments)
        self.event_lists = EventLists(self.settings, self.client, self.departments)
        self.series = SeriesEdits(self.events)  # edits and deletes by scope (this, following, all)
        self.history = self.events.history  # each change of an event (storage/event_history.py)
        self.trash = Trash(self.events)  # deleted events, restorable for TRASH_DAYS
        self.search = EventSearch(self.events_table, self.client)  # the events' folded text, Queried
        self.company_days = CompanyDays(self.client, self.departments_table)  # 창립기념일, 전사 휴무
        self.idempotency = IdempotencyStore(
            self.client, self.settings.idempotency_table, self.settings.idempotency_in_progress_seconds
        )

    # -- tables (storage/tables.py) -------------------------------------------------------

    def create_tables(self, wait: bool = True) -> list[str]:
        """storage/tables.py's create_tables; then (waiting) events stored before search get their text."""
        created = self.tables.create_tables(wait)
        if wait:
            self.search.fill_missing()
        return created

    def upgrade_tables(self, described: dict[str, TableSpec | None] | None = None) -> list[str]:
        return self.tables.upgrade_tables(described)

    def table_statuses(self, probe: bool = False) -> dict[str, str]:
        return self.tables.table_statuses(probe)

    # -- departments (storage/departments.py) ---------------------------------------------

    def list_departments(self) -> list[PublicDepartment]:
        return self.departments.list_departments()

    def list_departments_page(
        self, limit: int, start_key: WireItem | None = None
    ) -> tuple[list[PublicDepartment], WireItem | None]:
        return self.departments.list_departments_page(limit, start_key)

    def get_department(self, department_id: str) -> PublicDepartment:
        return self.departments.get_department(department_id)

    def get_departments(self, department_ids: Iterable[str]) -> list[PublicDepartment]:
        return self.departments.get_departments(department_ids)

    def get_departments_page(
        self, department_ids: Iterable[str], limit: int, start_key: dict[str, str] | None = None
    ) -> tuple[list[PublicDepartment], dict[str, str] | None]:
        return self.departments.get_departments_page(department_ids, limit, start_key)

    def find_department_by_name(self, name: str) -> PublicDepartment | None:
        return self.departments.find_department_by_name(name)

    def create_department(
        self, name: str, description: str = "", *, department_id: str | None = None, created_at: str | None = None,
        updated_at: str | None = None, actor: Actor = SYSTEM_ACTOR, updated_by: Actor | None = None,
    ) -> PublicDepartment:
        return self.departments.create_department(
            name, description, department_id=department_id, created_at=created_at, updated_at=updated_at,
            actor=actor, updated_by=updated_by)

    def update_department(self, department_id: str, changes: dict[str, str], actor: Actor = SYSTEM_ACTOR
                          ) -> PublicDepartment:
        return self.departments.update_department(department_id, changes, actor)

    def delete_department(self, department_id: str) -> int:
        """Delete the department, its events and their tombstones; returns how many items went."""
        return self.departments.delete_department(department_id, self.events_table)

    def forget_department(self, department_id: str) -> None:
        self.departments.forget_department(department_id)

    # -- events (storage/events.py, storage/event_lists.py) -------------------------------

    def list_events(self, department_id: str, start: str | None = None, end: str | None = None,
                    expand: bool = True) -> list[PublicEvent]:
        return self.event_lists.list_events(department_id, start, end, expand)

    def list_events_after(
        self, department_id: str, start: str | None, end: str | None, expand: bool = True,
        after: tuple[str, ...] | None = None, limit: int | None = None,
    ) -> tuple[list[PublicEvent], tuple[str, ...] | None]:
        return self.event_lists.list_events_after(department_id, start, end, expand, after, limit)

    def list_events_page(
        self, department_id: str, start: str | None, end: str | None, limit: int,
        start_key: WireItem | None = None,
    ) -> tuple[list[PublicEvent], WireItem | None]:
        return self.event_lists.list_events_page(department_id, start, end, limit, start_key)

    def event_changes(self, department_id: str, since: str) -> list[Change]:
        return self.event_lists.event_changes(department_id, since)

    def get_event(self, event_id: str) -> PublicEvent:
        return self.events.get_event(event_id)

    def get_event_item(self, event_id: str) -> StoredEvent:
        return self.events.get_event_item(event_id)

    def get_event_items(self, department_id: str, event_ids: list[str]) -> list[StoredEvent]:
        return self.events.get_event_items(department_id, event_ids)

    def get_department_event(self, department_id: str, event_id: str) -> PublicEvent:
        return self.events.get_department_event(department_id, event_id)

    def create_event(
        self, department_id: str, fields: EventFields, *, event_id: str | None = None,
        created_at: str | None = None, last_modified: str | None = None, actor: Actor = SYSTEM_ACTOR,
        attributes: WrittenAttributes | None = None,
    ) -> PublicEvent:
        return self.events.create_event(department_id, fields, event_id=event_id, created_at=created_at,
                                        last_modified=last_modified, actor=actor, attributes=attributes)

    def update_event(self, event_id: str, changes: EventFields, expected_version: int | None = None,
                     actor: Actor = SYSTEM_ACTOR) -> PublicEvent:
        return self.events.update_event(event_id, changes, expected_version, actor)

    def delete_event(self, event_id: str, expected_version: int | None = None,
                     current: StoredEvent | None = None, actor: Actor = SYSTEM_ACTOR) -> PublicEvent:
        return self.events.delete_event(event_id, expected_version, current, actor)

    def put_events(self, events: Iterable[PublicEvent], history: bool = False) -> None:
        self.events.put_events(events, history)

    def department_event_ids(self, department_id: str) -> set[str]:
        return self.events.department_event_ids(department_id)

    def count_department_events(self, department_id: str) -> int:
        return self.events.count_department_events(department_id)

    def scan_events(self) -> Iterator[PublicEvent]:
        return self.events.scan_events()

    def transact(self, items: list[TransactAction], if_condition_fails: list[DatabaseError] | None = None) -> None:
        """TransactWriteItems (storage.plumbing.transact): each failed condition raises its error."""
        plumbing.transact(self.client, items, if_condition_fails)
