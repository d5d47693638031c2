"""HTTP: /api/departments."""
from __future__ import annotations

from uuid import UUID

from flask import Blueprint, current_app, jsonify, url_for

import realtime
from request_body import json_body
from validation import validate_department

bp = Blueprint("departments", __name__, url_prefix="/api/departments")


def _db():
    return current_app.extensions["calendar_db"]


@bp.get("")
def list_departments():
    return jsonify(_db().list_departments())


@bp.post("")
def create_department():
    fields = validate_department(json_body())
    department = _db().create_department(fields["name"], fields["description"])
    realtime.department_created(department)
    response = jsonify(department)
    response.status_code = 201
    response.headers["Location"] = url_for(".get_department", department_id=department["id"])
    return response


@bp.get("/<uuid:department_id>")
def get_department(department_id: UUID):
    return jsonify(_db().get_department(str(department_id)))


@bp.delete("/<uuid:department_id>")
def delete_department(department_id: UUID):
    _db().delete_department(str(department_id))
    realtime.department_deleted(str(department_id))
    return "", 204
