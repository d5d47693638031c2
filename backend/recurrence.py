"""Series: RFC 5545 recurrence lines (RRULE, EXDATE, RDATE, as Google Calendar's API takes them) read
with python-dateutil, checked, and expanded into the dates of their occurrences. Pure: no Flask, no boto3.

A series happens on whole days (its times are the event's `start_time`/`end_time`, the same every day,
in CALENDAR_TIMEZONE, so a weekly 09:00 meeting stays at 09:00 across a DST change). EXDATE and RDATE
values are read as dates (a time or zone on them is ignored) and UNTIL as the last day it allows.
"""
from __future__ import annotations

import functools
import re
from collections import deque
from datetime import date, datetime, time, timedelta
from itertools import islice

from dateutil.rrule import DAILY, rrule, rruleset, rrulestr

# The `last_date` of a series without an end (department-span-index sorts it after every real date).
UNBOUNDED = "9999-12-31"
# Most occurrences a bounded series may have (an unbounded one has no limit).
MAX_OCCURRENCES = 5000
# How far `months` looks for the months a series occurs in (the Gregorian calendar repeats every
# 400 years), and how many occurrences it reads before it settles for all twelve.
MONTHS_HORIZON_YEARS = 400
MONTHS_SCAN_LIMIT = 2000
ALL_MONTHS = frozenset(range(1, 13))
# How far past `from` a listing without `to` expands a series.
DEFAULT_HORIZON = timedelta(days=366)
_KINDS = ("RRULE", "EXDATE", "RDATE")
_SUB_DAY = re.compile(r"(^|;)\s*BY(HOUR|MINUTE|SECOND)\s*=", re.IGNORECASE)
# An RRULE's UNTIL part: "UNTIL=", its day (YYYYMMDD), and any time after it (read as that day).
UNTIL = re.compile(r"(UNTIL=)([0-9]{8})(T[0-9]{6}Z?)?", re.IGNORECASE)
_DATE_VALUE = re.compile(r"^[0-9]{8}(T[0-9]{6}Z?)?$")


class RecurrenceError(ValueError):
    """The lines are no series this service keeps; the message says why."""


def _day(moment: datetime) -> date:
    return moment.date()


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time())


def _dates(value: str) -> list[datetime]:
    """An EXDATE/RDATE value list (`20240108`, `20240108T090000Z`, ...) as midnights."""
    days = []
    for part in value.split(","):
        if not _DATE_VALUE.match(part.strip()):
            raise RecurrenceError(f"{part.strip()!r} is not a date as YYYYMMDD")
        try:
            days.append(_midnight(datetime.strptime(part.strip()[:8], "%Y%m%d").date()))
        except ValueError:
            raise RecurrenceError(f"{part.strip()!r} is not a real date") from None
    return days


def _rule(value: str, first: date) -> rrule:
    """One RRULE value, from `first`; raises RecurrenceError."""
    if _SUB_DAY.search(value):
        raise RecurrenceError("a rule may not repeat within a day (BYHOUR, BYMINUTE, BYSECOND)")
    try:
        rule = rrulestr(UNTIL.sub(r"\1\2", value), dtstart=_midnight(first), cache=True)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise RecurrenceError(f"RRULE:{value} does not parse ({exc})") from None
    if rule._freq > DAILY:
        raise RecurrenceError("a rule may repeat at most daily (not HOURLY, MINUTELY or SECONDLY)")
    if next(iter(rule), None) != _midnight(first):
        raise RecurrenceError("event_date must be the rule's first occurrence")
    return rule


def parse(lines: list[str], first: date) -> rruleset:
    """The set of occurrences the lines describe for a series starting on `first`; raises
    RecurrenceError for an unknown line, a rule that does not parse, repeats within a day or
    does not start on `first`, or no RRULE at all."""
    rules = rruleset(cache=True)  # occurrences found once are kept (see _parsed)
    kinds = []
    for line in lines:
        name, colon, value = line.strip().partition(":")
        kind = name.split(";")[0].strip().upper()
        if not colon or kind not in _KINDS:
            raise RecurrenceError(f"{line!r}: each line is RRULE:..., EXDATE:... or RDATE:...")
        kinds.append(kind)
        if kind == "RRULE":
            rules.rrule(_rule(value.strip(), first))
        for day in _dates(value) if kind != "RRULE" else ():
            (rules.exdate if kind == "EXDATE" else rules.rdate)(day)
    if "RRULE" not in kinds:
        raise RecurrenceError("a series needs an RRULE line")
    return rules


