"""Edits of a series in DynamoDB, by scope: `this` occurrence (an exception item keyed by the series
and the original date), `following` (the series ends before that day and a new one starts with the
changes, taking the exceptions from that day on), `all` (the series itself; exceptions keep their
own changes and take the series' others). No Flask.

An exception's id is its occurrence's id, `<series id>_<YYYYMMDD>`; the series lists the original
dates of its exceptions (EXCEPTION_DATES) so its expansion skips them. Each edit is one transaction
over the series and the exceptions it touches, each conditioned on the version read
(series_items.py); when one changed meanwhile, the edit reads again.
"""
from __future__ import annotations

import uuid
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import series_items
from errors import ValidationError
from models import (
    TRANSACTION_RETRIES,
    Conflict,
    DatabaseError,
    DepartmentCheck,
    DynamoDBDatabase,
    NotFound,
    PreconditionFailed,
    checked_times,
    public_event,
    stored_event,
)
from rules import recurrence
from schema import (
    EXCEPTION_DATES,
    LAST_DATE,
    OVERRIDDEN_FIELDS,
    SERIES_MONTHS,
    event_not_found,
    utc_now_iso,
)

SCOPES = ("this", "following", "all")
# What an edit of the whole series carries over to an exception that did not change it itself
# (the two times as a pair). An exception's day is its own.
CARRIED_OVER = ("title", "description", "time", "url", "start_time", "end_time")
CLOCK_FIELDS = frozenset({"start_time", "end_time"})


@dataclass
class Edit:
    """What a write did: the answer to the request, and the items to broadcast."""

    answer: dict[str, Any] | None = None
    created: list[dict[str, Any]] = field(default_factory=list)
    updated: list[dict[str, Any]] = field(default_factory=list)
    deleted: list[dict[str, Any]] = field(default_factory=list)


class _Changed(DatabaseError):
    """The series (or the exception) changed between the read and the write: read again."""


def get(db: DynamoDBDatabase, department_id: str, event_id: str) -> dict[str, Any]:
    """The department's event, series, exception, or occurrence (`<series id>_<YYYYMMDD>`, as the
    month list shows it: its version is the series'). Raises NotFound."""
    series_id, day = recurrence.split_id(event_id)
    try:
        return db.get_department_event(department_id, event_id)
    except NotFound:
        if day is None:
            raise
    series = db.get_department_event(department_id, series_id)
    if not series.get("recurrence") or not recurrence.is_occurrence(series, day):
        raise NotFound(event_not_found(event_id))
    return _occurrence(series, day)


def update(db: DynamoDBDatabase, event_id: str, changes: dict[str, Any], scope: str | None,
           expected_version: int | None, actor: str, check_department: DepartmentCheck | None = None) -> Edit:
    """Change an event, a series or an occurrence (`<series id>_<YYYYMMDD>`) in `scope` (default:
    `this` for an occurrence, `all` otherwise). Raises NotFound, ValidationError, PreconditionFailed."""
    if "_" not in event_id and scope in (None, "all"):  # an event or a whole series
        # (this/following on an event that is no series come to the same, in _target)
        return _edit_all(db, event_id, changes, expected_version, actor, check_department)
    for _attempt in range(TRANSACTION_RETRIES):
        item, day, chosen = _target(db, event_id, scope, check_department)
        try:
            if chosen == "all":
                return _edit_all(db, item["id"], changes, expected_version, actor)
            if chosen == "this":
                return _edit_this(db, item, day, changes, expected_version, actor)
            return _edit_following(db, item, day, changes, expected_version, actor)
        except _Changed:
            continue
    raise Conflict(f"event {event_id} kept changing; try again")


