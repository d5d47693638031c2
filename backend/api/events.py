"""HTTP: /api/events. Updates and deletes honour `If-Match: "<version>"`."""
from __future__ import annotations

import re
from uuid import UUID

from flask import Blueprint, jsonify, request

import realtime
from api import changes
from api.request_body import json_body
from database import get_db
from validation import ValidationError, validate_date_range, validate_event_changes, validate_new_event

# ASCII digits only (str.isdigit() also takes "²"), and few enough for any real version.
VERSION_TAG = re.compile(r"[0-9]{1,15}")

bp = Blueprint("events", __name__, url_prefix="/api/events")


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
@changes.issues_sync_token
def list_events(department_id: UUID):
    if changes.wants_changes():
        return jsonify(changes.changed_events(str(department_id)))
    start, end = validate_date_range(request.args.get("from"), request.args.get("to"))
    return jsonify(get_db().list_events(str(department_id), start, end))


@bp.post("/<uuid:department_id>")
def create_event(department_id: UUID):
    fields = validate_new_event(json_body())
    event = get_db().create_event(str(department_id), fields)
    realtime.event_created(event)
    return _event_response(event, 201)


@bp.put("/<uuid:event_id>")
def update_event(event_id: UUID):
    changes = validate_event_changes(json_body())
    event = get_db().update_event(str(event_id), changes, _expected_version())
    realtime.event_updated(event)
    return _event_response(event)


@bp.delete("/<uuid:event_id>")
def delete_event(event_id: UUID):
    event = get_db().delete_event(str(event_id), _expected_version())
    realtime.event_deleted(event)
    return "", 204
