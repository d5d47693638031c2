"""The shapes of a department and an event as plain values, each named by a type, and the pure
conversions between them (no boto3, no Flask): what an answer shows (`PublicEvent`,
`PublicDepartment`, `Tombstone`) and what an item holds (`StoredEvent`: the public event and its
internal attributes). storage/items.py converts them to and from DynamoDB's wire format.
"""
# No `from __future__ import annotations` here: TypedDict must see NotRequired evaluated to tell
# the optional keys (EVENT_OPTIONAL_FIELDS below) from the required ones.
from typing import Any, NotRequired, TypedDict

from rules import recurrence

# The internal attributes an event item may hold besides its public fields, never in an answer:
# A series' last day, when it spans days (department-span-index keys it).
LAST_DATE = "last_date"
# The months (1-12) a series' occurrences touch: the month list's Query of department-span-index
# leaves out the series that never occur in the months asked for (a yearly one in the other eleven).
SERIES_MONTHS = "series_months"
# The original dates (YYYY-MM-DD) of a series' occurrences stored as exceptions (items with id
# `<series id>_<YYYYMMDD>`), which its expansion skips.
EXCEPTION_DATES = "exception_dates"
# The fields an exception's own edits changed: an edit of the whole series (`all`) carries over to
# it the others.
OVERRIDDEN_FIELDS = "overridden_fields"
# What a CalDAV client sent in an event that the event's fields cannot hold (VALARM reminders,
# CATEGORIES, X- properties), as iCalendar text; backend/dav/ gives it back with the event.
CALDAV_PROPERTIES = "caldav_properties"
# The UID as a CalDAV client wrote it, when it is not the event id itself (iOS writes UUIDs in upper
# case): backend/dav/ names the resource and its UID with it.
CALDAV_UID = "caldav_uid"


class PublicDepartment(TypedDict):
    id: str
    name: str
    description: str
    created_at: str
    updated_at: str
    created_by: str
    updated_by: str


class PublicEvent(TypedDict):
    """An event as an answer shows it: every EVENT_FIELDS key, the optional ones only when set."""

    id: str
    department_id: str
    event_date: str
    title: str
    description: str
    time: str
    url: str
    created_at: str
    last_modified: str
    version: int
    created_by: str
    updated_by: str
    start_time: NotRequired[str]
    end_time: NotRequired[str]
    end_date: NotRequired[str]
    recurrence: NotRequired[list[str]]
    recurring_event_id: NotRequired[str]
    original_date: NotRequired[str]


class StoredEvent(PublicEvent):
    """An event item as plain values: the public event and the internal attributes it may hold."""

    last_date: NotRequired[str]
    series_months: NotRequired[set[int] | list[int]]
    exception_dates: NotRequired[set[str] | list[str]]
    overridden_fields: NotRequired[list[str]]
    caldav_properties: NotRequired[str]
    caldav_uid: NotRequired[str]
    deleted: NotRequired[bool]
    expires_at: NotRequired[int]


class Tombstone(TypedDict):
    """A deleted event as the catch-up sync answer shows it."""

    id: str
    department_id: str
    deleted: bool
    last_modified: str


# The fields as the types name them, in the contract's order (contract/bodies.py declares them for the
# API; tests/unit/test_shapes.py checks that both agree).
DEPARTMENT_FIELDS = tuple(PublicDepartment.__annotations__)
EVENT_FIELDS = tuple(f for f in PublicEvent.__annotations__ if f in PublicEvent.__required_keys__)
EVENT_OPTIONAL_FIELDS = tuple(f for f in PublicEvent.__annotations__ if f in PublicEvent.__optional_keys__)


def public_department(item: dict[str, Any]) -> PublicDepartment:
    """A department item (plain values) as an answer shows it."""
    return {f: item.get(f, "") for f in DEPARTMENT_FIELDS}  # type: ignore[return-value]


def public_event(event: dict[str, Any]) -> PublicEvent:
    """A stored (or new) event as an answer shows it: every EVENT_FIELDS key, the optional ones when set."""
    public: dict[str, Any] = {f: event.get(f, "") for f in EVENT_FIELDS}
    public.update({f: event[f] for f in EVENT_OPTIONAL_FIELDS if event.get(f) is not None})
    return public  # type: ignore[return-value]


def stored_event(event: dict[str, Any]) -> StoredEvent:
    """The item of a public event: with LAST_DATE (department-span-index) when it spans days, and
    a series' SERIES_MONTHS."""
    item: dict[str, Any] = dict(public_event(event))
    item.update((name, value) for name, value in span_attributes(item).items() if value is not None)
    return item  # type: ignore[return-value]


def span_attributes(event: dict[str, Any]) -> dict[str, Any]:
    """What department-span-index keeps of the event as changed (None: removed): its last day,
    and a series' months."""
    months = recurrence.months(event)
    return {LAST_DATE: recurrence.last_day(event), SERIES_MONTHS: set(months) if months else None}
