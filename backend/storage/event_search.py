"""Search over the events table: every live event item holds SEARCH_TEXT (its title, description
and time folded by rules/search_text.py, written with the item itself, so in the same write), and a
search is one Query of department-date-index per department, DynamoDB keeping the items whose text
holds every word (`contains`) and sending back only the keys and days of those. Never a Scan:
that is left to `fill_missing`, which gives events stored before search existed their text.

What it costs and why it is built this way: DYNAMODB_SETUP.md ("검색").
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date

from botocore.exceptions import ClientError

from rules.search_order import Match
from rules.search_text import SEARCHED_FIELDS, searchable_text
from rules.shapes import LAST_DATE, SEARCH_TEXT
from schema import DEPARTMENT_DATE_INDEX, TOMBSTONE_MARKER, VERSION_MATCHES
from storage import plumbing
from storage.client import error_code
from storage.items import from_item, to_item
from storage.wire import PlainItem, QueryInput, WireItem

log = logging.getLogger(__name__)

_MATCH_NAMES = {"#d": "department_id", "#i": "id", "#f": "event_date", "#l": LAST_DATE,
                "#s": "recurring_event_id", "#t": SEARCH_TEXT}


def _match(wire: WireItem) -> Match:
    item = from_item(wire)
    first = str(item["event_date"])
    return Match(str(item["department_id"]), str(item["id"]), str(item.get("recurring_event_id") or item["id"]),
                 date.fromisoformat(first), date.fromisoformat(str(item.get(LAST_DATE) or first)))


class EventSearch:
    """The search text of the events table's items, on a shared client."""

    def __init__(self, table: str, client):
        self.table = table
        self.client = client

    def matching(self, department_id: str, words: list[str], starting_by: str | None = None) -> Iterator[Match]:
        """The department's live events (a series and its exceptions each) whose search text holds
        every word (and that start on or before `starting_by`, when given): one Query, every page,
        only the keys and days read back."""
        values = {":d": department_id, **{f":w{i}": w for i, w in enumerate(words)}}
        if starting_by is not None:
            values[":by"] = starting_by
        query: QueryInput = {
            "TableName": self.table, "IndexName": DEPARTMENT_DATE_INDEX,
            "KeyConditionExpression": "#d = :d" + (" AND #f <= :by" if starting_by is not None else ""),
            "FilterExpression": " AND ".join(f"contains(#t, :w{i})" for i in range(len(words))),
            "ProjectionExpression": "#d, #i, #f, #l, #s", "ExpressionAttributeNames": _MATCH_NAMES,
            "ExpressionAttributeValues": to_item(values),
        }
        return plumbing.paginate(self.client, "query", query, _match)

    def fill_missing(self) -> int:
        """Give every live event without a search text (stored before search existed) its text:
        a Scan, then an UpdateItem each, only while the event is at the version read (a change
        since wrote the text itself). Returns how many it filled; running it again fills none."""
        names = {"#t": SEARCH_TEXT, "#deleted": TOMBSTONE_MARKER, "#id": "id", "#d": "department_id",
                 "#version": "version", **{f"#f{i}": f for i, f in enumerate(SEARCHED_FIELDS)}}
        scan: QueryInput = {
            "TableName": self.table, "FilterExpression": "attribute_not_exists(#t) AND attribute_not_exists(#deleted)",
            "ProjectionExpression": ", ".join(["#id", "#d", "#version", *(f"#f{i}" for i in range(len(SEARCHED_FIELDS)))]),
            "ExpressionAttributeNames": names,
        }
        filled = 0
        for item in plumbing.paginate(self.client, "scan", scan, from_item):
            if (text := searchable_text(item.get(f) for f in SEARCHED_FIELDS)) and self._fill(item, text):
                filled += 1
        if filled:
            log.info("search text given to %d events stored before search", filled)
        return filled

    def _fill(self, item: PlainItem, text: str) -> bool:
        try:
            self.client.update_item(
                TableName=self.table, Key=to_item({"id": item["id"], "department_id": item["department_id"]}),
                UpdateExpression="SET #t = :text", ConditionExpression=VERSION_MATCHES.expression,
                ExpressionAttributeNames={"#t": SEARCH_TEXT, **VERSION_MATCHES.names},
                ExpressionAttributeValues=to_item({":text": text, ":expected": item["version"]}),
            )
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            return False
        return True
