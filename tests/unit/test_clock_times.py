"""Clock times read from an event's free-text `time` (backend/rules/clock_times.py): what the feed
makes a timed event of, and what stays all-day."""
from __future__ import annotations

from datetime import time

import pytest

from rules.clock_times import ClockSpan, parse_clock_span


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
