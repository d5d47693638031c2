"""Series: RFC 5545 recurrence lines (RRULE, EXDATE, RDATE, as Google Calendar's API takes them) read
with python-dateutil, checked, and expanded into the dates of their occurrences. Pure: no Flask, no boto3.

A series happens on whole days (its times are the event's `start_time`/`end_time`, the same every day,
in CALENDAR_TIMEZONE, so a weekly 09:00 meeting stays at 09:00 across a DST change). EXDATE and RDATE
values are read as dates (a time or zone on them is ignored) and UNTIL as the last day it allows.

Work is bounded whatever the lines say: new lines are checked part by part (rrule_form) and
every walk through a rule spends from a budget of periods (recurrence_budget). A listing expands a
rule from the period before its window, not from the series' first day. Lines stored before these
checks existed are read leniently: what cannot be read or costs too much lists nothing more, and
never fails the request.
"""
from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import islice
from typing import TYPE_CHECKING, cast

from dateutil.rrule import rrule, rruleset, rrulestr

from rules import rrule_form
from rules.date_range import FIRST_DAY, LAST_DAY, MAX_LIST_DAYS, in_range, plus_days
from rules.recurrence_budget import PERIOD_COST, OutOfBudget, budget, counted, shared
from rules.rrule_form import RuleError

if TYPE_CHECKING:  # rules.shapes imports this module
    from collections.abc import Iterator

    from rules.shapes import EventTimes, PublicEvent

log = logging.getLogger(__name__)

# The `last_date` of a series without an end (department-span-index sorts it after every real date).
UNBOUNDED = "9999-12-31"
# Most occurrences a bounded series may have (an unbounded one has no limit).
MAX_OCCURRENCES = rrule_form.MAX_COUNT
# Most RRULE and RDATE lines of a series, and most dates its EXDATE lines exclude (one per
# occurrence deleted alone; they fill as many EXDATE lines as they need).
MAX_RULE_LINES = 20
MAX_EXCEPTION_DATES = 5000
# How far `months` looks for the months a series occurs in (the Gregorian calendar repeats every
# 400 years), and how many occurrences it reads before it settles for all twelve.
MONTHS_HORIZON_YEARS = 400
MONTHS_SCAN_LIMIT = 2000
MONTHS_UNITS = 12_000
ALL_MONTHS = frozenset(range(1, 13))
# How far past `from` a listing without `to` expands a series (at most MAX_LIST_DAYS).
DEFAULT_HORIZON = timedelta(days=MAX_LIST_DAYS)
# The work one listing may spend expanding all its series (budget units, about a microsecond
# each): far more than a department's real series need for a year, and a bound on hostile ones.
LISTING_UNITS = 250_000
# How many days of a series a listing works out at a time (a month view's 42 days in one go).
EXPAND_CHUNK_DAYS = 62
_KINDS = ("RRULE", "EXDATE", "RDATE")
# An RRULE's UNTIL part: "UNTIL=", its day (YYYYMMDD), and any time after it (read as that day).
UNTIL = re.compile(r"(UNTIL=)([0-9]{8})(T[0-9]{6}Z?)?", re.IGNORECASE)
_DATE_VALUE = re.compile(r"^[0-9]{8}(T[0-9]{6}Z?)?$")
TOO_MUCH_WORK = ("the rule takes too much work to expand: it searches too many days or periods for its "
                 "occurrences (end it sooner, or write a rare date with a coarser FREQ)")


NO_OCCURRENCE = "the series has no occurrence at all"


class RecurrenceError(ValueError):
    """The lines are no series this service keeps; the message says why."""


def _day(moment: datetime) -> date:
    return moment.date()


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time())


def _dates(value: str) -> list[date]:
    """An EXDATE/RDATE value list (`20240108`, `20240108T090000Z`, ...) as days."""
    days = []
    for part in value.split(","):
        if not _DATE_VALUE.match(part.strip()):
            raise RecurrenceError(f"{part.strip()!r} is not a date as YYYYMMDD")
        try:
            days.append(datetime.strptime(part.strip()[:8], "%Y%m%d").date())
        except ValueError:
            raise RecurrenceError(f"{part.strip()!r} is not a real date") from None
    return days


@dataclass(frozen=True)
class _Lines:
    """A series' lines sorted by kind: the RRULE values, the EXDATE and the RDATE days."""

    rules: tuple[str, ...]
    exdates: frozenset[date]
    rdates: tuple[date, ...]


