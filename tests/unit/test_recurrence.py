"""Series as pure code (backend/rules/recurrence.py): the days a rule gives around the calendar's
edges (the 31st, 29 February, EXDATE and RDATE, COUNT and UNTIL), what a refused series is told,
the bounds of issue 20, the months a series touches, its occurrences as events, and the lines a
"this and following" edit cuts it into."""
from __future__ import annotations

from datetime import date

import pytest

from rules import recurrence
from rules.date_range import LAST_DAY
from validation import ValidationError, validate_new_event

D = date.fromisoformat


def _days(lines, first, start, end):
    return [day.isoformat() for day in recurrence.occurrences(lines, D(first), D(start), D(end))]


@pytest.mark.parametrize(("lines", "first", "window", "days"), [
    (["RRULE:FREQ=MONTHLY;BYMONTHDAY=31"], "2024-01-31", ("2024-01-01", "2024-12-31"),
     ["2024-01-31", "2024-03-31", "2024-05-31", "2024-07-31", "2024-08-31", "2024-10-31", "2024-12-31"]),
    (["RRULE:FREQ=YEARLY"], "2024-02-29", ("2024-01-01", "2032-12-31"), ["2024-02-29", "2028-02-29", "2032-02-29"]),
    (["RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4", "EXDATE;VALUE=DATE:20240108", "RDATE;VALUE=DATE:20240110,20240111"],
     "2024-01-01", ("2024-01-01", "2024-01-31"), ["2024-01-01", "2024-01-10", "2024-01-11", "2024-01-15", "2024-01-22"]),
    # UNTIL is the last day allowed, whatever time it names.
    (["RRULE:FREQ=MONTHLY;BYMONTHDAY=1;UNTIL=20240301T000000Z"], "2024-01-01", ("2024-01-01", "2024-12-31"),
     ["2024-01-01", "2024-02-01", "2024-03-01"]),
    (["RRULE:FREQ=MONTHLY;BYMONTHDAY=1;COUNT=2"], "2024-01-01", ("2024-01-01", "2024-12-31"), ["2024-01-01", "2024-02-01"]),
    # An endless rule reaches a window centuries on; a window before the series' first day has nothing of it.
    (["RRULE:FREQ=MONTHLY;BYMONTHDAY=1"], "2024-01-01", ("2190-07-01", "2190-07-31"), ["2190-07-01"]),
    (["RRULE:FREQ=DAILY"], "2024-01-10", ("2024-01-01", "2024-01-11"), ["2024-01-10", "2024-01-11"]),
    (["RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH"], "2024-01-02", ("2024-01-01", "2024-01-31"),
     ["2024-01-02", "2024-01-04", "2024-01-16", "2024-01-18", "2024-01-30"]),
    (["RRULE:FREQ=MONTHLY;BYDAY=-1FR"], "2024-01-26", ("2024-01-01", "2024-04-30"),
     ["2024-01-26", "2024-02-23", "2024-03-29", "2024-04-26"]),
])
def test_a_rule_gives_the_days_of_the_calendar(lines, first, window, days):
    assert _days(lines, first, *window) == days


def test_stored_lines_that_no_longer_pass_list_nothing_more_rather_than_fail():
    """Lines stored before today's checks: a rule that would spin (INTERVAL=0) gives its first day,
    then its walk runs out of budget; lines that do not read give nothing."""
    assert _days(["RRULE:FREQ=DAILY;INTERVAL=0"], "2024-01-01", "2024-01-01", "2024-01-31") == ["2024-01-01"]
    assert _days(["NOT A LINE"], "2024-01-01", "2024-01-01", "2024-01-31") == []


SUB_DAILY = "a rule may repeat at most daily (not HOURLY, MINUTELY or SECONDLY, nor BYHOUR, BYMINUTE or BYSECOND)"
LINES_SHAPE = "must be a list of 1-120 RFC 5545 lines (RRULE:..., EXDATE:..., RDATE:...) of up to 500 characters"


