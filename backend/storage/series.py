"""Edits of an event or a series by scope: read what the edit touches, let rules/series_scope.py
compute the writes, write them in one call (`_write`), and read again when a condition failed
because something changed meanwhile. Reads of an occurrence by its id, too."""
from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import suppress
from datetime import date

from errors import Conflict, DatabaseError, NotFound, PreconditionFailed, ValidationError
from rules import recurrence, series_scope
from rules.actors import Actor
from rules.series_scope import Edit, Plan, PutNew, Replace
from rules.shapes import EventFields, PublicEvent, StoredEvent, public_event
from schema import (
    DEPARTMENT_IS_LIVE,
    EXCEPTION_DATES,
    department_key,
    department_not_found,
    event_not_found,
    utc_now_iso,
)
from storage import plumbing, series_actions
from storage.events import Events
from storage.items import to_item
from storage.wire import TransactAction

# Called with an event's department id before a write to it; raises to refuse the write.
DepartmentCheck = Callable[[str], None]


class _Changed(DatabaseError):
    """The series (or the exception) changed between the read and the write: read again."""


class SeriesEdits:
    """Changes and deletes by scope, on the events store."""

    def __init__(self, events: Events):
        self.events = events

    def get(self, department_id: str, event_id: str) -> PublicEvent:
        """The department's event, series, exception, or occurrence (`<series id>_<YYYYMMDD>`, as the
        month list shows it: its version is the series'). Raises NotFound."""
        series_id, day = recurrence.split_id(event_id)
        try:
            return self.events.get_department_event(department_id, event_id)
        except NotFound:
            if day is None:
                raise
        series = self.events.get_department_event(department_id, series_id)
        if not series.get("recurrence") or not recurrence.is_occurrence(series, day):
            raise NotFound(event_not_found(event_id))
        return series_scope.occurrence(series, day)

    def update(self, event_id: str, changes: EventFields, scope: str | None, expected_version: int | None,
               actor: Actor, check_department: DepartmentCheck | None = None) -> Edit:
        """Change an event, a series or an occurrence (`<series id>_<YYYYMMDD>`) in `scope` (default:
        `this` for an occurrence, `all` otherwise). Raises NotFound, ValidationError, PreconditionFailed."""
        if "_" not in event_id and scope in (None, "all"):  # an event or a whole series
            # (this/following on an event that is no series come to the same, in series_scope.target)
            return self._edit_all(event_id, changes, expected_version, actor, check_department)
        for _attempt in range(plumbing.TRANSACTION_RETRIES):
            item, day, chosen = self._target(event_id, scope, check_department)
            try:
                if chosen == "all":
                    return self._edit_all(item["id"], changes, expected_version, actor)
                if chosen == "this":
                    return self._edit_this(item, day, changes, expected_version, actor)
                return self._edit_following(item, day, changes, expected_version, actor)
            except _Changed:
                continue
        raise Conflict(f"event {event_id} kept changing; try again")

    def delete(self, event_id: str, scope: str | None, expected_version: int | None, actor: Actor,
               check_department: DepartmentCheck | None = None) -> Edit:
        """Delete an event, a series (with its exceptions) or occurrences of one, by scope (as update).
        Raises NotFound, ValidationError, PreconditionFailed."""
        for _attempt in range(plumbing.TRANSACTION_RETRIES):
            item, day, chosen = self._target(event_id, scope, check_department)
            try:
                if chosen == "all" or (chosen == "following" and day.isoformat() == item["event_date"]):
                    return self._delete_all(item, expected_version, actor)
                exceptions = self._exceptions(item, day) if chosen == "following" else self._exceptions(item, day, day)
                return self._write(series_scope.cut(item, day, exceptions, expected_version, actor, utc_now_iso(),
                                                    keep_day=chosen == "following"), actor)
            except _Changed:
                continue
        raise Conflict(f"event {event_id} kept changing; try again")

    def _target(self, event_id: str, scope: str | None,
                check_department: DepartmentCheck | None) -> tuple[StoredEvent, date, str]:
        """The stored event or series the id names, the occurrence's original date (its first day
        for `all`), and the scope that applies (series_scope.target). Raises NotFound."""
        item = self.events.get_event_item(recurrence.split_id(event_id)[0])
        if check_department is not None:
            check_department(item["department_id"])
        return item, *series_scope.target(item, event_id, scope)

    def _edit_this(self, series: StoredEvent, day: date, changes: EventFields, expected_version: int | None,
                   actor: Actor) -> Edit:
        """The occurrence changed alone: a new exception item, or the one stored before changed."""
        series_scope.check_one_occurrence(changes)
        if series_scope.has_exception(series, day):
            return self._edit_exception(recurrence.occurrence_id(series["id"], day), changes, expected_version, actor)
        return self._write(series_scope.edit_this(series, day, changes, expected_version, actor, utc_now_iso()), actor)

    def _edit_exception(self, exception_id: str, changes: EventFields, expected_version: int | None,
                        actor: Actor) -> Edit:
        """An exception changed again, written only if it is still at the version read."""
        for _attempt in range(plumbing.TRANSACTION_RETRIES):
            current = self.events.get_event_item(exception_id)
            series_scope.check_version(public_event(current), expected_version)
            try:
                updated = self.events.update_event(
                    exception_id, series_scope.exception_changes(current, changes), current["version"], actor)
            except PreconditionFailed:
                continue  # changed since the read: read it again
            return Edit(updated, updated=[updated])
        raise Conflict(f"event {exception_id} kept changing; try again")

    def _edit_all(self, event_id: str, changes: EventFields, expected_version: int | None, actor: Actor,
                  check_department: DepartmentCheck | None = None) -> Edit:
        """The event or the whole series changed (an event given `recurrence` becomes a series)."""
        for _attempt in range(plumbing.TRANSACTION_RETRIES):
            current = self.events.get_event_item(event_id)
            if check_department is not None:
                check_department(current["department_id"])
            if not current.get("recurrence") and "recurrence" not in changes:
                updated = self.events.update_event(event_id, changes, expected_version, actor)
                return Edit(updated, updated=[updated])
            try:
                return self._write(series_scope.rewrite_series(
                    current, self._exceptions(current, date.min), changes, expected_version, actor, utc_now_iso()), actor)
            except _Changed:
                continue
        raise Conflict(f"event {event_id} kept changing; try again")

    def _edit_following(self, series: StoredEvent, day: date, changes: EventFields, expected_version: int | None,
                        actor: Actor) -> Edit:
        if day == date.fromisoformat(series["event_date"]):  # this and following from the first: the whole series
            return self._edit_all(series["id"], changes, expected_version, actor)
        return self._write(series_scope.edit_following(series, self._exceptions(series, day), day, changes,
                                                       expected_version, actor, utc_now_iso(), str(uuid.uuid4())), actor)

    def _delete_all(self, series: StoredEvent, expected_version: int | None, actor: Actor) -> Edit:
        """Delete the series (or event) and its exceptions, each leaving a tombstone; the series (or
        event) goes to the department's trash."""
        if not series.get("recurrence"):
            return Edit(None, deleted=[self.events.delete_event(series["id"], expected_version, series, actor)])
        return self._write(series_scope.delete_all(series, self._exceptions(series, date.min), expected_version),
                           actor, trash=True)

    def _exceptions(self, series: StoredEvent, since: date, until: date = date.max) -> list[StoredEvent]:
        """The stored exceptions of the series from `since` to `until`, by original date (strongly consistent)."""
        days = sorted(d for d in series.get(EXCEPTION_DATES, []) if since.isoformat() <= d <= until.isoformat())
        ids = [recurrence.occurrence_id(series["id"], date.fromisoformat(d)) for d in days]
        return self.events.get_event_items(series["department_id"], ids)

    def _write(self, plan: Plan, actor: Actor, trash: bool = False) -> Edit:
        """The plan's writes, each with its history entry (`trash`: a deleted series restorable from
        the department's trash), in one transaction, the first group (the series' own) included;
        raises _Changed when a condition fails. A series with more exceptions than one transaction
        takes has the rest written after it, a group at a time where one changed meanwhile (that
        change wins). Returns what the edit did."""
        # An event made a series spans days from now on: department_spans must know before the write.
        self.events.departments.mark_spanning([write.item for group in plan.groups for write in group
                                               if isinstance(write, (PutNew, Replace))])
        tombstone = self.events.tombstone_update()
        groups = series_actions.with_history(self.events.table, plan.groups, tombstone, self.events.history, actor,
                                             trash)
        first, *rest = series_actions.packed(groups)
        self._transact(first)
        for transaction in rest:
            try:
                self._transact(transaction)
            except _Changed:
                for group in transaction:
                    with suppress(_Changed):
                        self._transact([group])
        return plan.edit

    def write_at_once(self, plan: Plan, actor: Actor, new_in: str | None = None) -> Edit:
        """Every write of the plan, each with its history entry, in ONE transaction (a CalDAV PUT of
        a series and its changed occurrences); `new_in`: the department a new event goes in, checked
        live in the same transaction. Raises NotFound (that department is gone), PreconditionFailed
        (an item is no longer as read, or a new id is taken), ValidationError (more writes than one
        transaction holds). A plan without writes writes nothing."""
        writes = [write for group in plan.groups for write in group]
        if not writes:
            return plan.edit
        self.events.departments.mark_spanning([w.item for w in writes if isinstance(w, (PutNew, Replace))])
        tombstone = self.events.tombstone_update()
        items = [action for group in series_actions.with_history(self.events.table, plan.groups, tombstone,
                                                                 self.events.history, actor) for action in group]
        if len(items) + (new_in is not None) > series_actions.TRANSACTION_ITEMS_MAX:
            raise ValidationError(f"one change writes at most {series_actions.TRANSACTION_ITEMS_MAX} items (events "
                                  f"and their history entries) at once; this one would write {len(items)}")
        failures: list[DatabaseError] = [PreconditionFailed("the event or one of its occurrences changed meanwhile, "
                                                            "or its id is taken: read it again") for _ in items]
        if new_in is not None:
            items.insert(0, {"ConditionCheck": {"TableName": self.events.settings.departments_table,
                                                "Key": to_item(department_key(new_in)), **DEPARTMENT_IS_LIVE.params()}})
            failures.insert(0, NotFound(department_not_found(new_in)))
        plumbing.transact(self.events.client, items, if_condition_fails=failures)
        return plan.edit

    def _transact(self, groups: list[list[TransactAction]]) -> None:
        items = [item for group in groups for item in group]
        plumbing.transact(self.events.client, items, if_condition_fails=[_Changed() for _ in items])