def _split_lines(lines: list[str] | tuple[str, ...]) -> _Lines:
    """The lines by kind; raises RecurrenceError for a line of another kind or a bad date."""
    rules: list[str] = []
    exdates: set[date] = set()
    rdates: list[date] = []
    for line in lines:
        name, colon, value = line.strip().partition(":")
        kind = name.split(";")[0].strip().upper()
        if not colon or kind not in _KINDS:
            raise RecurrenceError(f"{line!r}: each line is RRULE:..., EXDATE:... or RDATE:...")
        if kind == "RRULE":
            rules.append(value.strip())
        else:
            (exdates.update if kind == "EXDATE" else rdates.extend)(_dates(value))
    return _Lines(tuple(rules), frozenset(exdates), tuple(rdates))


# -- new lines, checked strictly ------------------------------------------------------------


def _checked_parts(value: str) -> dict[str, str]:
    """The parts of a new RRULE value; raises RecurrenceError."""
    try:
        found = rrule_form.parts(value)
        until = rrule_form.until_day(found)
    except RuleError as exc:
        raise RecurrenceError(str(exc)) from None
    if until is not None and until > LAST_DAY:
        raise RecurrenceError(f"UNTIL must be on or before {LAST_DAY:%Y%m%d}")
    return found


def _rule(value: str, first: date) -> rrule:
    """One new RRULE value, from `first`; raises RecurrenceError."""
    _checked_parts(value)
    rule = _rule_from(value, first)
    if rule is None:
        raise RecurrenceError(f"RRULE:{value} does not parse")
    # `first` is dtstart: when the rule has it, it comes in the first period dateutil examines.
    try:
        with budget(2 * max(PERIOD_COST.values())):
            found = next(iter(rule), None)
    except OutOfBudget:
        found = None
    if found != _midnight(first):
        raise RecurrenceError("event_date must be the rule's first occurrence")
    return rule


def parse(lines: list[str], first: date) -> rruleset:
    """The set of occurrences new lines describe for a series starting on `first`; raises
    RecurrenceError for an unknown line, a rule that does not parse, repeats within a day, is out
    of its bounds or does not start on `first`, a date out of range, an RDATE before `first`, too
    many lines or exception dates, or no RRULE at all."""
    split = _split_lines(lines)
    if not split.rules:
        raise RecurrenceError("a series needs an RRULE line")
    if sum(1 for line in lines if not line.strip().upper().startswith("EXDATE")) > MAX_RULE_LINES:
        raise RecurrenceError(f"a series has at most {MAX_RULE_LINES} RRULE and RDATE lines")
    if len(split.exdates) > MAX_EXCEPTION_DATES:
        raise RecurrenceError(f"a series excludes at most {MAX_EXCEPTION_DATES} dates (EXDATE)")
    if not all(in_range(day) for day in (*split.exdates, *split.rdates)):
        raise RecurrenceError(f"EXDATE and RDATE dates must be from {FIRST_DAY:%Y%m%d} to {LAST_DAY:%Y%m%d}")
    early = sorted(day for day in split.rdates if day < first)
    if early:
        raise RecurrenceError(f"RDATE {early[0]:%Y%m%d} is before event_date, the series' first day")
    rules = rruleset()
    for value in split.rules:
        rules.rrule(_rule(value, first))
    for day in split.exdates:
        rules.exdate(_midnight(day))
    for day in split.rdates:
        rules.rdate(_midnight(day))
    return rules


def last_date(lines: list[str], first: date) -> str:
    """The day of the series' last occurrence (UNBOUNDED when it has none); raises RecurrenceError
    when the lines are bad, leave no occurrence at all, too many, one after LAST_DAY, or cost more
    than a budget to walk through."""
    rules = parse(lines, first)
    if any(rule._count is None and rule._until is None for rule in rules._rrule):
        return UNBOUNDED
    last, count = None, 0
    try:
        with budget():
            for moment in rules:
                if _day(moment) > LAST_DAY:
                    raise RecurrenceError(f"the series' last occurrence must be on or before {LAST_DAY}")
                count, last = count + 1, moment
                if count > MAX_OCCURRENCES:
                    raise RecurrenceError(f"a series with an end has at most {MAX_OCCURRENCES} occurrences")
    except OutOfBudget:
        raise RecurrenceError(TOO_MUCH_WORK) from None
    if last is None:
        raise RecurrenceError(NO_OCCURRENCE)
    return _day(last).isoformat()


def last_day(event: EventTimes) -> str | None:
    """The last day an event touches when that can be after its event_date (department-span-index's
    `last_date`): a series' last occurrence's last day (UNBOUNDED without an end), an event's
    end_date; None for an event of one day. Raises RecurrenceError for bad lines."""
    lines = event.get("recurrence")
    if not lines:
        return event.get("end_date") or None
    last = last_date(lines, date.fromisoformat(event["event_date"]))
    return last if last == UNBOUNDED else plus_days(date.fromisoformat(last), _length(event)).isoformat()


