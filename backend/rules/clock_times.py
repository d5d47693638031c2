"""Clock times in an event's free-text `time`: `오후 2:00`, `오전 9:30`, `14:00`, `2:00 PM`, and
ranges such as `14:00-15:30` or `오후 2:00 ~ 오후 3:30`. Pure: no I/O, no Flask.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

# One clock time: an optional meridiem before (오전/오후, AM/PM) or after (AM/PM), then H:MM.
_CLOCK = r"(?:(?P<{p}pre>오전|오후|AM|PM|A\.M\.|P\.M\.)\s*)?(?P<{p}h>[0-9]{{1,2}}):(?P<{p}m>[0-9]{{2}})" \
         r"(?:\s*(?P<{p}post>AM|PM|A\.M\.|P\.M\.))?"
_SPAN = re.compile(
    r"^\s*" + _CLOCK.format(p="s") + r"(?:\s*(?:-|~|–|—|to)\s*" + _CLOCK.format(p="e") + r")?\s*$",
    re.IGNORECASE,
)
_MORNING = ("오전", "AM", "A.M.")


@dataclass(frozen=True)
class ClockSpan:
    """A start time and, when the text gave a range, its end (which may be past midnight)."""

    start: time
    end: time | None = None


def _clock(hour: str, minute: str, meridiem: str | None) -> time | None:
    """The time, or None when the numbers are no clock time (25:00, 13:00 PM, 0:30 AM)."""
    h, m = int(hour), int(minute)
    if m > 59:
        return None
    if meridiem is None:
        return time(h, m) if h <= 23 else None
    if not 1 <= h <= 12:
        return None
    morning = meridiem.upper() in _MORNING
    return time(h % 12 + (0 if morning else 12), m)


def parse_clock_span(text: str) -> ClockSpan | None:
    """The clock time (or range) the text reads as, or None for anything else (an all-day event).

    In a range the end takes the start's meridiem when it has none: `오후 2:00-3:30` ends at 15:30.
    """
    found = _SPAN.match(text or "")
    if not found:
        return None
    start_meridiem = found["spre"] or found["spost"]
    start = _clock(found["sh"], found["sm"], start_meridiem)
    if start is None:
        return None
    if found["eh"] is None:
        return ClockSpan(start)
    # A 24-hour end (`오후 2:00-15:30`) takes no meridiem from the start.
    inherited = start_meridiem if int(found["eh"]) <= 12 else None
    end = _clock(found["eh"], found["em"], found["epre"] or found["epost"] or inherited)
    return ClockSpan(start, end) if end is not None else None
