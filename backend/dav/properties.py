"""The WebDAV/CalDAV properties of each kind of resource, and the URLs they name.

`/dav/` (root) -> `/dav/principal/` (who asks) -> `/dav/calendars/` (the calendar home) ->
`/dav/calendars/<department id>/` (one calendar per department) -> `<event id>.ics`.
Each function returns {property name: value}; xml_bodies writes them, and a property a client
asks for that is not there is a 404 inside the multistatus.
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree as ET

from auth.principal import Principal
from dav.resources import SUFFIX, Resource
from dav.xml_bodies import CALDAV, CALENDARSERVER, DAV, element, href, qname
from rules import sync_tokens
from rules.shapes import PublicDepartment

ROOT = "/dav/"
PRINCIPAL = "/dav/principal/"
HOME = "/dav/calendars/"
# DAV:sync-token must be a URI: our catch-up sync token behind a fixed prefix.
SYNC_TOKEN_PREFIX = "urn:x-department-calendar:sync:"
EVENT_CONTENT_TYPE = "text/calendar; charset=utf-8; component=vevent"
CALENDAR_DATA = qname(CALDAV, "calendar-data")
REPORTS = ((CALDAV, "calendar-multiget"), (CALDAV, "calendar-query"), (DAV, "sync-collection"))


def calendar_path(department_id: str) -> str:
    return f"{HOME}{department_id}/"


def event_path(department_id: str, name: str) -> str:
    """The path of an event resource named `name` (its id, in the case the client wrote it)."""
    return f"{calendar_path(department_id)}{name}{SUFFIX}"


def sync_token(department_id: str, moment: datetime | None = None) -> str:
    return SYNC_TOKEN_PREFIX + sync_tokens.new_token(department_id, moment or datetime.now(UTC))


def _privileges(principal: Principal) -> list[ET.Element]:
    names = ["read", "read-current-user-privilege-set"]
    if principal.allows("editor"):
        names += ["write", "write-content", "bind", "unbind"]
    return [element(qname(DAV, "privilege"), children=[ET.Element(qname(DAV, name))]) for name in names]


def _common(principal: Principal) -> dict[str, Any]:
    return {qname(DAV, "current-user-principal"): href(PRINCIPAL),
            qname(DAV, "current-user-privilege-set"): _privileges(principal)}


def root(principal: Principal) -> dict[str, Any]:
    return {qname(DAV, "resourcetype"): ET.Element(qname(DAV, "collection")), **_common(principal)}


def principal_properties(principal: Principal) -> dict[str, Any]:
    return {
        qname(DAV, "resourcetype"): ET.Element(qname(DAV, "principal")),
        qname(DAV, "displayname"): principal.name,
        qname(DAV, "principal-URL"): href(PRINCIPAL),
        qname(CALDAV, "calendar-home-set"): href(HOME),
        **_common(principal),
    }


def home(principal: Principal) -> dict[str, Any]:
    return {qname(DAV, "resourcetype"): ET.Element(qname(DAV, "collection")),
            qname(DAV, "displayname"): principal.name, **_common(principal)}


def calendar(principal: Principal, department: PublicDepartment) -> dict[str, Any]:
    token = sync_token(department["id"])
    reports = [element(qname(DAV, "supported-report"), children=[
        element(qname(DAV, "report"), children=[ET.Element(qname(ns, name))])]) for ns, name in REPORTS]
    return {
        qname(DAV, "resourcetype"): [ET.Element(qname(DAV, "collection")), ET.Element(qname(CALDAV, "calendar"))],
        qname(DAV, "displayname"): department["name"],
        qname(CALDAV, "calendar-description"): department.get("description") or "",
        qname(CALDAV, "supported-calendar-component-set"): ET.Element(qname(CALDAV, "comp"), name="VEVENT"),
        qname(CALDAV, "supported-calendar-data"): ET.Element(qname(CALDAV, "calendar-data"),
                                                             {"content-type": "text/calendar", "version": "2.0"}),
        qname(CALENDARSERVER, "getctag"): token,
        qname(DAV, "sync-token"): token,
        qname(DAV, "supported-report-set"): reports,
        qname(DAV, "owner"): href(PRINCIPAL),
        **_common(principal),
    }


def event(resource: Resource) -> dict[str, Any]:
    """An event resource's properties without its data (calendar-data is added where asked for)."""
    return {qname(DAV, "getetag"): resource.etag, qname(DAV, "getcontenttype"): EVENT_CONTENT_TYPE,
            qname(DAV, "resourcetype"): []}


def chosen(available: dict[str, Any], requested: list[str] | None) -> tuple[dict[str, Any], list[str]]:
    """(found, missing) of the requested names; every available one for allprop (None)."""
    if requested is None:
        return available, []
    return ({name: available[name] for name in requested if name in available},
            [name for name in requested if name not in available])
