"""The TransactWriteItems actions that carry out a series edit's writes (rules/series_scope.py),
each conditioned so that a write made on a stale read fails instead of overwriting."""
from __future__ import annotations

from typing import cast

from rules.actors import Actor
from rules.history_entries import EntryKey, StoredEntry
from rules.series_scope import AddException, PutNew, Recut, Remove, Replace, Write
from rules.shapes import EventKey, StoredEvent, public_event
from schema import (
    EVENT_IS_LIVE,
    EXCEPTION_DATES,
    HISTORY_ENTRY,
    HISTORY_KEY,
    ITEM_IS_NEW,
    LAST_DATE,
    SERIES_MONTHS,
    TRASH_DEPARTMENT,
    VERSION_MATCHES,
    event_key,
)
from storage.event_history import EventHistory
from storage.items import to_item
from storage.wire import Expression, ExpressionValues, TransactAction

TRANSACTION_ITEMS_MAX = 100  # DynamoDB's limit of actions in one TransactWriteItems


def _action(table: str, write: Write, tombstone_update: Expression) -> TransactAction:
    """The action of one write on the events table (`tombstone_update`: Events.tombstone_update)."""
    if isinstance(write, PutNew):
        return {"Put": {"TableName": table, "Item": to_item(write.item), **ITEM_IS_NEW.params()}}
    if isinstance(write, Replace):
        return _replace(table, write.item, write.read)
    if isinstance(write, Remove):
        return _tombstone(table, write.event, tombstone_update)
    if isinstance(write, AddException):
        return _series_update(table, write.series, "ADD #exceptions :day", {":day": {write.day}})
    return _recut(table, write)


def with_history(table: str, groups: list[list[Write]], tombstone_update: Expression, history: EventHistory,
                 actor: Actor, trash: bool = False) -> list[list[TransactAction]]:
    """The actions of the groups' writes, each followed by its history entry's (AddException has
    none: it changes no field and no version). With `trash`, the first write (a series' Remove) is
    restorable from the department's trash, the exceptions the other groups remove with it."""
    deleted_at = str(tombstone_update[2][":now"])
    entries = [[_entry(history, write, actor, deleted_at) for write in group] for group in groups]
    if trash and (root := entries[0][0]) is not None:
        root[TRASH_DEPARTMENT] = root["department_id"]
        if exceptions := [EntryKey(event=e[HISTORY_KEY], entry=e[HISTORY_ENTRY])
                          for group in entries[1:] for e in group if e is not None]:
            root["exceptions"] = exceptions
    return [[action for write, entry in zip(group, group_entries, strict=True)
             for action in (_action(table, write, tombstone_update), *([history.put(entry)] if entry else []))]
            for group, group_entries in zip(groups, entries, strict=True)]


def _entry(history: EventHistory, write: Write, actor: Actor, deleted_at: str) -> StoredEntry | None:
    """The history entry of one write."""
    if isinstance(write, PutNew):
        return history.created(public_event(write.item), actor)
    if isinstance(write, Replace):
        return history.updated(public_event(write.read), public_event(write.item), actor)
    if isinstance(write, Recut):
        return history.updated(public_event(write.series), write.after, actor)
    if isinstance(write, Remove) and "version" in write.event:
        return history.deleted(cast(StoredEvent, write.event), deleted_at, actor)
    return None


def _replace(table: str, item: StoredEvent, read: StoredEvent) -> TransactAction:
    """Put `item` in place of the live event `read`, if it is still at the version read and has no
    exception added since (an event that is no series never has one)."""
    unchanged, names, values = _exceptions_as_read(read)
    return {"Put": {
        "TableName": table, "Item": to_item(item),
        "ConditionExpression": f"{EVENT_IS_LIVE.expression} AND {VERSION_MATCHES.expression} AND {unchanged}",
        "ExpressionAttributeNames": {**EVENT_IS_LIVE.names, **VERSION_MATCHES.names, **names},
        "ExpressionAttributeValues": to_item({":expected": read["version"], **values}),
    }}