@pytest.mark.parametrize(("lines", "problem"), [
    (["RRULE:FREQ=HOURLY"], SUB_DAILY),
    (["RRULE:FREQ=DAILY;BYHOUR=9,15"], SUB_DAILY),
    (["RRULE:FREQ=DAILY;COUNT=2", "EXDATE;VALUE=DATE:20240101,20240102"], "the series has no occurrence at all"),
    (["RRULE:FREQ=WEEKLY;BYDAY=TU"], "event_date must be the rule's first occurrence"),
    (["RRULE:FREQ=FORTNIGHTLY"], "FREQ must be YEARLY, MONTHLY, WEEKLY or DAILY"),
    (["EXDATE;VALUE=DATE:20240108"], "a series needs an RRULE line"),
    (["DTSTART:20240101"], "'DTSTART:20240101': each line is RRULE:..., EXDATE:... or RDATE:..."),
    (["RRULE:FREQ=DAILY", "EXDATE:2024-01-08"], "'2024-01-08' is not a date as YYYYMMDD"),
    (["RRULE:FREQ=DAILY;COUNT=5001"], "a series with an end has at most 5000 occurrences"),
    (["RRULE:FREQ=DAILY", "RDATE;VALUE=DATE:20231231"], "RDATE 20231231 is before event_date, the series' first day"),
    (["RRULE:FREQ=DAILY"] * 21, "a series has at most 20 RRULE and RDATE lines"),
    ("RRULE:FREQ=DAILY", LINES_SHAPE),
    ([], LINES_SHAPE),
])
def test_a_refused_series_names_its_problem(lines, problem):
    with pytest.raises(ValidationError) as refused:
        validate_new_event({"event_date": "2024-01-01", "title": "회의", "recurrence": lines})
    assert refused.value.fields == {"recurrence": problem}


# Issue 20: rules that hung a worker, cost seconds of CPU or were a 500 are refused by name.
@pytest.mark.parametrize("rule", [
    "FREQ=DAILY;INTERVAL=0", "FREQ=MONTHLY;INTERVAL=0", "FREQ=WEEKLY;INTERVAL=0", "FREQ=DAILY;INTERVAL=-1",
    "FREQ=YEARLY;BYEASTER=1000", "FREQ=MONTHLY;BYDAY=+99MO", "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYSETPOS=1;UNTIL=99991231",
])
def test_the_rules_of_issue_20_are_refused(rule):
    first = D("2025-01-01") if "BYMONTHDAY=30" in rule or "INTERVAL" in rule else D("2024-02-29")
    with pytest.raises(recurrence.RecurrenceError):
        recurrence.last_date([f"RRULE:{rule}"], first)


def test_a_series_ends_by_the_last_day_kept():
    assert recurrence.last_date(["RRULE:FREQ=YEARLY;UNTIL=21991231"], D("2024-02-29")) == "2196-02-29"
    with pytest.raises(recurrence.RecurrenceError, match=f"on or before {LAST_DAY}"):
        recurrence.last_date(["RRULE:FREQ=YEARLY;COUNT=200"], D("2024-01-01"))


@pytest.mark.parametrize(("event", "last"), [
    ({"event_date": "2024-01-01"}, None),
    ({"event_date": "2024-01-01", "end_date": "2024-01-03"}, "2024-01-03"),
    ({"event_date": "2024-01-01", "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=3"]}, "2024-01-15"),
    ({"event_date": "2024-01-01", "end_date": "2024-01-02", "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=3"]}, "2024-01-16"),
    ({"event_date": "2024-01-01", "recurrence": ["RRULE:FREQ=WEEKLY"]}, recurrence.UNBOUNDED),
])
def test_the_last_day_an_event_touches(event, last):
    assert recurrence.last_day(event) == last


def test_occurrences_far_in_the_future_do_not_overflow():
    """Issue 20: an endless series listed from 9999-06-01 was an OverflowError (a 500)."""
    series = {"id": "s", "event_date": "2024-01-01", "title": "t", "recurrence": ["RRULE:FREQ=DAILY"]}
    listed = recurrence.expand(series, D("9999-06-01"), None)
    assert (len(listed), listed[-1]["event_date"]) == (214, "9999-12-31")
    # Without an end a listing stops a year after its start (DEFAULT_HORIZON).
    assert len(recurrence.expand(series, D("2199-12-01"), None)) == recurrence.DEFAULT_HORIZON.days + 1


