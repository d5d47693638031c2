"""HTTP: GET /api/holidays?from=&to=, the Korean public holidays of a range, for the page's grid."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, jsonify, request

import auth
from errors import ValidationError
from rules.public_holidays import korean_public_holidays
from validation import validate_date_range

bp = Blueprint("public_holidays", __name__, url_prefix="/api")


@bp.get("/holidays")
@auth.requires("viewer")
def list_holidays():
    """The holidays from `from` to `to` (both required, at most a listing's span apart)."""
    start, end = validate_date_range(request.args.get("from"), request.args.get("to"))
    missing = {name: "is required" for name, value in (("from", start), ("to", end)) if not value}
    if missing:
        raise ValidationError("`from` and `to` are required", missing)
    return jsonify(korean_public_holidays(date.fromisoformat(start), date.fromisoformat(end)))
