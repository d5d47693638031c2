"""Structured times: `start_time`, `end_time` and `end_date` through HTTP, the month lists of an
event spanning days, the rules between the fields on create and on change, and the feed."""
from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest

from validation import ValidationError

SEOUL = ZoneInfo("Asia/Seoul")


def _create(client, department_id, **fields):
    return client.post(f"/api/events/{department_id}", json={"event_date": "2024-01-20", "title": "워크숍", **fields})


def _titles(client, department_id, query=""):
    return [e["title"] for e in client.get(f"/api/events/{department_id}?{query}").get_json()]


def _stored_items(db):
    return db.client.scan(TableName=db.events_table)["Items"]


def test_structured_times_are_stored_and_returned_only_when_set(client, db, make_department):
    department_id = make_department()["id"]
    response = _create(client, department_id, start_time="09:00", end_time="17:30", end_date="2024-01-22",
                       time="오전 9시 집합")
    assert response.status_code == 201
    event = response.get_json()
    assert (event["start_time"], event["end_time"], event["end_date"], event["time"]) == (
        "09:00", "17:30", "2024-01-22", "오전 9시 집합")
    assert client.get(f"/api/events/{department_id}/{event['id']}").get_json() == event
    assert db.get_event(event["id"]) == event

    plain = _create(client, department_id).get_json()
    assert not {"start_time", "end_time", "end_date"} & set(plain)  # all-day, one day
    assert _create(client, department_id, start_time=None, end_date=None).get_json().keys() == plain.keys()


# A field's own form and a rule between fields; every wording is unit-tested in
# tests/unit/test_event_checks.py.
@pytest.mark.parametrize(("fields", "field", "problem"), [
    ({"start_time": "24:00"}, "start_time", "must be a 24-hour time as HH:MM (00:00-23:59)"),
    ({"end_date": "2024-01-19"}, "end_date", "must not be before event_date"),
    ({"end_time": "10:00"}, "end_time", "needs start_time (an event without start_time is all-day)"),
])
def test_bad_times_are_400_naming_the_field_and_store_nothing(client, db, make_department, fields, field, problem):
    response = _create(client, make_department()["id"], **fields)
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "validation_error"
    assert body["fields"] == {field: problem}
    assert _stored_items(db) == []


def test_an_event_spanning_days_may_end_earlier_in_the_day_than_it_started(client, make_department):
    response = _create(client, make_department()["id"], start_time="22:00", end_time="06:00", end_date="2024-01-21")
    assert response.status_code == 201


def test_month_lists_show_an_event_spanning_days_in_every_month_it_touches(client, make_department):
    department_id = make_department()["id"]
    _create(client, department_id, title="long", event_date="2024-01-30", end_date="2024-03-02")
    _create(client, department_id, title="february", event_date="2024-02-10")
    months = {
        "from=2023-12-01&to=2023-12-31": [],
        "from=2024-01-01&to=2024-01-31": ["long"],
        "from=2024-02-01&to=2024-02-29": ["long", "february"],
        "from=2024-03-01&to=2024-03-31": ["long"],
        "from=2024-03-03&to=2024-03-31": [],
        "from=2024-01-01&to=2024-12-31": ["long", "february"],  # once, though both queries find it
        "from=2024-02-15": ["long"],
        "to=2024-01-30": ["long"],
    }
    for query, titles in months.items():
        assert _titles(client, department_id, query) == titles, query


def test_changes_are_checked_against_the_stored_times(client, db, make_department):
    department_id = make_department()["id"]
    event = _create(client, department_id, event_date="2024-01-10", end_date="2024-01-12",
                    start_time="09:00", end_time="10:00").get_json()
    url = f"/api/events/{event['id']}"
    for change, field in (({"event_date": "2024-01-13"}, "end_date"), ({"end_date": "2024-01-09"}, "end_date"),
                          ({"start_time": None}, "end_time")):
        response = client.put(url, json=change)
        assert response.status_code == 400, change
        assert set(response.get_json()["fields"]) == {field}, change
    assert db.get_event(event["id"]) == event

    # One day now: the end must follow the start, so both change together.
    assert client.put(url, json={"end_date": None}).status_code == 200
    changed = client.put(url, json={"start_time": None, "end_time": None})
    assert changed.status_code == 200
    assert not {"start_time", "end_time", "end_date"} & set(changed.get_json())
    assert db.get_event(event["id"]) == changed.get_json()


