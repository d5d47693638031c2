"""The search table: one entry per live event (a series and each of its exceptions too), written in
the same transaction as the event, holding its folded text (rules/search_text.py) and the days it
covers; a search is one Query per department, DynamoDB keeping the entries whose text holds every
word (`contains`), never a Scan.

Key: department_id (HASH), event_id (RANGE). What it costs and why it is built this way:
DYNAMODB_SETUP.md ("검색").
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from rules import recurrence
from rules.search_order import Match
from rules.search_text import searchable_text
from rules.shapes import EventKey, StoredEvent
from storage import plumbing
from storage.items import from_item, to_item
from storage.wire import QueryInput, TransactAction, WireItem

TEXT = "search_text"
FIRST_DAY = "first_day"
LAST_DAY = "last_day"
RESULT_ID = "result_id"


def entry_of(item: StoredEvent) -> dict[str, str]:
    """The search entry of a live event's item: its text, its days, and the result it belongs to
    (a series' exception belongs to its series)."""
    first = item["event_date"]
    return {
        "department_id": item["department_id"], "event_id": item["id"], TEXT: searchable_text(dict(item)),
        FIRST_DAY: first, LAST_DAY: recurrence.last_day(item) or first,
        RESULT_ID: item.get("recurring_event_id") or item["id"],
    }


def _match(item: WireItem) -> Match:
    entry = from_item(item)
    return Match(str(entry["department_id"]), str(entry["event_id"]), str(entry[RESULT_ID]), date.fromisoformat(str(entry[FIRST_DAY])),
                 date.fromisoformat(str(entry[LAST_DAY])))


class SearchEntries:
    """The search table on a shared client."""

    def __init__(self, table: str, client):
        self.table = table
        self.client = client

    def put(self, item: StoredEvent) -> TransactAction:
        """The transaction's write of the event's entry, as its item now is."""
        return {"Put": {"TableName": self.table, "Item": to_item(entry_of(item))}}

    def delete(self, key: EventKey) -> TransactAction:
        """The transaction's removal of a deleted event's entry."""
        return {"Delete": {"TableName": self.table,
                           "Key": to_item({"department_id": key["department_id"], "event_id": key["id"]})}}

    def put_all(self, items: Iterable[StoredEvent]) -> None:
        """The entries of events written in bulk (a migration, filling the table for existing events)."""
        requests = [{"PutRequest": {"Item": to_item(entry_of(item))}} for item in items]
        plumbing.batch_write(self.client, self.table, requests)

    def matching(self, department_id: str, words: list[str]) -> Iterator[Match]:
        """The department's entries whose text holds every word: one Query, every page, the text
        left out of what is read back."""
        names = {"#d": "department_id", "#t": TEXT, "#e": "event_id", "#r": RESULT_ID, "#f": FIRST_DAY, "#l": LAST_DAY}
        values = {":d": department_id, **{f":w{i}": word for i, word in enumerate(words)}}
        query: QueryInput = {
            "TableName": self.table, "KeyConditionExpression": "#d = :d",
            "FilterExpression": " AND ".join(f"contains(#t, :w{i})" for i in range(len(words))),
            "ProjectionExpression": "#d, #e, #r, #f, #l", "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": to_item(values),
        }
        return plumbing.paginate(self.client, "query", query, _match)
