"""The OpenAPI 3.1 document, built from the route registry and the pydantic bodies (JSON Schema
2020-12, which OpenAPI 3.1 uses as it is)."""
from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from contract.routes import ERRORS, HEADERS, PARAMETERS, ROUTES, Answer, Route

TITLE = "Department calendar API"
VERSION = "1.0.0"
REF = "#/components/schemas/{model}"
STORAGE_ERRORS = (500, 503)


def _models(routes: list[Route]) -> list[type[BaseModel]]:
    """Every model a route's body, answers or errors use, once each, in a stable order."""
    found: list[type[BaseModel]] = []
    for route in routes:
        bodies = [route.body, *(_model_of(a.body) for a in route.answers.values())]
        bodies += [_error_model(route, status) for status in _error_statuses(route)]
        found += [m for m in bodies if m is not None and m not in found]
    return found


def _model_of(body: Any) -> type[BaseModel] | None:
    if isinstance(body, list):
        return body[0]
    return body if isinstance(body, type) and issubclass(body, BaseModel) else None


def _error_statuses(route: Route) -> list[int]:
    return sorted({*route.errors, *(STORAGE_ERRORS if route.reads_storage else ())})


def _error_model(route: Route, status: int) -> type[BaseModel]:
    return route.error_bodies.get(status) or ERRORS[status][1]


def _schema_of(body: Any) -> dict[str, Any]:
    if isinstance(body, list):
        return {"type": "array", "items": _schema_of(body[0])}
    if isinstance(body, dict):
        return body
    return {"$ref": REF.format(model=body.__name__)}


def _answer(answer: Answer) -> dict[str, Any]:
    response: dict[str, Any] = {"description": answer.description}
    if answer.body is not None:
        response["content"] = {answer.media_type: {"schema": _schema_of(answer.body)}}
    if answer.headers:
        response["headers"] = {name: {"$ref": f"#/components/headers/{name}"} for name in answer.headers}
    return response


def _operation(route: Route) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": _operation_id(route),
        "summary": route.summary,
        "tags": [route.tag],
        "responses": {str(status): _answer(answer) for status, answer in route.answers.items()},
    }
    if route.parameters:
        operation["parameters"] = [{"$ref": f"#/components/parameters/{name}"} for name in route.parameters]
    if route.body is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": _schema_of(route.body)}}}
    for status in _error_statuses(route):
        description, _, headers = ERRORS[status]
        operation["responses"][str(status)] = _answer(Answer(description, _error_model(route, status), headers=headers))
    return operation


def _operation_id(route: Route) -> str:
    words = [w.strip("{}") for w in route.path.split("/") if w and w != "api"]
    return "_".join([route.method.lower(), *words]).replace("-", "_").replace(".", "_")


def build_document(routes: list[Route] | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document of `routes` (default: every route of the service)."""
    routes = ROUTES if routes is None else routes
    requests = {route.body for route in routes}
    modes = [(m, "validation" if m in requests else "serialization") for m in _models(routes)]
    _, schemas = models_json_schema(modes, ref_template=REF)
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route)
    return {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": VERSION,
                 "description": "Departments and their calendar events. Every error is JSON "
                                "`{\"error\", \"message\"}`; ids are UUIDs; timestamps are UTC."},
        "paths": paths,
        "components": {
            "schemas": schemas.get("$defs", {}),
            "parameters": {name: PARAMETERS[name] for name in PARAMETERS},
            "headers": HEADERS,
        },
    }


@cache
def document() -> dict[str, Any]:
    """The service's document, built once per process."""
    return build_document()
