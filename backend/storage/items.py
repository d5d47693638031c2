"""Items in DynamoDB's wire format (storage/wire.py's `WireItem`: `{"name": {"S": "..."}}`) to and
from the plain shapes of rules/shapes.py, one converter a pair:

- `to_item`: plain values (`PlainItem`: any stored item, key or expression values) -> WireItem;
- `from_item`: WireItem -> plain values; `stored_event_from_wire` -> StoredEvent and
  `department_from_wire` -> StoredDepartment, `session_from_wire` -> StoredSession name what comes back, `event_key_from_wire` -> EventKey;
- `event_from_wire`: an event item -> PublicEvent in one pass (the month list's hot path),
  `listed_from_wire` -> ListedEvent, `change_from_wire` -> Change (an event or its Tombstone).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from rules.shapes import Change, EventKey, ListedEvent, PublicEvent, StoredDepartment, StoredEvent, StoredSession
from schema import EVENT_FIELDS, EVENT_OPTIONAL_FIELDS, EXCEPTION_DATES, TOMBSTONE_MARKER
from storage.wire import AttributeValue, PlainItem, WireItem

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def to_item(data: PlainItem) -> WireItem:
    """Plain values (a stored item, a key, expression values) in DynamoDB's wire format."""
    return {k: _attribute(v) for k, v in data.items()}


def _attribute(value: Any) -> AttributeValue:
    """TypeSerializer's answer for one value; our items' strings, numbers and lists directly (on
    the path of every write), anything else through TypeSerializer."""
    kind = type(value)
    if kind is str:
        return {"S": value}
    if kind is int:
        return {"N": str(value)}
    if kind is list:
        return {"L": [_attribute(v) for v in value]}
    return _serializer.serialize(value)


def from_item(item: WireItem) -> PlainItem:
    """A DynamoDB item as plain JSON-ready values (numbers as int or float, never Decimal)."""
    return {k: _plain_attribute(v) for k, v in item.items()}


def stored_event_from_wire(item: WireItem) -> StoredEvent:
    """An event item as plain values, its internal attributes included."""
    return cast(StoredEvent, from_item(item))


def department_from_wire(item: WireItem) -> StoredDepartment:
    """A department item as plain values, its internal attributes included."""
    return cast(StoredDepartment, from_item(item))


def session_from_wire(item: WireItem) -> StoredSession:
    return cast(StoredSession, from_item(item))


def event_key_from_wire(item: WireItem) -> EventKey:
    """The key of an event item (read with its key alone, or whole)."""
    return {"id": item["id"]["S"], "department_id": item["department_id"]["S"]}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, set, tuple)):
        return [_plain(v) for v in value]
    return value


def _plain_attribute(value: AttributeValue) -> Any:
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


def event_from_wire(item: WireItem) -> PublicEvent:
    """A wire event item as an answer shows it, converted in one pass (the month list's hot path)."""
    event = {f: _plain_attribute(item[f]) if f in item else "" for f in EVENT_FIELDS}
    event.update({f: _plain_attribute(item[f]) for f in EVENT_OPTIONAL_FIELDS if f in item})
    return cast(PublicEvent, event)


def listed_from_wire(item: WireItem) -> ListedEvent:
    """A wire event item as a list reads it: as event_from_wire, with a series' EXCEPTION_DATES
    (its expansion drops them)."""
    event = cast(ListedEvent, event_from_wire(item))
    if EXCEPTION_DATES in item:
        event[EXCEPTION_DATES] = _plain_attribute(item[EXCEPTION_DATES])
    return event


def change_from_wire(item: WireItem) -> Change:
    """A wire item of department-modified-index as the sync answer shows it: the event, or its tombstone."""
    if TOMBSTONE_MARKER in item:
        return {"id": item["id"]["S"], "department_id": item["department_id"]["S"], "deleted": True,
                "last_modified": item["last_modified"]["S"], "version": int(item["version"]["N"])}
    return event_from_wire(item)


