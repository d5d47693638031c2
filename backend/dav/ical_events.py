"""A calendar object a CalDAV client PUTs, read into the API's event fields (`icalendar`). Pure.

One VEVENT (a series: its RRULE/EXDATE/RDATE lines) becomes the fields a REST create takes:
`title`, `description`, `url`, and structured times in the service's time zone (`event_date`,
`start_time`, `end_time`, `end_date`), or whole days. The API's validation then checks them, as
it checks a REST body. What cannot be held is refused with the CalDAV precondition it breaks.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar

from rules.feed_calendar import DEFAULT_LENGTH, event_times

VALID_DATA = "valid-calendar-data"
VALID_OBJECT = "valid-calendar-object-resource"
SUPPORTED_COMPONENT = "supported-calendar-component"
TIME_FIELDS = ("event_date", "end_date", "start_time", "end_time")
# The VEVENT properties the event's fields hold, or the feed writes from them; the others (and the
# VALARMs) are kept as sent, up to MAX_KEPT characters.
MAPPED = frozenset({"UID", "DTSTAMP", "DTSTART", "DTEND", "DURATION", "SUMMARY", "DESCRIPTION", "URL", "RRULE",
                    "RDATE", "EXDATE", "RECURRENCE-ID", "SEQUENCE", "CREATED", "LAST-MODIFIED", "COMMENT"})
MAX_KEPT = 20_000
# A PUT is one transaction of at most 100 writes: the department checked, the series, its changed occurrences.
MAX_OVERRIDES = 98


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
    fields = _fields(masters[0], zone)
    overrides = {_day(v["RECURRENCE-ID"].dt, zone): _fields(v, zone) for v in vevents if "RECURRENCE-ID" in v}
    if len(overrides) > MAX_OVERRIDES:
        raise InvalidResource(VALID_OBJECT, f"a series resource holds at most {MAX_OVERRIDES} changed occurrences")
    if overrides and "recurrence" not in fields:
        raise InvalidResource(VALID_OBJECT, "RECURRENCE-ID names an occurrence of a series, and this event does "
                                            "not repeat")
    for override in overrides.values():
        override.pop("recurrence", None)  # an occurrence does not repeat on its own
    return WrittenEvent(uids.pop(), fields, _kept(masters[0]), overrides)


def _fields(vevent: icalendar.Event, zone: ZoneInfo) -> dict[str, Any]:
    fields: dict[str, Any] = {"title": str(vevent.get("SUMMARY", "")).strip()}
    for name, key in (("DESCRIPTION", "description"), ("URL", "url")):
        if vevent.get(name) is not None:
            fields[key] = str(vevent[name])
    fields.update(_times(vevent, zone))
    lines = _recurrence(vevent, zone)
    if lines:
        fields["recurrence"] = lines
    return fields


def _times(vevent: icalendar.Event, zone: ZoneInfo) -> dict[str, str]:
    """The structured times of DTSTART and DTEND (or DURATION), in `zone`; whole days for dates."""
    if vevent.get("DTSTART") is None:
        raise InvalidResource(VALID_OBJECT, "the event has no DTSTART")
    start = vevent["DTSTART"].dt
    end = vevent["DTEND"].dt if vevent.get("DTEND") is not None else None
    if end is None and vevent.get("DURATION") is not None:
        end = start + vevent["DURATION"].dt
    if not isinstance(start, datetime):
        last = end - timedelta(days=1) if isinstance(end, date) and not isinstance(end, datetime) else start
        return {"event_date": start.isoformat(), **({"end_date": last.isoformat()} if last > start else {})}
    start = _local(start, zone)
    end = _local(end, zone) if isinstance(end, datetime) else start + DEFAULT_LENGTH
    fields = {"event_date": start.date().isoformat(), "start_time": f"{start:%H:%M}"}
    if end.date() > start.date():
        fields["end_date"] = end.date().isoformat()
    if end > start and (end.date() > start.date() or f"{end:%H:%M}" > fields["start_time"]):
        fields["end_time"] = f"{end:%H:%M}"
    return fields


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    """A moment in `zone`; a floating time (no zone) is read as one of `zone`."""
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)


def _recurrence(vevent: icalendar.Event, zone: ZoneInfo) -> list[str]:
    """The series' lines as the API takes them: RRULE as sent, EXDATE/RDATE as local dates."""
    lines = [f"RRULE:{rule.to_ical().decode()}" for rule in _all(vevent, "RRULE")]
    for name in ("EXDATE", "RDATE"):
        days = sorted({_day(when.dt, zone) for value in _all(vevent, name) for when in value.dts})
        if days:
            lines.append(f"{name};VALUE=DATE:" + ",".join(f"{day:%Y%m%d}" for day in days))
    return lines


def _all(vevent: icalendar.Event, name: str) -> list[Any]:
    value = vevent.get(name)
    return [] if value is None else value if isinstance(value, list) else [value]


def _day(when: date | datetime, zone: ZoneInfo) -> date:
    return _local(when, zone).date() if isinstance(when, datetime) else when


def _kept(vevent: icalendar.Event) -> str | None:
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


def give_back(vevent: icalendar.Event, kept: str) -> None:
    """Add to a VEVENT what _kept took from the one the client sent."""
    stored = icalendar.Event.from_ical(kept)
    for name, value in stored.items():
        vevent[name] = value
    for component in stored.subcomponents:
        vevent.add_component(component)


def changes_from(current: dict[str, Any], fields: dict[str, Any], zone: ZoneInfo) -> dict[str, Any]:
    """What a PUT changes in the event's fields: the texts that differ, and the times only when they
    differ from those the event shows (then structured, and the free-text `time` cleared)."""
    changes = {name: fields.get(name, "") for name in ("title", "description", "url")
               if fields.get(name, "") != current.get(name, "")}
    if event_times(current, zone) != event_times(fields, zone):
        changes.update({name: fields.get(name) for name in TIME_FIELDS})
        changes["time"] = ""
    if fields.get("recurrence") != current.get("recurrence"):
        changes["recurrence"] = fields.get("recurrence")
    return changes
