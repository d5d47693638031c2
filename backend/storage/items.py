"""Items in DynamoDB's wire format (`WireItem`: `{"name": {"S": "..."}}`) to and from the plain
shapes of rules/shapes.py: any item to and from plain values, and an event item straight to the
public event (the month list's hot path) or to a sync change."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from rules.shapes import PublicEvent, Tombstone
from schema import EVENT_FIELDS, EVENT_OPTIONAL_FIELDS, EXCEPTION_DATES, TOMBSTONE_MARKER

# An item in DynamoDB's wire format: attribute name -> {"S": ...} / {"N": ...} / {"L": [...]} ...
WireItem = dict[str, dict[str, Any]]


_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def to_item(data: dict[str, Any]) -> WireItem:
    """Plain values (a stored item, a key, expression values) in DynamoDB's wire format."""
    return {k: _attribute(v) for k, v in data.items()}


def _attribute(value: Any) -> dict[str, Any]:
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