def test_a_one_day_start_after_the_end_is_400(client, make_department):
    event = _create(client, make_department()["id"], start_time="09:00", end_time="10:00").get_json()
    response = client.put(f"/api/events/{event['id']}", json={"start_time": "11:00"})
    assert response.status_code == 400
    assert response.get_json()["fields"] == {"end_time": "must be after start_time on an event of one day"}


def test_removing_or_deleting_the_span_drops_it_from_later_months(client, make_department):
    department_id = make_department()["id"]
    event = _create(client, department_id, title="long", event_date="2024-01-30", end_date="2024-02-02").get_json()
    other = _create(client, department_id, title="other", event_date="2024-01-30", end_date="2024-02-02").get_json()
    february = "from=2024-02-01&to=2024-02-29"
    assert _titles(client, department_id, february) == ["long", "other"]

    assert client.put(f"/api/events/{event['id']}", json={"end_date": None}).status_code == 200
    assert client.delete(f"/api/events/{other['id']}").status_code == 204

    assert _titles(client, department_id, february) == []
    assert _titles(client, department_id, "from=2024-01-01&to=2024-01-31") == ["long"]
    moved = client.put(f"/api/events/{event['id']}", json={"end_date": "2024-02-05"})
    assert moved.status_code == 200 and moved.get_json()["end_date"] == "2024-02-05"
    assert _titles(client, department_id, february) == ["long"]


def test_a_stale_if_match_on_a_time_change_is_412_with_the_current_event(client, db, make_department):
    event = _create(client, make_department()["id"], end_date="2024-01-21").get_json()
    assert client.put(f"/api/events/{event['id']}", json={"title": "new"}).status_code == 200
    response = client.put(f"/api/events/{event['id']}", json={"end_date": "2024-01-25"}, headers={"If-Match": '"1"'})
    assert response.status_code == 412
    assert response.get_json()["current"] == db.get_event(event["id"])
    assert db.get_event(event["id"])["end_date"] == "2024-01-21"


# moto's server applies conditional writes without a lock (see test_concurrency.py): DynamoDB Local only.
@pytest.mark.parametrize("dynamodb_server", ["dynamodb-local"], indirect=True)
def test_concurrent_time_changes_never_store_an_event_ending_before_it_starts(client, db, make_department):
    """Each change alone is valid; together they are not: the one written second must see the first."""
    department_id = make_department()["id"]
    for _round in range(4):
        event = _create(client, department_id, event_date="2024-01-10", end_date="2024-01-12").get_json()
        barrier, outcomes = threading.Barrier(2), []

        def change(body, event_id=event["id"], barrier=barrier, outcomes=outcomes):
            barrier.wait()
            try:
                db.update_event(event_id, body)
                outcomes.append("stored")
            except ValidationError as exc:
                outcomes.append(exc.fields)

        threads = [threading.Thread(target=change, args=(body,))
                   for body in ({"end_date": "2024-01-11"}, {"event_date": "2024-01-12"})]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        stored = db.get_event(event["id"])
        assert stored["end_date"] >= stored["event_date"], stored
        assert sorted(outcomes, key=str) == ["stored", {"end_date": "must not be before event_date"}], outcomes


def test_the_feed_places_an_event_at_its_structured_times_not_its_label(client, make_department):
    """What a subscribed calendar shows (every case of event_times is unit-tested in
    tests/unit/test_feed_calendar.py)."""
    department_id = make_department()["id"]
    event = _create(client, department_id, start_time="09:15", end_time="10:45", time="오후 2:00").get_json()
    calendar = icalendar.Calendar.from_ical(client.get(f"/api/departments/{department_id}/calendar.ics").data)
    vevent = next(e for e in calendar.walk("VEVENT") if str(e["UID"]) == event["id"])
    assert (vevent.DTSTART, vevent.DTEND) == (datetime(2024, 1, 20, 9, 15, tzinfo=SEOUL),
                                              datetime(2024, 1, 20, 10, 45, tzinfo=SEOUL))
    assert str(vevent["COMMENT"]) == "오후 2:00"