MONTHS = pytest.mark.parametrize(("event", "months"), [
    ({"event_date": "2024-02-29", "recurrence": ["RRULE:FREQ=YEARLY"]}, {2}),
    ({"event_date": "2023-03-05", "recurrence": ["RRULE:FREQ=YEARLY;INTERVAL=3"]}, {3}),
    ({"event_date": "2024-01-01", "recurrence": ["RRULE:FREQ=YEARLY;INTERVAL=2", "RDATE;VALUE=DATE:20240615"]}, {1, 6}),
    ({"event_date": "2024-01-01", "recurrence": ["RRULE:FREQ=MONTHLY;INTERVAL=7"]}, set(range(1, 13))),
    ({"event_date": "2024-01-06", "recurrence": ["RRULE:FREQ=MONTHLY;BYMONTH=1,7;BYDAY=1SA"]}, {1, 7}),
    ({"event_date": "2024-01-31", "end_date": "2024-02-02", "recurrence": ["RRULE:FREQ=YEARLY"]}, {1, 2}),
    ({"event_date": "2024-12-30", "end_date": "2025-01-02", "recurrence": ["RRULE:FREQ=YEARLY;COUNT=3"]}, {12, 1}),
    # Named by BYMONTH, however many occurrences the rule has (the DAILY rule's 2,000th is in 2088).
    ({"event_date": "2024-03-01", "recurrence": ["RRULE:FREQ=DAILY;BYMONTH=3"]}, {3}),
    # Without BYMONTH, found by walking the rule: every month here.
    ({"event_date": "2024-03-01", "recurrence": ["RRULE:FREQ=DAILY;BYMONTHDAY=1,2,3,4,5,6,7,8,9,10"]},
     set(range(1, 13))),
    ({"event_date": "2024-03-01"}, None),
])


@MONTHS
def test_a_series_knows_the_months_it_occurs_in(event, months):
    found = recurrence.months(event)
    assert (set(found) if found is not None else None) == months


def test_occurrences_are_the_series_on_their_days_with_stable_ids():
    series = {"id": "abc", "event_date": "2024-01-31", "end_date": "2024-02-02", "title": "워크숍", "version": 3,
              "recurrence": ["RRULE:FREQ=MONTHLY;BYMONTHDAY=31;COUNT=3"]}
    listed = recurrence.expand(series, D("2024-02-01"), D("2024-04-30"), skip=frozenset({"2024-03-31"}))
    assert listed == [{"id": "abc_20240131", "event_date": "2024-01-31", "end_date": "2024-02-02", "title": "워크숍",
                       "version": 3, "recurring_event_id": "abc", "original_date": "2024-01-31"}]
    assert recurrence.split_id("abc_20240131") == ("abc", D("2024-01-31"))
    assert recurrence.split_id("abc_20240230") == ("abc_20240230", None)
    assert recurrence.split_id("abc") == ("abc", None)
    assert recurrence.is_occurrence(series, D("2024-03-31")) and not recurrence.is_occurrence(series, D("2024-04-30"))


def test_a_cut_keeps_every_occurrence_on_one_side_or_the_other():
    lines = ["RRULE:FREQ=WEEKLY;COUNT=6", "EXDATE;VALUE=DATE:20240108,20240129"]
    before, after = recurrence.split(lines, D("2024-01-01"), D("2024-01-22"))
    assert before == ["RRULE:FREQ=WEEKLY;COUNT=3", "EXDATE;VALUE=DATE:20240108"]
    assert after == ["RRULE:FREQ=WEEKLY;COUNT=3", "EXDATE;VALUE=DATE:20240129"]
    whole = _days(lines, "2024-01-01", "2024-01-01", "2024-12-31")
    assert _days(before, "2024-01-01", "2024-01-01", "2024-12-31") + _days(after, "2024-01-22", "2024-01-01",
                                                                            "2024-12-31") == whole
    endless, _ = recurrence.split(["RRULE:FREQ=DAILY"], D("2024-01-01"), D("2024-01-05"))
    assert endless == ["RRULE:FREQ=DAILY;UNTIL=20240104"]


def test_deleting_occurrences_one_by_one_never_makes_the_series_too_long_to_store():
    """Issue 20: after 1,139 single deletes a daily series held 23 lines and could not be saved again."""
    lines = ["RRULE:FREQ=DAILY"]
    for n in range(1, 1140):
        lines = recurrence.with_exdate(lines, date.fromordinal(D("2024-01-01").toordinal() + n))
    assert recurrence.last_date(lines, D("2024-01-01")) == recurrence.UNBOUNDED
    assert all(len(line) <= 500 for line in lines)
    assert _days(lines, "2024-01-01", "2024-01-01", "2027-02-15")[:2] == ["2024-01-01", "2027-02-14"]
