"""A calendar object a CalDAV client PUTs, read into the API's fields (backend/dav/ical_events.py):
times as the page shows them in Asia/Seoul, whatever zone the client wrote them in; whole days;
what our fields cannot hold kept aside; and the resources refused with their precondition."""
from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from dav.ical_events import MAX_OVERRIDES, InvalidResource, read_event

SEOUL = ZoneInfo("Asia/Seoul")


def _object(*lines: str, extra_vevents: str = "") -> bytes:
    body = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//KO", "BEGIN:VEVENT", "UID:u-1",
            "DTSTAMP:20240101T000000Z", "SUMMARY:회의", *lines, "END:VEVENT", *extra_vevents.split("\n"), "END:VCALENDAR"]
    return ("\r\n".join(line for line in body if line) + "\r\n").encode()


@pytest.mark.parametrize(("lines", "times"), [
    (["DTSTART:20240120T050000Z", "DTEND:20240120T063000Z"],  # UTC: 14:00-15:30 in Seoul
     {"event_date": "2024-01-20", "start_time": "14:00", "end_time": "15:30"}),
    (["DTSTART;TZID=America/New_York:20240120T090000", "DURATION:PT2H"],  # 23:00 in Seoul, to 01:00 next day
     {"event_date": "2024-01-20", "start_time": "23:00", "end_date": "2024-01-21", "end_time": "01:00"}),
    (["DTSTART:20240120T140000"], {"event_date": "2024-01-20", "start_time": "14:00", "end_time": "15:00"}),  # floating
    (["DTSTART;VALUE=DATE:20240120", "DTEND;VALUE=DATE:20240121"], {"event_date": "2024-01-20"}),
    (["DTSTART;VALUE=DATE:20240120", "DTEND;VALUE=DATE:20240123"], {"event_date": "2024-01-20", "end_date": "2024-01-22"}),
])
def test_times_are_the_calendars_zone_or_whole_days(lines, times):
    fields = read_event(_object(*lines), SEOUL).fields
    assert {k: v for k, v in fields.items() if k not in ("title",)} == times


def test_what_our_fields_cannot_hold_is_kept_and_the_rest_is_not():
    written = read_event(_object("DTSTART:20240120T050000Z", "CATEGORIES:회의", "X-MY-FLAG:1", "BEGIN:VALARM",
                                 "ACTION:DISPLAY", "TRIGGER:-PT10M", "END:VALARM"), SEOUL)
    assert "CATEGORIES:회의" in written.kept and "X-MY-FLAG:1" in written.kept and "TRIGGER:-PT10M" in written.kept
    assert "DTSTART" not in written.kept and "SUMMARY" not in written.kept
    assert read_event(_object("DTSTART:20240120T050000Z"), SEOUL).kept is None


def test_changed_occurrences_are_read_by_their_original_day():
    moved = ("BEGIN:VEVENT\nUID:u-1\nRECURRENCE-ID:20240109T000000Z\nDTSTART:20240110T020000Z\nSUMMARY:옮김\n"
             "END:VEVENT")
    written = read_event(_object("DTSTART:20240102T000000Z", "RRULE:FREQ=WEEKLY;COUNT=3", extra_vevents=moved), SEOUL)
    assert written.fields["recurrence"] == ["RRULE:FREQ=WEEKLY;COUNT=3"]
    [(day, fields)] = written.overrides.items()
    assert (day.isoformat(), fields["event_date"], fields["start_time"], fields["title"]) == (
        "2024-01-09", "2024-01-10", "11:00", "옮김")


@pytest.mark.parametrize(("body", "precondition"), [
    (b"BEGIN:VEVENT\r\nUID:u-1\r\nEND:VEVENT\r\n", "valid-calendar-data"),  # no VCALENDAR around it
    (_object("DTSTART:20240120T050000Z").replace(b"VEVENT", b"VTODO"), "supported-calendar-component"),
    (_object(), "valid-calendar-object-resource"),  # no DTSTART
    (_object("DTSTART:20240120T050000Z", extra_vevents="BEGIN:VEVENT\nUID:u-2\nDTSTART:20240121T050000Z\nEND:VEVENT"),
     "valid-calendar-object-resource"),  # two UIDs
    (_object("DTSTART:20240101T000000Z", "RRULE:FREQ=DAILY", extra_vevents="\n".join(
        f"BEGIN:VEVENT\nUID:u-1\nRECURRENCE-ID:{day:%Y%m%d}T000000Z\nDTSTART:{day:%Y%m%d}T010000Z\nEND:VEVENT"
        for day in (date(2024, 1, 1) + timedelta(days=n) for n in range(MAX_OVERRIDES + 1)))),
     "valid-calendar-object-resource"),  # more changed occurrences than MAX_OVERRIDES
])
def test_refused_objects_name_their_precondition(body, precondition):
    with pytest.raises(InvalidResource) as refused:
        read_event(body, SEOUL)
    assert refused.value.precondition == precondition
