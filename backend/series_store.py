"""Edits of a series in DynamoDB, by scope: `this` occurrence (an exception item keyed by the series
and the original date), `following` (the series ends before that day and a new one starts with the
changes), `all` (the series itself; exceptions keep their own changes and take the series' others). No Flask.

An exception's id is its occurrence's id, `<series id>_<YYYYMMDD>`; the series lists the original
dates of its exceptions (EXCEPTION_DATES) so its expansion skips them, written in the same
transaction as the exception, on the condition that the series is still at the version read.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import recurrence
from models import (
    TRANSACTION_RETRIES,
    Conflict,
    DatabaseError,
    DepartmentCheck,
    DynamoDBDatabase,
    NotFound,
    PreconditionFailed,
    _stored_event,
    public_event,
    to_item,
)
from schema import (
    EVENT_IS_LIVE,
    EXCEPTION_DATES,
    ITEM_IS_NEW,
    LAST_DATE,
    OVERRIDDEN_FIELDS,
    VERSION_MATCHES,
    event_key,
    event_not_found,
    utc_now_iso,
)
from validation import ValidationError, check_event_times

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
    if "_" not in event_id and scope in (None, "all"):  # an event or a whole series: one conditional write
        # (this/following on an event that is no series come to the same, after a read)
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
    item = db._get_event_item(series_id)
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
    exception = {k: v for k, v in {**occurrence, **changes}.items() if v is not None}
    exception.update(version=occurrence["version"] + 1, last_modified=utc_now_iso(), updated_by=actor)
    check_event_times(exception)
    db._transact([
        {"Put": {"TableName": db.events_table, "Item": to_item({**_stored_event(exception), OVERRIDDEN_FIELDS: sorted(changes)}),
                 **ITEM_IS_NEW.params()}},
        _series_write(db, series, "ADD #exceptions :day", {":day": {day.isoformat()}}),
    ], if_condition_fails=[_Changed(), _Changed()])
    stored = public_event(exception)
    return Edit(stored, updated=[stored])


def _edit_exception(db: DynamoDBDatabase, exception_id: str, changes: dict[str, Any], expected_version: int | None,
                    actor: str) -> Edit:
    """An exception changed again: the changes, their fields added to those it overrides, written
    only if it is still at the version read."""
    for _attempt in range(TRANSACTION_RETRIES):
        current = db._get_event_item(exception_id)
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
    """The event or the whole series changed; a series' exceptions take what they did not change
    themselves, and with new `recurrence` lines those on days the lines no longer give are deleted."""
    if "recurrence" in changes:
        updated, gone = _change_rule(db, event_id, changes, expected_version, actor, check_department)
    else:
        updated, gone = db.update_event(event_id, changes, expected_version, actor, check_department), []
    carried = {k: v for k, v in changes.items() if k in CARRIED_OVER}
    if not updated.get("recurrence") or not carried:
        return Edit(updated, updated=[updated], deleted=gone)
    series = db._get_event_item(event_id)
    exceptions = [_carry_over(db, recurrence.occurrence_id(event_id, date.fromisoformat(day)), carried, actor)
                  for day in sorted(series.get(EXCEPTION_DATES, []))]
    return Edit(updated, updated=[updated, *(e for e in exceptions if e is not None)], deleted=gone)


def _change_rule(db: DynamoDBDatabase, event_id: str, changes: dict[str, Any], expected_version: int | None,
                 actor: str, check_department: DepartmentCheck | None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """New lines for a series (or an event becoming one), written only if it is still at the version
    read, keeping the exceptions on days the lines still give; the others become tombstones.
    Returns the series and the deleted exceptions."""
    for _attempt in range(TRANSACTION_RETRIES):
        series = db._get_event_item(event_id)
        if check_department is not None:
            check_department(series["department_id"])
        _check_version(public_event(series), expected_version)
        after = {k: v for k, v in {**public_event(series), **changes}.items() if v is not None}
        check_event_times(after)
        days = sorted(series.get(EXCEPTION_DATES, []))
        kept = {d for d in days if recurrence.is_occurrence(after, date.fromisoformat(d))}
        try:
            updated = db.update_event(event_id, {**changes, EXCEPTION_DATES: kept or None}, series["version"], actor)
        except PreconditionFailed:
            continue  # changed since the read (an exception added, say): read it again
        gone = [_delete_quietly(db, recurrence.occurrence_id(event_id, date.fromisoformat(d)))
                for d in days if d not in kept]
        return updated, [g for g in gone if g is not None]
    raise Conflict(f"event {event_id} kept changing; try again")


def _delete_quietly(db: DynamoDBDatabase, event_id: str) -> dict[str, Any] | None:
    """The event deleted (its tombstone's answer), or None when it is gone already."""
    try:
        return db.delete_event(event_id)
    except NotFound:
        return None


def _carry_over(db: DynamoDBDatabase, exception_id: str, carried: dict[str, Any], actor: str) -> dict[str, Any] | None:
    """The series' changes to the fields the exception did not change itself, applied to it; None
    when there are none, or when it changed meanwhile (its own change wins) or its times would clash."""
    try:
        exception = db._get_event_item(exception_id)
        own = set(exception.get(OVERRIDDEN_FIELDS, []))
        own |= CLOCK_FIELDS if own & CLOCK_FIELDS else set()
        fields = {k: v for k, v in carried.items() if k not in own}
        return db.update_event(exception_id, fields, exception["version"], actor) if fields else None
    except (NotFound, PreconditionFailed, ValidationError):
        return None


def _series_write(db: DynamoDBDatabase, series: dict[str, Any], update: str, values: dict[str, Any]) -> dict:
    """A TransactWriteItems Update of the series, on the condition that it is live and at the version read."""
    return {"Update": {
        "TableName": db.events_table,
        "Key": to_item(event_key(series["id"], series["department_id"])),
        "UpdateExpression": update,
        "ConditionExpression": f"{EVENT_IS_LIVE.expression} AND {VERSION_MATCHES.expression}",
        "ExpressionAttributeNames": {**EVENT_IS_LIVE.names, **VERSION_MATCHES.names, "#exceptions": EXCEPTION_DATES,
                                     **({"#r": "recurrence", "#last": LAST_DATE, "#lm": "last_modified",
                                         "#by": "updated_by"} if ":lines" in values else {})},
        "ExpressionAttributeValues": to_item({**values, ":expected": series["version"]}),
    }}


def _cut_series(db: DynamoDBDatabase, series: dict[str, Any], lines: list[str], kept: list[str],
                actor: str) -> tuple[dict, dict[str, Any]]:
    """The transaction item giving the series new lines and exception dates (version bumped), and
    the series as it will be. Raises ValidationError when the lines leave no occurrence."""
    after = {**public_event(series), "recurrence": lines, "version": series["version"] + 1,
             "last_modified": utc_now_iso(), "updated_by": actor}
    try:
        last = recurrence.last_day(after)
    except recurrence.RecurrenceError:
        raise ValidationError("that leaves the series no occurrence: delete it with scope=all",
                              {"scope": "would leave the series no occurrence"}) from None
    update = "SET #r = :lines, #last = :last, #version = :next, #lm = :now, #by = :actor"
    update += ", #exceptions = :kept" if kept else " REMOVE #exceptions"
    values = {":lines": lines, ":last": last, ":next": after["version"], ":now": after["last_modified"],
              ":actor": actor, **({":kept": set(kept)} if kept else {})}
    return _series_write(db, series, update, values), after


def _edit_following(db: DynamoDBDatabase, series: dict[str, Any], day: date, changes: dict[str, Any],
                    expected_version: int | None, actor: str) -> Edit:
    """The series ends the day before `day`; a new series starts on it with the changes."""
    first = date.fromisoformat(series["event_date"])
    if day == first:  # this and following from the first: the whole series
        return _edit_all(db, series["id"], changes, expected_version, actor)
    _check_version(public_event(series), expected_version)
    head, tail = recurrence.split(series["recurrence"], first, day)
    occurrence, now = _occurrence(series, day), utc_now_iso()
    for internal in ("recurring_event_id", "original_date"):
        occurrence.pop(internal)
    new = {k: v for k, v in {**occurrence, "recurrence": tail, **changes}.items() if v is not None}
    new.update(id=str(uuid.uuid4()), created_at=now, last_modified=now, version=1, created_by=actor, updated_by=actor)
    check_event_times(new)
    cut, before = _cut_series(db, series, head, _exceptions_before(series, day), actor)
    dropped = _exceptions_from(series, day)
    items = [cut, {"Put": {"TableName": db.events_table, "Item": to_item(_stored_event(new)), **ITEM_IS_NEW.params()}},
             *[_tombstone(db, e) for e in dropped]]
    db._transact(items, if_condition_fails=[_Changed() for _ in items])
    return Edit(public_event(new), created=[public_event(new)], updated=[before], deleted=dropped)


def _exceptions_before(series: dict[str, Any], day: date) -> list[str]:
    return [d for d in series.get(EXCEPTION_DATES, []) if d < day.isoformat()]


def _exceptions_from(series: dict[str, Any], day: date) -> list[dict[str, Any]]:
    """Keys (as `{"id", "department_id"}`) of the series' exceptions on or after `day`."""
    return [{"id": recurrence.occurrence_id(series["id"], date.fromisoformat(d)), "department_id": series["department_id"]}
            for d in sorted(series.get(EXCEPTION_DATES, [])) if d >= day.isoformat()]


def _tombstone(db: DynamoDBDatabase, event: dict[str, Any]) -> dict:
    """A TransactWriteItems Update turning a live event into a tombstone (as delete_event does)."""
    update, names, values = db.tombstone_update()
    return {"Update": {"TableName": db.events_table, "Key": to_item(event_key(event["id"], event["department_id"])),
                       "UpdateExpression": update, "ConditionExpression": EVENT_IS_LIVE.expression,
                       "ExpressionAttributeNames": {**names, **EVENT_IS_LIVE.names},
                       "ExpressionAttributeValues": to_item(values)}}


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
        lines, kept = recurrence.split(series["recurrence"], first, day)[0], _exceptions_before(series, day)
    else:
        lines = recurrence.with_exdate(series["recurrence"], day)
        kept = [d for d in series.get(EXCEPTION_DATES, []) if d != day.isoformat()]
    cut, after = _cut_series(db, series, lines, kept, actor)
    items = [cut, *[_tombstone(db, e) for e in exceptions]]
    db._transact(items, if_condition_fails=[_Changed() for _ in items])
    gone = exceptions or [{"id": recurrence.occurrence_id(series["id"], day), "department_id": series["department_id"]}]
    return Edit(None, updated=[after], deleted=gone if not keep_day else exceptions)


def _delete_all(db: DynamoDBDatabase, series: dict[str, Any], expected_version: int | None) -> Edit:
    """Delete the series (or event) and its exceptions, each leaving a tombstone."""
    deleted = [db.delete_event(series["id"], expected_version, current=series)]
    for day in sorted(series.get(EXCEPTION_DATES, [])):
        gone = _delete_quietly(db, recurrence.occurrence_id(series["id"], date.fromisoformat(day)))
        deleted += [gone] if gone is not None else []  # None: deleted meanwhile
    return Edit(None, deleted=deleted)
