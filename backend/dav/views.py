"""HTTP: the CalDAV routes. Discovery and PROPFIND of the root, principal, home and calendars;
GET, PUT and DELETE of event resources, through the same storage calls, audit and broadcasts as
/api/events. REPORTs are in dav.reports."""
from __future__ import annotations

import re
from typing import cast
from uuid import UUID
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, redirect, request

import auth
import realtime
from api.events import broadcast_edit
from database import get_db
from dav import properties, resources
from dav.ical_events import VALID_OBJECT, InvalidResource, UidConflict, WrittenEvent, changes_from, read_event
from dav.resources import Resource
from dav.series_writes import client_attributes, is_series_write, series_plan
from dav.xml_bodies import (
    CALDAV,
    DAV,
    XML_CONTENT_TYPE,
    error_body,
    multistatus,
    parse,
    requested_properties,
    response,
    status_props,
    updated_properties,
)
from errors import Conflict, Forbidden, NotFound, PreconditionFailed
from rules.shapes import EventFields, PublicDepartment, WrittenAttributes
from schema import utc_now_iso
from validation import validate_event_changes, validate_new_event

bp = Blueprint("dav", __name__)
DAV_CLASSES = "1, 3, calendar-access"
CALENDAR = "/dav/calendars/<uuid:department_id>/"
RESOURCE = CALENDAR + "<string:name>"
MAX_UID = 255
# Methods that would create a calendar: none is served (calendars are the departments).
CREATING = ("MKCALENDAR", "MKCOL")
CALENDAR_METHODS = "OPTIONS, PROPFIND, PROPPATCH, REPORT"


@bp.after_request
def _dav_header(answer: Response) -> Response:
    answer.headers["DAV"] = DAV_CLASSES
    if "Allow" in answer.headers:  # never offered, so clients do not offer to create calendars
        allowed = [m.strip() for m in answer.headers["Allow"].split(",") if m.strip().upper() not in CREATING]
        answer.headers["Allow"] = ", ".join(allowed)
    return answer


# Every WebDAV method a path no other route serves may be sent: these answer it (a rule matching the
# path with another method would otherwise make each a 405).
BEYOND_ROUTES = [*CREATING, "PROPFIND", "PROPPATCH", "REPORT", "GET", "PUT", "DELETE"]


@bp.route("/dav/", methods=list(CREATING), endpoint="mkcalendar_root")
@bp.route("/dav/<path:path>", methods=BEYOND_ROUTES)
@auth.requires("viewer")
def beyond_routes(path: str = ""):
    """MKCALENDAR (RFC 4791 5.3.1) and extended MKCOL (RFC 5689) create no calendar: each calendar
    is a department, which an admin creates over REST. On a calendar that exists, 405
    (DAV:resource-must-be-null); anywhere else, 403 (CALDAV:calendar-collection-location-ok).
    Another method on a calendar that serves no such method is 405; on any other path, 404."""
    found = re.fullmatch(r"calendars/([0-9a-fA-F-]{36})/?", path)
    existing = found is not None and _readable_department(found.group(1))
    if request.method not in CREATING:
        if not existing:
            raise NotFound(f"no resource /dav/{path}")
        answer = Response(status=405)
    elif existing:
        answer = Response(error_body(DAV, "resource-must-be-null", "this calendar exists; calendars are the "
                                     "departments, and none is created over CalDAV"), status=405,
                          content_type=XML_CONTENT_TYPE)
    else:
        return Response(error_body(CALDAV, "calendar-collection-location-ok", "calendars are the departments: an "
                                   "admin adds one with POST /api/departments, and it appears in every calendar app "
                                   "at its next sync; none is created over CalDAV"), status=403,
                        content_type=XML_CONTENT_TYPE)
    answer.headers["Allow"] = CALENDAR_METHODS
    return answer


def _readable_department(department_id: str) -> bool:
    try:
        department_of(UUID(department_id))
    except (ValueError, NotFound, Forbidden):
        return False
    return True


@bp.route("/.well-known/caldav", methods=["GET", "PROPFIND", "OPTIONS"], provide_automatic_options=False)
@bp.route("/", methods=["PROPFIND"], endpoint="site_root")
def well_known():
    """RFC 6764 discovery (and clients given only the site's address): the DAV root."""
    return redirect(properties.ROOT, 301)