def last_date(lines: list[str], first: date) -> str:
    """The day of the series' last occurrence (UNBOUNDED when it has none); raises RecurrenceError
    when the lines are bad, leave no occurrence at all or too many."""
    rules = parse(lines, first)
    if any(rule._count is None and rule._until is None for rule in rules._rrule):
        return UNBOUNDED
    occurrences = iter(rules)
    if next(occurrences, None) is None:
        raise RecurrenceError("the series has no occurrence at all")
    last = deque(islice(rules, MAX_OCCURRENCES + 1), maxlen=MAX_OCCURRENCES + 1)
    if len(last) > MAX_OCCURRENCES:
        raise RecurrenceError(f"a series with an end has at most {MAX_OCCURRENCES} occurrences")
    return _day(last[-1]).isoformat()


def occurrences(lines: list[str], first: date, start: date, end: date) -> list[date]:
    """The days of the series' occurrences from `start` through `end` (inclusive)."""
    rules = _parsed(tuple(lines), first)
    return [_day(moment) for moment in rules.between(_midnight(start), _midnight(end), inc=True)]


def months(event: dict) -> frozenset[int] | None:
    """The months (1-12) the series' occurrences touch, from their first day to their last; all
    twelve when reading MONTHS_SCAN_LIMIT occurrences did not tell; None for an event that is no
    series. Raises RecurrenceError for bad lines."""
    if not event.get("recurrence"):
        return None
    return _months(tuple(event["recurrence"]), date.fromisoformat(event["event_date"]), _length(event))


@functools.lru_cache(maxsize=1024)
def _months(lines: tuple[str, ...], first: date, length: timedelta) -> frozenset[int]:
    # A series is stored again on each edit, mostly with the same lines: find its months once.
    horizon = _midnight(date(min(first.year + MONTHS_HORIZON_YEARS, 9999), 1, 1))
    found: set[int] = set()
    read = 0
    for moment in islice(parse(list(lines), first), MONTHS_SCAN_LIMIT):
        if moment >= horizon:
            return frozenset(found)
        read += 1
        found |= months_between(_day(moment), _day(moment) + length)
        if found == ALL_MONTHS:
            return ALL_MONTHS
    return frozenset(found) if read < MONTHS_SCAN_LIMIT else ALL_MONTHS


def months_between(start: date, end: date) -> frozenset[int]:
    """The months (1-12) of the days start..end (inclusive)."""
    count = (end.year - start.year) * 12 + end.month - start.month + 1
    if count >= 12:
        return ALL_MONTHS
    return frozenset((start.month - 1 + n) % 12 + 1 for n in range(count))


@functools.lru_cache(maxsize=4096)
def _parsed(lines: tuple[str, ...], first: date) -> rruleset:
    # Month lists expand the same series on every request: parse each once (a set is only read).
    return parse(list(lines), first)


def _length(event: dict) -> timedelta:
    """How many days past its first one each occurrence lasts (end_date - event_date)."""
    if not event.get("end_date"):
        return timedelta()
    return date.fromisoformat(event["end_date"]) - date.fromisoformat(event["event_date"])


def last_day(event: dict) -> str | None:
    """The last day an event touches when that can be after its event_date (department-span-index's
    `last_date`): a series' last occurrence's last day (UNBOUNDED without an end), an event's
    end_date; None for an event of one day. Raises RecurrenceError for bad lines."""
    if not event.get("recurrence"):
        return event.get("end_date") or None
    last = last_date(event["recurrence"], date.fromisoformat(event["event_date"]))
    return last if last == UNBOUNDED else (date.fromisoformat(last) + _length(event)).isoformat()