def delete(db: DynamoDBDatabase, event_id: str, scope: str | None, expected_version: int | None, actor: str,
           check_department: DepartmentCheck | None = None) -> Edit:
    """Delete an event, a series (with its exceptions) or occurrences of one, by scope (as update).
    Raises NotFound, ValidationError, PreconditionFailed."""
    for _attempt in range(TRANSACTION_RETRIES):
        item, day, chosen = _target(db, event_id, scope, check_department)
        try:
            if chosen == "all" or (chosen == "following" and day.isoformat() == item["event_date"]):
                return _delete_all(db, item, expected_version)
            return _cut(db, item, day, expected_version, actor, keep_day=chosen == "following")
        except _Changed:
            continue
    raise Conflict(f"event {event_id} kept changing; try again")


def _target(db: DynamoDBDatabase, event_id: str, scope: str | None,
            check_department: DepartmentCheck | None) -> tuple[dict[str, Any], date | None, str]:
    """The stored event or series the id names, the occurrence's original date (None for `all`),
    and the scope that applies. Raises NotFound (also for a day the series has no occurrence on)."""
    series_id, day = recurrence.split_id(event_id)
    item = db.get_event_item(series_id)
    if check_department is not None:
        check_department(item["department_id"])
    if not item.get("recurrence"):  # an event that is no series is its own only occurrence: any scope is it
        if day is not None:
            raise NotFound(f"event {event_id} not found")
        return item, None, "all"
    chosen = scope or ("this" if day else "all")
    if chosen == "all":
        return item, None, chosen
    day = day or date.fromisoformat(item["event_date"])
    if day.isoformat() not in item.get(EXCEPTION_DATES, []) and not recurrence.is_occurrence(item, day):
        raise NotFound(f"event {event_id} not found")
    return item, day, chosen


def _occurrence(series: dict[str, Any], day: date) -> dict[str, Any]:
    return next(o for o in recurrence.expand(public_event(series), day, day) if o["original_date"] == day.isoformat())


def _check_version(current: dict[str, Any], expected_version: int | None) -> None:
    if expected_version is not None and expected_version != current["version"]:
        raise PreconditionFailed(f"event {current['id']} is at version {current['version']}", current["version"],
                                 current)


def _edit_this(db: DynamoDBDatabase, series: dict[str, Any], day: date, changes: dict[str, Any],
               expected_version: int | None, actor: str) -> Edit:
    """The occurrence changed alone: a new exception item, or the one stored before changed."""
    if "recurrence" in changes:
        raise ValidationError("one occurrence (`scope=this`) does not repeat: change the series with scope "
                              "all or following", {"recurrence": "not with scope=this"})
    exception_id = recurrence.occurrence_id(series["id"], day)
    if day.isoformat() in series.get(EXCEPTION_DATES, []):
        return _edit_exception(db, exception_id, changes, expected_version, actor)
    occurrence = _occurrence(series, day)
    _check_version(occurrence, expected_version)
    exception = _changed(occurrence, changes, actor)
    _transact(db, [[series_items.put_new(db, {**stored_event(exception), OVERRIDDEN_FIELDS: sorted(changes)}),
                    series_items.series_update(db, series, "ADD #exceptions :day", {":day": {day.isoformat()}})]])
    stored = public_event(exception)
    return Edit(stored, updated=[stored])


def _edit_exception(db: DynamoDBDatabase, exception_id: str, changes: dict[str, Any], expected_version: int | None,
                    actor: str) -> Edit:
    """An exception changed again: the changes, their fields added to those it overrides, written
    only if it is still at the version read."""
    for _attempt in range(TRANSACTION_RETRIES):
        current = db.get_event_item(exception_id)
        _check_version(public_event(current), expected_version)
        overridden = sorted(set(current.get(OVERRIDDEN_FIELDS, [])) | changes.keys())
        try:
            updated = db.update_event(exception_id, {**changes, OVERRIDDEN_FIELDS: overridden}, current["version"], actor)
        except PreconditionFailed:
            continue  # changed since the read: read it again
        return Edit(updated, updated=[updated])
    raise Conflict(f"event {exception_id} kept changing; try again")


