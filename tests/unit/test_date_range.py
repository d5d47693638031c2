"""The days the service keeps events on (backend/rules/date_range.py), and date arithmetic that
holds at the ends of Python's calendar for items stored before the limits existed."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from rules.date_range import FIRST_DAY, LAST_DAY, MAX_LIST_DAYS, RANGE_PROBLEM, in_range, plus_days
from validation import ValidationError, validate_date_range, validate_new_event


def test_the_days_kept_are_1900_through_2199():
    assert (in_range(FIRST_DAY), in_range(LAST_DAY)) == (True, True)
    assert (in_range(FIRST_DAY - timedelta(days=1)), in_range(LAST_DAY + timedelta(days=1))) == (False, False)
    assert RANGE_PROBLEM == "must be a date from 1900-01-01 to 2199-12-31"


@pytest.mark.parametrize("day", ["1899-12-31", "2200-01-01", "9999-12-31"])
def test_an_event_outside_them_is_refused_naming_event_date(day):
    with pytest.raises(ValidationError) as refused:
        validate_new_event({"event_date": day, "title": "x"})
    assert refused.value.fields == {"event_date": RANGE_PROBLEM}


def test_plus_days_holds_at_the_ends_of_pythons_calendar():
    assert plus_days(date(2024, 2, 28), 2) == date(2024, 3, 1)
    assert plus_days(date(9999, 12, 30), 5) == date.max
    assert plus_days(date(1, 1, 2), -5) == date.min
    assert plus_days(date(2024, 1, 1), timedelta(days=-1)) == date(2023, 12, 31)


def test_a_listing_spans_at_most_a_year_and_a_day():
    assert validate_date_range("2024-01-01", "2025-01-01") == ("2024-01-01", "2025-01-01")
    assert MAX_LIST_DAYS == 366
    with pytest.raises(ValidationError) as refused:
        validate_date_range("2024-01-01", "2025-01-02")
    assert refused.value.fields == {"to": "must be at most 366 days after `from`"}
    with pytest.raises(ValidationError) as refused:
        validate_date_range("2024-01-02", "2024-01-01")
    assert refused.value.fields == {"from": "is after `to`"}
