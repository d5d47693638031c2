"""The shapes of a department and an event as plain values, each named by a type, and the pure
conversions between them (no boto3, no Flask).

- What an answer shows: `PublicEvent`, `PublicDepartment`, `Tombstone` (a sync `Change` is either).
- What an item holds: `StoredEvent` and `StoredDepartment` (the public shape and its internal
  attributes), `StoredSession` (who it signs in: `SessionPerson`); `ListedEvent` is what a list
  reads of an event (the public event and the exception dates its expansion skips); `EventKey`
  names one.
- What a write asks: `EventFields` (a new event's fields, or a change to them: None removes an
  optional one), `ItemChanges` (a change with the internal attributes that follow from it) and
  `WrittenAttributes` (what a writer stores beside a new event's fields).

One converter a pair: `public_event` (StoredEvent -> PublicEvent), `stored_event` (PublicEvent ->
StoredEvent), `public_department` (StoredDepartment -> PublicDepartment), `event_key` (an event ->
EventKey), `span_attributes` (PublicEvent -> SpanAttributes). storage/items.py converts items to
and from DynamoDB's wire format.
"""
# No `from __future__ import annotations` here: TypedDict must see NotRequired evaluated to tell
# the optional keys (EVENT_OPTIONAL_FIELDS below) from the required ones.
from typing import Final, NotRequired, TypedDict, cast

from rules import recurrence
from rules.search_text import SEARCHED_FIELDS, searchable_text

# The internal attributes an event item may hold besides its public fields, never in an answer:
# A series' last day, when it spans days (department-span-index keys it).
LAST_DATE: Final = "last_date"
# The months (1-12) a series' occurrences touch: the month list's Query of department-span-index
# leaves out the series that never occur in the months asked for (a yearly one in the other eleven).
SERIES_MONTHS: Final = "series_months"
# The original dates (YYYY-MM-DD) of a series' occurrences stored as exceptions (items with id
# `<series id>_<YYYYMMDD>`), which its expansion skips.
EXCEPTION_DATES: Final = "exception_dates"
# The fields an exception's own edits changed: an edit of the whole series (`all`) carries over to
# it the others.
OVERRIDDEN_FIELDS: Final = "overridden_fields"
# What a CalDAV client sent in an event that the event's fields cannot hold (VALARM reminders,
# CATEGORIES, X- properties), as iCalendar text; backend/dav/ gives it back with the event.
CALDAV_PROPERTIES: Final = "caldav_properties"
# The UID as a CalDAV client wrote it, when it is not the event id itself (iOS writes UUIDs in upper
# case): backend/dav/ names the resource and its UID with it.
CALDAV_UID: Final = "caldav_uid"
# The event's title, description and time folded for search (rules/search_text.py); a search
# Queries department-date-index keeping the items whose SEARCH_TEXT holds every word.
SEARCH_TEXT: Final = "search_text"


class PublicDepartment(TypedDict):
    id: str
    name: str
    description: str
    created_at: str
    updated_at: str
    created_by: str
    updated_by: str
    created_by_id: NotRequired[str]  # a person's identity (rules/actors.py): only when a person wrote it
    updated_by_id: NotRequired[str]


class StoredDepartment(PublicDepartment):
    """A department item as plain values: the public department and its internal attributes."""

    deleting: NotRequired[str]  # when its delete began (no event may be added from then on)
    spans: NotRequired[str]  # whether it has events spanning days (storage/department_spans.py)


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
    created_by_id: NotRequired[str]  # a person's identity (rules/actors.py): only when a person wrote it
    updated_by_id: NotRequired[str]


class StoredEvent(PublicEvent):
    """An event item as plain values: the public event and the internal attributes it may hold."""

    last_date: NotRequired[str]
    series_months: NotRequired[set[int] | list[int]]
    exception_dates: NotRequired[set[str] | list[str]]
    overridden_fields: NotRequired[list[str]]
    caldav_properties: NotRequired[str]
    caldav_uid: NotRequired[str]
    search_text: NotRequired[str]
    deleted: NotRequired[bool]
    expires_at: NotRequired[int]


class WrittenAttributes(TypedDict, total=False):
    """Internal attributes a writer stores on a new event's item beside its fields."""

    caldav_properties: str
    caldav_uid: str


class SessionPerson(TypedDict):
    """Who a session signs in, from the verified ID token and the groups' mapping
    (`departments` None: every department)."""

    name: str
    email: str | None
    role: str
    departments: list[str] | None
    issuer: str
    subject: str


