"""HTTP: /api/company-days, the company days (창립기념일, 전사 휴무) an admin of every department
adds and removes; every open page hears of each change (realtime), and GET /api/holidays serves
them beside the public holidays; calendar.ics offers them as a calendar of their own to subscribe to."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, jsonify, request

import auth
import realtime
from api.request_body import json_body
from database import get_db
from rules.company_day_feed import company_days_calendar
from validation import validate_company_date, validate_company_day

bp = Blueprint("company_days", __name__, url_prefix="/api/company-days")


def _require_admin_of_everything() -> None:
    if not auth.current_principal().administers_everything():
        raise auth.Forbidden("only an admin of every department manages company days")


@bp.post("")
@auth.requires("admin")
def add_company_day():
    """Store the company day (409 when its date has one) and tell every open page."""
    _require_admin_of_everything()
    fields = validate_company_day(json_body())
    day = get_db().company_days.add_day(fields["date"], fields["name"], auth.current_principal().name)
    realtime.company_day_added(day)
    return jsonify(day), 201


@bp.delete("/<day>")
@auth.requires("admin")
def remove_company_day(day: str):
    """Remove the company day of the date (404 when there is none) and tell every open page."""
    _require_admin_of_everything()
    day = validate_company_date(day)
    get_db().company_days.remove_day(day)
    realtime.company_day_removed(day)
    return "", 204


# The feed's years: the last, this and the next one (a subscription shows what is near).
FEED_YEARS_BEFORE, FEED_YEARS_AFTER = 1, 1


@bp.get("/calendar.ics")
@auth.requires("viewer", query_token=True)
def company_days_feed():
    """The company days of the last, this and the next year as an iCalendar feed (`?token=` takes
    a viewer token, as the department feed does); `If-None-Match` answers 304."""
    year = date.today().year
    days = get_db().company_days.list_days(date(year - FEED_YEARS_BEFORE, 1, 1), date(year + FEED_YEARS_AFTER, 12, 31))
    response = Response(company_days_calendar(days), content_type="text/calendar; charset=utf-8")
    response.headers["Cache-Control"] = "no-cache"  # subscribers revalidate with If-None-Match
    response.add_etag()
    return response.make_conditional(request)
