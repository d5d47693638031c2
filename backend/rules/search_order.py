"""The order of search results: nearest to today first, a series once with the exceptions it has.

A match is an event, a series or a series' exception (a changed occurrence), with the days it
covers: an event its first through last day, a series its first day through its last occurrence
(far in the future for an endless one). Its distance from today is 0 while today is inside those
days (an ongoing series, a trip under way), else the days to the nearer end. A series and its
exceptions are one result, as near as the nearest of them. Ties go to the result whose first day
is nearer today (today's meeting before a series running since 2019), then to the future, then to
the id, so the order, and pages cut from it, are stable. Pure: no Flask, no boto3.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from rules import recurrence
from rules.date_range import MAX_LIST_DAYS, plus_days
from rules.shapes import EXCEPTION_DATES, PublicEvent, StoredEvent, public_event


@dataclass(frozen=True)
class Match:
    """An event whose text matched: its id and department, the result it belongs to (a series' id
    for the series and its exceptions, else its own id), and the first and last day it covers."""

    department_id: str
    event_id: str
    result_id: str
    first: date
    last: date

    def distance(self, today: date) -> int:
        if self.first <= today <= self.last:
            return 0
        return (self.first - today).days if today < self.first else (today - self.last).days

    def touches(self, start: date | None, end: date | None) -> bool:
        """Whether its days meet [start, end] (either end open when None)."""
        return (start is None or self.last >= start) and (end is None or self.first <= end)


@dataclass(frozen=True)
class Result:
    """One search result: its id, how near today it is, and its matches, nearest first."""

    result_id: str
    # Distance, days from today to the first day, "1" if that is past, the id; numbers zero-padded
    # so the key compares as strings do (and travels in a page cursor as strings).
    sort_key: tuple[str, str, str, str]
    matches: tuple[Match, ...]


def ranked(matches: Iterable[Match], today: date, start: date | None = None, end: date | None = None) -> list[Result]:
    """The results of the matches touching [start, end], nearest to today first."""
    grouped: dict[str, list[Match]] = {}
    for match in matches:
        if match.touches(start, end):
            grouped.setdefault(match.result_id, []).append(match)
    results = []
    for result_id, members in grouped.items():
        members.sort(key=lambda m: _key(m.distance(today), m.first, today, m.event_id))
        nearest = members[0]
        results.append(Result(result_id, _key(nearest.distance(today), nearest.first, today, result_id), tuple(members)))
    return sorted(results, key=lambda r: r.sort_key)


def _key(distance: int, first: date, today: date, result_id: str) -> tuple[str, str, str, str]:
    return f"{distance:07d}", f"{abs((first - today).days):07d}", str(int(first < today)), result_id


def after(results: list[Result], key: tuple[str, ...] | None) -> list[Result]:
    """The results after the one whose sort key is `key` (a page's continuation; all when None)."""
    return results if key is None else [r for r in results if r.sort_key > key]


def shown_event(item: StoredEvent, today: date, start: date | None, end: date | None) -> PublicEvent | None:
    """What a result shows of a matched item, as a month list shows it: an event or an exception
    as it is; a series as its occurrence nearest today within [start, end] (the next one, else the
    last before), None when it has none there."""
    if not item.get("recurrence"):
        return public_event(item)
    series, skip = public_event(item), frozenset(item.get(EXCEPTION_DATES) or ())
    first = date.fromisoformat(series["event_date"])
    ahead = max(today, start or first, first)
    if end is None or ahead <= end:
        for occurrence in recurrence.iter_expand(series, ahead, end, skip):
            return occurrence
    last = min(today, end) if end is not None else today
    earlier = recurrence.expand(series, max(start or first, first, plus_days(last, -MAX_LIST_DAYS)), last, skip)
    return earlier[-1] if earlier else None
