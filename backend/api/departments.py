"""HTTP: /api/departments. A token limited to departments sees only those."""
from __future__ import annotations

from uuid import UUID

from flask import Blueprint, jsonify, url_for

import auth
import realtime
from api.request_body import json_body
from database import get_db
from validation import validate_department

bp = Blueprint("departments", __name__, url_prefix="/api/departments")


@bp.get("")
@auth.requires("viewer")
def list_departments():
    principal = auth.current_principal()
    return jsonify([d for d in get_db().list_departments() if principal.can_see(d["id"])])


@bp.post("")
@auth.requires("admin")
def create_department():
    if auth.current_principal().departments is not None:
        raise auth.Forbidden("a token limited to departments cannot create departments")
    fields = validate_department(json_body())
    department = get_db().create_department(fields["name"], fields["description"],
                                            actor=auth.current_principal().name)
    realtime.department_created(department)
    response = jsonify(department)
    response.status_code = 201
    response.headers["Location"] = url_for(".get_department", department_id=department["id"])
    return response


@bp.get("/<uuid:department_id>")
@auth.requires("viewer")
def get_department(department_id: UUID):
    auth.check_department(str(department_id))
    return jsonify(get_db().get_department(str(department_id)))


@bp.delete("/<uuid:department_id>")
@auth.requires("admin")
def delete_department(department_id: UUID):
    auth.check_department(str(department_id))
    get_db().delete_department(str(department_id))
    realtime.department_deleted(str(department_id))
    return "", 204