def _edit_all(db: DynamoDBDatabase, event_id: str, changes: dict[str, Any], expected_version: int | None,
              actor: str, check_department: DepartmentCheck | None = None) -> Edit:
    """The event or the whole series changed (an event given `recurrence` becomes a series)."""
    for _attempt in range(TRANSACTION_RETRIES):
        current = db.get_event_item(event_id)
        if check_department is not None:
            check_department(current["department_id"])
        if not current.get("recurrence") and "recurrence" not in changes:
            updated = db.update_event(event_id, changes, expected_version, actor)
            return Edit(updated, updated=[updated])
        try:
            return _rewrite_series(db, current, changes, expected_version, actor)
        except _Changed:
            continue
    raise Conflict(f"event {event_id} kept changing; try again")


def _rewrite_series(db: DynamoDBDatabase, series: dict[str, Any], changes: dict[str, Any],
                    expected_version: int | None, actor: str) -> Edit:
    """The series changed together with its exceptions, in one transaction conditioned on each
    version read: they take the changes to the fields they did not change themselves, and those on
    days the series no longer gives (its rule or first day changed) are deleted."""
    _check_version(public_event(series), expected_version)
    after = _changed(series, changes, actor)
    carried = {k: v for k, v in changes.items() if k in CARRIED_OVER}
    kept: set[str] = set()
    groups: list[list[dict]] = []
    edit = Edit(public_event(after), updated=[public_event(after)])
    for exception in _exceptions(db, series, date.min):
        if not recurrence.is_occurrence(after, date.fromisoformat(exception["original_date"])):
            groups.append([series_items.tombstone(db, exception)])
            edit.deleted.append(_key(exception))
            continue
        kept.add(exception["original_date"])
        if (moved := _carried(exception, carried, actor)) is not None:
            groups.append([series_items.put_if_version(db, moved, exception["version"])])
            edit.updated.append(public_event(moved))
    series_put = series_items.put_series(db, {**stored_event(after), **_exception_dates(kept)}, series)
    _write(db, [[series_put], *groups])
    return edit


def _changed(item: dict[str, Any], changes: dict[str, Any], actor: str) -> dict[str, Any]:
    """The stored event with the changes (None removes a field), as the next version; raises
    ValidationError when its times contradict each other."""
    after = checked_times(public_event(item), changes)
    after.update(version=item["version"] + 1, last_modified=utc_now_iso(), updated_by=actor)
    return after


def _carried(exception: dict[str, Any], carried: dict[str, Any], actor: str,
             **renamed: Any) -> dict[str, Any] | None:
    """The exception's item with the series' changes to the fields it did not change itself (the
    two times as a pair) and `renamed` fields; None when nothing changes or its times would clash."""
    own = set(exception.get(OVERRIDDEN_FIELDS, []))
    own |= CLOCK_FIELDS if own & CLOCK_FIELDS else set()
    fields = {k: v for k, v in carried.items() if k not in own}
    if not fields and not renamed:
        return None
    try:
        after = _changed(exception, fields, actor)
    except ValidationError:
        if not renamed:
            return None
        after = _changed(exception, {}, actor)
    return {**stored_event({**after, **renamed}), OVERRIDDEN_FIELDS: exception.get(OVERRIDDEN_FIELDS, [])}


def _exceptions(db: DynamoDBDatabase, series: dict[str, Any], since: date) -> list[dict[str, Any]]:
    """The stored exceptions of the series on or after `since`, by original date (strongly consistent)."""
    days = sorted(d for d in series.get(EXCEPTION_DATES, []) if d >= since.isoformat())
    ids = [recurrence.occurrence_id(series["id"], date.fromisoformat(d)) for d in days]
    return db.get_event_items(series["department_id"], ids)


def _exception_dates(days: set[str] | list[str]) -> dict[str, Any]:
    return {EXCEPTION_DATES: set(days)} if days else {}


def _key(event: dict[str, Any]) -> dict[str, Any]:
    return {"id": event["id"], "department_id": event["department_id"]}