def expand(series: dict, start: date | None, end: date | None, skip: frozenset[str] = frozenset()) -> list[dict]:
    """The occurrences of a stored series touching [start, end] but those whose original date
    (YYYY-MM-DD) is in `skip` (they are stored as exceptions): each the series' fields (without
    `recurrence`) on its day, with id `<series id>_<YYYYMMDD>`, `recurring_event_id` and
    `original_date`. Without `start` from the series' first day; without `end` DEFAULT_HORIZON on."""
    length = _length(series)
    first = date.fromisoformat(series["event_date"])
    start = start or first
    end = end or start + DEFAULT_HORIZON
    days = [day for day in occurrences(series["recurrence"], first, start - length, end) if day.isoformat() not in skip]
    fields = {k: v for k, v in series.items() if k != "recurrence"} if days else {}
    found = []
    for day in days:
        occurrence = {**fields, "id": f"{series['id']}_{day:%Y%m%d}", "event_date": day.isoformat(),
                      "recurring_event_id": series["id"], "original_date": day.isoformat()}
        if length:
            occurrence["end_date"] = (day + length).isoformat()
        found.append(occurrence)
    return found


def split_id(event_id: str) -> tuple[str, date | None]:
    """`<series id>_<YYYYMMDD>` as (series id, original date); any other id as (id, None)."""
    series_id, underscore, day = event_id.partition("_")
    try:
        return (series_id, datetime.strptime(day, "%Y%m%d").date()) if underscore else (event_id, None)
    except ValueError:  # no real date: an id nothing has
        return event_id, None


def occurrence_id(series_id: str, day: date) -> str:
    return f"{series_id}_{day:%Y%m%d}"


def is_occurrence(event: dict, day: date) -> bool:
    """Whether the series has an occurrence on `day` (EXDATE'd ones have none); an event that is
    no series has none."""
    return bool(event.get("recurrence")) and bool(occurrences(event["recurrence"], date.fromisoformat(event["event_date"]), day, day))


def with_exdate(lines: list[str], day: date) -> list[str]:
    """The lines with `day` excluded: added to the last `EXDATE;VALUE=DATE:` line while it is short."""
    value = f"{day:%Y%m%d}"
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].upper().startswith("EXDATE;VALUE=DATE:") and len(lines[i]) < 490:
            return [*lines[:i], f"{lines[i]},{value}", *lines[i + 1:]]
    return [*lines, f"EXDATE;VALUE=DATE:{value}"]


def split(lines: list[str], first: date, day: date) -> tuple[list[str], list[str]]:
    """The lines of the series cut before `day` (first < day) and of the one starting on `day`:
    a COUNT is split between them (together they keep the original occurrences), an UNTIL or no
    end stays with the second, which the first ends the day before; EXDATE/RDATE dates go to the
    half they fall in."""
    before, after = [], []
    for line in lines:
        name, _, value = line.strip().partition(":")
        kind = name.split(";")[0].strip().upper()
        if kind == "RRULE":
            head, tail = _split_rule(value.strip(), first, day)
            before += [f"RRULE:{head}"] if head else []
            after.append(f"RRULE:{tail}")
            continue
        days = [moment.date() for moment in _dates(value)]
        before += [f"{name}:{','.join(f'{d:%Y%m%d}' for d in days if d < day)}"] if any(d < day for d in days) else []
        after += [f"{name}:{','.join(f'{d:%Y%m%d}' for d in days if d >= day)}"] if any(d >= day for d in days) else []
    return before, after


def _split_rule(value: str, first: date, day: date) -> tuple[str | None, str]:
    """One RRULE value as (the part before `day` or None when it has none there, the part from `day`)."""
    rule = _rule(value, first)
    taken = len(rule.between(_midnight(first), _midnight(day), inc=False)) + (1 if first < day else 0)
    parts = [p for p in value.split(";") if p.strip()]
    count = next((p for p in parts if p.strip().upper().startswith("COUNT=")), None)
    without = [p for p in parts if p is not count and not p.strip().upper().startswith("UNTIL=")]
    if count is not None:
        remaining = int(count.split("=")[1]) - taken
        head = ";".join([*without, f"COUNT={taken}"]) if taken else None
        return head, ";".join([*without, f"COUNT={max(remaining, 1)}"])
    head = ";".join([*without, f"UNTIL={day - timedelta(days=1):%Y%m%d}"]) if taken else None
    return head, value
