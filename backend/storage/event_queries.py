"""Query arguments over the events table's department indexes, built in one place for the stores
that read them (events, and departments draining a deleted department's events)."""
from __future__ import annotations

from datetime import date

from rules import recurrence
from schema import (
    DEPARTMENT_CHANGES_INDEX,
    DEPARTMENT_DATE_INDEX,
    DEPARTMENT_SPAN_INDEX,
    LAST_DATE,
    SERIES_MONTHS,
    TOMBSTONE_MARKER,
)
from storage.items import to_item
from storage.wire import ExpressionValues, QueryInput


def department_events(table: str, department_id: str, start: str | None = None,
                      end: str | None = None) -> QueryInput:
    """Query arguments for the department's events through department-date-index, in [start, end]."""
    names = {"#dep": "department_id"}
    values: ExpressionValues = {":dep": department_id}
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


def event_keys(table: str, department_id: str) -> QueryInput:
    """Query arguments for the keys (id, department_id) of the department's live events."""
    kwargs = department_events(table, department_id)
    kwargs["ExpressionAttributeNames"]["#id"] = "id"
    kwargs["ProjectionExpression"] = "#id, #dep"
    return kwargs


def tombstone_keys(table: str, department_id: str) -> QueryInput:
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


def changes_since(table: str, department_id: str, since: str) -> QueryInput:
    """Query arguments for the department's items written at or after `since` (department-modified-index)."""
    return {
        "TableName": table,
        "IndexName": DEPARTMENT_CHANGES_INDEX,
        "KeyConditionExpression": "#dep = :dep AND #last_modified >= :since",
        "ExpressionAttributeNames": {"#dep": "department_id", "#last_modified": "last_modified"},
        "ExpressionAttributeValues": to_item({":dep": department_id, ":since": since}),
    }


def spanning(table: str, department_id: str, start: str, end: str | None) -> QueryInput:
    """Query arguments for the department's events spanning days whose last day is at or after
    `start` and whose first is not after `end` (but the series whose SERIES_MONTHS miss start..end's
    months): the sparse department-span-index."""
    kwargs: QueryInput = {
        "TableName": table,
        "IndexName": DEPARTMENT_SPAN_INDEX,
        "KeyConditionExpression": "#dep = :dep AND #last >= :start",
        "ExpressionAttributeNames": {"#dep": "department_id", "#last": LAST_DATE},
        "ExpressionAttributeValues": to_item({":dep": department_id, ":start": start}),
    }
    if end:
        kwargs["FilterExpression"] = "#date <= :end"
        kwargs["ExpressionAttributeNames"]["#date"] = "event_date"
        values: ExpressionValues = {":dep": department_id, ":start": start, ":end": end}
        months = recurrence.months_between(date.fromisoformat(start), date.fromisoformat(end))
        if months != recurrence.ALL_MONTHS:  # series that never occur in these months stay behind
            in_months = " OR ".join(f"contains(#months, :m{m})" for m in sorted(months))
            kwargs["FilterExpression"] += f" AND (attribute_not_exists(#months) OR {in_months})"
            kwargs["ExpressionAttributeNames"]["#months"] = SERIES_MONTHS
            values.update({f":m{m}": m for m in months})
        kwargs["ExpressionAttributeValues"] = to_item(values)
    return kwargs
