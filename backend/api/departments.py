"""HTTP: /api/departments."""
from __future__ import annotations

from uuid import UUID

from flask import Blueprint, jsonify, url_for

import realtime
from api.idempotency import create_once, idempotent
from api.paging import page_response, requested_page
from api.request_body import json_body
from database import get_db
from validation import validate_department, validate_department_changes

bp = Blueprint("departments", __name__, url_prefix="/api/departments")


@bp.get("")
def list_departments():
    page = requested_page("departments")
    if page is None:
        return jsonify(get_db().list_departments())
    return page_response(page, *get_db().list_departments_page(page.limit, page.start_key))


@bp.post("")
@idempotent
def create_department():
    fields = validate_department(json_body())
    db = get_db()
    department = create_once(
        lambda new_id: db.create_department(fields["name"], fields["description"], department_id=new_id),
        db.get_department,
    )
    realtime.department_created(department)
    response = jsonify(department)
    response.status_code = 201
    response.headers["Location"] = url_for(".get_department", department_id=department["id"])
    return response


@bp.get("/<uuid:department_id>")
def get_department(department_id: UUID):
    return jsonify(get_db().get_department(str(department_id)))


@bp.patch("/<uuid:department_id>")
def update_department(department_id: UUID):
    changes = validate_department_changes(json_body())
    department = get_db().update_department(str(department_id), changes)
    realtime.department_updated(department)
    return jsonify(department)


@bp.delete("/<uuid:department_id>")
def delete_department(department_id: UUID):
    get_db().delete_department(str(department_id))
    realtime.department_deleted(str(department_id))
    return "", 204
