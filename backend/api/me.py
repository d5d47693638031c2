"""HTTP: GET /api/me, who the caller is (a token, or a person signed in with the company's account)."""
from __future__ import annotations

from flask import Blueprint, jsonify

import auth
from database import get_db

bp = Blueprint("me", __name__, url_prefix="/api")


@bp.get("/me")
@auth.requires("viewer")
def me():
    """The caller's name, e-mail, role, departments (its scope, else every department) and kind."""
    principal = auth.current_principal()
    if principal.departments is None:
        departments = [department["id"] for department in get_db().list_departments()]
    else:
        departments = sorted(principal.departments)
    return jsonify({"name": principal.name, "email": principal.email, "role": principal.role,
                    "departments": departments, "every_department": principal.departments is None,
                    "auth": principal.auth})
