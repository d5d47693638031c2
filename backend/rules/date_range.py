"""The days this service keeps events on, and how many days one listing may span. Pure.

Dates outside FIRST_DAY..LAST_DAY are refused by the API (a 400) and by the migration (a
rejection); items stored before this limit existed still read: arithmetic on their days saturates
at the ends of Python's date range instead of overflowing.
"""
from __future__ import annotations

from datetime import date, timedelta

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)
RANGE_PROBLEM = f"must be a date from {FIRST_DAY} to {LAST_DAY}"
# The most days a listing's `to` may lie after its `from` (a year view: 2024-01-01..2025-01-01).
MAX_LIST_DAYS = 366


def in_range(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def plus_days(day: date, days: int | timedelta) -> date:
    """day + days, held at date.min/date.max instead of overflowing."""
    delta = days if isinstance(days, timedelta) else timedelta(days=days)
    try:
        return day + delta
    except OverflowError:
        return date.max if delta > timedelta() else date.min
