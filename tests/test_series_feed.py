"""The feed exports each series once (RRULE, EXDATE, RDATE) and each exception with RECURRENCE-ID:
expanded by `recurring-ical-events`, it holds for a year exactly what the API lists."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from support.servers import api_client

NEW_YORK = ZoneInfo("America/New_York")


def _post(client, department_id, **body):
    response = client.post(f"/api/events/{department_id}", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _start(event, zone):
    day = date.fromisoformat(event["event_date"])
    if not event.get("start_time"):
        return day
    return datetime.combine(day, datetime.strptime(event["start_time"], "%H:%M").time(), zone)


def _feed(client, department_id) -> icalendar.Calendar:
    response = client.get(f"/api/departments/{department_id}/calendar.ics")
    assert response.status_code == 200
    return icalendar.Calendar.from_ical(response.data)


def _make_series(client, department_id):
    weekly = _post(client, department_id, event_date="2024-01-01", title="weekly", start_time="09:00",
                   end_time="10:00", recurrence=["RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=40",
                                                 "EXDATE;VALUE=DATE:20240103", "RDATE;VALUE=DATE:20240106"])
    _post(client, department_id, event_date="2024-01-31", title="31st", recurrence=["RRULE:FREQ=MONTHLY;BYMONTHDAY=31"])
    _post(client, department_id, event_date="2024-02-29", title="leap", recurrence=["RRULE:FREQ=YEARLY"])
    _post(client, department_id, event_date="2024-03-01", title="until", start_time="18:30",
          recurrence=["RRULE:FREQ=DAILY;INTERVAL=3;UNTIL=20240401T000000Z"])
    _post(client, department_id, event_date="2024-05-05", title="single")
    base = f"/api/events/{weekly['id']}"
    assert client.put(f"{base}_20240108", json={"title": "moved", "event_date": "2024-02-10",
                                                "start_time": "11:00", "end_time": "12:00"}).status_code == 200
    assert client.delete(f"{base}_20240110").status_code == 204
    assert client.put(f"{base}_20240415", json={"description": "after the cut"}).status_code == 200  # moves
    assert client.put(f"{base}_20240311?scope=following", json={"title": "later"}).status_code == 200


def test_the_feed_expands_to_what_the_api_lists_for_a_year(settings, db, make_department):
    client = api_client(settings.with_overrides(calendar_timezone="America/New_York"), db)
    department_id = make_department()["id"]
    _make_series(client, department_id)

    listed = client.get(f"/api/events/{department_id}?from=2024-01-01&to=2024-12-31").get_json()
    api = sorted((e["title"], _start(e, NEW_YORK)).__repr__() for e in listed)
    calendar = _feed(client, department_id)
    expanded = recurring_ical_events.of(calendar).between(date(2024, 1, 1), date(2025, 1, 1))
    feed = sorted((str(e["SUMMARY"]), e.DTSTART).__repr__() for e in expanded)

    assert feed == api
    assert len(api) > 50
    # One VEVENT per series, one per exception: not one per occurrence.
    assert len(calendar.walk("VEVENT")) == 8


def test_a_series_keeps_its_local_time_across_dst_in_the_feed(settings, db, make_department):
    client = api_client(settings.with_overrides(calendar_timezone="America/New_York"), db)
    department_id = make_department()["id"]
    _post(client, department_id, event_date="2024-03-04", title="standup", start_time="09:00", end_time="09:15",
          recurrence=["RRULE:FREQ=WEEKLY;COUNT=3"])
    expanded = recurring_ical_events.of(_feed(client, department_id)).between(date(2024, 3, 1), date(2024, 4, 1))
    starts = sorted(e.DTSTART for e in expanded)
    assert [s.astimezone(ZoneInfo("UTC")).hour for s in starts] == [14, 13, 13]  # EST, then EDT (10 March)
    assert {(s.hour, s.minute) for s in starts} == {(9, 0)}
