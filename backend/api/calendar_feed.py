"""HTTP: /api/departments/<id>/calendar.ics, the department's events as an iCalendar feed that
Outlook, Google Calendar and Apple Calendar subscribe to; `If-None-Match` answers 304.

Calendar apps subscribe to a URL and send no headers, so this is the one route that also takes
its token as `?token=`: a viewer token only (a token with more rights in a URL, which ends up in
bookmarks, proxies and calendar servers, is refused with 403 by `auth`), scoped like any read.
"""
from __future__ import annotations

from uuid import UUID

from flask import Blueprint, Response, current_app, request

import auth
from database import get_db
from rules.feed_calendar import calendar_bytes

bp = Blueprint("calendar_feed", __name__, url_prefix="/api/departments")


@bp.get("/<uuid:department_id>/calendar.ics")
@auth.requires("viewer", query_token=True)
def department_calendar(department_id: UUID):
    auth.check_department(str(department_id))
    db = get_db()
    department = db.get_department(str(department_id))
    body = calendar_bytes(department, db.list_events(str(department_id), expand=False),
                          current_app.config["SETTINGS"].calendar_timezone, authors=True)
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.headers["Cache-Control"] = "no-cache"  # subscribers revalidate with If-None-Match
    response.add_etag()
    return response.make_conditional(request)
