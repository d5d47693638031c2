"""The shapes an item takes, each named by a type, and one converter between each pair.

- `WireItem`: an item as DynamoDB's low-level API sends it (`{"name": {"S": "..."}}`);
- `StoredEvent`: an event item as plain values, with its internal attributes (a series' months and
  exception dates, an exception's overridden fields, a tombstone's marker);
- `PublicEvent` / `PublicDepartment` / `Tombstone`: what an answer shows (contract/bodies.py
  declares the fields; schema.py derives the tuples these converters walk).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, NotRequired, TypedDict

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

import recurrence
from storage.schema import (
    DEPARTMENT_FIELDS,
    EVENT_FIELDS,
    EVENT_OPTIONAL_FIELDS,
    EXCEPTION_DATES,
    LAST_DATE,
    SERIES_MONTHS,
    TOMBSTONE_MARKER,
)

# An item in DynamoDB's wire format: attribute name -> {"S": ...} / {"N": ...} / {"L": [...]} ...
WireItem = dict[str, dict[str, Any]]


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
    deleted: NotRequired[bool]
    expires_at: NotRequired[int]


class Tombstone(TypedDict):
    """A deleted event as the catch-up sync answer shows it."""

    id: str
    department_id: str
    deleted: bool
    last_modified: str


_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def to_item(data: dict[str, Any]) -> WireItem:
    """Plain values (a stored item, a key, expression values) in DynamoDB's wire format."""
    return {k: _serializer.serialize(v) for k, v in data.items()}


def from_item(item: WireItem) -> dict[str, Any]:
    """A DynamoDB item as plain JSON-ready values (numbers as int or float, never Decimal)."""
    return {k: _plain_attribute(v) for k, v in item.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, set, tuple)):
        return [_plain(v) for v in value]
    return value


def _plain_attribute(value: dict[str, Any]) -> Any:
    # Our items hold strings and numbers: read those directly, on the hot path of every list.
    if "S" in value:
        return value["S"]
    if "N" in value:
        try:
            return int(value["N"])
        except ValueError:
            return _plain(Decimal(value["N"]))
    if "L" in value:  # a series' recurrence lines
        return [_plain_attribute(v) for v in value["L"]]
    return _plain(_deserializer.deserialize(value))


def public_department(item: dict[str, Any]) -> PublicDepartment:
    """A department item (plain values) as an answer shows it."""
    return {f: item.get(f, "") for f in DEPARTMENT_FIELDS}  # type: ignore[return-value]


def public_event(event: dict[str, Any]) -> PublicEvent:
    """A stored (or new) event as an answer shows it: every EVENT_FIELDS key, the optional ones when set."""
    public: dict[str, Any] = {f: event.get(f, "") for f in EVENT_FIELDS}
    public.update({f: event[f] for f in EVENT_OPTIONAL_FIELDS if event.get(f) is not None})
    return public  # type: ignore[return-value]


def event_from_wire(item: WireItem, listed: bool = False) -> PublicEvent:
    """A wire event item as an answer shows it, converted in one pass (the month list's hot path);
    `listed` keeps a series' EXCEPTION_DATES for its expansion, which drops them."""
    event = {f: _plain_attribute(item[f]) if f in item else "" for f in EVENT_FIELDS}
    event.update({f: _plain_attribute(item[f]) for f in EVENT_OPTIONAL_FIELDS if f in item})
    if listed and EXCEPTION_DATES in item:
        event[EXCEPTION_DATES] = _plain_attribute(item[EXCEPTION_DATES])
    return event  # type: ignore[return-value]


def change_from_wire(item: WireItem) -> PublicEvent | Tombstone:
    """A wire item of department-modified-index as the sync answer shows it: the event, or its tombstone."""
    if TOMBSTONE_MARKER in item:
        return {"id": item["id"]["S"], "department_id": item["department_id"]["S"], "deleted": True,
                "last_modified": item["last_modified"]["S"]}
    return event_from_wire(item)


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
