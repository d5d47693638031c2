"""HTTP: a department's trash. `GET /api/departments/{id}/trash` lists the events and series deleted
in the last TRASH_DAYS (newest first, paged); `POST .../trash/{event_id}/restore` stores one again
under its id (broadcast like a new event); `DELETE .../trash/{event_id}` removes it for good."""
from __future__ import annotations

from uuid import UUID

from flask import Blueprint, jsonify

import auth
import realtime
from api.paging import page_response, requested_page
from database import get_db

DEFAULT_LIMIT = 50  # entries a page holds without `limit`

bp = Blueprint("trash", __name__, url_prefix="/api/departments")


@bp.get("/<uuid:department_id>/trash")
@auth.requires("editor")
def list_trash(department_id: UUID):
    auth.check_department(str(department_id))
    db = get_db()
    db.departments.check_exists(str(department_id), db.events_table)
    page = requested_page(f"trash|{department_id}", DEFAULT_LIMIT)
    assert page is not None  # a default limit gives a page
    return page_response(page, *db.trash.page(str(department_id), page.limit, page.start_key))


@bp.post("/<uuid:department_id>/trash/<event_id:event_id>/restore")
@auth.requires("editor")
def restore_event(department_id: UUID, event_id: str):
    auth.check_department(str(department_id))
    edit = get_db().trash.restore(str(department_id), event_id, auth.current_principal().actor)
    for event in edit.created:
        realtime.event_created(event)
    response = jsonify(edit.answer)
    response.headers["ETag"] = f'"{edit.answer["version"]}"'
    return response


@bp.delete("/<uuid:department_id>/trash/<event_id:event_id>")
@auth.requires("editor")
def remove_from_trash(department_id: UUID, event_id: str):
    auth.check_department(str(department_id))
    get_db().trash.remove(str(department_id), event_id, auth.current_principal().actor)
    return "", 204
