"""The company days as an RFC 5545 calendar of their own (the `icalendar` package), to subscribe to
beside a department's feed. Pure: no Flask, no boto3.

Each company day is an all-day VEVENT (free time, TRANSP:TRANSPARENT) whose UID names its date, so
a day removed and added again is the same event to a calendar app; DTSTAMP is when it was added,
so the same days give the same bytes (and ETag) on every request."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import icalendar

from rules.feed_calendar import PRODID, REFRESH_INTERVAL

CALENDAR_UID = "company-days"
CALENDAR_NAME = "회사 휴일"


def _vevent(day: dict[str, str]) -> icalendar.Event:
    first = date.fromisoformat(day["date"])
    event = icalendar.Event()
    event.add("uid", f"company-day-{day['date']}")
    event.add("dtstamp", datetime.fromisoformat(day["created_at"].replace("Z", "+00:00")).astimezone(UTC))
    event.add("dtstart", first)
    event.add("dtend", first + timedelta(days=1))
    event.add("summary", day["name"])
    event.add("transp", "TRANSPARENT")
    return event


def company_days_calendar(days: list[dict[str, str]]) -> bytes:
    """The company days (as GET /api/company-days... answers each: date, name, created_at) as
    iCalendar bytes (CRLF lines, UTF-8)."""
    calendar = icalendar.Calendar.new(prodid=PRODID, uid=CALENDAR_UID, calscale="GREGORIAN", name=CALENDAR_NAME,
                                      refresh_interval=REFRESH_INTERVAL,
                                      subcomponents=[_vevent(day) for day in days])
    calendar["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"  # RFC 7986 requires the parameter
    calendar.add("x-published-ttl", icalendar.vDuration(REFRESH_INTERVAL))
    return calendar.to_ical()
