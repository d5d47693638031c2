"""HTTP: an event's history, `GET /api/events/{department_id}/{event_id}/history`: each change
(who, when, the fields before and after), newest first, read like the event itself."""
from __future__ import annotations

from uuid import UUID

from flask import Blueprint

import auth
from api.paging import page_response, requested_page
from database import get_db

DEFAULT_LIMIT = 50  # entries a page holds without `limit`

bp = Blueprint("history", __name__, url_prefix="/api/events")


@bp.get("/<uuid:department_id>/<event_id:event_id>/history")
@auth.requires("viewer")
def event_history(department_id: UUID, event_id: str):
    auth.check_department(str(department_id))
    db = get_db()
    db.departments.check_exists(str(department_id), db.events_table)
    page = requested_page(f"history|{department_id}|{event_id}", DEFAULT_LIMIT)
    assert page is not None  # a default limit gives a page
    return page_response(page, *db.history.page(str(department_id), event_id, page.limit, page.start_key))
