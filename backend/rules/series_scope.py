"""What an edit of an event or a series changes, by scope, in pure code (no boto3, no Flask).

`this` occurrence: an exception item keyed by the series and the original date; `following`: the
series ends the day before and a new one starts with the changes, taking the exceptions from that
day on; `all`: the series itself, whose exceptions keep their own changes and take the others.

An exception's id is its occurrence's id, `<series id>_<YYYYMMDD>`; the series lists the original
dates of its exceptions (EXCEPTION_DATES) so its expansion skips them. Each function takes what
storage/series.py read (the series, its exceptions) and returns a `Plan`: the writes, in groups
that are never split across transactions, and the `Edit` to answer and broadcast. storage writes a
plan in one call, each write conditioned on the version read.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import cast

from errors import NotFound, PreconditionFailed, ValidationError
from rules import recurrence
from rules.actors import Actor, stamped
from rules.event_times import check_event_times
from rules.shapes import (
    CALDAV_PROPERTIES,
    CALDAV_UID,
    EXCEPTION_DATES,
    OVERRIDDEN_FIELDS,
    EventFields,
    EventKey,
    ItemChanges,
    PublicEvent,
    StoredEvent,
    event_key,
    public_event,
    stored_event,
)

# What an edit of the whole series carries over to an exception that did not change it itself
# (the two times as a pair). An exception's day is its own.
CARRIED_OVER = ("title", "description", "time", "url", "start_time", "end_time")
CLOCK_FIELDS = frozenset({"start_time", "end_time"})


@dataclass
class Edit:
    """What a write did: the answer to the request, and the events to broadcast (a deleted one may
    be its key alone)."""

    answer: PublicEvent | None = None
    created: list[PublicEvent] = field(default_factory=list)
    updated: list[PublicEvent] = field(default_factory=list)
    deleted: list[PublicEvent | EventKey] = field(default_factory=list)


@dataclass(frozen=True)
class PutNew:
    """Store an item whose id is new."""

    item: StoredEvent


@dataclass(frozen=True)
class Replace:
    """Replace the live event `read` with `item`, if it is still as read: at its version, and with
    no exception added since."""

    item: StoredEvent
    read: StoredEvent


@dataclass(frozen=True)
class Remove:
    """Turn a live event into a tombstone: if it is still at its `version`, when `event` has one."""

    event: StoredEvent | EventKey


@dataclass(frozen=True)
class AddException:
    """List `day` among the series' exception dates, if the series is still as read."""

    series: StoredEvent
    day: str


@dataclass(frozen=True)
class Recut:
    """Give the series new lines, last day, months and exception dates (`kept`), as the next version."""

    series: StoredEvent
    after: PublicEvent
    last_date: str
    months: frozenset[int]
    kept: list[str]


Write = PutNew | Replace | Remove | AddException | Recut


@dataclass
class Plan:
    """The writes of an edit, in groups (the first holds the series' own), and what it did."""

    groups: list[list[Write]]
    edit: Edit


def checked_times(current: PublicEvent, changes: EventFields) -> PublicEvent:
    """The event as the changes would leave it (None removes a field); raises ValidationError when
    its times contradict each other."""
    changed = cast(PublicEvent, {k: v for k, v in {**current, **changes}.items() if v is not None})
    check_event_times(changed)
    return changed


def target(item: StoredEvent, event_id: str, scope: str | None) -> tuple[date, str]:
    """For the stored event or series `item` that the id names: the occurrence's original date
    (its first day for `all`) and the scope that applies. Raises NotFound (also for a day the
    series has no occurrence on)."""
    day = recurrence.split_id(event_id)[1]
    first = date.fromisoformat(item["event_date"])
    if not item.get("recurrence"):  # an event that is no series is its own only occurrence: any scope is it
        if day is not None:
            raise NotFound(f"event {event_id} not found")
        return first, "all"
    chosen = scope or ("this" if day else "all")
    if chosen == "all":
        return first, chosen
    day = day or first
    if not has_exception(item, day) and not recurrence.is_occurrence(item, day):
        raise NotFound(f"event {event_id} not found")
    return day, chosen