def multistatus_response(responses: list, sync_token: str | None = None) -> Response:
    return Response(multistatus(responses, sync_token), status=207, content_type=XML_CONTENT_TYPE)


def _answer(path: str, available: dict) -> Response:
    """A PROPFIND of one resource, Depth 0."""
    return multistatus_response([response(path, *properties.chosen(available, _requested()))])


def _requested() -> list[str] | None:
    return requested_properties(parse(request.get_data()))


def _depth_one() -> bool:
    return request.headers.get("Depth", "infinity").strip() != "0"


@bp.route("/dav/", methods=["PROPFIND"])
@auth.requires("viewer")
def propfind_root():
    return _answer(properties.ROOT, properties.root(auth.current_principal()))


@bp.route("/dav/principal/", methods=["PROPFIND"])
@auth.requires("viewer")
def propfind_principal():
    return _answer(properties.PRINCIPAL, properties.principal_properties(auth.current_principal()))


@bp.route("/dav/calendars/", methods=["PROPFIND"])
@auth.requires("viewer")
def propfind_home():
    principal, requested = auth.current_principal(), _requested()
    answers = [response(properties.HOME, *properties.chosen(properties.home(principal), requested))]
    if _depth_one():
        scope, db = principal.departments, get_db()
        departments = db.list_departments() if scope is None else db.get_departments(scope)
        answers += [response(properties.calendar_path(d["id"]), *properties.chosen(properties.calendar(principal, d),
                                                                                    requested)) for d in departments]
    return multistatus_response(answers)


@bp.route(CALENDAR, methods=["PROPFIND"])
@auth.requires("viewer")
def propfind_calendar(department_id: UUID):
    department, requested = department_of(department_id), _requested()
    available = properties.calendar(auth.current_principal(), department)
    answers = [response(properties.calendar_path(department["id"]), *properties.chosen(available, requested))]
    if _depth_one():
        found = resources.all_resources(get_db(), department["id"])
        answers += [event_response(department, resource, requested) for resource in found.values()]
    return multistatus_response(answers)


def wants_data(requested: list[str] | None) -> bool:
    return requested is not None and properties.CALENDAR_DATA in requested


@bp.route(CALENDAR, methods=["PROPPATCH"])
@auth.requires("viewer")
def proppatch_calendar(department_id: UUID):
    """A calendar's properties are the department's: each one a client sets (iOS: its colour and
    order) is refused inside the 207, so the client keeps its own and nothing fails."""
    department, names = department_of(department_id), updated_properties(parse(request.get_data()))
    return multistatus_response([status_props(properties.calendar_path(department["id"]), names, "403 Forbidden")])


def event_response(department: PublicDepartment, resource: Resource, requested: list[str] | None):
    """The multistatus `response` of an event resource, with its data when asked for."""
    available = properties.event(resource)
    if wants_data(requested):
        available[properties.CALENDAR_DATA] = resource.ics(_timezone()).decode("utf-8")
    return response(properties.event_path(department["id"], resource.name), *properties.chosen(available, requested))


@bp.route(RESOURCE, methods=["PROPFIND"])
@auth.requires("viewer")
def propfind_event(department_id: UUID, name: str):
    department = department_of(department_id)
    return multistatus_response([event_response(department, _resource(department["id"], name), _requested())])


@bp.get(RESOURCE)
@auth.requires("viewer")
def get_event(department_id: UUID, name: str):
    department = department_of(department_id)
    found = _resource(department["id"], name)
    answer = Response(found.ics(_timezone()), content_type="text/calendar; charset=utf-8")
    answer.headers["ETag"] = found.etag
    return answer


@bp.put(RESOURCE)
@auth.requires("editor")
def put_event(department_id: UUID, name: str):
    return _put(str(department_id), name)


def _put(department_id: str, name: str) -> Response:
    auth.check_department(department_id)
    event_id = resources.resource_id(department_id, name)
    if event_id is None:
        raise InvalidResource(VALID_OBJECT, "event resources are named <UUID>.ics or <letters, digits, @._+=->.ics "
                                            f"(up to 200 characters); not {name}")
    written = read_event(request.get_data(), calendar_zone())
    if len(written.uid) > MAX_UID:
        raise InvalidResource(VALID_OBJECT, f"the UID has {len(written.uid)} characters; at most {MAX_UID} are kept")
    current = resources.load(get_db(), department_id, [event_id]).get(event_id)
    _check_preconditions(current)
    if current is None or written.uid != current.uid:
        _check_uid_is_free(department_id, event_id, written.uid)
    if is_series_write(current, written):
        _write_series(department_id, event_id, current, written)
    elif current is None:
        _create(department_id, event_id, written)
    else:
        _update(current, written)
    return Response(status=204 if current else 201)