# -- stored lines, read leniently and in bounded windows --------------------------------------


@functools.lru_cache(maxsize=4096)
def _reading(lines: tuple[str, ...]) -> _Lines | None:
    try:
        return _split_lines(lines)
    except RecurrenceError as exc:
        log.warning("recurrence: stored lines %r do not read (%s); listed without occurrences", lines, exc)
        return None


@functools.lru_cache(maxsize=4096)
def _rule_from(value: str, start: date) -> rrule | None:
    """The RRULE value started on `start`, its walks counted; None when dateutil cannot read it."""
    try:
        return counted(rrulestr(UNTIL.sub(r"\1\2", value), dtstart=_midnight(start)))
    except (ValueError, TypeError, KeyError, IndexError, OverflowError):
        return None


@functools.lru_cache(maxsize=4096)
def _lenient_parts(value: str) -> dict[str, str] | None:
    """The value's parts (UNTIL as a day) when today's checks take them, else None."""
    try:
        found = rrule_form.parts(value)
        until = rrule_form.until_day(found)
    except RuleError:
        return None
    return {**found, "UNTIL": f"{until:%Y%m%d}"} if until else found


@functools.lru_cache(maxsize=1024)
def _count_as_until(value: str, first: date) -> dict[str, str] | None:
    """A COUNT rule's parts with UNTIL its last occurrence instead (the same days, but a walk may
    start later), None when that costs more than a budget."""
    found, rule = _lenient_parts(value), _rule_from(value, first)
    if found is None or rule is None:
        return None
    last = None
    try:
        with budget():
            for last in rule:  # noqa: B007 (only the last one counts)
                pass
    except (OutOfBudget, ValueError, OverflowError):
        return None
    rest = {name: text for name, text in found.items() if name != "COUNT"}
    return {**rest, "UNTIL": f"{last:%Y%m%d}"} if last else None


