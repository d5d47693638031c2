"""Every HTTP route of the service, with its parameters, body, answers, headers and errors: the
registry the OpenAPI document is built from (contract.openapi). tests/test_openapi.py fails when a
Flask route is missing here or a route here is not served.

To declare a new route, add a `Route` to ROUTES:

    Route("GET", "/api/events/{department_id}/{event_id}", "Read one event", tag="events",
          parameters=("department_id", "event_id"),
          answers={200: Answer("The event", Event, headers=("ETag",))},
          errors=(404,)),

- `path` is the OpenAPI template (`{name}` for `<uuid:name>`); each of its names must be in
  `parameters`. Parameters (path, query, header) are named from PARAMETERS: add one there first,
  e.g. `"cursor": query("cursor", "...", {"type": "string"})` or `"Idempotency-Key"` (declared).
- `body` is a pydantic model from contract.bodies (the one the handler validates with).
- `answers` maps each success status to an `Answer`; `headers` names entries of HEADERS
  (ETag, Location, X-Next-Cursor, X-Sync-Token, Link are declared).
- `errors` lists the error statuses the route answers besides the ones every route that reads
  DynamoDB answers (500, 503); their bodies and descriptions come from ERRORS. A new status (401,
  403, 410, 422, 429) is one line in ERRORS (with the body model, e.g. `Error`).
- Two routes whose templates differ only in parameter names are one OpenAPI path: name the
  parameter alike (as `/api/events/{id}` does) and say what it is in each route's parameter.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, TypeAdapter

from contract.bodies import (
    DateRange,
    Department,
    DepartmentCreate,
    Error,
    Event,
    EventChanges,
    EventCreate,
    EventDate,
    Health,
    NotReady,
    PreconditionFailure,
    Ready,
    ValidationFailure,
)

UUID_SCHEMA = {"type": "string", "format": "uuid"}
# The files of npm's swagger-ui-dist that /api/docs loads, served from node_modules.
DOCS_ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js")
ENTITY_TAG = {"type": "string", "examples": ['"3"']}


@dataclass(frozen=True)
class Answer:
    """One success answer: its description, body (a model, [model] for an array, a media type's
    schema as a dict, or None), media type and response headers (names in HEADERS)."""

    description: str
    body: type[BaseModel] | list | dict | None = None
    media_type: str = "application/json"
    headers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    summary: str
    tag: str
    parameters: tuple[str, ...] = ()
    body: type[BaseModel] | None = None
    answers: dict[int, Answer] = field(default_factory=dict)
    errors: tuple[int, ...] = ()
    error_bodies: dict[int, type[BaseModel]] = field(default_factory=dict)  # instead of ERRORS' model
    reads_storage: bool = True  # answers 500/503 when DynamoDB fails


def path_param(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": UUID_SCHEMA}


def query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


def header(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "header", "required": False, "description": description, "schema": schema}


def _date_range_param(name: str) -> dict[str, Any]:
    """The `from`/`to` query parameter as DateRange declares it."""
    field = next(f for f in DateRange.model_fields.values() if f.alias == name)
    return query(name, field.description, TypeAdapter(EventDate).json_schema())


# Keyed by what routes name in `parameters`; the OpenAPI name is the value's "name".
PARAMETERS: dict[str, dict[str, Any]] = {
    "department_id": path_param("department_id", "The department's id"),
    "events.department": path_param("id", "The department's id"),
    "events.event": path_param("id", "The event's id"),
    "from": _date_range_param("from"),
    "to": _date_range_param("to"),
    "asset": {"name": "asset", "in": "path", "required": True, "description": "A file name",
              "schema": {"type": "string", "enum": list(DOCS_ASSETS)}},
    "If-Match": header("If-Match", 'Change only if the event is at this version: `"3"` (also `3`, `W/"3"`; '
                       "`*` matches any); a stale version is a 412", ENTITY_TAG),
    "If-None-Match": header("If-None-Match", "The ETag of the copy the client has: 304 while it is current",
                            {"type": "string"}),
    "Idempotency-Key": header("Idempotency-Key", "A key unique to one intended POST: a retry with the same "
                              "key stores nothing new and returns the first answer", {"type": "string"}),
}

HEADERS: dict[str, dict[str, Any]] = {
    "ETag": {"description": 'The version as an entity tag, e.g. `"3"` (an event) or a hash (a feed)',
             "schema": {"type": "string"}},
    "Location": {"description": "The URL of the created resource", "schema": {"type": "string"}},
    "Retry-After": {"description": "Seconds to wait before trying again", "schema": {"type": "string"}},
    "X-Next-Cursor": {"description": "Opaque cursor of the next page; absent on the last page",
                      "schema": {"type": "string"}},
    "X-Sync-Token": {"description": "Token to pass as `changed_since` next time", "schema": {"type": "string"}},
    "Link": {"description": 'The next page as `<url>; rel="next"`', "schema": {"type": "string"}},
}

# Error status -> (description, body model, response headers).
ERRORS: dict[int, tuple[str, type[BaseModel], tuple[str, ...]]] = {
    400: ("Invalid input: `validation_error` naming each bad field", ValidationFailure, ()),
    404: ("`not_found`: no such department or event (a path id that is not a UUID too)", Error, ()),
    409: ("`conflict`: the name (or id) is taken", Error, ()),
    412: ("`precondition_failed`: the event is at another version (`current_version`)", PreconditionFailure, ()),
    413: ("`payload_too_large`: the body is over MAX_CONTENT_LENGTH", Error, ()),
    500: ("`internal_error`", Error, ()),
    503: ("DynamoDB unavailable: the code and message say why and what to do", Error, ("Retry-After",)),
}

ROUTES: list[Route] = [
    Route("GET", "/api/departments", "List every department, sorted by name", "departments",
          answers={200: Answer("The departments", [Department])}),
    Route("POST", "/api/departments", "Create a department", "departments", body=DepartmentCreate,
          answers={201: Answer("The department as stored", Department, headers=("Location",))},
          errors=(400, 409, 413)),
    Route("GET", "/api/departments/{department_id}", "Read a department", "departments",
          parameters=("department_id",), answers={200: Answer("The department", Department)}, errors=(404,)),
    Route("DELETE", "/api/departments/{department_id}", "Delete a department and all its events", "departments",
          parameters=("department_id",), answers={204: Answer("Deleted")}, errors=(404,)),
    Route("GET", "/api/departments/{department_id}/calendar.ics",
          "The department's events as an iCalendar (RFC 5545) feed to subscribe to", "departments",
          parameters=("department_id", "If-None-Match"),
          answers={200: Answer("The calendar", {"type": "string"}, "text/calendar", headers=("ETag",)),
                   304: Answer("The client's copy (If-None-Match) is current", headers=("ETag",))},
          errors=(404,)),
    Route("GET", "/api/events/{id}", "List a department's events, by date then creation", "events",
          parameters=("events.department", "from", "to"), answers={200: Answer("The events", [Event])},
          errors=(400, 404)),
    Route("POST", "/api/events/{id}", "Create an event in a department", "events",
          parameters=("events.department",), body=EventCreate,
          answers={201: Answer("The event as stored", Event, headers=("ETag",))}, errors=(400, 404, 409, 413)),
    Route("PUT", "/api/events/{id}", "Change the fields sent of an event", "events",
          parameters=("events.event", "If-Match"), body=EventChanges,
          answers={200: Answer("The event as stored", Event, headers=("ETag",))}, errors=(400, 404, 412, 413)),
    Route("DELETE", "/api/events/{id}", "Delete an event", "events", parameters=("events.event", "If-Match"),
          answers={204: Answer("Deleted")}, errors=(400, 404, 412)),
    Route("GET", "/healthz", "Liveness: 200 while the process runs", "health",
          answers={200: Answer("Alive", Health)}, reads_storage=False),
    Route("GET", "/readyz", "Readiness: DynamoDB answers and both tables are ACTIVE", "health",
          answers={200: Answer("Ready", Ready)}, errors=(503,), error_bodies={503: NotReady}, reads_storage=False),
    Route("GET", "/api/openapi.json", "This document (OpenAPI 3.1)", "docs",
          answers={200: Answer("The document", {"type": "object"})}, reads_storage=False),
    Route("GET", "/api/docs", "The API's documentation page (Swagger UI, served locally)", "docs",
          answers={200: Answer("The page", {"type": "string"}, "text/html")}, reads_storage=False),
    Route("GET", "/api/docs/{asset}", "A file of the documentation page", "docs", parameters=("asset",),
          answers={200: Answer("The file", {"type": "string"}, "*/*")}, errors=(404,), reads_storage=False),
]