def _write(db: DynamoDBDatabase, groups: list[list[dict]]) -> None:
    """The writes in one transaction, the first group (the series' own) included; raises _Changed
    when a condition fails. A series with more exceptions than one transaction takes has the rest
    written after it, a group at a time where one changed meanwhile (that change wins)."""
    first, *rest = series_items.packed(groups)
    _transact(db, first)
    for transaction in rest:
        try:
            _transact(db, transaction)
        except _Changed:
            for group in transaction:
                with suppress(_Changed):
                    _transact(db, [group])


def _transact(db: DynamoDBDatabase, groups: list[list[dict]]) -> None:
    items = [item for group in groups for item in group]
    db.transact(items, if_condition_fails=[_Changed() for _ in items])


def _cut_series(db: DynamoDBDatabase, series: dict[str, Any], lines: list[str], kept: list[str],
                actor: str) -> tuple[dict, dict[str, Any]]:
    """The transaction item giving the series new lines and exception dates (version bumped), and
    the series as it will be. Raises ValidationError when the lines leave no occurrence."""
    after = {**public_event(series), "recurrence": lines, "version": series["version"] + 1,
             "last_modified": utc_now_iso(), "updated_by": actor}
    try:
        last = recurrence.last_day(after)
    except recurrence.RecurrenceError as exc:
        if str(exc) != recurrence.NO_OCCURRENCE:  # e.g. the 5,001st date deleted alone
            raise ValidationError(f"invalid input: recurrence {exc}", {"recurrence": str(exc)}) from None
        raise ValidationError("that leaves the series no occurrence: delete it with scope=all",
                              {"scope": "would leave the series no occurrence"}) from None
    update = "SET #r = :lines, #last = :last, #months = :months, #version = :next, #lm = :now, #by = :actor"
    update += ", #exceptions = :kept" if kept else " REMOVE #exceptions"
    values = {":lines": lines, ":last": last, ":months": set(recurrence.months(after)), ":next": after["version"],
              ":now": after["last_modified"], ":actor": actor, **({":kept": set(kept)} if kept else {})}
    names = {"#r": "recurrence", "#last": LAST_DATE, "#months": SERIES_MONTHS, "#lm": "last_modified",
             "#by": "updated_by"}
    return series_items.series_update(db, series, update, values, names), after


def _split(series: dict[str, Any], first: date, day: date) -> tuple[list[str], list[str]]:
    """recurrence.split of the series' lines; raises ValidationError when they no longer pass
    today's checks (a series stored before them)."""
    try:
        return recurrence.split(series["recurrence"], first, day)
    except recurrence.RecurrenceError as exc:
        raise ValidationError(f"invalid input: recurrence {exc}", {"recurrence": str(exc)}) from None


def _edit_following(db: DynamoDBDatabase, series: dict[str, Any], day: date, changes: dict[str, Any],
                    expected_version: int | None, actor: str) -> Edit:
    """The series ends the day before `day`; a new series starts on it with the changes, and the
    exceptions from that day on move to it (those on days it does not give are deleted)."""
    first = date.fromisoformat(series["event_date"])
    if day == first:  # this and following from the first: the whole series
        return _edit_all(db, series["id"], changes, expected_version, actor)
    _check_version(public_event(series), expected_version)
    head, tail = _split(series, first, day)
    occurrence, now = _occurrence(series, day), utc_now_iso()
    for internal in ("recurring_event_id", "original_date"):
        occurrence.pop(internal)
    new = checked_times({**occurrence, "recurrence": tail}, changes)
    new.update(id=str(uuid.uuid4()), created_at=now, last_modified=now, version=1, created_by=actor, updated_by=actor)
    cut, before = _cut_series(db, series, head, _exceptions_before(series, day), actor)
    edit = Edit(public_event(new), created=[public_event(new)], updated=[before])
    groups, moved = _moved_exceptions(db, series, day, new, changes, actor, edit)
    _write(db, [[cut, series_items.put_new(db, {**stored_event(new), **_exception_dates(moved)})], *groups])
    return edit