def has_exception(series: StoredEvent, day: date) -> bool:
    """Whether the occurrence on `day` is stored as an exception."""
    return day.isoformat() in series.get(EXCEPTION_DATES, [])


def occurrence(series: PublicEvent, day: date) -> PublicEvent:
    """The series' occurrence on `day` (its original date), as the month list shows it."""
    return next(o for o in recurrence.expand(public_event(series), day, day) if o["original_date"] == day.isoformat())


def check_version(current: PublicEvent, expected_version: int | None) -> None:
    """Raises PreconditionFailed (with `current`) unless it is at expected_version (None: any)."""
    if expected_version is not None and expected_version != current["version"]:
        raise PreconditionFailed(f"event {current['id']} is at version {current['version']}", current["version"],
                                 dict(current))


def check_one_occurrence(changes: EventFields) -> None:
    """Raises ValidationError when changes to one occurrence (`scope=this`) would make it repeat."""
    if "recurrence" in changes:
        raise ValidationError("one occurrence (`scope=this`) does not repeat: change the series with scope "
                              "all or following", {"recurrence": "not with scope=this"})


def exception_changes(exception: StoredEvent, changes: EventFields) -> ItemChanges:
    """The changes to a stored exception, with their fields added to those it overrides."""
    return {**changes, OVERRIDDEN_FIELDS: sorted(set(exception.get(OVERRIDDEN_FIELDS, [])) | changes.keys())}


def edit_this(series: StoredEvent, day: date, changes: EventFields, expected_version: int | None,
              actor: Actor, now: str) -> Plan:
    """The occurrence on `day` (not yet an exception) changed alone: a new exception item."""
    current = occurrence(series, day)
    check_version(current, expected_version)
    exception = _changed(current, changes, actor, now)
    stored = public_event(exception)
    put = PutNew({**stored_event(exception), OVERRIDDEN_FIELDS: sorted(changes)})
    return Plan([[put, AddException(series, day.isoformat())]], Edit(stored, updated=[stored]))


def rewrite_series(series: StoredEvent, exceptions: list[StoredEvent], changes: EventFields,
                   expected_version: int | None, actor: Actor, now: str) -> Plan:
    """The series changed together with its exceptions: they take the changes to the fields they
    did not change themselves, and those on days the series no longer gives (its rule or first
    day changed) are deleted."""
    check_version(public_event(series), expected_version)
    after = _changed(series, changes, actor, now)
    carried = _carried_over(changes)
    kept: set[str] = set()
    groups: list[list[Write]] = []
    edit = Edit(public_event(after), updated=[public_event(after)])
    for exception in exceptions:
        if not recurrence.is_occurrence(after, date.fromisoformat(exception["original_date"])):
            groups.append([Remove(exception)])
            edit.deleted.append(event_key(exception))
            continue
        kept.add(exception["original_date"])
        if (changed := _carried(exception, carried, actor, now)) is not None:
            groups.append([Replace(_as_exception(changed, exception), exception)])
            edit.updated.append(public_event(changed))
    item = {**_client_attributes(series, changes), **stored_event(after)}
    return Plan([[Replace(_with_exception_dates(cast(StoredEvent, item), kept), series)], *groups], edit)


def _client_attributes(series: StoredEvent, changes: EventFields) -> dict[str, str]:
    """What the series' item keeps that a CalDAV client sent beyond its fields (alarms, other
    properties, the client's UID), as the changes leave it: an edit of the series keeps them."""
    sent = cast(dict[str, str | None], changes)
    kept = {name: sent[name] if name in sent else cast(dict[str, str], series).get(name)
            for name in (CALDAV_PROPERTIES, CALDAV_UID)}
    return {name: value for name, value in kept.items() if value is not None}


