"""A department's events as a list shows them (pure): their order, and each series replaced by
its occurrences, lazily, as far as the reader reads."""
from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from datetime import date

from rules import recurrence
from rules.shapes import EXCEPTION_DATES, ListedEvent, PublicEvent


def listed_order(event: PublicEvent) -> tuple[str, str, str]:
    """The order of an event list: by event_date, then created_at (then id, for ties)."""
    return event["event_date"], event["created_at"], event["id"]


def expanded(
    events: Iterable[ListedEvent], start: str | None, end: str | None, expand: bool = True,
) -> Iterator[PublicEvent]:
    """The events in listed_order with each series replaced by its occurrences touching start..end
    (unless not `expand`), without the internal EXCEPTION_DATES (the occurrences stored as
    exceptions are left out); series are expanded lazily, as far as the reader reads (within a
    `recurrence.listing()` budget)."""
    window = (date.fromisoformat(start) if start else None, date.fromisoformat(end) if end else None)
    singles: list[PublicEvent] = []
    series: list[Iterator[PublicEvent]] = []
    for event in events:
        skip = frozenset(event.pop(EXCEPTION_DATES, ()))
        if expand and event.get("recurrence"):
            series.append(recurrence.iter_expand(event, *window, skip))
        else:
            singles.append(event)
    return heapq.merge(sorted(singles, key=listed_order), *series, key=listed_order)