def _moved_exceptions(db: DynamoDBDatabase, series: dict[str, Any], day: date, new: dict[str, Any],
                      changes: dict[str, Any], actor: str, edit: Edit) -> tuple[list[list[dict]], list[str]]:
    """The writes moving the series' exceptions from `day` on to the new series (each deleted, and
    stored again under the new series' id with the changes it did not make itself), and their days.
    Those on days the new series does not give are only deleted. Adds what changed to `edit`."""
    groups, moved = [], []
    carried = {k: v for k, v in changes.items() if k in CARRIED_OVER}
    for exception in _exceptions(db, series, day):
        original = date.fromisoformat(exception["original_date"])
        group = [series_items.tombstone(db, exception)]
        edit.deleted.append(_key(exception))
        if recurrence.is_occurrence(new, original):
            item = _carried(exception, carried, actor, id=recurrence.occurrence_id(new["id"], original),
                            recurring_event_id=new["id"], version=1, created_at=new["created_at"])
            group.append(series_items.put_new(db, item))
            edit.created.append(public_event(item))
            moved.append(exception["original_date"])
        groups.append(group)
    return groups, moved


def _exceptions_before(series: dict[str, Any], day: date) -> list[str]:
    return [d for d in series.get(EXCEPTION_DATES, []) if d < day.isoformat()]


def _exceptions_from(series: dict[str, Any], day: date) -> list[dict[str, Any]]:
    """Keys (as `{"id", "department_id"}`) of the series' exceptions on or after `day`."""
    return [{"id": recurrence.occurrence_id(series["id"], date.fromisoformat(d)), "department_id": series["department_id"]}
            for d in sorted(series.get(EXCEPTION_DATES, [])) if d >= day.isoformat()]


def _cut(db: DynamoDBDatabase, series: dict[str, Any], day: date, expected_version: int | None, actor: str,
         keep_day: bool) -> Edit:
    """Delete the occurrence on `day` (an EXDATE; its exception, if any, becomes a tombstone), or with
    keep_day every occurrence from `day` on (the series ends the day before)."""
    first = date.fromisoformat(series["event_date"])
    exceptions = _exceptions_from(series, day)
    if not keep_day:
        exceptions = [e for e in exceptions if e["id"] == recurrence.occurrence_id(series["id"], day)]
    current = db.get_event(exceptions[0]["id"]) if exceptions and not keep_day else _occurrence(series, day)
    _check_version(current if not keep_day else public_event(series), expected_version)
    if keep_day:
        lines, kept = _split(series, first, day)[0], _exceptions_before(series, day)
    else:
        lines = recurrence.with_exdate(series["recurrence"], day)
        kept = [d for d in series.get(EXCEPTION_DATES, []) if d != day.isoformat()]
    cut, after = _cut_series(db, series, lines, kept, actor)
    items = [cut, *[series_items.tombstone(db, e) for e in exceptions]]
    db.transact(items, if_condition_fails=[_Changed() for _ in items])
    gone = exceptions or [{"id": recurrence.occurrence_id(series["id"], day), "department_id": series["department_id"]}]
    return Edit(None, updated=[after], deleted=gone if not keep_day else exceptions)


def _delete_all(db: DynamoDBDatabase, series: dict[str, Any], expected_version: int | None) -> Edit:
    """Delete the series (or event) and its exceptions in one transaction, each leaving a tombstone."""
    if not series.get("recurrence"):
        return Edit(None, deleted=[db.delete_event(series["id"], expected_version, current=series)])
    exceptions = _exceptions(db, series, date.min)
    _check_version(public_event(series), expected_version)
    _write(db, [[series_items.tombstone(db, series)], *[[series_items.tombstone(db, e)] for e in exceptions]])
    return Edit(None, deleted=[public_event(series), *(public_event(e) for e in exceptions)])