def _tombstone(table: str, event: StoredEvent | EventKey, tombstone_update: Expression) -> TransactAction:
    """Turn a live event into a tombstone; with its `version` given, only if it is still at that
    version (and, for a series, has no exception added since)."""
    update, names, values = tombstone_update
    condition, names = EVENT_IS_LIVE.expression, {**names, **EVENT_IS_LIVE.names}
    read = cast(StoredEvent, event) if "version" in event else None  # else the key alone
    if read is not None:
        condition += f" AND {VERSION_MATCHES.expression}"
        names, values = {**names, **VERSION_MATCHES.names}, {**values, ":expected": read["version"]}
    if read is not None and read.get("recurrence"):
        unchanged, unchanged_names, unchanged_values = _exceptions_as_read(read)
        condition, names, values = f"{condition} AND {unchanged}", {**names, **unchanged_names}, {
            **values, **unchanged_values}
    return {"Update": {"TableName": table, "Key": to_item(event_key(event["id"], event["department_id"])),
                       "UpdateExpression": update, "ConditionExpression": condition,
                       "ExpressionAttributeNames": names, "ExpressionAttributeValues": to_item(values)}}


def _recut(table: str, write: Recut) -> TransactAction:
    after = write.after
    update = "SET #r = :lines, #last = :last, #months = :months, #version = :next, #lm = :now, #by = :actor"
    update += ", #by_id = :actor_id" if "updated_by_id" in after else ""
    removed = [name for name, gone in (("#exceptions", not write.kept), ("#by_id", "updated_by_id" not in after)) if gone]
    update += ", #exceptions = :kept" if write.kept else ""
    update += " REMOVE " + ", ".join(removed) if removed else ""
    values: ExpressionValues = {":lines": after["recurrence"], ":last": write.last_date, ":months": set(write.months),
              ":next": after["version"], ":now": after["last_modified"], ":actor": after["updated_by"],
              **({":kept": set(write.kept)} if write.kept else {}),
              **({":actor_id": after["updated_by_id"]} if "updated_by_id" in after else {})}
    names = {"#r": "recurrence", "#last": LAST_DATE, "#months": SERIES_MONTHS, "#lm": "last_modified",
             "#by": "updated_by", "#by_id": "updated_by_id"}
    return _series_update(table, write.series, update, values, names)


def _series_update(table: str, series: StoredEvent, update: str, values: ExpressionValues,
                   names: dict[str, str] | None = None) -> TransactAction:
    """Update the series (`#exceptions` names its exception dates), if it is live, at the version
    read, and has no exception added since: adding one (scope `this`) leaves the version alone, so
    the other occurrences keep theirs, and only the count of exception dates tells."""
    unchanged, unchanged_names, unchanged_values = _exceptions_as_read(series)
    return {"Update": {
        "TableName": table,
        "Key": to_item(event_key(series["id"], series["department_id"])),
        "UpdateExpression": update,
        "ConditionExpression": f"{EVENT_IS_LIVE.expression} AND {VERSION_MATCHES.expression} AND {unchanged}",
        "ExpressionAttributeNames": {**EVENT_IS_LIVE.names, **VERSION_MATCHES.names, **unchanged_names,
                                     **(names or {})},
        "ExpressionAttributeValues": to_item({**values, **unchanged_values, ":expected": series["version"]}),
    }}


def _exceptions_as_read(series: StoredEvent) -> Expression:
    """A condition that the series has as many exception dates as when read (they are only ever
    added without a version change), with its names and values."""
    names = {"#exceptions": EXCEPTION_DATES}
    if not series.get(EXCEPTION_DATES):
        return "attribute_not_exists(#exceptions)", names, {}
    return "size(#exceptions) = :exception_count", names, {":exception_count": len(series[EXCEPTION_DATES])}


def packed(groups: list[list[TransactAction]]) -> list[list[list[TransactAction]]]:
    """The groups of actions in as few transactions as DynamoDB takes, in order, a group never split."""
    transactions: list[list[list[TransactAction]]] = [[]]
    size = 0
    for group in groups:
        if size + len(group) > TRANSACTION_ITEMS_MAX and transactions[-1]:
            transactions.append([])
            size = 0
        transactions[-1].append(group)
        size += len(group)
    return transactions
