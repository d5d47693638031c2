"""TransactWriteItems actions on the events table for the edits of a series (series_store.py), each
conditioned so that a write made on a stale read fails instead of overwriting. No Flask.
"""
from __future__ import annotations

from typing import Any

from models import DynamoDBDatabase
from storage.items import to_item
from storage.schema import EVENT_IS_LIVE, EXCEPTION_DATES, ITEM_IS_NEW, VERSION_MATCHES, event_key

TRANSACTION_ITEMS_MAX = 100  # DynamoDB's limit of actions in one TransactWriteItems


def put_new(db: DynamoDBDatabase, item: dict[str, Any]) -> dict:
    """Store an item whose id is new."""
    return {"Put": {"TableName": db.events_table, "Item": to_item(item), **ITEM_IS_NEW.params()}}


def put_if_version(db: DynamoDBDatabase, item: dict[str, Any], version: int) -> dict:
    """Replace a live event with `item`, if it is still at `version`."""
    return {"Put": {
        "TableName": db.events_table, "Item": to_item(item),
        "ConditionExpression": f"{EVENT_IS_LIVE.expression} AND {VERSION_MATCHES.expression}",
        "ExpressionAttributeNames": {**EVENT_IS_LIVE.names, **VERSION_MATCHES.names},
        "ExpressionAttributeValues": to_item({":expected": version}),
    }}


def put_series(db: DynamoDBDatabase, item: dict[str, Any], series: dict[str, Any]) -> dict:
    """Replace the series with `item`, if it is still at the version read and has no exception added
    since (series_update)."""
    action = put_if_version(db, item, series["version"])
    condition, names, values = _exceptions_as_read(series)
    action["Put"]["ConditionExpression"] += f" AND {condition}"
    action["Put"]["ExpressionAttributeNames"].update(names)
    action["Put"]["ExpressionAttributeValues"].update(to_item(values))
    return action


def tombstone(db: DynamoDBDatabase, event: dict[str, Any]) -> dict:
    """Turn a live event into a tombstone (as delete_event does); with its `version` given, only if
    it is still at that version (and, for a series, has no exception added since)."""
    update, names, values = db.tombstone_update()
    condition, names = EVENT_IS_LIVE.expression, {**names, **EVENT_IS_LIVE.names}
    if "version" in event:
        condition += f" AND {VERSION_MATCHES.expression}"
        names, values = {**names, **VERSION_MATCHES.names}, {**values, ":expected": event["version"]}
    if "version" in event and event.get("recurrence"):
        unchanged, unchanged_names, unchanged_values = _exceptions_as_read(event)
        condition, names, values = f"{condition} AND {unchanged}", {**names, **unchanged_names}, {
            **values, **unchanged_values}
    return {"Update": {"TableName": db.events_table, "Key": to_item(event_key(event["id"], event["department_id"])),
                       "UpdateExpression": update, "ConditionExpression": condition,
                       "ExpressionAttributeNames": names, "ExpressionAttributeValues": to_item(values)}}


def series_update(db: DynamoDBDatabase, series: dict[str, Any], update: str, values: dict[str, Any],
                  names: dict[str, str] | None = None) -> dict:
    """Update the series (`#exceptions` names its exception dates), if it is live, at the version
    read, and has no exception added since: adding one (scope `this`) leaves the version alone, so
    the other occurrences keep theirs, and only the count of exception dates tells."""
    unchanged, unchanged_names, unchanged_values = _exceptions_as_read(series)
    return {"Update": {
        "TableName": db.events_table,
        "Key": to_item(event_key(series["id"], series["department_id"])),
        "UpdateExpression": update,
        "ConditionExpression": f"{EVENT_IS_LIVE.expression} AND {VERSION_MATCHES.expression} AND {unchanged}",
        "ExpressionAttributeNames": {**EVENT_IS_LIVE.names, **VERSION_MATCHES.names, **unchanged_names,
                                     **(names or {})},
        "ExpressionAttributeValues": to_item({**values, **unchanged_values, ":expected": series["version"]}),
    }}


def _exceptions_as_read(series: dict[str, Any]) -> tuple[str, dict[str, str], dict[str, Any]]:
    """A condition that the series has as many exception dates as when read (they are only ever
    added without a version change), with its names and values."""
    names = {"#exceptions": EXCEPTION_DATES}
    if not series.get(EXCEPTION_DATES):
        return "attribute_not_exists(#exceptions)", names, {}
    return "size(#exceptions) = :exception_count", names, {":exception_count": len(series[EXCEPTION_DATES])}


def packed(groups: list[list[dict]]) -> list[list[list[dict]]]:
    """The groups of actions in as few transactions as DynamoDB takes, in order, a group never split."""
    transactions: list[list[list[dict]]] = [[]]
    size = 0
    for group in groups:
        if size + len(group) > TRANSACTION_ITEMS_MAX and transactions[-1]:
            transactions.append([])
            size = 0
        transactions[-1].append(group)
        size += len(group)
    return transactions
