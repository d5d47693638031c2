"""GET /api/departments/<id>/calendar.ics: the feed parsed back with icalendar, event by event."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from ical_times import ClockSpan, parse_clock_span
from servers import api_client

SEOUL = ZoneInfo("Asia/Seoul")


@pytest.mark.parametrize(("text", "span"), [
    ("오후 2:00", ClockSpan(time(14, 0))),
    ("오전 9:30", ClockSpan(time(9, 30))),
    ("오후 12:15", ClockSpan(time(12, 15))),
    ("오전 12:05", ClockSpan(time(0, 5))),
    ("14:00", ClockSpan(time(14, 0))),
    ("9:05", ClockSpan(time(9, 5))),
    ("2:00 PM", ClockSpan(time(14, 0))),
    ("11:30 am", ClockSpan(time(11, 30))),
    ("PM 3:00", ClockSpan(time(15, 0))),
    ("14:00-15:30", ClockSpan(time(14, 0), time(15, 30))),
    ("오후 2:00 ~ 오후 3:30", ClockSpan(time(14, 0), time(15, 30))),
    ("오후 2:00-3:30", ClockSpan(time(14, 0), time(15, 30))),
    ("오전 11:00 - 오후 1:00", ClockSpan(time(11, 0), time(13, 0))),
    ("2:00 PM - 3:00 PM", ClockSpan(time(14, 0), time(15, 0))),
    ("23:00-01:00", ClockSpan(time(23, 0), time(1, 0))),
])
def test_clock_times_are_read(text, span):
    assert parse_clock_span(text) == span


@pytest.mark.parametrize("text", ["", "종일", "오후", "점심 이후", "25:00", "14:60", "13:00 PM", "0:30 AM",
                                  "14:00-26:00", "2024-01-20", "14:00 회의", "약 2:00"])
def test_other_texts_are_no_clock_time(text):
    assert parse_clock_span(text) is None


def _feed(client, department_id, **headers):
    return client.get(f"/api/departments/{department_id}/calendar.ics", headers=headers)


def _vevents(response) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(response.data)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_feed_holds_each_event_timed_or_all_day(client, make_department, make_event):
    department = make_department("영업부", "Sales")
    cases = {
        "오후 2:00": (datetime(2024, 1, 20, 14, 0, tzinfo=SEOUL), datetime(2024, 1, 20, 15, 0, tzinfo=SEOUL)),
        "오전 9:30": (datetime(2024, 1, 20, 9, 30, tzinfo=SEOUL), datetime(2024, 1, 20, 10, 30, tzinfo=SEOUL)),
        "14:00": (datetime(2024, 1, 20, 14, 0, tzinfo=SEOUL), datetime(2024, 1, 20, 15, 0, tzinfo=SEOUL)),
        "2:00 PM": (datetime(2024, 1, 20, 14, 0, tzinfo=SEOUL), datetime(2024, 1, 20, 15, 0, tzinfo=SEOUL)),
        "14:00-15:30": (datetime(2024, 1, 20, 14, 0, tzinfo=SEOUL), datetime(2024, 1, 20, 15, 30, tzinfo=SEOUL)),
        "23:00-01:00": (datetime(2024, 1, 20, 23, 0, tzinfo=SEOUL), datetime(2024, 1, 21, 1, 0, tzinfo=SEOUL)),
        "종일": (date(2024, 1, 20), date(2024, 1, 21)),
        "": (date(2024, 1, 20), date(2024, 1, 21)),
    }
    made = {text: make_event(department["id"], time=text, title=f"회의 {text}") for text in cases}
    response = _feed(client, department["id"])
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    vevents = _vevents(response)
    assert set(vevents) == {event["id"] for event in made.values()}
    for text, (start, end) in cases.items():
        vevent = vevents[made[text]["id"]]
        assert (vevent.DTSTART, vevent.DTEND) == (start, end), text
        assert type(vevent.DTSTART) is type(start), text  # all-day events are dates, not midnights
        assert str(vevent["SUMMARY"]) == f"회의 {text}"
        if isinstance(start, datetime):
            assert vevent["DTSTART"].params["TZID"] == "Asia/Seoul"


def test_feed_keeps_description_and_url_and_declares_its_timezone(client, make_department, make_event):
    department = make_department("개발부")
    event = make_event(department["id"], time="오후 2:00", description="첫 줄\n둘째 줄, 쉼표; 세미콜론",
                       url="https://intranet.example.com/meetings/1?a=b")
    response = _feed(client, department["id"])
    calendar = icalendar.Calendar.from_ical(response.data)
    vevent = _vevents(response)[event["id"]]
    assert str(vevent["DESCRIPTION"]) == "첫 줄\n둘째 줄, 쉼표; 세미콜론"
    assert str(vevent["URL"]) == "https://intranet.example.com/meetings/1?a=b"
    assert vevent.DTSTAMP == datetime.fromisoformat(event["last_modified"]).replace(microsecond=0)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Seoul"]
    assert str(calendar["X-WR-CALNAME"]) == "개발부"
    assert b"\r\n" in response.data and response.data.decode("utf-8")


def test_feed_answers_304_while_unchanged_and_a_new_etag_after_a_change(client, make_department, make_event):
    department = make_department()
    event = make_event(department["id"], time="14:00")
    first = _feed(client, department["id"])
    etag = first.headers["ETag"]
    assert _feed(client, department["id"]).headers["ETag"] == etag  # same events, same bytes
    unchanged = _feed(client, department["id"], **{"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.data == b""
    assert client.put(f"/api/events/{event['id']}", json={"time": "15:00"}).status_code == 200
    changed = _feed(client, department["id"], **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert _vevents(changed)[event["id"]].DTSTART.hour == 15


def test_calendar_timezone_setting_places_the_times(settings, db, make_department, make_event):
    client = api_client(settings.with_overrides(calendar_timezone="Europe/Berlin"), db)
    department = make_department()
    event = make_event(department["id"], time="오전 9:30")
    vevent = _vevents(_feed(client, department["id"]))[event["id"]]
    assert vevent.DTSTART == datetime(2024, 1, 20, 9, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    assert vevent.DTEND - vevent.DTSTART == timedelta(hours=1)


def test_unknown_department_is_a_json_404(client):
    response = _feed(client, "00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def test_an_unknown_timezone_setting_is_refused_by_name(monkeypatch):
    from config import Settings

    monkeypatch.setenv("CALENDAR_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ValueError, match="CALENDAR_TIMEZONE"):
        Settings.from_env()
