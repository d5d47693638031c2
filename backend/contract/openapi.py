"""The OpenAPI 3.1 document, built from the route registry and the pydantic bodies (JSON Schema
2020-12, which OpenAPI 3.1 uses as it is)."""
from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from contract.routes import ERRORS, HEADERS, PARAMETERS, ROUTES, SERVER_ERRORS, Answer, Route

TITLE = "Department calendar API"
VERSION = "1.0.0"
REF = "#/components/schemas/{model}"
STORAGE_ERRORS = (500, 503)
AUTH_ERRORS = (401, 403)
RATE_LIMITED = 429
REQUEST_ID = "X-Request-ID"
BEARER, SESSION, FEED_TOKEN = "bearerToken", "sessionCookie", "feedToken"
SECURITY_SCHEMES = {
    BEARER: {"type": "http", "scheme": "bearer",
             "description": "`Authorization: Bearer <token>`. Tokens have a role (viewer reads; editor also "
                            "writes events; admin also manages departments and tokens) and may be limited to "
                            "departments. Create one: `flask --app app tokens create --name NAME --role ROLE`"},
    SESSION: {"type": "apiKey", "in": "cookie", "name": "calendar_session",
              "description": "A person signed in with the company's account (`GET /auth/login`; only with OIDC_ISSUER): "
                             "their role and departments come from their groups. A change (POST, PUT, PATCH, DELETE) "
                             "made with the cookie needs an `Origin` (or `Referer`) of this service or of "
                             "CORS_ALLOWED_ORIGINS, else 403. `Authorization: Bearer` wins when both are sent"},
    FEED_TOKEN: {"type": "apiKey", "in": "query", "name": "token",
                 "description": "Only the iCalendar feed, only a viewer token (calendar apps send no headers; a "
                                "token with more rights in a URL is refused with 403). Never logged"},
}
DESCRIPTION = (
    "Departments and their calendar events. Every error is JSON `{\"error\", \"message\"}`; ids are UUIDs; "
    "timestamps are UTC. Every route but the health probes, /metrics and this document needs a token "
    "(`Authorization: Bearer <token>`; 401 without one, 403 outside its role or departments); every route "
    "but the health probes spends the caller's RATE_LIMIT (429 with `Retry-After`). Every answer of the app "
    "carries `X-Request-ID`, and `X-Content-Type-Options`, `Referrer-Policy` and `Content-Security-Policy`; "
    "browsers of the CORS_ALLOWED_ORIGINS also get the CORS headers."
)


def _models(routes: list[Route]) -> list[type[BaseModel]]:
    """Every model a route's body, answers or errors use, once each, in a stable order."""
    found: list[type[BaseModel]] = []
    for route in routes:
        bodies = [route.body, *(m for a in route.answers.values() for m in _models_of(a.body))]
        bodies += [_error_model(route, status) for status in _error_statuses(route)]
        found += [m for m in bodies if m is not None and m not in found]
    return found


def _models_of(body: Any) -> list[type[BaseModel]]:
    if isinstance(body, list):
        return list(body)
    return [body] if isinstance(body, type) and issubclass(body, BaseModel) else []


def _error_statuses(route: Route) -> list[int]:
    added = [*(STORAGE_ERRORS if route.reads_storage else ()), *(AUTH_ERRORS if route.role else ()),
             *((RATE_LIMITED,) if route.rate_limited else ()), *SERVER_ERRORS]
    return sorted({*route.errors, *added})


def _error_model(route: Route, status: int) -> type[BaseModel]:
    return route.error_bodies.get(status) or ERRORS[status][1]


def _schema_of(body: Any) -> dict[str, Any]:
    if isinstance(body, list):  # an array of items of any of these models
        items = [_schema_of(model) for model in body]
        return {"type": "array", "items": items[0] if len(items) == 1 else {"anyOf": items}}
    if isinstance(body, dict):
        return body
    return {"$ref": REF.format(model=body.__name__)}


def _answer(answer: Answer, from_app: bool = True) -> dict[str, Any]:
    """The response object; `from_app`: the app answered it, so it carries X-Request-ID."""
    response: dict[str, Any] = {"description": answer.description}
    if answer.body is not None:
        response["content"] = {answer.media_type: {"schema": _schema_of(answer.body)}}
    headers = [*answer.headers, *((REQUEST_ID,) if from_app else ())]
    if headers:
        response["headers"] = {name: {"$ref": f"#/components/headers/{name}"} for name in headers}
    return response


def _security(route: Route, sign_in: bool) -> list[dict[str, list]]:
    """Who may call it: nobody needs a token for a public route; with sign-in, a session cookie
    instead of a token; the feed also takes ?token=."""
    if route.role is None:
        return []
    return [{BEARER: []}, *([{SESSION: []}] if sign_in else []), *([{FEED_TOKEN: []}] if route.query_token else [])]


def _operation(route: Route, sign_in: bool) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": _operation_id(route),
        "summary": route.summary,
        "tags": [route.tag],
        "security": _security(route, sign_in),
        "parameters": [{"$ref": f"#/components/parameters/{name}"} for name in (*route.parameters, REQUEST_ID)],
        "responses": {str(status): _answer(answer) for status, answer in route.answers.items()},
    }
    if route.role:
        operation["description"] = (f"Needs a token with the `{route.role}` role or a higher one; a token limited "
                                    "to departments reaches only those.")
    if route.body is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": _schema_of(route.body)}}}
    for status in _error_statuses(route):
        description, _, headers = ERRORS[status]
        answer = Answer(description, _error_model(route, status), headers=headers)
        operation["responses"][str(status)] = _answer(answer, from_app=status not in SERVER_ERRORS)
    return operation


def _operation_id(route: Route) -> str:
    words = [w.strip("{}") for w in route.path.split("/") if w and w != "api"]
    return "_".join([route.method.lower(), *words]).replace("-", "_").replace(".", "_")


def build_document(routes: list[Route] | None = None, sign_in: bool = False) -> dict[str, Any]:
    """The OpenAPI 3.1 document of `routes` (default: every route of the service); `sign_in`
    (OIDC_ISSUER set) adds the session cookie as a way to call them."""
    routes = ROUTES if routes is None else routes
    requests = {route.body for route in routes}
    modes = [(m, "validation" if m in requests else "serialization") for m in _models(routes)]
    _, schemas = models_json_schema(modes, ref_template=REF)
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route, sign_in)
    return {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": VERSION, "description": DESCRIPTION},
        "security": [{BEARER: []}, *([{SESSION: []}] if sign_in else [])],
        "paths": paths,
        "components": {
            "schemas": schemas.get("$defs", {}),
            "parameters": {name: PARAMETERS[name] for name in PARAMETERS},
            "headers": HEADERS,
            "securitySchemes": {name: scheme for name, scheme in SECURITY_SCHEMES.items() if sign_in or name != SESSION},
        },
    }


@cache
def document(sign_in: bool = False) -> dict[str, Any]:
    """The service's document, built once per process (and kind of authentication)."""
    return build_document(sign_in=sign_in)
