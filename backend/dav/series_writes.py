"""A CalDAV PUT of a series as the writes of ONE transaction (rules/series_scope.py's `Plan`): the
series (its VEVENT with RRULE/RDATE/EXDATE), each changed occurrence (a VEVENT with RECURRENCE-ID)
stored as the series' exception on its original date as the API's scope `this` stores it, and the
exceptions the client no longer sends removed (those occurrences are the series' own again).

A series whose fields change takes the next version (as scope `all`); one whose exception dates
alone change keeps its version (as scope `this`), so the page's other occurrences keep theirs.
What the client sent beyond our fields (alarms, other properties) and its UID stay on the series.
"""
from __future__ import annotations

from datetime import date
from typing import Any, cast
from zoneinfo import ZoneInfo

from dav.ical_events import VALID_OBJECT, InvalidResource, WrittenEvent, changes_from
from dav.resources import Resource
from rules import recurrence, series_scope
from rules.actors import Actor, stamped
from rules.series_scope import Edit, Plan, PutNew, Remove, Replace, Write
from rules.shapes import (
    CALDAV_PROPERTIES,
    CALDAV_UID,
    EXCEPTION_DATES,
    OVERRIDDEN_FIELDS,
    PublicEvent,
    StoredEvent,
    event_key,
    public_event,
    stored_event,
)
from schema import EVENT_DEFAULTS
from validation import validate_event_changes, validate_new_event


def is_series_write(current: Resource | None, written: WrittenEvent) -> bool:
    """Whether the PUT writes a series (or makes a series an event again): then series_plan."""
    return "recurrence" in written.fields or bool(current and current.main.get("recurrence"))


def client_attributes(event_id: str, written: WrittenEvent) -> dict[str, str | None]:
    """What the event's item keeps of a PUT beyond the API's fields (None: nothing)."""
    return {CALDAV_PROPERTIES: written.kept, CALDAV_UID: written.uid if written.uid != event_id else None}


def series_plan(current: Resource | None, department_id: str, event_id: str, written: WrittenEvent,
                zone: ZoneInfo, actor: Actor, now: str) -> Plan:
    """The writes making the resource what the PUT sent; raises InvalidResource for a RECURRENCE-ID
    the series does not give, ValidationError for what the API's validation refuses."""
    series, changed = _series(current, department_id, event_id, written, zone, actor, now)
    stored = {e["original_date"]: e for e in current.events[1:]} if current else {}
    edit = Edit(public_event(cast(PublicEvent, series)))
    groups: list[list[Write]] = []
    days: set[str] = set()
    for day, fields in sorted(written.overrides.items()):
        write = _override(series, cast(StoredEvent | None, stored.get(day.isoformat())), day, fields, zone, actor, now)
        if write is not None:
            days.add(day.isoformat())
        if isinstance(write, (PutNew, Replace)):
            groups.append([write])
            (edit.created if isinstance(write, PutNew) else edit.updated).append(public_event(write.item))
    for original, exception in sorted(stored.items()):
        if original not in days:
            groups.append([Remove(cast(StoredEvent, exception))])
            edit.deleted.append(event_key(exception))
    item = cast(StoredEvent, {**series, EXCEPTION_DATES: days} if days else {
        k: v for k, v in series.items() if k != EXCEPTION_DATES})
    if current is None:
        groups.insert(0, [PutNew(item)])
        edit.created.insert(0, public_event(cast(PublicEvent, series)))
    elif changed or set(current.main.get(EXCEPTION_DATES) or ()) != days:
        groups.insert(0, [Replace(item, cast(StoredEvent, current.main))])
        edit.updated.insert(0, public_event(cast(PublicEvent, series)))
    return Plan(groups, edit)


def _series(current: Resource | None, department_id: str, event_id: str, written: WrittenEvent, zone: ZoneInfo,
            actor: Actor, now: str) -> tuple[dict[str, Any], bool]:
    """The series' item as the PUT leaves it (exception dates aside), and whether its fields or
    the client's attributes changed."""
    attributes = client_attributes(event_id, written)
    kept = {name: value for name, value in attributes.items() if value is not None}
    if current is None:
        event = {**EVENT_DEFAULTS, **validate_new_event(written.fields), "id": event_id, "department_id": department_id,
                 "created_at": now, "last_modified": now, "version": 1, **actor.created()}
        return {**stored_event(cast(PublicEvent, event)), **kept}, True
    main = current.main
    changes = changes_from(main, written.fields, zone)
    changes = dict(validate_event_changes(changes)) if changes else {}
    if not changes and all(main.get(name) == value for name, value in attributes.items()):
        return dict(main), False
    after = stamped(cast(PublicEvent, {**series_scope.checked_times(public_event(cast(PublicEvent, main)), cast(Any, changes)),
                                       "version": main["version"] + 1, "last_modified": now}), actor)
    return {**stored_event(cast(PublicEvent, after)), **kept}, True


def _override(series: dict[str, Any], stored: StoredEvent | None, day: date, fields: dict[str, Any], zone: ZoneInfo,
              actor: Actor, now: str) -> Write | bool | None:
    """The write of the changed occurrence on `day`: a new exception, the stored one replaced, True
    when the stored one stays as it is, None when a new one would not differ from the series."""
    public = public_event(cast(PublicEvent, series))
    if not recurrence.is_occurrence(public, day):
        raise InvalidResource(VALID_OBJECT, f"RECURRENCE-ID {day:%Y%m%d} is not an occurrence of the series "
                                            "(its rule, EXDATE and RDATE do not give that day)")
    occurrence = series_scope.occurrence(public, day)
    own = changes_from(occurrence, fields, zone)  # what differs from the series' own occurrence
    base: PublicEvent = public_event(stored) if stored is not None else occurrence
    changes = changes_from(base, fields, zone)
    overridden = sorted(own)
    if stored is None and not own:
        return None
    if stored is not None and not changes and overridden == sorted(stored.get(OVERRIDDEN_FIELDS) or ()):
        return True
    validated = validate_event_changes(changes) if changes else {}
    exception = stamped(cast(PublicEvent, {**series_scope.checked_times(base, validated), "version": base["version"] + 1,
                                           "last_modified": now}), actor)
    item = cast(StoredEvent, {**stored_event(cast(PublicEvent, exception)), OVERRIDDEN_FIELDS: overridden})
    return PutNew(item) if stored is None else Replace(item, stored)
