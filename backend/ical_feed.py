"""A department's events as an RFC 5545 calendar (the `icalendar` package). Pure: no Flask, no boto3.

Each event is a VEVENT whose UID is the event id: timed (in the feed's time zone, with its
VTIMEZONE) when it has a `start_time` (ending at `end_time` on `end_date`, or one hour later), or,
without one, when its free-text `time` reads as a clock time or range (see ical_times), one hour
long unless a range gives the end; all-day otherwise, through `end_date` when it spans days. DTSTAMP is the event's `last_modified`, so the same events give
the same bytes (and ETag) on every request.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar

from ical_times import ClockSpan, parse_clock_span

PRODID = "-//Department Calendar//Department calendar service//KO"
DEFAULT_LENGTH = timedelta(hours=1)
# How often subscribed clients (Outlook, Apple Calendar) are asked to refresh the feed.
REFRESH_INTERVAL = timedelta(hours=1)


def _timestamp(value: str) -> datetime:
    return datetime.fromisoformat(value)


def event_times(event: dict[str, Any], zone: ZoneInfo) -> tuple[date | datetime, date | datetime]:
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


def _clock_span(event: dict[str, Any]) -> ClockSpan | None:
    """The structured start_time/end_time when set; else what the free-text `time` reads as."""
    if event.get("start_time"):
        end = event.get("end_time")
        return ClockSpan(time.fromisoformat(event["start_time"]), time.fromisoformat(end) if end else None)
    return parse_clock_span(event.get("time", ""))


def _vevent(event: dict[str, Any], zone: ZoneInfo) -> icalendar.Event:
    start, end = event_times(event, zone)
    vevent = icalendar.Event.new(
        uid=event["id"],
        summary=event["title"],
        start=start,
        end=end,
        stamp=_timestamp(event["last_modified"]),
        created=_timestamp(event["created_at"]),
        last_modified=_timestamp(event["last_modified"]),
        sequence=event["version"] - 1,
        description=event.get("description") or None,
        url=event.get("url") or None,
    )
    if event.get("time"):
        vevent.add("comment", event["time"])  # the time as people wrote it, whatever it parsed to
    return vevent


def calendar_bytes(department: dict[str, Any], events: list[dict[str, Any]], timezone: str) -> bytes:
    """The department's calendar as iCalendar bytes (CRLF lines, UTF-8)."""
    zone = ZoneInfo(timezone)
    calendar = icalendar.Calendar.new(
        prodid=PRODID,
        uid=department["id"],
        calscale="GREGORIAN",
        name=department["name"],
        description=department.get("description") or None,
        refresh_interval=REFRESH_INTERVAL,
        subcomponents=[_vevent(event, zone) for event in events],
    )
    calendar["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"  # RFC 7986 requires the parameter
    # What Outlook and Google Calendar read for a subscription's zone and refresh period.
    calendar.add("x-wr-timezone", timezone)
    calendar.add("x-published-ttl", icalendar.vDuration(REFRESH_INTERVAL))
    calendar.add_missing_timezones(*_timezone_window(events))
    return calendar.to_ical()


def _timezone_window(events: list[dict[str, Any]]) -> tuple[date, date]:
    """A window holding every event, for the VTIMEZONE's transitions (not more, to keep it short)."""
    days = [date.fromisoformat(event.get(field) or event["event_date"])
            for event in events for field in ("event_date", "end_date")] or [date(2000, 1, 1)]
    return min(days) - timedelta(days=1), max(days) + timedelta(days=2)
