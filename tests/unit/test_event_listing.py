"""A department's events in the order a list shows them, each series as its occurrences, without a
server (backend/rules/event_listing.py)."""
from __future__ import annotations

from itertools import islice

from rules import recurrence
from rules.event_listing import expanded, listed_order
from rules.shapes import EXCEPTION_DATES

SERIES_ID = "5f0c7a7e-0000-4000-8000-000000000001"


def _event(event_id, event_date, created_at="2024-01-01T00:00:00.000Z", **fields):
    return {"id": event_id, "department_id": "d", "event_date": event_date, "title": event_id, "description": "",
            "time": "", "url": "", "created_at": created_at, "last_modified": created_at, "version": 1,
            "created_by": "t", "updated_by": "t", **fields}


def _weekly(**fields):
    return _event(SERIES_ID, "2024-01-01", recurrence=["RRULE:FREQ=WEEKLY;COUNT=4"], **fields)


def _listed(events, start="2024-01-01", end="2024-01-31", expand=True):
    with recurrence.listing():
        return [(e["id"], e["event_date"]) for e in expanded(events, start, end, expand)]


def test_events_are_ordered_by_day_then_creation_then_id():
    events = [_event("b", "2024-01-02", "2024-01-01T09:00:00.000Z"), _event("c", "2024-01-01"),
              _event("a", "2024-01-02", "2024-01-01T09:00:00.000Z"), _event("d", "2024-01-02")]
    assert [e["id"] for e in sorted(events, key=listed_order)] == ["c", "d", "a", "b"]


def test_a_series_is_listed_as_its_occurrences_among_the_other_events():
    listed = _listed([_event("x", "2024-01-09"), _weekly(), _event("y", "2024-01-01", "2023-12-31T00:00:00.000Z")])
    assert listed == [("y", "2024-01-01"), (f"{SERIES_ID}_20240101", "2024-01-01"), (f"{SERIES_ID}_20240108", "2024-01-08"),
                      ("x", "2024-01-09"), (f"{SERIES_ID}_20240115", "2024-01-15"), (f"{SERIES_ID}_20240122", "2024-01-22")]


def test_the_occurrences_stored_as_exceptions_are_left_to_their_own_items():
    exception = _event(f"{SERIES_ID}_20240108", "2024-01-10", recurring_event_id=SERIES_ID, original_date="2024-01-08")
    listed = _listed([_weekly(**{EXCEPTION_DATES: ["2024-01-08"]}), exception])
    assert listed == [(f"{SERIES_ID}_20240101", "2024-01-01"), (f"{SERIES_ID}_20240108", "2024-01-10"),
                      (f"{SERIES_ID}_20240115", "2024-01-15"), (f"{SERIES_ID}_20240122", "2024-01-22")]


def test_only_the_occurrences_touching_the_window_are_listed():
    assert _listed([_weekly()], "2024-01-10", "2024-01-20") == [(f"{SERIES_ID}_20240115", "2024-01-15")]


def test_without_expansion_a_series_is_listed_as_stored_without_its_exception_dates():
    (series,) = expanded([_weekly(**{EXCEPTION_DATES: ["2024-01-08"]})], None, None, expand=False)
    assert series == _weekly()


def _spent(read):
    """The recurrence budget a listing of a daily series for a year spends when `read` reads it."""
    daily = _event(SERIES_ID, "2024-01-01", recurrence=["RRULE:FREQ=DAILY"])
    with recurrence.listing() as budget:
        left = budget.left
        read(expanded([daily], "2024-01-01", "2024-12-31"))
        return left - budget.left


def test_a_series_is_expanded_only_as_far_as_the_reader_reads():
    assert [e["event_date"] for e in islice(expanded([_weekly()], None, None), 2)] == ["2024-01-01", "2024-01-08"]
    assert 0 < _spent(lambda listed: list(islice(listed, 3))) < _spent(list) / 3
