"""HTTP: /api/departments/<id>/calendar.ics, the department's events as an iCalendar feed that
Outlook, Google Calendar and Apple Calendar subscribe to; `If-None-Match` answers 304."""
from __future__ import annotations

from uuid import UUID

from flask import Blueprint, Response, current_app, request

from database import get_db
from ical_feed import calendar_bytes

bp = Blueprint("calendar_feed", __name__, url_prefix="/api/departments")


@bp.get("/<uuid:department_id>/calendar.ics")
def department_calendar(department_id: UUID):
    db = get_db()
    department = db.get_department(str(department_id))
    body = calendar_bytes(department, db.list_events(str(department_id)),
                          current_app.config["SETTINGS"].calendar_timezone)
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.headers["Cache-Control"] = "no-cache"  # subscribers revalidate with If-None-Match
    response.add_etag()
    return response.make_conditional(request)
