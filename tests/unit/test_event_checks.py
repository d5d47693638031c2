"""What a new event is told about its times (validation.py with the rules): each field's form, and
the rules between event_date, end_date, start_time and end_time, also on an event as a change
would store it."""
from __future__ import annotations

import pytest

from validation import ValidationError, check_event_times, validate_new_event

CLOCK = "must be a 24-hour time as HH:MM (00:00-23:59)"


@pytest.mark.parametrize(("fields", "field", "problem"), [
    ({"start_time": "24:00"}, "start_time", CLOCK),
    ({"start_time": "9:00"}, "start_time", CLOCK),
    ({"start_time": "오후 2:00"}, "start_time", CLOCK),
    ({"start_time": 900}, "start_time", CLOCK),
    ({"start_time": "09:00", "end_time": "09:60"}, "end_time", CLOCK),
    ({"end_date": "2024-02-30"}, "end_date", "must be a real date as YYYY-MM-DD"),
    ({"end_date": "2024-01-19"}, "end_date", "must not be before event_date"),
    ({"end_time": "10:00"}, "end_time", "needs start_time (an event without start_time is all-day)"),
    ({"start_time": "10:00", "end_time": "10:00"}, "end_time", "must be after start_time on an event of one day"),
    ({"start_time": "10:00", "end_time": "09:00", "end_date": "2024-01-20"}, "end_time",
     "must be after start_time on an event of one day"),
    ({"end_date": "2025-01-21", "recurrence": ["RRULE:FREQ=YEARLY"]}, "end_date",
     "must be at most 366 days after event_date in a series"),
])
def test_bad_times_are_refused_naming_the_field(fields, field, problem):
    with pytest.raises(ValidationError) as refused:
        validate_new_event({"event_date": "2024-01-20", "title": "워크숍", **fields})
    assert refused.value.fields == {field: problem}
    assert refused.value.message == f"invalid input: {field} {problem}"


@pytest.mark.parametrize("fields", [
    {"start_time": "22:00", "end_time": "06:00", "end_date": "2024-01-21"},  # overnight
    {"start_time": "09:00", "end_time": "09:01"},
    {"end_date": "2024-01-20"},
    {"end_date": "2025-01-20", "recurrence": ["RRULE:FREQ=YEARLY"]},
])
def test_times_that_agree_are_taken_as_sent(fields):
    assert validate_new_event({"event_date": "2024-01-20", "title": "워크숍", **fields}) == {
        "event_date": "2024-01-20", "title": "워크숍", **fields}


def test_a_change_is_checked_as_the_event_it_would_store():
    """A PUT of one field is checked against the stored others (models.update_event merges first)."""
    stored = {"event_date": "2024-01-10", "end_date": "2024-01-12", "start_time": "09:00", "end_time": "10:00"}
    check_event_times(stored)
    for change, field in (({"event_date": "2024-01-13"}, "end_date"), ({"start_time": None}, "end_time"),
                          ({"end_date": None}, None)):
        merged = {**stored, **change}
        if field is None:
            check_event_times(merged)  # one day, 09:00-10:00: fine
            continue
        with pytest.raises(ValidationError) as refused:
            check_event_times(merged)
        assert set(refused.value.fields) == {field}