class StoredSession(TypedDict):
    """A session item as plain values (storage/sessions.py); an absent `departments`: all."""

    id: str
    name: str
    email: NotRequired[str]
    role: str
    departments: NotRequired[list[str]]
    issuer: str
    subject: str
    created_at: str
    ends_at: int
    expires_at: int


class ListedEvent(PublicEvent):
    """An event as a list reads it: the public event, and a series' exception dates, which its
    expansion skips (and drops)."""

    exception_dates: NotRequired[list[str]]


class Tombstone(TypedDict):
    """A deleted event as the catch-up sync answer shows it (`version`: the deletion's, one more
    than the event's last; a restore comes back one above it)."""

    id: str
    department_id: str
    deleted: bool
    last_modified: str
    version: int


# What the catch-up sync answers for each event written since: the event, or its tombstone.
Change = PublicEvent | Tombstone


class EventKey(TypedDict):
    """The key of an event item (the table's partition and sort key)."""

    id: str
    department_id: str


class EventFields(TypedDict, total=False):
    """The writable fields of an event as a request gives them: all a new event has, or those a
    change sets (None removes an optional one)."""

    event_date: str
    title: str
    description: str
    time: str
    url: str
    start_time: str | None
    end_time: str | None
    end_date: str | None
    recurrence: list[str] | None


# What the checks of an event's times and lines read: an event, or the fields a request gives.
EventTimes = PublicEvent | EventFields


class SpanAttributes(TypedDict):
    """What department-span-index keeps of an event (None: the attribute is removed)."""

    last_date: str | None
    series_months: set[int] | None


class ItemChanges(EventFields, total=False):
    """A change to an event item: the fields a request changes, and the internal attributes that
    follow from them."""

    last_date: str | None
    series_months: set[int] | None
    overridden_fields: list[str]
    search_text: str | None


# The fields as the types name them, in the contract's order (contract/bodies.py declares them for the
# API; tests/unit/test_shapes.py checks that both agree).
DEPARTMENT_FIELDS = tuple(f for f in PublicDepartment.__annotations__ if f in PublicDepartment.__required_keys__)
DEPARTMENT_OPTIONAL_FIELDS = tuple(f for f in PublicDepartment.__annotations__
                                   if f in PublicDepartment.__optional_keys__)
EVENT_FIELDS = tuple(f for f in PublicEvent.__annotations__ if f in PublicEvent.__required_keys__)
EVENT_OPTIONAL_FIELDS = tuple(f for f in PublicEvent.__annotations__ if f in PublicEvent.__optional_keys__)


def public_department(item: StoredDepartment) -> PublicDepartment:
    """A department item (plain values) as an answer shows it: the optional fields only when set."""
    public = {f: item.get(f, "") for f in DEPARTMENT_FIELDS}
    public.update({f: item.get(f) for f in DEPARTMENT_OPTIONAL_FIELDS if item.get(f) is not None})
    return cast(PublicDepartment, public)


def public_event(event: PublicEvent) -> PublicEvent:
    """A stored (or listed, or new) event as an answer shows it: every EVENT_FIELDS key, the
    optional ones when set, no internal attribute."""
    public = {f: event.get(f, "") for f in EVENT_FIELDS}
    public.update({f: event.get(f) for f in EVENT_OPTIONAL_FIELDS if event.get(f) is not None})
    return cast(PublicEvent, public)


def stored_event(event: PublicEvent) -> StoredEvent:
    """The item of a public event: with LAST_DATE (department-span-index) when it spans days, a
    series' SERIES_MONTHS, and its SEARCH_TEXT when it has text."""
    item = with_search_text(cast(StoredEvent, public_event(event)))
    spans = span_attributes(item)
    if spans[LAST_DATE] is not None:
        item[LAST_DATE] = spans[LAST_DATE]
    if spans[SERIES_MONTHS] is not None:
        item[SERIES_MONTHS] = spans[SERIES_MONTHS]
    return item


def with_search_text(item: StoredEvent) -> StoredEvent:
    """The item with the SEARCH_TEXT of its fields as they now read (none when they have no text)."""
    item = cast(StoredEvent, {k: v for k, v in item.items() if k != SEARCH_TEXT})
    if text := searchable_text(item.get(field) for field in SEARCHED_FIELDS):
        item[SEARCH_TEXT] = text
    return item


def event_key(event: PublicEvent | EventKey) -> EventKey:
    """The key of an event (or of an item that names one)."""
    return {"id": event["id"], "department_id": event["department_id"]}


def span_attributes(event: PublicEvent) -> SpanAttributes:
    """What department-span-index keeps of the event as changed (None: removed): its last day,
    and a series' months."""
    months = recurrence.months(event)
    return {LAST_DATE: recurrence.last_day(event), SERIES_MONTHS: set(months) if months else None}
