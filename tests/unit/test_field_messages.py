"""The page says the API's validation problems in Korean (backend/web/static/field_messages.js
matches the API's English wording): each problem the API's validation gives for an event's field
(the `fields` of its 400) matches one of the page's patterns, so a change of wording on either side
shows here, not as a vaguer message."""
from __future__ import annotations

import re

import pytest

from config import PROJECT_DIR
from validation import ValidationError, validate_new_event

FIELD_MESSAGES = PROJECT_DIR / "backend" / "web" / "static" / "field_messages.js"


def _page_patterns() -> list[re.Pattern]:
    """The regular expressions of the page's PROBLEMS table (JavaScript literals `[/.../, ...`)."""
    table = FIELD_MESSAGES.read_text(encoding="utf-8").partition("const PROBLEMS = [")[2].partition("\n];")[0]
    return [re.compile(source) for source in re.findall(r"^\s*\[/(.+?)/,", table, flags=re.MULTILINE)]


BAD_EVENTS = [
    ({"title": ""}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"title": "a\u202eb"}, "title"),
    ({"event_date": "2024-02-30"}, "event_date"),
    ({"start_time": "25:00"}, "start_time"),
    ({"start_time": "10:00", "end_time": "09:00"}, "end_time"),
    ({"end_time": "09:00"}, "end_time"),
    ({"end_date": "2023-12-31"}, "end_date"),
    ({"url": "ftp://example.com"}, "url"),
    ({"recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=TU"]}, "recurrence"),  # 2024-01-01 is a Monday
    ({"recurrence": ["RRULE:FREQ=DAILY;COUNT=5001"]}, "recurrence"),
    ({"recurrence": ["RRULE:FREQ=DAILY;COUNT=1", "EXDATE;VALUE=DATE:20240101"]}, "recurrence"),
    ({"event_date": "2200-01-01"}, "event_date"),
    ({"end_date": "2024-01-31", "recurrence": ["RRULE:FREQ=YEARLY"], "title": "x", "event_date": "2023-01-01"},
     "end_date"),
    ({"recurrence": ["RRULE:FREQ=HOURLY"]}, "recurrence"),
    ({"recurrence": ["RRULE:FREQ=FORTNIGHTLY"]}, "recurrence"),
    ({"recurrence": ["RRULE:FREQ=DAILY;INTERVAL=0"]}, "recurrence"),
    ({"recurrence": ["RRULE:FREQ=MONTHLY;BYDAY=+99MO"]}, "recurrence"),
    ({"recurrence": ["RRULE:FREQ=MONTHLY;BYSETPOS=400"]}, "recurrence"),
    ({"recurrence": ["RRULE:FREQ=WEEKLY;BYYEARDAY=1"]}, "recurrence"),
    ({"recurrence": ["RRULE:FREQ=YEARLY;BYEASTER=1000"]}, "recurrence"),
    ({"recurrence": ["RRULE:FREQ=DAILY;UNTIL=99991231"]}, "recurrence"),
    ({"recurrence": ["RRULE:FREQ=DAILY", "RDATE;VALUE=DATE:20231231"]}, "recurrence"),
    ({"recurrence": ["RRULE:FREQ=DAILY", "EXDATE;VALUE=DATE:99990101"]}, "recurrence"),
    ({"event_date": "2024-02-29", "recurrence": ["RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;UNTIL=21991231"]},
     "recurrence"),
    ({"recurrence": ["RRULE:FREQ=YEARLY;COUNT=500"]}, "recurrence"),
    ({"recurrence": ["RRULE:FREQ=DAILY"] + ["RDATE;VALUE=DATE:20240105"] * 20}, "recurrence"),
    ({"recurrence": ["RRULE:FREQ=DAILY;COUNT=5;UNTIL=20250101"]}, "recurrence"),
]


@pytest.mark.parametrize(("fields", "field"), BAD_EVENTS)
def test_each_problem_the_api_names_has_its_own_korean_message_on_the_page(fields, field):
    with pytest.raises(ValidationError) as refused:
        validate_new_event({"event_date": "2024-01-01", "title": "회의", **fields})
    problem = refused.value.fields[field]
    assert any(pattern.search(problem) for pattern in _page_patterns()), problem


def test_the_page_patterns_are_read():
    assert len(_page_patterns()) >= 10
