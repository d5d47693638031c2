"""A department's events as an RFC 5545 calendar (the `icalendar` package). Pure: no Flask, no boto3.

Each event is a VEVENT whose UID is the event id: timed (in the feed's time zone, with its
VTIMEZONE) when it has a `start_time` (ending at `end_time` on `end_date`, or one hour later), or,
without one, when its free-text `time` reads as a clock time or range (see clock_times), one hour
long unless a range gives the end; all-day otherwise, through `end_date` when it spans days.
A series is one VEVENT with its RRULE, EXDATE and RDATE; each exception another VEVENT with the
series' UID and a RECURRENCE-ID naming the occurrence it replaces. DTSTAMP is the event's `last_modified`, so the same events give
the same bytes (and ETag) on every request.

Items stored before dates were limited to date_range (an event on 9999-12-31, whose DTEND
Python cannot write) are left out of the feed, and an UNTIL past LAST_DAY is written as no end.
"""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar

from rules import recurrence
from rules.clock_times import ClockSpan, parse_clock_span
from rules.date_range import LAST_DAY, in_range
from rules.shapes import PublicDepartment, PublicEvent

PRODID = "-//Department Calendar//Department calendar service//KO"
DEFAULT_LENGTH = timedelta(hours=1)
# How often subscribed clients (Outlook, Apple Calendar) are asked to refresh the feed.
REFRESH_INTERVAL = timedelta(hours=1)


def _timestamp(value: str) -> datetime:
    return datetime.fromisoformat(value)


def event_times(event: PublicEvent, zone: ZoneInfo) -> tuple[date | datetime, date | datetime]:
    """DTSTART and DTEND of the event: datetimes in `zone` for a clock time, else whole dates
    (through `end_date` for an event spanning days)."""
    first = date.fromisoformat(event["event_date"])
    last = date.fromisoformat(event.get("end_date") or event["event_date"])
    span = _clock_span(event)
    if span is None:
        return first, last + timedelta(days=1)
    start = datetime.combine(first, span.start, tzinfo=zone)
    if span.end is None:  # one hour; an event spanning days runs to the end of its last day
        return start, start + DEFAULT_LENGTH if last == first else datetime.combine(last + timedelta(days=1), time(), zone)
    end = datetime.combine(last, span.end, tzinfo=zone)
    return start, end if end > start else end + timedelta(days=1)  # a range past midnight


def _clock_span(event: PublicEvent) -> ClockSpan | None:
    """The structured start_time/end_time when set; else what the free-text `time` reads as."""
    if event.get("start_time"):
        end = event.get("end_time")
        return ClockSpan(time.fromisoformat(event["start_time"]), time.fromisoformat(end) if end else None)
    return parse_clock_span(event.get("time", ""))


def _vevent(event: PublicEvent, zone: ZoneInfo, series: dict[str, PublicEvent], authors: bool) -> icalendar.Event:
    start, end = event_times(event, zone)
    vevent = icalendar.Event.new(
        uid=event.get("recurring_event_id") or event["id"],
        summary=event["title"],
        start=start,
        end=end,
        stamp=_timestamp(event["last_modified"]),
        created=_timestamp(event["created_at"]),
        last_modified=_timestamp(event["last_modified"]),
        sequence=event["version"] - 1,
        description=_description(event) if authors else event.get("description") or None,
        url=event.get("url") or None,
    )
    if event.get("time"):
        vevent.add("comment", event["time"])  # the time as people wrote it, whatever it parsed to
    if event.get("recurrence"):
        _add_recurrence(vevent, event, zone)
    elif event.get("recurring_event_id") in series:  # an exception: which occurrence it replaces
        vevent.add("recurrence-id", _moment(series[event["recurring_event_id"]], event["original_date"], zone))
    return vevent


def _description(event: PublicEvent) -> str:
    """The event's description, then who made it (and who changed it last), as the page says it:
    calendar apps show the description, and no property of RFC 5545 names an item's author."""
    audit = f"작성 {event['created_by']}"
    if event.get("updated_by") and event["version"] > 1:
        audit += f" · 수정 {event['updated_by']}"
    return f"{event['description']}\n\n{audit}" if event.get("description") else audit


