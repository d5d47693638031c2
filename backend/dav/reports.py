"""HTTP: the REPORTs of a calendar: calendar-multiget, calendar-query (time range) and
sync-collection (RFC 6578), the last built on catch-up sync (`changed_since`'s one Query of the
department's changes, tombstones included)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, current_app, request

import auth
from database import get_db
from dav import properties, resources
from dav.views import CALENDAR, calendar_zone, department_of, event_response, multistatus_response
from dav.xml_bodies import CALDAV, DAV, XML_CONTENT_TYPE, BadXml, error_body, parse, qname, requested_properties
from dav.xml_bodies import status_response as gone
from errors import SyncTokenExpired, ValidationError
from rules import sync_tokens
from rules.date_range import MAX_LIST_DAYS
from rules.shapes import PublicDepartment, PublicEvent

NOT_FOUND = "404 Not Found"
# A time range longer than this (an open end is one) is answered with every resource, a superset,
# rather than with a month-list Query per MAX_LIST_DAYS: the work stays bounded.
MAX_QUERY_SPANS = 3


def register(bp: Blueprint) -> None:
    bp.add_url_rule(CALENDAR, "report", auth.requires("viewer")(report), methods=["REPORT"])


def report(department_id: UUID):
    department = department_of(department_id)
    root = parse(request.get_data())
    if root is None:
        raise BadXml("a REPORT needs a body")
    requested = requested_properties(root)
    if root.tag == qname(CALDAV, "calendar-multiget"):
        return _multiget(department, root, requested)
    if root.tag == qname(CALDAV, "calendar-query"):
        return _query(department, root, requested)
    if root.tag == qname(DAV, "sync-collection"):
        return _sync(department, root, requested)
    return Response(error_body(DAV, "supported-report", f"this calendar does not answer the report {root.tag}"),
                    status=403, content_type=XML_CONTENT_TYPE)


def _multiget(department: PublicDepartment, root: ET.Element, requested: list[str] | None) -> Response:
    paths = [found.text.strip() for found in root.iter(qname(DAV, "href")) if found.text]
    ids = {path: resources.resource_id(department["id"], path.rstrip("/").rsplit("/", 1)[-1]) for path in paths}
    found = resources.load(get_db(), department["id"], [i for i in ids.values() if i])
    answers = []
    for path in paths:
        event_id = ids[path]
        answers.append(event_response(department, found[event_id], requested) if event_id in found
                       else gone(path, NOT_FOUND))
    return multistatus_response(answers)


def _query(department: PublicDepartment, root: ET.Element, requested: list[str] | None) -> Response:
    """The resources with an occurrence in the time range (every one without a range); none for a
    query of another component than VEVENT."""
    db, department_id = get_db(), department["id"]
    if not _asks_for_events(root):
        return multistatus_response([])
    window = _time_range(root)
    if window is None or _days(*window) > MAX_QUERY_SPANS * MAX_LIST_DAYS:
        chosen = resources.all_resources(db, department_id)
    else:
        ids = [event.get("recurring_event_id") or event["id"] for event in _occurrences(department_id, *window)]
        chosen = resources.load(db, department_id, ids)
    return multistatus_response([event_response(department, found, requested) for found in chosen.values()])


def _asks_for_events(root: ET.Element) -> bool:
    """Whether the query's filter may match an event: it names no component inside VCALENDAR, or
    VEVENT (a query for tasks or journals finds nothing here)."""
    calendar = root.find(f"{qname(CALDAV, 'filter')}/{qname(CALDAV, 'comp-filter')}[@name='VCALENDAR']")
    if calendar is None:
        return True
    names = {found.get("name", "").upper() for found in calendar.findall(qname(CALDAV, "comp-filter"))}
    return not names or "VEVENT" in names


def _time_range(root: ET.Element) -> tuple[str, str] | None:
    """The days (YYYY-MM-DD, in the calendar's zone) of the query's time-range, None without one."""
    found = root.find(f".//{qname(CALDAV, 'time-range')}")
    if found is None:
        return None
    zone = calendar_zone()
    try:
        start = _moment(found.get("start"), datetime(1970, 1, 1, tzinfo=UTC)).astimezone(zone).date()
        end = _moment(found.get("end"), datetime(9999, 12, 30, tzinfo=UTC)).astimezone(zone).date()
    except ValueError:
        raise BadXml("time-range start and end must be UTC date-times such as 20240101T000000Z") from None
    return start.isoformat(), max(start, end).isoformat()


def _days(start: str, end: str) -> int:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).days


def _moment(value: str | None, default: datetime) -> datetime:
    return default if value is None else datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def _occurrences(department_id: str, start: str, end: str) -> list[PublicEvent]:
    """The department's events and occurrences from `start` to `end`, read in spans the list allows."""
    db, first = get_db(), datetime.fromisoformat(start)
    found: list[PublicEvent] = []
    last = datetime.fromisoformat(end)
    while first <= last:
        through = min(first + timedelta(days=MAX_LIST_DAYS - 1), last)
        found += db.list_events(department_id, first.date().isoformat(), through.date().isoformat(), True)
        first = through + timedelta(days=1)
    return found


def _sync(department: PublicDepartment, root: ET.Element, requested: list[str] | None) -> Response:
    """Everything for an empty token; else what changed since it, deletions as 404 entries."""
    db, department_id, started = get_db(), department["id"], datetime.now(UTC)
    sent = (root.findtext(qname(DAV, "sync-token")) or "").strip()
    if not sent:
        changed, deleted = resources.all_resources(db, department_id), list[str]()
    else:
        changed, deleted = _changes(department_id, sent)
    answers = [event_response(department, found, requested) for found in changed.values()]
    # A deleted event's UID is gone with it: its name in either case (iOS writes UUIDs in upper case).
    answers += [gone(properties.event_path(department_id, name), NOT_FOUND) for event_id in deleted
                for name in dict.fromkeys((event_id, event_id.upper()))]
    return multistatus_response(answers, properties.sync_token(department_id, started))


def _changes(department_id: str, sent: str) -> tuple[dict[str, resources.Resource], list[str]]:
    """The resources changed since the token, and the ids of those deleted; a token we did not issue
    for this calendar, or one past the tombstones' retention, is refused (DAV:valid-sync-token)."""
    try:
        if not sent.startswith(properties.SYNC_TOKEN_PREFIX):
            raise ValidationError("not a sync token of this service")
        since = sync_tokens.window_start(sent.removeprefix(properties.SYNC_TOKEN_PREFIX), department_id,
                                         current_app.config["SETTINGS"], datetime.now(UTC))
    except (ValidationError, SyncTokenExpired) as exc:
        raise InvalidSyncToken(str(exc)) from None
    touched = {resources.owner_id(change["id"]) for change in get_db().event_changes(department_id, since)}
    found = resources.load(get_db(), department_id, sorted(touched))
    return found, sorted(touched - set(found))


class InvalidSyncToken(Exception):
    """A sync-collection token we never issued for this calendar, or an expired one (403)."""


def invalid_sync_token(exc: InvalidSyncToken) -> Response:
    return Response(error_body(DAV, "valid-sync-token", str(exc)), status=403, content_type=XML_CONTENT_TYPE)
