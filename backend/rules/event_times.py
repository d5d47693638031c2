"""Whether an event's times, as it would be stored, agree with each other (pure)."""
from __future__ import annotations

from datetime import date

from errors import ValidationError
from rules import recurrence
from rules.date_range import MAX_LIST_DAYS
from rules.shapes import EventTimes


def check_event_times(event: EventTimes) -> None:
    """Raises ValidationError when the event's structured times (as it would be stored) contradict
    each other: end_date before event_date, end_time without start_time, or on a one-day event
    end_time not after start_time; or when its `recurrence` is no series (see recurrence.py)."""
    problems: dict[str, str] = {}
    end_date, end_time, start_time = event.get("end_date"), event.get("end_time"), event.get("start_time")
    if end_date and end_date < event["event_date"]:
        problems["end_date"] = "must not be before event_date"
    elif end_date and event.get("recurrence") and days_between(event["event_date"], end_date) > MAX_LIST_DAYS:
        problems["end_date"] = f"must be at most {MAX_LIST_DAYS} days after event_date in a series"
    if end_time and not start_time:
        problems["end_time"] = "needs start_time (an event without start_time is all-day)"
    elif end_time and start_time and (end_date or event["event_date"]) == event["event_date"] and end_time <= start_time:
        problems["end_time"] = "must be after start_time on an event of one day"
    if event.get("recurrence") and not problems:
        try:
            recurrence.last_day(event)
        except recurrence.RecurrenceError as exc:
            problems["recurrence"] = str(exc)
    if problems:
        detail = "; ".join(f"{k} {v}" for k, v in sorted(problems.items()))
        raise ValidationError(f"invalid input: {detail}", problems)


def days_between(start: str, end: str) -> int:
    """Days from one YYYY-MM-DD to another."""
    return (date.fromisoformat(end) - date.fromisoformat(start)).days
