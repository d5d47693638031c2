"""Query arguments over the events table's department indexes, built in one place for the stores
that read them (events, and departments draining a deleted department's events)."""
from __future__ import annotations

from typing import Any

from schema import DEPARTMENT_CHANGES_INDEX, DEPARTMENT_DATE_INDEX, TOMBSTONE_MARKER
from storage.items import to_item


def department_events(table: str, department_id: str, start: str | None = None,
                      end: str | None = None) -> dict[str, Any]:
    """Query arguments for the department's events through department-date-index, in [start, end]."""
    names = {"#dep": "department_id"}
    values: dict[str, Any] = {":dep": department_id}
    condition = "#dep = :dep"
    if start or end:
        names["#date"] = "event_date"
        if start and end:
            condition += " AND #date BETWEEN :start AND :end"
            values.update({":start": start, ":end": end})
        elif start:
            condition += " AND #date >= :start"
            values[":start"] = start
        else:
            condition += " AND #date <= :end"
            values[":end"] = end
    return {
        "TableName": table,
        "IndexName": DEPARTMENT_DATE_INDEX,
        "KeyConditionExpression": condition,
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": to_item(values),
    }


def event_keys(table: str, department_id: str) -> dict[str, Any]:
    """Query arguments for the keys (id, department_id) of the department's live events."""
    kwargs = department_events(table, department_id)
    kwargs["ExpressionAttributeNames"]["#id"] = "id"
    kwargs["ProjectionExpression"] = "#id, #dep"
    return kwargs


def tombstone_keys(table: str, department_id: str) -> dict[str, Any]:
    """Query arguments for the keys of the department's tombstones (department-modified-index, where they alone are)."""
    return {
        "TableName": table,
        "IndexName": DEPARTMENT_CHANGES_INDEX,
        "KeyConditionExpression": "#dep = :dep",
        "FilterExpression": "attribute_exists(#deleted)",
        "ProjectionExpression": "#id, #dep",
        "ExpressionAttributeNames": {"#dep": "department_id", "#id": "id", "#deleted": TOMBSTONE_MARKER},
        "ExpressionAttributeValues": to_item({":dep": department_id}),
    }


def changes_since(table: str, department_id: str, since: str) -> dict[str, Any]:
    """Query arguments for the department's items written at or after `since` (department-modified-index)."""
    return {
        "TableName": table,
        "IndexName": DEPARTMENT_CHANGES_INDEX,
        "KeyConditionExpression": "#dep = :dep AND #last_modified >= :since",
        "ExpressionAttributeNames": {"#dep": "department_id", "#last_modified": "last_modified"},
        "ExpressionAttributeValues": to_item({":dep": department_id, ":since": since}),
    }
