"""GET /api/me: who the caller is, as the page asks before it shows anything."""
from __future__ import annotations

import uuid

from auth import TokenStore


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_an_unscoped_token_is_its_name_and_role_and_every_department(app, db, make_department):
    a, b = make_department("영업부"), make_department("개발부")
    token = TokenStore(db).create("desk-editor", "editor")
    answer = app.test_client().get("/api/me", headers=_bearer(token))
    assert answer.status_code == 200
    assert answer.get_json() == {"name": "desk-editor", "email": None, "role": "editor",
                                 "departments": [b["id"], a["id"]], "every_department": True, "auth": "token"}  # by name, as listed


def test_a_scoped_token_names_only_its_departments(app, db, make_department):
    a, _b = make_department("영업부"), make_department("개발부")
    token = TokenStore(db).create("sales-viewer", "viewer", [a["id"]])
    answer = app.test_client().get("/api/me", headers=_bearer(token))
    assert answer.get_json() == {"name": "sales-viewer", "email": None, "role": "viewer",
                                 "departments": [a["id"]], "every_department": False, "auth": "token"}


def test_without_a_valid_token_it_is_401(app, db):
    refused = app.test_client().get("/api/me")
    assert refused.status_code == 401 and "sign_in" not in refused.get_json()  # no sign-in configured
    assert app.test_client().get("/api/me", headers=_bearer(f"cal_{uuid.uuid4().hex}")).status_code == 401


def test_with_auth_off_it_says_so(settings, db, make_department):
    from app import create_app

    department = make_department()
    off = create_app(settings.with_overrides(auth_mode="off"), db).test_client()
    assert off.get("/api/me").get_json() == {"name": "anonymous", "email": None, "role": "admin",
                                             "departments": [department["id"]], "every_department": True, "auth": "off"}


def test_without_sign_in_the_api_document_offers_no_session_cookie(client):
    document = client.get("/api/openapi.json").get_json()
    assert "sessionCookie" not in document["components"]["securitySchemes"]
    assert document["paths"]["/api/me"]["get"]["security"] == [{"bearerToken": []}]