def edit_following(series: StoredEvent, exceptions: list[StoredEvent], day: date, changes: EventFields,
                   expected_version: int | None, actor: Actor, now: str, new_id: str) -> Plan:
    """The series ends the day before `day` (not its first); a new series `new_id` starts on it
    with the changes, and the `exceptions` from that day on move to it (those on days it does not
    give are deleted)."""
    check_version(public_event(series), expected_version)
    head, tail = _split(series, date.fromisoformat(series["event_date"]), day)
    first = occurrence(series, day)
    del first["recurring_event_id"], first["original_date"]
    new = stamped(cast(PublicEvent, {**checked_times({**first, "recurrence": tail}, changes), "id": new_id,
                                     "created_at": now, "last_modified": now, "version": 1}), actor, created=True)
    cut, before = _recut(series, head, _exceptions_before(series, day), actor, now)
    edit = Edit(public_event(new), created=[public_event(new)], updated=[before])
    groups, moved = _moved_exceptions(exceptions, new, changes, actor, now, edit)
    # The new series keeps what a CalDAV client sent beyond the fields (its alarms), not the client's UID.
    sent = {k: v for k, v in _client_attributes(series, changes).items() if k != CALDAV_UID}
    item = cast(StoredEvent, {**sent, **stored_event(new)})
    return Plan([[cut, PutNew(_with_exception_dates(item, moved))], *groups], edit)


def cut(series: StoredEvent, day: date, exceptions: list[StoredEvent], expected_version: int | None,
        actor: Actor, now: str, keep_day: bool) -> Plan:
    """Delete the occurrence on `day` (an EXDATE; `exceptions`: its stored exception, if it has one,
    which becomes a tombstone), or with keep_day every occurrence from `day` on (the series ends the
    day before; `exceptions`: the stored ones from `day` on, which become tombstones)."""
    current = public_event(exceptions[0]) if exceptions and not keep_day else occurrence(series, day)
    check_version(current if not keep_day else public_event(series), expected_version)
    if keep_day:
        lines = _split(series, date.fromisoformat(series["event_date"]), day)[0]
        kept = _exceptions_before(series, day)
    else:
        lines = recurrence.with_exdate(series["recurrence"], day)
        kept = [d for d in series.get(EXCEPTION_DATES, []) if d != day.isoformat()]
    recut, after = _recut(series, lines, kept, actor, now)
    gone = [event_key(e) for e in exceptions] if exceptions or keep_day else [
        EventKey(id=recurrence.occurrence_id(series["id"], day), department_id=series["department_id"])]
    return Plan([[recut], *_removals(exceptions)], Edit(None, updated=[after], deleted=[*gone]))


def delete_all(series: StoredEvent, exceptions: list[StoredEvent], expected_version: int | None) -> Plan:
    """Delete the series and its exceptions, each leaving a tombstone."""
    check_version(public_event(series), expected_version)
    return Plan([[Remove(series)], *_removals(exceptions)],
                Edit(None, deleted=[public_event(series), *(public_event(e) for e in exceptions)]))


def _changed(item: PublicEvent, changes: EventFields, actor: Actor, now: str) -> PublicEvent:
    """The stored event with the changes (None removes a field), as the next version; raises
    ValidationError when its times contradict each other."""
    return stamped(cast(PublicEvent, {**checked_times(public_event(item), changes), "version": item["version"] + 1,
                                      "last_modified": now}), actor)


def _carried_over(changes: EventFields) -> EventFields:
    """What of an edit of the whole series its exceptions take (CARRIED_OVER)."""
    return cast(EventFields, {k: v for k, v in changes.items() if k in CARRIED_OVER})


