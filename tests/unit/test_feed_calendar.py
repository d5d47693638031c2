"""A department's events as an RFC 5545 calendar (backend/rules/feed_calendar.py), built and read
back with icalendar: timed or all-day, series with their lines, exceptions under their series' UID,
the same bytes for the same events, and items older than the date limits left out."""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest

from rules.feed_calendar import calendar_bytes, event_times

SEOUL = ZoneInfo("Asia/Seoul")
DEPARTMENT = {"id": "d1", "name": "개발부", "description": "백엔드"}
STAMPS = {"created_at": "2024-01-02T03:04:05.678Z", "last_modified": "2024-01-03T03:04:05.678Z", "version": 2}


def _event(event_id="e1", **fields):
    return {"id": event_id, "department_id": "d1", "event_date": "2024-01-20", "title": "워크숍", **STAMPS, **fields}


def _vevents(events, timezone="Asia/Seoul"):
    calendar = icalendar.Calendar.from_ical(calendar_bytes(DEPARTMENT, events, timezone))
    return calendar, list(calendar.walk("VEVENT"))


@pytest.mark.parametrize(("fields", "start", "end"), [
    ({"start_time": "09:15", "end_time": "10:45", "time": "오후 2:00"},
     datetime(2024, 1, 20, 9, 15, tzinfo=SEOUL), datetime(2024, 1, 20, 10, 45, tzinfo=SEOUL)),
    ({"start_time": "09:15"}, datetime(2024, 1, 20, 9, 15, tzinfo=SEOUL), datetime(2024, 1, 20, 10, 15, tzinfo=SEOUL)),
    ({"start_time": "22:00", "end_time": "06:00", "end_date": "2024-01-21"},
     datetime(2024, 1, 20, 22, 0, tzinfo=SEOUL), datetime(2024, 1, 21, 6, 0, tzinfo=SEOUL)),
    ({"start_time": "13:00", "end_date": "2024-01-22"},
     datetime(2024, 1, 20, 13, 0, tzinfo=SEOUL), datetime(2024, 1, 23, 0, 0, tzinfo=SEOUL)),
    ({"end_date": "2024-01-22"}, date(2024, 1, 20), date(2024, 1, 23)),
    ({"end_date": "2024-01-22", "time": "14:00"},
     datetime(2024, 1, 20, 14, 0, tzinfo=SEOUL), datetime(2024, 1, 23, 0, 0, tzinfo=SEOUL)),
    ({"time": "14:00-15:00"}, datetime(2024, 1, 20, 14, 0, tzinfo=SEOUL), datetime(2024, 1, 20, 15, 0, tzinfo=SEOUL)),
    ({"time": "23:00-01:00"}, datetime(2024, 1, 20, 23, 0, tzinfo=SEOUL), datetime(2024, 1, 21, 1, 0, tzinfo=SEOUL)),
    ({"time": "종일"}, date(2024, 1, 20), date(2024, 1, 21)),
])
def test_structured_times_come_first_then_the_label_then_all_day(fields, start, end):
    assert event_times(_event(**fields), SEOUL) == (start, end)
    assert type(event_times(_event(**fields), SEOUL)[0]) is type(start)  # all-day is a date, not a midnight


def test_the_calendar_names_the_department_its_zone_and_refresh_and_keeps_the_texts():
    calendar, (vevent,) = _vevents([_event(time="오후 2:00", description="첫 줄\n둘째 줄, 쉼표", url="https://x.example/1")])
    assert (str(calendar["X-WR-CALNAME"]), str(calendar["X-WR-TIMEZONE"])) == ("개발부", "Asia/Seoul")
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Asia/Seoul"]
    assert (str(vevent["UID"]), str(vevent["SUMMARY"]), str(vevent["COMMENT"])) == ("e1", "워크숍", "오후 2:00")
    assert (str(vevent["DESCRIPTION"]), str(vevent["URL"])) == ("첫 줄\n둘째 줄, 쉼표", "https://x.example/1")
    assert vevent.DTSTAMP == datetime(2024, 1, 3, 3, 4, 5, tzinfo=UTC) and vevent["SEQUENCE"] == 1


def test_the_same_events_give_the_same_bytes():
    """What lets the feed's ETag answer 304 to a calendar that polls it."""
    events = [_event("a", time="14:00"), _event("b", recurrence=["RRULE:FREQ=WEEKLY;COUNT=3"])]
    assert calendar_bytes(DEPARTMENT, events, "Asia/Seoul") == calendar_bytes(DEPARTMENT, list(events), "Asia/Seoul")
    assert b"\r\n" in calendar_bytes(DEPARTMENT, events, "Asia/Seoul")


def test_a_series_and_its_exception_share_a_uid():
    series = _event("s", start_time="09:00", recurrence=["RRULE:FREQ=WEEKLY;UNTIL=20240217",
                                                        "EXDATE;VALUE=DATE:20240127", "RDATE;VALUE=DATE:20240130"])
    moved = _event("x", event_date="2024-02-04", start_time="11:00", title="옮긴 회의", recurring_event_id="s",
                   original_date="2024-02-03")
    _calendar, vevents = _vevents([series, moved])
    first, exception = vevents
    assert str(first["RRULE"].to_ical(), "ascii") == "FREQ=WEEKLY;UNTIL=20240217T145959Z"  # the day's end in Seoul
    assert first["EXDATE"].dts[0].dt == datetime(2024, 1, 27, 9, 0, tzinfo=SEOUL)
    assert first["RDATE"].dts[0].dt == datetime(2024, 1, 30, 9, 0, tzinfo=SEOUL)
    assert str(exception["UID"]) == "s"
    assert exception["RECURRENCE-ID"].dt == datetime(2024, 2, 3, 9, 0, tzinfo=SEOUL)
    assert exception.DTSTART == datetime(2024, 2, 4, 11, 0, tzinfo=SEOUL)


def test_an_all_day_series_keeps_dates_and_an_until_past_the_last_day_is_no_end():
    _calendar, (vevent,) = _vevents([_event("s", recurrence=["RRULE:FREQ=YEARLY;UNTIL=99991231"])])
    assert str(vevent["RRULE"].to_ical(), "ascii") == "FREQ=YEARLY"
    _calendar, (vevent,) = _vevents([_event("s", recurrence=["RRULE:FREQ=YEARLY;UNTIL=20301231"])])
    assert str(vevent["RRULE"].to_ical(), "ascii") == "FREQ=YEARLY;UNTIL=20301231"


def test_items_stored_before_the_date_limits_are_left_out():
    """Issue 20: an event on 9999-12-31 made calendar.ics a 500 (its DTEND is past Python's dates)."""
    _calendar, vevents = _vevents([_event("old", event_date="9999-12-31"), _event("ok")])
    assert [str(vevent["UID"]) for vevent in vevents] == ["ok"]