def _write_series(department_id: str, event_id: str, current: Resource | None, written: WrittenEvent) -> None:
    """The series and its changed occurrences in one transaction, broadcast once written."""
    if current is None:
        _check_id_is_new(event_id)
    actor = auth.current_principal().actor
    plan = series_plan(current, department_id, event_id, written, calendar_zone(), actor, utc_now_iso())
    broadcast_edit(get_db().series.write_at_once(plan, actor, department_id if current is None else None))


def _update(current: Resource, written: WrittenEvent) -> None:
    """The event changed as the PUT's event says, if it says anything new."""
    changes = changes_from(current.main, written.fields, calendar_zone())
    changes = dict(validate_event_changes(changes)) if changes else {}
    for name, value in client_attributes(current.id, written).items():
        if value != cast(dict[str, str], current.main).get(name):
            changes[name] = value  # None removes it
    if changes:
        broadcast_edit(get_db().series.update(current.id, cast(EventFields, changes), None, current.main["version"],
                                              auth.current_principal().actor, auth.check_department))


def _check_id_is_new(event_id: str) -> None:
    """Ids are unique across departments, and clients choose these: one in use is a 412."""
    try:
        get_db().get_event_item(event_id)
    except NotFound:
        return
    raise PreconditionFailed(f"an event with id {event_id} already exists")


def _create(department_id: str, event_id: str, written: WrittenEvent) -> None:
    _check_id_is_new(event_id)
    try:
        event = get_db().create_event(department_id, validate_new_event(written.fields), event_id=event_id,
                                      actor=auth.current_principal().actor,
                                      attributes=cast(WrittenAttributes, {
                                          k: v for k, v in client_attributes(event_id, written).items() if v}))
    except Conflict as exc:  # another PUT created it meanwhile, or it was deleted (its tombstone holds the id)
        raise PreconditionFailed(str(exc)) from None
    realtime.event_created(dict(event))


def _check_uid_is_free(department_id: str, event_id: str, uid: str) -> None:
    """RFC 4791 5.3.2.1 CALDAV:no-uid-conflict: a UID another resource of the calendar holds is
    refused (409), naming that resource."""
    holder = resources.uid_holder(get_db(), department_id, uid, event_id)
    if holder is not None:
        raise UidConflict(properties.event_path(department_id, holder.name))


def _check_preconditions(current: Resource | None) -> None:
    """If-None-Match: * on an existing resource, and If-Match naming another ETag (or none), fail."""
    if current is not None and request.headers.get("If-None-Match", "").strip() == "*":
        raise PreconditionFailed("the resource exists (If-None-Match: *)")
    expected = request.headers.get("If-Match")
    if expected is not None and expected.strip() != "*" and (current is None or expected.strip() != current.etag):
        raise PreconditionFailed("the resource is not at the ETag of If-Match")
    if expected is not None and current is None:
        raise PreconditionFailed("the resource does not exist (If-Match)")


@bp.delete(RESOURCE)
@auth.requires("editor")
def delete_event(department_id: UUID, name: str):
    auth.check_department(str(department_id))
    current = _resource(str(department_id), name)
    _check_preconditions(current)
    edit = get_db().series.delete(current.id, None, current.main["version"], auth.current_principal().actor,
                                  auth.check_department)
    broadcast_edit(edit)
    return Response(status=204)


def department_of(department_id: UUID) -> PublicDepartment:
    auth.check_department(str(department_id))
    return get_db().get_department(str(department_id))


def _event_id(department_id: str, name: str) -> str:
    event_id = resources.resource_id(department_id, name)
    if event_id is None:
        raise NotFound(f"no resource {name}")
    return event_id


def _resource(department_id: str, name: str) -> Resource:
    found = resources.load(get_db(), department_id, [_event_id(department_id, name)])
    if not found:
        raise NotFound(f"no resource {name}")
    return next(iter(found.values()))


def _timezone() -> str:
    return current_app.config["SETTINGS"].calendar_timezone


def calendar_zone() -> ZoneInfo:
    return ZoneInfo(_timezone())
