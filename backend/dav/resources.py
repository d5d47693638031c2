"""Calendar object resources: an event, or a series with its exceptions, as one `<id>.ics`.

A resource is named by its event's (or series') id. Its ETag is the event's version; a series with
exceptions also carries a digest of their ids and versions, so editing one exception changes the
series resource's ETag too. Reads go through DynamoDBDatabase only.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import icalendar

from contract.bodies import EVENT_ID_PATTERN
from dav.ical_events import give_back
from models import DynamoDBDatabase
from rules import recurrence
from rules.feed_calendar import calendar_bytes
from rules.shapes import CALDAV_PROPERTIES, EXCEPTION_DATES

SUFFIX = ".ics"


@dataclass(frozen=True)
class Resource:
    """The stored events of one resource: the event or series first, then its exceptions."""

    events: tuple[dict[str, Any], ...]

    @property
    def main(self) -> dict[str, Any]:
        return self.events[0]

    @property
    def id(self) -> str:
        return self.main["id"]

    @property
    def etag(self) -> str:
        if len(self.events) == 1:
            return f'"{self.main["version"]}"'
        versions = ",".join(f"{e['id']}:{e['version']}" for e in sorted(self.events[1:], key=lambda e: e["id"]))
        return f'"{self.main["version"]}-{hashlib.sha256(versions.encode()).hexdigest()[:12]}"'

    def ics(self, department: dict[str, Any], timezone: str) -> bytes:
        """The resource's calendar object: the feed's VEVENTs, with what a client sent that the
        event's fields cannot hold given back (read through `load`: lists do not carry it)."""
        body = calendar_bytes(department, list(self.events), timezone)
        kept = self.main.get(CALDAV_PROPERTIES)
        if not kept:
            return body
        calendar = icalendar.Calendar.from_ical(body)
        give_back(next(v for v in calendar.walk("VEVENT") if "RECURRENCE-ID" not in v), kept)
        return calendar.to_ical()


def resource_id(name: str) -> str | None:
    """The event id a resource name (`<uuid>.ics`, any case) stands for; None for another name."""
    if not name.endswith(SUFFIX):
        return None
    candidate = name[: -len(SUFFIX)].lower()
    return candidate if re.fullmatch(EVENT_ID_PATTERN, candidate) and "_" not in candidate else None


def owner_id(event_id: str) -> str:
    """The resource an event id belongs to: an exception's (`<series id>_<YYYYMMDD>`) is its series'."""
    return recurrence.split_id(event_id)[0]


def grouped(events: list[dict[str, Any]]) -> dict[str, Resource]:
    """Events as stored (series, exceptions, single events) grouped into resources by id; an
    exception whose series is not among them is left out."""
    mains = {e["id"]: [e] for e in events if not e.get("recurring_event_id")}
    for event in events:
        series_id = event.get("recurring_event_id")
        if series_id in mains:
            mains[series_id].append(event)
    return {rid: Resource(tuple(found)) for rid, found in mains.items()}


def all_resources(db: DynamoDBDatabase, department_id: str, with_data: bool = False) -> dict[str, Resource]:
    """Every resource of the department (one Query of its events as stored); `with_data`: read
    again as `load` reads them, for answers that carry their calendar data."""
    found = grouped(db.list_events(department_id, expand=False))
    return load(db, department_id, list(found)) if with_data and found else found


def load(db: DynamoDBDatabase, department_id: str, ids: list[str]) -> dict[str, Resource]:
    """The resources among `ids` that exist in the department: batch reads of the events, then of
    the series' exceptions."""
    mains = [item for item in db.get_event_items(department_id, list(dict.fromkeys(ids)))
             if not item.get("recurring_event_id")]
    exception_ids = [recurrence.occurrence_id(item["id"], date.fromisoformat(day))
                     for item in mains for day in sorted(item.get(EXCEPTION_DATES) or ())]
    exceptions = db.get_event_items(department_id, exception_ids) if exception_ids else []
    return grouped([*mains, *exceptions])
