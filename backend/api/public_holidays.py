"""HTTP: GET /api/holidays?from=&to=, the Korean public holidays and the company days of a range,
for the page's grid."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, jsonify, request

import auth
from database import get_db
from errors import ValidationError
from rules.public_holidays import korean_public_holidays
from validation import validate_date_range

bp = Blueprint("public_holidays", __name__, url_prefix="/api")


@bp.get("/holidays")
@auth.requires("viewer")
def list_holidays():
    """The public holidays and company days from `from` to `to` (both required, at most a listing's
    span apart), by date, a day's public holiday before its company day."""
    start, end = validate_date_range(request.args.get("from"), request.args.get("to"))
    missing = {name: "is required" for name, value in (("from", start), ("to", end)) if not value}
    if missing:
        raise ValidationError("`from` and `to` are required", missing)
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    company = [{"date": day["date"], "name": day["name"], "kind": day["kind"]}
               for day in get_db().company_days.list_days(first, last)]
    return jsonify(sorted(korean_public_holidays(first, last) + company, key=lambda day: day["date"]))
