"""A calendar object a CalDAV client PUTs, read into the API's event fields (`icalendar`). Pure.

One VEVENT (a series: its RRULE/EXDATE/RDATE lines) becomes the fields a REST create takes:
`title`, `description`, `url`, and structured times in the service's time zone (`event_date`,
`start_time`, `end_time`, `end_date`), or whole days. The API's validation then checks them, as
it checks a REST body. What cannot be held is refused with the CalDAV precondition it breaks.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

import icalendar
from icalendar.cal.component import Component

from rules import recurrence
from rules.feed_calendar import DEFAULT_LENGTH, event_times
from rules.shapes import PublicEvent

VALID_DATA = "valid-calendar-data"
VALID_OBJECT = "valid-calendar-object-resource"
SUPPORTED_COMPONENT = "supported-calendar-component"
TIME_FIELDS = ("event_date", "end_date", "start_time", "end_time")
# The VEVENT properties the event's fields hold, or the feed writes from them; the others (and the
# VALARMs) are kept as sent, up to MAX_KEPT characters.
MAPPED = frozenset({"UID", "DTSTAMP", "DTSTART", "DTEND", "DURATION", "SUMMARY", "DESCRIPTION", "URL", "RRULE",
                    "RDATE", "EXDATE", "RECURRENCE-ID", "SEQUENCE", "CREATED", "LAST-MODIFIED", "COMMENT"})
MAX_KEPT = 20_000
# A PUT is one transaction of at most 100 items: the department checked, then the series and its changed
# occurrences, each with its history entry (1 + 2 * (1 + 48) = 99).
MAX_OVERRIDES = 48


class InvalidResource(Exception):
    """The body breaks a CalDAV precondition (RFC 4791 5.3.2): its name, and why for people."""

    def __init__(self, precondition: str, reason: str):
        super().__init__(reason)
        self.precondition = precondition
        self.reason = reason


class UidConflict(Exception):
    """RFC 4791 5.3.2.1 CALDAV:no-uid-conflict: another resource of the calendar, at `path`, holds the UID."""

    def __init__(self, path: str):
        super().__init__(f"another resource of this calendar holds that UID: {path}")
        self.path = path


@dataclass(frozen=True)
class WrittenEvent:
    uid: str
    fields: dict[str, Any]
    kept: str | None  # CALDAV_PROPERTIES: what the fields cannot hold, as iCalendar text
    # A series' changed occurrences (RECURRENCE-ID): their fields by original date (in the zone).
    overrides: dict[date, dict[str, Any]] = field(default_factory=dict)


def read_event(body: bytes, zone: ZoneInfo) -> WrittenEvent:
    """The UID and the event fields of a calendar object resource; raises InvalidResource."""
    uid, master, changed = _vevents(body)
    fields = _fields(master, zone)
    overrides = {_day(_when(v, "RECURRENCE-ID"), zone): _fields(v, zone) for v in changed if not _cancelled(v)}
    for day in sorted({_day(_when(v, "RECURRENCE-ID"), zone) for v in changed if _cancelled(v)}):
        if "recurrence" in fields:  # an occurrence cancelled on its own (STATUS:CANCELLED) is an EXDATE
            fields["recurrence"] = recurrence.with_exdate(fields["recurrence"], day)
    if len(overrides) > MAX_OVERRIDES:
        raise InvalidResource(VALID_OBJECT, f"a series resource holds at most {MAX_OVERRIDES} changed occurrences")
    if overrides and "recurrence" not in fields:
        raise InvalidResource(VALID_OBJECT, "RECURRENCE-ID names an occurrence of a series, and this event does "
                                            "not repeat")
    for override in overrides.values():
        override.pop("recurrence", None)  # an occurrence does not repeat on its own
    return WrittenEvent(uid, fields, _kept(master), overrides)


def _vevents(body: bytes) -> tuple[str, Component, list[Component]]:
    """The UID, the VEVENT without RECURRENCE-ID (the event or the series) and those with one (its
    changed occurrences) of one VCALENDAR; raises InvalidResource."""
    try:
        calendar = icalendar.Calendar.from_ical(body)
    except ValueError as exc:
        raise InvalidResource(VALID_DATA, f"the body is not an iCalendar object: {exc}") from None
    if not isinstance(calendar, icalendar.Calendar) or calendar.name != "VCALENDAR":
        raise InvalidResource(VALID_DATA, "the body must be one VCALENDAR")
    if any(c.name in ("VTODO", "VJOURNAL") for c in calendar.subcomponents):
        raise InvalidResource(SUPPORTED_COMPONENT, "this calendar holds events (VEVENT) only")
    vevents = calendar.walk("VEVENT")
    if not vevents:
        raise InvalidResource(VALID_OBJECT, "the calendar object holds no VEVENT")
    uids = {str(v.get("UID", "")) for v in vevents}
    if len(uids) != 1 or not next(iter(uids)):
        raise InvalidResource(VALID_OBJECT, "every VEVENT of a resource needs the same UID")
    masters = [v for v in vevents if "RECURRENCE-ID" not in v]
    if len(masters) != 1:
        raise InvalidResource(VALID_OBJECT, "a resource holds one VEVENT without RECURRENCE-ID (the event or "
                                            "the series), and the series' changed occurrences")
    return uids.pop(), masters[0], [v for v in vevents if "RECURRENCE-ID" in v]


def _when(vevent: Component, name: str) -> date:
    """The date or date-time (a datetime is a date) of a property such as DTSTART; raises
    InvalidResource when it is missing or holds something else."""
    moment = getattr(vevent.get(name), "dt", None)
    if not isinstance(moment, date):
        raise InvalidResource(VALID_OBJECT, f"the event has no {name}" if moment is None
                              else f"{name} is not a date or a date-time")
    return moment


def _end(vevent: Component, start: date) -> date | None:
    """DTEND, else DTSTART + DURATION, else None."""
    if vevent.get("DTEND") is not None:
        return _when(vevent, "DTEND")
    length = getattr(vevent.get("DURATION"), "dt", None)
    return start + length if isinstance(length, timedelta) else None


def _cancelled(vevent: Component) -> bool:
    return str(vevent.get("STATUS", "")).upper() == "CANCELLED"


def _fields(vevent: Component, zone: ZoneInfo) -> dict[str, Any]:
    fields: dict[str, Any] = {"title": str(vevent.get("SUMMARY", "")).strip()}
    for name, key in (("DESCRIPTION", "description"), ("URL", "url")):
        if vevent.get(name) is not None:
            fields[key] = str(vevent[name])
    fields.update(_times(vevent, zone))
    lines = _recurrence(vevent, zone)
    if lines:
        fields["recurrence"] = lines
    return fields


def _times(vevent: Component, zone: ZoneInfo) -> dict[str, str]:
    """The structured times of DTSTART and DTEND (or DURATION), in `zone`; whole days for dates."""
    start = _when(vevent, "DTSTART")
    end = _end(vevent, start)
    if not isinstance(start, datetime):
        last = end - timedelta(days=1) if isinstance(end, date) and not isinstance(end, datetime) else start
        return {"event_date": start.isoformat(), **({"end_date": last.isoformat()} if last > start else {})}
    start = _local(start, zone)
    finish = _local(end, zone) if isinstance(end, datetime) else start + DEFAULT_LENGTH
    fields = {"event_date": start.date().isoformat(), "start_time": f"{start:%H:%M}"}
    if finish.date() > start.date():
        fields["end_date"] = finish.date().isoformat()
    if finish > start and (finish.date() > start.date() or f"{finish:%H:%M}" > fields["start_time"]):
        fields["end_time"] = f"{finish:%H:%M}"
    return fields


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    """A moment in `zone`; a floating time (no zone) is read as one of `zone`."""
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)


def _recurrence(vevent: Component, zone: ZoneInfo) -> list[str]:
    """The series' lines as the API takes them: RRULE as sent, EXDATE/RDATE as local dates."""
    lines = [f"RRULE:{rule.to_ical().decode()}" for rule in _all(vevent, "RRULE")]
    for name in ("EXDATE", "RDATE"):
        days = sorted({_day(when.dt, zone) for value in _all(vevent, name) for when in value.dts})
        if days:
            lines.append(f"{name};VALUE=DATE:" + ",".join(f"{day:%Y%m%d}" for day in days))
    return lines


