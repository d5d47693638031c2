"""HTTP: /api/events. Updates and deletes honour `If-Match: "<version>"`, and `scope` for series."""
from __future__ import annotations

import re
from uuid import UUID

from flask import Blueprint, jsonify, request, url_for
from werkzeug.routing import BaseConverter

import auth
import realtime
from api import changes
from api.idempotency import create_once, idempotent
from api.paging import after_key, next_after, page_response, requested_page
from api.request_body import json_body
from database import get_db
from rules.series_scope import Edit
from validation import (
    ValidationError,
    validate_date_range,
    validate_event_changes,
    validate_expand,
    validate_new_event,
    validate_scope,
)

# ASCII digits only (str.isdigit() also takes "²"), and few enough for any real version.
VERSION_TAG = re.compile(r"[0-9]{1,15}")

bp = Blueprint("events", __name__, url_prefix="/api/events")


class EventIdConverter(BaseConverter):
    """`<event_id:...>`: an event's UUID, or an occurrence's `<series id>_<YYYYMMDD>` (lower-case hex)."""

    regex = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?:_[0-9]{8})?"

    def to_python(self, value: str) -> str:
        return value.lower()


def _expected_version() -> int | None:
    """The version named by If-Match (`"3"`, `3` or `W/"3"`), None without the header."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    tag = header.strip().removeprefix("W/").strip('"')
    if not VERSION_TAG.fullmatch(tag):
        raise ValidationError('If-Match must be the event version as an ETag, e.g. "3"')
    return int(tag)


def _event_response(event: dict, status: int = 200):
    response = jsonify(event)
    response.status_code = status
    response.headers["ETag"] = f'"{event["version"]}"'
    return response


@bp.get("/<uuid:department_id>")
@auth.requires("viewer")
@changes.issues_sync_token
def list_events(department_id: UUID):
    auth.check_department(str(department_id))
    if changes.wants_changes():
        if "limit" in request.args or "cursor" in request.args:
            raise ValidationError("`changed_since` answers every change at once: it takes no `limit` or `cursor`",
                                  {"changed_since": "without limit or cursor"})
        return jsonify(changes.changed_events(str(department_id)))
    start, end = validate_date_range(request.args.get("from"), request.args.get("to"))
    expand = validate_expand(request.args.get("expand"))
    # Pages of a range with both ends list occurrences, each series expanded only as far as the
    # page reaches; other pages follow department-date-index and carry what is stored.
    expanded_pages = expand and start is not None and end is not None
    page = requested_page(f"events|{department_id}|{start or ''}|{end or ''}" + ("|expanded" if expanded_pages else ""))
    if page is None:
        return jsonify(get_db().list_events(str(department_id), start, end, expand))
    if expanded_pages:
        events, last = get_db().list_events_after(str(department_id), start, end, True, after_key(page), page.limit)
        return page_response(page, events, None if last is None else next_after(last))
    events, next_key = get_db().list_events_page(str(department_id), start, end, page.limit, page.start_key)
    return page_response(page, events, next_key)


@bp.get("/<uuid:department_id>/<event_id:event_id>")
@auth.requires("viewer")
def get_event(department_id: UUID, event_id: str):
    auth.check_department(str(department_id))
    return _event_response(get_db().series.get(str(department_id), event_id))


@bp.post("/<uuid:department_id>")
@auth.requires("editor")
@idempotent
def create_event(department_id: UUID):
    auth.check_department(str(department_id))
    fields = validate_new_event(json_body())
    db, department, actor = get_db(), str(department_id), auth.current_principal().actor
    event = create_once(lambda new_id: db.create_event(department, fields, event_id=new_id, actor=actor),
                        lambda found_id: db.get_department_event(department, found_id))
    realtime.event_created(event)
    response = _event_response(event, 201)
    response.headers["Location"] = url_for(".get_event", department_id=event["department_id"], event_id=event["id"])
    return response


@bp.put("/<event_id:event_id>")
@auth.requires("editor")
def update_event(event_id: str):
    changes = validate_event_changes(json_body())
    with auth.events_outside_scope_hidden(event_id) as check_department:
        edit = get_db().series.update(event_id, changes, validate_scope(request.args.get("scope")),
                                   _expected_version(), auth.current_principal().actor, check_department)
    broadcast_edit(edit)
    return _event_response(edit.answer)


@bp.delete("/<event_id:event_id>")
@auth.requires("editor")
def delete_event(event_id: str):
    with auth.events_outside_scope_hidden(event_id) as check_department:
        edit = get_db().series.delete(event_id, validate_scope(request.args.get("scope")),
                                   _expected_version(), auth.current_principal().actor, check_department)
    broadcast_edit(edit)
    return "", 204


def broadcast_edit(edit: Edit) -> None:
    """What the write changed, so a live page redraws it: a series' occurrences follow the series."""
    for event in edit.created:
        realtime.event_created(event)
    for event in edit.updated:
        realtime.event_updated(event)
    for event in edit.deleted:
        realtime.event_deleted(event)
