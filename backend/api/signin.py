"""HTTP: /auth/login, /auth/callback, /auth/logout, signing people in with the company's account.

The callback turns the verified ID token (auth/oidc.py) into a session (auth/sessions.py): the
person's role and departments from their groups (auth/groups.py), department names read once,
now. Their personal tokens are cut down to what those groups give them now (auth/store.py),
revoked when they give nothing, and their older sessions that have more end (auth/sessions.py). The session's secret goes into an HttpOnly, SameSite=Lax cookie (Secure over HTTPS; behind
a proxy the scheme is X-Forwarded-Proto's, as TRUSTED_PROXY_COUNT allows). These are browser
pages: a refusal is a short page in Korean, not JSON. Without OIDC_ISSUER they answer 404.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, redirect, render_template_string, request, url_for

from auth import csrf, groups, oidc
from auth.http import sessions, verifier
from auth.sessions import COOKIE_NAME
from auth.store import TokenStore
from auth.tokens import token_hash
from config import Settings
from database import get_db
from errors import NotFound

bp = Blueprint("signin", __name__, url_prefix="/auth")

PAGE = """<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1><p>{{ message }}</p><p><a href="{{ link }}">{{ link_text }}</a></p></main></body></html>
"""
BLOCKED = ("로그인할 수 없습니다", "이 계정은 관리자가 차단했습니다. 관리자에게 문의하세요.")
NO_ROLE = ("로그인할 수 없습니다", "이 계정에는 부서 일정을 볼 권한이 없습니다. 관리자에게 권한(그룹)을 요청하세요.")
UNREACHABLE = ("로그인을 시작하지 못했습니다", "회사 계정 서비스(ID 공급자)에 연결할 수 없습니다. 잠시 뒤 다시 시도해 주세요.")
FAILED = ("로그인하지 못했습니다", "회사 계정 확인에 실패했거나 로그인 요청이 만료되었습니다. 다시 로그인해 주세요.")


def _page(status: int, text: tuple[str, str], link: str = "/auth/login", link_text: str = "다시 로그인") -> Response:
    title, message = text
    body = render_template_string(PAGE, title=title, message=message, link=link, link_text=link_text)
    return Response(body, status=status, content_type="text/html; charset=utf-8")


def _require_sign_in() -> None:
    if not oidc.configured():
        raise NotFound("sign-in with a company account is not configured (OIDC_ISSUER)")


@bp.get("/login")
def login():
    """Off to the identity provider; it sends the browser back to /auth/callback."""
    _require_sign_in()
    try:
        return oidc.login_redirect(url_for(".callback", _external=True))
    except oidc.SignInFailed:
        return _page(503, UNREACHABLE, link="/auth/login", link_text="다시 시도")


@bp.get("/callback")
def callback():
    """Check the provider's answer, make the session, set its cookie and open the calendar page."""
    _require_sign_in()
    try:
        claims = oidc.verified_claims()
    except oidc.SignInFailed:
        return _page(400, FAILED)
    person = _person(claims, current_app.config["SETTINGS"])
    _fit_personal_tokens(claims, person)
    if person is None:
        return _page(403, NO_ROLE)
    store = sessions()[0].store
    if store.sessions.is_blocked(person["subject"]):
        return _page(403, BLOCKED)
    for hashed in store.end_beyond(person):  # their older sessions that have more than this sign-in gives
        sessions()[0].forget(hashed)
    response = redirect("/")
    response.set_cookie(COOKIE_NAME, store.create(person), max_age=int(store.max_seconds), path="/",
                        secure=request.is_secure, httponly=True, samesite="Lax")
    return response


@bp.post("/logout")
def logout():
    """End the session everywhere (this instance at once, the others within AUTH_CACHE_SECONDS) and drop the cookie."""
    _require_sign_in()
    verifier, policy = sessions()
    cookie = request.cookies.get(COOKIE_NAME)
    if cookie:
        csrf.check_same_origin(request, policy)
        hashed = token_hash(cookie)
        verifier.store.end(hashed)
        verifier.forget(hashed)
    response = Response(status=204)
    response.delete_cookie(COOKIE_NAME, path="/", secure=request.is_secure, httponly=True, samesite="Lax")
    return response


def _fit_personal_tokens(claims: dict[str, Any], person: dict[str, Any] | None) -> None:
    """The person's personal tokens, fitted to their role and departments as of this sign-in (none:
    revoked); this instance trusts the old ones no more, the others within AUTH_CACHE_SECONDS."""
    store = TokenStore(get_db())
    if person is None:
        touched = store.fit_to_person(claims["iss"], claims["sub"], groups.display_name(claims), None, None)
    else:
        touched = store.fit_to_person(person["issuer"], person["subject"], person["name"], person["role"],
                                      person["departments"])
    for hashed in touched:
        verifier().forget(hashed)


def _person(claims: dict[str, Any], settings: Settings) -> dict[str, Any] | None:
    """The session's person from the verified claims, or None when no group gives them a role."""
    held = groups.groups_of(claims, settings.oidc_groups_claim)
    role = groups.role_of(held, settings.oidc_role_groups)
    if role is None:
        return None
    names = groups.department_names(held, settings.oidc_department_group_prefix)
    departments = None
    if names is not None:  # limited to these departments: those of them that exist now
        found = (get_db().find_department_by_name(name) for name in names)
        departments = [department["id"] for department in found if department is not None]
    email = claims.get("email")
    return {"name": groups.display_name(claims), "email": email if isinstance(email, str) else None,
            "role": role, "departments": departments, "issuer": claims["iss"], "subject": claims["sub"]}