def _all(vevent: Component, name: str) -> list[Any]:
    value = vevent.get(name)
    return [] if value is None else value if isinstance(value, list) else [value]


def _day(when: date, zone: ZoneInfo) -> date:
    return _local(when, zone).date() if isinstance(when, datetime) else when


def _kept(vevent: Component) -> str | None:
    """The properties and components (VALARM) of the VEVENT outside MAPPED, as one VEVENT's text."""
    kept = icalendar.Event()
    for name, value in vevent.items():
        if name.upper() not in MAPPED:
            kept[name] = value
    for component in vevent.subcomponents:
        kept.add_component(component)
    if not kept.keys() and not kept.subcomponents:
        return None
    text = kept.to_ical().decode("utf-8")
    if len(text) > MAX_KEPT:
        raise InvalidResource(VALID_OBJECT, f"the event's alarms and other properties take {len(text)} characters; "
                                            f"at most {MAX_KEPT} are kept")
    return text


def give_back(vevent: Component, kept: str) -> None:
    """Add to a VEVENT what _kept took from the one the client sent."""
    stored = icalendar.Event.from_ical(kept)
    for name, value in stored.items():
        vevent[name] = value
    for component in stored.subcomponents:
        vevent.add_component(component)


def changes_from(current: Mapping[str, Any], fields: Mapping[str, Any], zone: ZoneInfo) -> dict[str, Any]:
    """What a PUT changes in the event's fields: the texts that differ, and the times only when they
    differ from those the event shows (then structured, and the free-text `time` cleared)."""
    changes: dict[str, Any] = {name: fields.get(name, "") for name in ("title", "description", "url")
               if fields.get(name, "") != current.get(name, "")}
    if event_times(cast(PublicEvent, current), zone) != event_times(cast(PublicEvent, fields), zone):
        changes.update({name: fields.get(name) for name in TIME_FIELDS})
        changes["time"] = ""
    if fields.get("recurrence") != current.get("recurrence"):
        changes["recurrence"] = fields.get("recurrence")
    return changes
