"""HTTP: /api/departments. A token limited to departments sees only those."""
from __future__ import annotations

import hashlib
from uuid import UUID

from flask import Blueprint, jsonify, url_for

import auth
import realtime
from api.idempotency import create_once, idempotent
from api.paging import page_response, requested_page
from api.request_body import json_body
from database import get_db
from validation import validate_department, validate_department_changes

bp = Blueprint("departments", __name__, url_prefix="/api/departments")


@bp.get("")
@auth.requires("viewer")
def list_departments():
    scope, db = auth.current_principal().departments, get_db()
    page = requested_page(_listing(scope))
    if scope is not None:  # a token limited to departments reads only those
        if page is None:
            return jsonify(db.get_departments(scope))
        return page_response(page, *db.get_departments_page(scope, page.limit, page.start_key))
    if page is None:
        return jsonify(db.list_departments())
    return page_response(page, *db.list_departments_page(page.limit, page.start_key))


def _listing(scope: frozenset[str] | None) -> str:
    """What a cursor of this list continues: every department (a Scan), or one token scope's
    (ids read one by one): each cursor's key only means something to its own listing."""
    if scope is None:
        return "departments|all"
    return "departments|scope:" + hashlib.sha256("\n".join(sorted(scope)).encode()).hexdigest()[:32]


@bp.post("")
@auth.requires("admin")
@idempotent
def create_department():
    if auth.current_principal().departments is not None:
        raise auth.Forbidden("a token limited to departments cannot create departments")
    fields = validate_department(json_body())
    db, actor = get_db(), auth.current_principal().actor
    department = create_once(
        lambda new_id: db.create_department(fields["name"], fields["description"], department_id=new_id, actor=actor),
        db.get_department,
    )
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


@bp.patch("/<uuid:department_id>")
@auth.requires("admin")
def update_department(department_id: UUID):
    auth.check_department(str(department_id))
    changes = validate_department_changes(json_body())
    department = get_db().update_department(str(department_id), changes, actor=auth.current_principal().actor)
    realtime.department_updated(department)
    return jsonify(department)


@bp.delete("/<uuid:department_id>")
@auth.requires("admin")
def delete_department(department_id: UUID):
    auth.check_department(str(department_id))
    get_db().delete_department(str(department_id))
    realtime.department_deleted(str(department_id))
    return "", 204