def _moment(series: PublicEvent, day: str, zone: ZoneInfo) -> date | datetime:
    """The start the series gives an occurrence on `day` (as its DTSTART: a date, or a time in `zone`)."""
    start, _end = event_times({**series, "event_date": day, "end_date": day}, zone)
    return start


def _add_recurrence(vevent: icalendar.Event, event: PublicEvent, zone: ZoneInfo) -> None:
    """RRULE, EXDATE and RDATE of a series, each date as its DTSTART is (UNTIL in UTC when timed)."""
    for line in event["recurrence"]:
        name, _, value = line.strip().partition(":")
        kind = name.split(";")[0].strip().lower()
        if kind == "rrule":
            vevent.add("rrule", icalendar.vRecur.from_ical(_until_as_dtstart(value.strip(), event, zone)))
            continue
        days = [f"{d[:4]}-{d[4:6]}-{d[6:8]}" for d in (part.strip() for part in value.split(","))]
        days = [day for day in days if in_range(date.fromisoformat(day))]
        if days:
            vevent.add(kind, [_moment(event, day, zone) for day in days])


def _until_as_dtstart(rule: str, event: PublicEvent, zone: ZoneInfo) -> str:
    """The rule with its UNTIL (read as the last day allowed) written as RFC 5545 wants it next to
    this DTSTART: a date, or the end of that day in `zone` as UTC."""
    def until(found: re.Match[str]) -> str:
        day = date(int(found[2][:4]), int(found[2][4:6]), int(found[2][6:8]))
        if day > LAST_DAY:
            return ""
        start = _moment(event, day.isoformat(), zone)
        if not isinstance(start, datetime):
            return f"UNTIL={day:%Y%m%d}"
        last = datetime.combine(day, time(23, 59, 59), zone).astimezone(UTC)
        return f"UNTIL={last:%Y%m%dT%H%M%SZ}"
    return ";".join(part for part in recurrence.UNTIL.sub(until, rule).split(";") if part)


def calendar_bytes(department: PublicDepartment, events: list[PublicEvent], timezone: str,
                   authors: bool = False) -> bytes:
    """The department's calendar as iCalendar bytes (CRLF lines, UTF-8), from its events as stored
    (series with their lines, exceptions with RECURRENCE-ID under their series' UID). With `authors`
    (the read-only feed), each description ends with who made the event; a CalDAV resource keeps
    the description as the client wrote it."""
    zone = ZoneInfo(timezone)
    events = [event for event in events if _in_range(event)]
    series = {event["id"]: event for event in events if event.get("recurrence")}
    calendar = icalendar.Calendar.new(
        prodid=PRODID,
        uid=department["id"],
        calscale="GREGORIAN",
        name=department["name"],
        description=department.get("description") or None,
        refresh_interval=REFRESH_INTERVAL,
        subcomponents=[_vevent(event, zone, series, authors) for event in events],
    )
    calendar["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"  # RFC 7986 requires the parameter
    # What Outlook and Google Calendar read for a subscription's zone and refresh period.
    calendar.add("x-wr-timezone", timezone)
    calendar.add("x-published-ttl", icalendar.vDuration(REFRESH_INTERVAL))
    calendar.add_missing_timezones(*_timezone_window(events))
    return calendar.to_ical()


def _timezone_window(events: list[PublicEvent]) -> tuple[date, date]:
    """A window holding every event, for the VTIMEZONE's transitions (not more, to keep it short)."""
    days = [date.fromisoformat(day) for event in events
            for day in (event["event_date"], event.get("end_date") or event["event_date"])] or [date(2000, 1, 1)]
    return min(days) - timedelta(days=1), max(days) + timedelta(days=2)


def _in_range(event: PublicEvent) -> bool:
    """Whether the event's days are within date_range (those of items stored before it may not be)."""
    return all(in_range(date.fromisoformat(event[field])) for field in ("event_date", "end_date") if event.get(field))