def _carried(exception: StoredEvent, carried: EventFields, actor: Actor, now: str) -> PublicEvent | None:
    """The exception with the series' changes to the fields it did not change itself (the two
    times as a pair), as its next version; None when nothing changes or its times would clash."""
    own = set(exception.get(OVERRIDDEN_FIELDS, []))
    own |= CLOCK_FIELDS if own & CLOCK_FIELDS else set()
    fields = cast(EventFields, {k: v for k, v in carried.items() if k not in own})
    if not fields:
        return None
    try:
        return _changed(exception, fields, actor, now)
    except ValidationError:
        return None


def _as_exception(event: PublicEvent, exception: StoredEvent) -> StoredEvent:
    """The item of `event`, stored as an exception overriding the fields `exception` overrode."""
    return {**stored_event(event), OVERRIDDEN_FIELDS: exception.get(OVERRIDDEN_FIELDS, [])}


def _moved_exceptions(exceptions: list[StoredEvent], new: PublicEvent, changes: EventFields, actor: Actor,
                      now: str, edit: Edit) -> tuple[list[list[Write]], list[str]]:
    """The writes moving exceptions to the new series (each deleted, and stored again under the
    new series' id with the changes it did not make itself), and their days. Those on days the new
    series does not give are only deleted. Adds what changed to `edit`."""
    groups: list[list[Write]] = []
    moved: list[str] = []
    carried = _carried_over(changes)
    for exception in exceptions:
        original = date.fromisoformat(exception["original_date"])
        group: list[Write] = [Remove(exception)]
        edit.deleted.append(event_key(exception))
        if recurrence.is_occurrence(new, original):
            changed = _carried(exception, carried, actor, now) or _changed(exception, {}, actor, now)
            item = _as_exception({**changed, "id": recurrence.occurrence_id(new["id"], original),
                                  "recurring_event_id": new["id"], "version": 1, "created_at": new["created_at"]},
                                 exception)
            group.append(PutNew(item))
            edit.created.append(public_event(item))
            moved.append(exception["original_date"])
        groups.append(group)
    return groups, moved


def _recut(series: StoredEvent, lines: list[str], kept: list[str], actor: Actor, now: str) -> tuple[Recut, PublicEvent]:
    """The write giving the series new lines and exception dates (version bumped), and the series
    as it will be. Raises ValidationError when the lines leave no occurrence."""
    after = stamped(cast(PublicEvent, {**public_event(series), "recurrence": lines, "version": series["version"] + 1,
                                       "last_modified": now}), actor)
    try:
        last = recurrence.last_day(after)
    except recurrence.RecurrenceError as exc:
        if str(exc) != recurrence.NO_OCCURRENCE:  # e.g. the 5,001st date deleted alone
            raise ValidationError(f"invalid input: recurrence {exc}", {"recurrence": str(exc)}) from None
        raise ValidationError("that leaves the series no occurrence: delete it with scope=all",
                              {"scope": "would leave the series no occurrence"}) from None
    # A series' last day is a day (last_day's None is for an event that is no series).
    return Recut(series, after, cast(str, last), frozenset(recurrence.months(after) or ()), kept), after


def _split(series: PublicEvent, first: date, day: date) -> tuple[list[str], list[str]]:
    """recurrence.split of the series' lines; raises ValidationError when they no longer pass
    today's checks (a series stored before them)."""
    try:
        return recurrence.split(series["recurrence"], first, day)
    except recurrence.RecurrenceError as exc:
        raise ValidationError(f"invalid input: recurrence {exc}", {"recurrence": str(exc)}) from None


def _exceptions_before(series: StoredEvent, day: date) -> list[str]:
    return [d for d in series.get(EXCEPTION_DATES, []) if d < day.isoformat()]


def _removals(events: list[StoredEvent] | list[EventKey]) -> list[list[Write]]:
    """Each event turned into a tombstone, in a group of its own."""
    return [[Remove(event)] for event in events]


def _with_exception_dates(item: StoredEvent, days: set[str] | list[str]) -> StoredEvent:
    """The series' item listing these exception dates (none: the attribute left out)."""
    return {**item, EXCEPTION_DATES: set(days)} if days else item
