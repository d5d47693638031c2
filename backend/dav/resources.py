"""Calendar object resources: an event, or a series with its exceptions, as one `<id>.ics`.

A resource is named by its event's (or series') id. Its ETag is the event's version; a series with
exceptions also carries a digest of their ids and versions, so editing one exception changes the
series resource's ETag too. Reads go through DynamoDBDatabase only.
"""
from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import date
from typing import cast

import icalendar

from contract.bodies import EVENT_ID_PATTERN
from dav.ical_events import give_back
from models import DynamoDBDatabase
from rules import recurrence
from rules.feed_calendar import calendar_bytes
from rules.shapes import CALDAV_PROPERTIES, CALDAV_UID, EXCEPTION_DATES, PublicDepartment, PublicEvent, StoredEvent

SUFFIX = ".ics"
# Resource names that are no UUID, and the namespace of the event ids derived from them.
OTHER_NAME = re.compile(r"[A-Za-z0-9@._+=-]{1,200}")
NAMES = uuid.UUID("6f0d7c2e-4a53-5a4e-9d0b-3c1f2a7e8b90")
# What the feed says of the department and of subscribing, not of an event.
FEED_ONLY = ("UID", "NAME", "X-WR-CALNAME", "DESCRIPTION", "X-WR-CALDESC", "REFRESH-INTERVAL", "X-PUBLISHED-TTL")


@dataclass(frozen=True)
class Resource:
    """The stored events of one resource: the event or series first, then its exceptions."""

    events: tuple[StoredEvent, ...]

    @property
    def main(self) -> StoredEvent:
        return self.events[0]

    @property
    def id(self) -> str:
        return self.main["id"]

    @property
    def uid(self) -> str:
        """The UID as the client wrote it, else the id."""
        return cast(dict[str, str], self.main).get(CALDAV_UID) or self.id

    @property
    def name(self) -> str:
        """The resource's name without `.ics`: the UID as the client wrote it when the name stands
        for this event's id (the client named it after its UID), else the id."""
        return self.uid if resource_id(self.main["department_id"], self.uid + SUFFIX) == self.id else self.id

    @property
    def etag(self) -> str:
        if len(self.events) == 1:
            return f'"{self.main["version"]}"'
        versions = ",".join(f"{e['id']}:{e['version']}" for e in sorted(self.events[1:], key=lambda e: e["id"]))
        return f'"{self.main["version"]}-{hashlib.sha256(versions.encode()).hexdigest()[:12]}"'

    def ics(self, timezone: str) -> bytes:
        """The resource's calendar object: the feed's VEVENTs and VTIMEZONE, without the feed's
        properties of the department (its name may change, the resource's ETag does not), with what
        a client sent that the event's fields cannot hold given back (read through `load`)."""
        calendar = icalendar.Calendar.from_ical(
            calendar_bytes(cast(PublicDepartment, {"id": self.main["department_id"], "name": ""}),
                           cast(list[PublicEvent], list(self.events)), timezone))
        for name in FEED_ONLY:
            calendar.pop(name, None)
        kept = self.main.get(CALDAV_PROPERTIES)
        for vevent in calendar.walk("VEVENT"):
            vevent["UID"] = self.uid
            if kept and "RECURRENCE-ID" not in vevent:
                give_back(vevent, kept)
        return calendar.to_ical()


def resource_id(department_id: str, name: str) -> str | None:
    """The event id a resource name stands for: `<uuid>.ics` (any case) that UUID; another
    `<name>.ics` of OTHER_NAME (Evolution names resources by non-UUID UIDs) a UUID derived from the
    department and the name. None for a name that is neither."""
    if not name.endswith(SUFFIX):
        return None
    stem = name[: -len(SUFFIX)]
    if re.fullmatch(EVENT_ID_PATTERN, stem.lower()) and "_" not in stem:
        return stem.lower()
    return str(uuid.uuid5(NAMES, f"{department_id}/{stem}")) if OTHER_NAME.fullmatch(stem) else None


def owner_id(event_id: str) -> str:
    """The resource an event id belongs to: an exception's (`<series id>_<YYYYMMDD>`) is its series'."""
    return recurrence.split_id(event_id)[0]


def grouped(events: list[StoredEvent]) -> dict[str, Resource]:
    """Events as stored (series, exceptions, single events) grouped into resources by id; an
    exception whose series is not among them is left out."""
    mains = {e["id"]: [e] for e in events if not e.get("recurring_event_id")}
    for event in events:
        series_id = event.get("recurring_event_id")
        if series_id in mains:
            mains[series_id].append(event)
    return {rid: Resource(tuple(found)) for rid, found in mains.items()}


def all_resources(db: DynamoDBDatabase, department_id: str) -> dict[str, Resource]:
    """Every resource of the department: one Query of its events as stored, then their items read
    as `load` reads them (a list does not carry the client's UID nor what it sent beyond our fields)."""
    ids = [event["id"] for event in db.list_events(department_id, expand=False) if not event.get("recurring_event_id")]
    return load(db, department_id, ids) if ids else {}


def load(db: DynamoDBDatabase, department_id: str, ids: list[str]) -> dict[str, Resource]:
    """The resources among `ids` that exist in the department: batch reads of the events, then of
    the series' exceptions."""
    mains = [item for item in db.get_event_items(department_id, list(dict.fromkeys(ids)))
             if not item.get("recurring_event_id")]
    exception_ids = [recurrence.occurrence_id(item["id"], date.fromisoformat(day))
                     for item in mains for day in sorted(item.get(EXCEPTION_DATES) or ())]
    exceptions = db.get_event_items(department_id, exception_ids) if exception_ids else []
    return grouped([*mains, *exceptions])


def uid_holder(db: DynamoDBDatabase, department_id: str, uid: str, event_id: str) -> Resource | None:
    """Another resource of the department holding `uid` (a resource other than `event_id`'s): the
    one a name after the UID stands for, else one whose client wrote that UID (one filtered Query)."""
    named = resource_id(department_id, uid + SUFFIX)
    ids = {named} if named is not None else set()
    ids |= db.events.department_ids_with_uid(department_id, uid)
    found = load(db, department_id, sorted({owner_id(i) for i in ids} - {event_id}))
    return next((r for r in found.values() if r.uid.casefold() == uid.casefold()), None)