def _anchor(found: dict[str, str], first: date, start: date) -> date:
    """The first day of the rule's latest period (as counted from `first`, INTERVAL apart) that
    begins on or before `start`, when that is after `first`; else `first`."""
    step, freq = int(found.get("INTERVAL", "1")), found["FREQ"]
    if start <= first:
        return first
    if freq == "DAILY":
        return first + timedelta(days=(start - first).days // step * step)
    if freq == "WEEKLY":
        week = first - timedelta(days=(first.weekday() - rrule_form.weekday(found.get("WKST", "MO"))) % 7)
        periods = (start - week).days // (7 * step)
        return week + timedelta(days=7 * step * periods) if periods else first
    if freq == "MONTHLY":
        periods = ((start.year - first.year) * 12 + start.month - first.month) // step
        month = first.year * 12 + first.month - 1 + periods * step
        return date(month // 12, month % 12 + 1, 1) if periods else first
    periods = (start.year - first.year) // step
    return date(first.year + periods * step, 1, 1) if periods else first


def _window_rule(value: str, first: date, start: date) -> rrule | None:
    """The rule walked from the period holding `start` (from `first` when that is the same, or when
    the stored value no longer passes today's checks); None when it cannot be read."""
    found = _lenient_parts(value)
    if found is not None and "COUNT" in found:
        found = _count_as_until(value, first)
    anchor = _anchor(found, first, start) if found else first
    if found is None or anchor == first:
        return _rule_from(value, first)
    return _rule_from(rrule_form.text(rrule_form.pinned(found, first)), anchor)


def _rule_days(value: str, first: date, start: date, end: date) -> list[date]:
    """The rule's days from start through end, as many as the active budget allows."""
    rule, found = _window_rule(value, first, start), []
    try:
        for moment in rule or ():
            if _day(moment) > end:
                break
            if _day(moment) >= start:
                found.append(_day(moment))
    except OutOfBudget:
        log.warning("recurrence: stopped expanding RRULE:%s from %s at %s: out of budget", value, first, start)
    except (ValueError, OverflowError):  # past year 9999
        pass
    return found


def occurrences(lines: list[str], first: date, start: date, end: date) -> list[date]:
    """The days of the series' occurrences from `start` through `end` (inclusive), as many as the
    active budget (or a fresh one) allows; none for lines that do not read."""
    read, start = _reading(tuple(lines)), max(start, first)
    if read is None or start > end:
        return []
    days: set[date] = set()
    with shared():
        for value in read.rules:
            days.update(_rule_days(value, first, start, end))
    days.update(day for day in read.rdates if start <= day <= end)
    return sorted(days - read.exdates)


def listing():
    """The budget every expansion of one listing shares (a block: `with recurrence.listing():`);
    inside an enclosing budget block, that one."""
    return shared(LISTING_UNITS)


def months(event: EventTimes) -> frozenset[int] | None:
    """The months (1-12) the series' occurrences touch, from their first day to their last; all
    twelve when reading MONTHS_SCAN_LIMIT occurrences (or a budget) did not tell; None for an event
    that is no series."""
    lines = event.get("recurrence")
    if not lines:
        return None
    return _months(tuple(lines), date.fromisoformat(event["event_date"]), _length(event))


@functools.lru_cache(maxsize=1024)
def _months(lines: tuple[str, ...], first: date, length: timedelta) -> frozenset[int]:
    # A series is stored again on each edit, mostly with the same lines: find its months once.
    named = _named_months(lines, first)
    if named is not None:
        return frozenset().union(*(_spill(month, length) for month in named))
    horizon = date(min(first.year + MONTHS_HORIZON_YEARS, 9999), 1, 1)
    found: set[int] = set()
    read = 0
    try:
        with budget(MONTHS_UNITS):
            for moment in islice(_walk(lines, first), MONTHS_SCAN_LIMIT):
                if _day(moment) >= horizon:
                    return frozenset(found)
                read += 1
                found |= months_between(_day(moment), plus_days(_day(moment), length))
                if found == ALL_MONTHS:
                    return ALL_MONTHS
    except (OutOfBudget, ValueError, OverflowError):
        return ALL_MONTHS
    return frozenset(found) if read < MONTHS_SCAN_LIMIT else ALL_MONTHS


def _named_months(lines: tuple[str, ...], first: date) -> set[int] | None:
    """The months the rules name (BYMONTH, or a YEARLY rule's first month) and the RDATEs' months;
    None when a rule names none (its months are found by walking it)."""
    read, named = _reading(lines), set[int]()
    for value in read.rules if read else ():
        found = _lenient_parts(value)
        pinned = rrule_form.pinned(found, first) if found else {}
        if "BYMONTH" not in pinned:
            return None
        named.update(int(month) for month in pinned["BYMONTH"].split(","))
    return named | {day.month for day in read.rdates} if read else None


def _spill(month: int, length: timedelta) -> frozenset[int]:
    """The months occurrences starting in `month` and lasting `length` more days touch."""
    last = date(2001, 1, 1) - timedelta(days=1) if month == 12 else date(2000, month + 1, 1) - timedelta(days=1)
    return months_between(date(2000, month, 1), plus_days(last, length))


def _walk(lines: tuple[str, ...], first: date) -> rruleset:
    """Every occurrence of stored lines from `first` on (walks counted)."""
    read, walk = _reading(lines), rruleset()
    for value in read.rules if read else ():
        rule = _rule_from(value, first)
        if rule is not None:
            walk.rrule(rule)
    for day in read.rdates if read else ():
        if day >= first:
            walk.rdate(_midnight(day))
    for day in read.exdates if read else ():
        walk.exdate(_midnight(day))
    return walk


def months_between(start: date, end: date) -> frozenset[int]:
    """The months (1-12) of the days start..end (inclusive)."""
    count = (end.year - start.year) * 12 + end.month - start.month + 1
    if count >= 12:
        return ALL_MONTHS
    return frozenset((start.month - 1 + n) % 12 + 1 for n in range(count))


def _length(event: EventTimes) -> timedelta:
    """How many days past its first one each occurrence lasts (end_date - event_date)."""
    end_date = event.get("end_date")
    if not end_date:
        return timedelta()
    return date.fromisoformat(end_date) - date.fromisoformat(event["event_date"])


def expand(series: PublicEvent, start: date | None, end: date | None,
           skip: frozenset[str] = frozenset()) -> list[PublicEvent]:
    """The occurrences of a stored series touching [start, end] but those whose original date
    (YYYY-MM-DD) is in `skip` (they are stored as exceptions): each the series' fields (without
    `recurrence`) on its day, with id `<series id>_<YYYYMMDD>`, `recurring_event_id` and
    `original_date`. Without `start` from the series' first day; never more than DEFAULT_HORIZON
    past `start`."""
    return list(iter_expand(series, start, end, skip))


def iter_expand(series: PublicEvent, start: date | None, end: date | None, skip: frozenset[str] = frozenset(),
                chunk_days: int = EXPAND_CHUNK_DAYS) -> Iterator[PublicEvent]:
    """expand's occurrences in date order, worked out `chunk_days` at a time: a reader that stops
    early (a page of `limit`) expands no further."""
    length, first = _length(series), date.fromisoformat(series["event_date"])
    start = start or first
    end = min(end or date.max, plus_days(start, DEFAULT_HORIZON))
    fields = cast("PublicEvent", {k: v for k, v in series.items() if k != "recurrence"})
    low = plus_days(start, -length)
    while low <= end:
        high = min(plus_days(low, chunk_days - 1), end)
        for day in occurrences(series["recurrence"], first, low, high):
            if day.isoformat() not in skip:
                yield _occurrence(fields, day, length)
        if high == date.max:
            return
        low = plus_days(high, 1)


def _occurrence(fields: PublicEvent, day: date, length: timedelta) -> PublicEvent:
    occurrence: PublicEvent = {**fields, "id": f"{fields['id']}_{day:%Y%m%d}", "event_date": day.isoformat(),
                               "recurring_event_id": fields["id"], "original_date": day.isoformat()}
    if length:
        occurrence["end_date"] = plus_days(day, length).isoformat()
    return occurrence


def split_id(event_id: str) -> tuple[str, date | None]:
    """`<series id>_<YYYYMMDD>` as (series id, original date); any other id as (id, None)."""
    series_id, underscore, day = event_id.partition("_")
    try:
        return (series_id, datetime.strptime(day, "%Y%m%d").date()) if underscore else (event_id, None)
    except ValueError:  # no real date: an id nothing has
        return event_id, None


def occurrence_id(series_id: str, day: date) -> str:
    return f"{series_id}_{day:%Y%m%d}"


def is_occurrence(event: PublicEvent, day: date) -> bool:
    """Whether the series has an occurrence on `day` (EXDATE'd ones have none); an event that is
    no series has none."""
    return bool(event.get("recurrence")) and bool(occurrences(event["recurrence"], date.fromisoformat(event["event_date"]), day, day))


def with_exdate(lines: list[str], day: date) -> list[str]:
    """The lines with `day` excluded: added to the last `EXDATE;VALUE=DATE:` line while it is short
    (a full one gets a new line after it; EXDATE lines do not count towards MAX_RULE_LINES)."""
    value = f"{day:%Y%m%d}"
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].upper().startswith("EXDATE;VALUE=DATE:") and len(lines[i]) < 490:
            return [*lines[:i], f"{lines[i]},{value}", *lines[i + 1:]]
    return [*lines, f"EXDATE;VALUE=DATE:{value}"]


def split(lines: list[str], first: date, day: date) -> tuple[list[str], list[str]]:
    """The lines of the series cut before `day` (first < day) and of the one starting on `day`:
    a COUNT is split between them (together they keep the original occurrences), an UNTIL or no
    end stays with the second, which the first ends the day before; EXDATE/RDATE dates go to the
    half they fall in. Raises RecurrenceError."""
    before, after = [], []
    for line in lines:
        name, _, value = line.strip().partition(":")
        kind = name.split(";")[0].strip().upper()
        if kind == "RRULE":
            head, tail = _split_rule(value.strip(), first, day)
            before += [f"RRULE:{head}"] if head else []
            after.append(f"RRULE:{tail}")
            continue
        days = _dates(value)
        before += [f"{name}:{','.join(f'{d:%Y%m%d}' for d in days if d < day)}"] if any(d < day for d in days) else []
        after += [f"{name}:{','.join(f'{d:%Y%m%d}' for d in days if d >= day)}"] if any(d >= day for d in days) else []
    return before, after


def _split_rule(value: str, first: date, day: date) -> tuple[str | None, str]:
    """One RRULE value as (the part before `day` or None when it has none there, the part from `day`)."""
    parts = [p for p in value.split(";") if p.strip()]
    count = next((p for p in parts if p.strip().upper().startswith("COUNT=")), None)
    without = [p for p in parts if p is not count and not p.strip().upper().startswith("UNTIL=")]
    if count is None:  # `first` is the rule's first occurrence: the head has it when first < day
        head = ";".join([*without, f"UNTIL={day - timedelta(days=1):%Y%m%d}"]) if first < day else None
        return head, value
    rule = _rule(value, first)
    try:
        with budget():  # at most COUNT (5,000) occurrences, walked within a budget when stored
            taken = len(rule.between(_midnight(first), _midnight(day), inc=False)) + (1 if first < day else 0)
    except OutOfBudget:
        raise RecurrenceError(TOO_MUCH_WORK) from None
    remaining = int(count.split("=")[1]) - taken
    head = ";".join([*without, f"COUNT={taken}"]) if taken else None
    return head, ";".join([*without, f"COUNT={max(remaining, 1)}"])
