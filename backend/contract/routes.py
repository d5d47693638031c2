"""Every HTTP route of the service, with its parameters, body, answers, headers and errors: the
registry the OpenAPI document is built from (contract.openapi). tests/test_openapi.py fails when a
Flask route is missing here or a route here is not served.

To declare a new route, add a `Route` to ROUTES:

    Route("GET", "/api/events/{department_id}/{event_id}", "Read one event", tag="events",
          role="viewer", parameters=("department_id", "event_id"),
          answers={200: Answer("The event", Event, headers=("ETag",))},
          errors=(404,)),

- `path` is the OpenAPI template (`{name}` for `<uuid:name>`); each of its names must be in
  `parameters`. Parameters (path, query, header) are named from PARAMETERS: add one there first,
  e.g. `"cursor": query("cursor", "...", {"type": "string"})` or `"Idempotency-Key"` (declared).
- `body` is a pydantic model from contract.bodies (the one the handler validates with).
- `answers` maps each success status to an `Answer`; `headers` names entries of HEADERS
  (ETag, Location, X-Next-Cursor, X-Sync-Token, Link are declared).
- `role` is the least role the view's `@auth.requires` names (None: open without a token, as
  auth.http.PUBLIC_PATHS says); a route with a role answers 401 and 403 and declares the bearer
  scheme, `query_token` adds the `?token=` scheme (the feed). tests/test_openapi.py checks both
  against the views.
- `errors` lists the error statuses the route answers besides the ones added for it: 500 and 503
  (reads DynamoDB), 401 and 403 (a role), 429 (rate limited: every route but the health probes),
  and 408, 414, 431 (the server's own, before the app sees the request). Their bodies and
  descriptions come from ERRORS; a new status is one line there.
- Every answer of the app carries `X-Request-ID`, and every operation accepts it: added by the
  builder, not listed here.
- Two routes whose templates differ only in parameter names are one OpenAPI path: name the
  parameter alike (as `/api/events/{id}` does) and say what it is in each route's parameter.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, TypeAdapter

from contract.bodies import (
    EVENT_ID_PATTERN,
    TOKEN_NAME_PATTERN,
    CompanyDay,
    CompanyDayCreate,
    DateRange,
    Department,
    DepartmentChanges,
    DepartmentCreate,
    Error,
    Event,
    EventChanges,
    EventCreate,
    EventDate,
    Health,
    HistoryEntry,
    Holiday,
    Me,
    NewToken,
    NotReady,
    Person,
    PreconditionFailure,
    RateLimited,
    Ready,
    TokenCreate,
    TokenSummary,
    Tombstone,
    TrashedEvent,
    ValidationFailure,
)

UUID_SCHEMA = {"type": "string", "format": "uuid"}
# Swagger UI's two files (from node_modules) and the script that starts it (api/docs.py).
DOCS_ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js", "initializer.js")
# The files of npm's socket.io-client that the calendar page (/) loads, served from node_modules.
PAGE_VENDOR_ASSETS = ("socket.io.esm.min.js", "socket.io.esm.min.js.map")
ENTITY_TAG = {"type": "string", "examples": ['"3"']}
LIMIT_MAX = 1000  # api.paging.LIMIT_MAX (the contract imports no Flask code)
SEARCH_LIMIT_MAX = 100  # api.search.LIMIT_MAX


@dataclass(frozen=True)
class Answer:
    """One success answer: its description, body (a model, [model, ...] for an array of any of
    them, a media type's schema as a dict, or None), media type and response headers (HEADERS)."""

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
    role: str | None = None  # the least role of a token it needs; None: open (auth.http.PUBLIC_PATHS)
    query_token: bool = False  # also takes a viewer token as ?token= (calendar apps send no headers)
    rate_limited: bool = True  # spends the caller's RATE_LIMIT budget (429); not the health probes


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


def _event_id_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True,
            "description": "The event's id, a series' id, or an occurrence's `<series id>_<YYYYMMDD>`",
            "schema": {"type": "string", "pattern": EVENT_ID_PATTERN}}


# Keyed by what routes name in `parameters`; the OpenAPI name is the value's "name".
PARAMETERS: dict[str, dict[str, Any]] = {
    "department_id": path_param("department_id", "The department's id"),
    "event_id": _event_id_param("event_id"),
    "events.department": path_param("id", "The department's id"),
    "events.event": _event_id_param("id"),
    "scope": query("scope", "For a series: `this` occurrence alone (stored as an exception keyed by the series and "
                   "the original date), `following` (the series ends the day before and a new one starts with the "
                   "changes; a COUNT is split between them, and the exceptions from that day on move to it), or `all` (the series; exceptions keep the fields they "
                   "changed themselves and take the others). Default: `this` for an occurrence id, `all` for any other id. On an event that is no "
                   "series every scope is the event itself", {"type": "string", "enum": ["this", "following", "all"]}),
    "holidays.from": {**_date_range_param("from"), "required": True, "description": "First day, YYYY-MM-DD"},
    "holidays.to": {**_date_range_param("to"), "required": True,
                    "description": "Last day, YYYY-MM-DD, at most 366 days after `from`"},
    "from": _date_range_param("from"),
    "to": _date_range_param("to"),
    "expand": query("expand", "`true` (the default): each series as its occurrences touching the range (without "
                    "`to`, through 366 days after `from` or the series' first day), each with id `<series id>_<YYYYMMDD>`, "
                    "`recurring_event_id` and `original_date`. `false`: the items as stored (series with their "
                    "`recurrence`, single events), as `changed_since` and pages (`limit`) answer them",
                    {"type": "string", "enum": ["true", "false"]}),
    "limit": query("limit", f"At most this many items (1-{LIMIT_MAX}); when more remain the answer carries "
                   "`X-Next-Cursor` and `Link`. Without it everything comes back",
                   {"type": "integer", "minimum": 1, "maximum": LIMIT_MAX}),
    "history.limit": query("limit", f"At most this many entries (1-{LIMIT_MAX}); 50 without it. When more remain "
                           "the answer carries `X-Next-Cursor` and `Link`", {"type": "integer", "minimum": 1,
                                                                             "maximum": LIMIT_MAX}),
    "search.q": {**query("q", "The words to find (at most 8, 100 characters): each must occur in the event's title, "
                         "description or `time`, compared without case, width, spacing or punctuation, inside words "
                         "too (`회의` finds `주간회의는`)", {"type": "string", "minLength": 1, "maxLength": 100}),
                 "required": True},
    "search.department": query("department", "Only this department (one the token may read); without it, every "
                               "department the token may read", UUID_SCHEMA),
    "search.limit": query("limit", f"At most this many results (1-{SEARCH_LIMIT_MAX}); 20 without it. When more "
                          "remain the answer carries `X-Next-Cursor` and `Link`",
                          {"type": "integer", "minimum": 1, "maximum": SEARCH_LIMIT_MAX}),
    "cursor": query("cursor", "`X-Next-Cursor` of the previous page (needs `limit`; the same listing's "
                    "other parameters). A cursor that is altered or of another listing is a 400",
                    {"type": "string", "maxLength": 2048}),
    "changed_since": query("changed_since", "`X-Sync-Token` of an earlier list: answers every event created "
                           "or changed since then and every deleted one as a tombstone (the window overlaps "
                           "the last one: drop what you have by `id` + `version`). Not with from/to, limit "
                           "or cursor (400); older than the tombstone retention: 410, list everything again",
                           {"type": "string", "maxLength": 200}),
    "company_day.date": {"name": "date", "in": "path", "required": True, "description": "The company day's date, "
                         "YYYY-MM-DD", "schema": TypeAdapter(EventDate).json_schema()},
    "token_name": {"name": "token_name", "in": "path", "required": True, "description": "The token's name",
                   "schema": {"type": "string", "pattern": TOKEN_NAME_PATTERN}},
    "subject": {"name": "subject", "in": "path", "required": True,
                "description": "The person's subject (`sub`) at the identity provider", "schema": {"type": "string"}},
    "asset": {"name": "asset", "in": "path", "required": True, "description": "A file name",
              "schema": {"type": "string", "enum": list(DOCS_ASSETS)}},
    "page.asset": {"name": "asset", "in": "path", "required": True,
                   "description": "A file of the page (its JavaScript modules and style sheet)",
                   "schema": {"type": "string", "examples": ["app.js"]}},
    "page.vendor_asset": {"name": "asset", "in": "path", "required": True, "description": "A file name",
                          "schema": {"type": "string", "enum": list(PAGE_VENDOR_ASSETS)}},
    "If-Match": header("If-Match", 'Change only if the event is at this version: `"3"` (also `3`, `W/"3"`; '
                       "`*` matches any); a stale version is a 412", ENTITY_TAG),
    "If-None-Match": header("If-None-Match", "The ETag of the copy the client has: 304 while it is current",
                            {"type": "string"}),
    "Idempotency-Key": header("Idempotency-Key", "1-255 visible ASCII characters, unique to one intended POST: "
                              "a retry with the same key and body stores nothing new and returns the first "
                              "answer (`Idempotent-Replayed: true`); the same key with another body is a 422, "
                              "and while the first request runs a 409 with `Retry-After`. Kept 24 hours, per "
                              "token", {"type": "string", "pattern": "^[\\x21-\\x7e]{1,255}$"}),
    "X-Request-ID": header("X-Request-ID", "The request's id for the logs (1-128 of `A-Za-z0-9._:-`; anything "
                           "else is replaced by a fresh one); echoed on the answer",
                           {"type": "string", "pattern": "^[A-Za-z0-9._:-]{1,128}$"}),
}

HEADERS: dict[str, dict[str, Any]] = {
    "ETag": {"description": 'The version as an entity tag, e.g. `"3"` (an event) or a hash (a feed, a file)',
             "schema": {"type": "string"}},
    "Location": {"description": "The URL of the created resource", "schema": {"type": "string"}},
    "Retry-After": {"description": "Seconds to wait before trying again", "schema": {"type": "string"}},
    "X-Next-Cursor": {"description": "Opaque cursor of the next page (pass it as `cursor`); absent on the last page",
                      "schema": {"type": "string"}},
    "X-Sync-Token": {"description": "Token to pass as `changed_since` next time (on every event list)",
                     "required": True, "schema": {"type": "string"}},
    "Link": {"description": 'The next page as `<url>; rel="next"`; absent on the last page', "schema": {"type": "string"}},
    "Idempotent-Replayed": {"description": "`true` when this is the stored answer of an earlier request with the "
                                           "same `Idempotency-Key` (nothing new was stored)",
                            "schema": {"type": "string", "enum": ["true"]}},
    "WWW-Authenticate": {"description": 'The scheme to use: `Bearer realm="calendar"`', "required": True,
                         "schema": {"type": "string"}},
    "X-Request-ID": {"description": "The request's id (the client's, when sane, else a new one), as in the logs",
                     "required": True, "schema": {"type": "string"}},
}

# Error status -> (description, body model, response headers).
ERRORS: dict[int, tuple[str, type[BaseModel], tuple[str, ...]]] = {
    400: ("Invalid input: `validation_error` naming each bad field (a bad limit, cursor, sync token, "
          "If-Match or Idempotency-Key too)", ValidationFailure, ()),
    401: ("`unauthorized`: no token, or one that is unknown or revoked (or no live session); with sign-in "
          "(OIDC_ISSUER) the body's `sign_in` is where a browser signs in: `/auth/login`", Error, ("WWW-Authenticate",)),
    403: ("`forbidden`: the token lacks the role, or is limited to other departments", Error, ()),
    404: ("`not_found`: no such department or event (a path id that is not a UUID too)", Error, ()),
    408: ("`request_timeout`: the request did not arrive whole within REQUEST_READ_TIMEOUT (the server's "
          "answer: no X-Request-ID)", Error, ()),
    409: ("`conflict`: the name (or id) is taken, or a request with this Idempotency-Key is still in progress "
          "(then with `Retry-After`)", Error, ("Retry-After",)),
    410: ("`sync_token_expired`: the token is older than deleted events are kept; list everything again", Error, ()),
    412: ("`precondition_failed`: the event is at another version (`current_version`, and the event as it is "
          "now in `current`)", PreconditionFailure, ()),
    413: ("`payload_too_large`: the body is over MAX_CONTENT_LENGTH", Error, ()),
    414: ("`uri_too_long`: the request line is too long (the server's answer: no X-Request-ID)", Error, ()),
    422: ("`idempotency_key_reused`: this Idempotency-Key was used with another body", Error, ()),
    429: ("`rate_limited`: the token (or, without one, the address) spent its RATE_LIMIT", RateLimited,
          ("Retry-After",)),
    431: ("`request_header_fields_too_large`: too many or too large headers (the server's answer: no "
          "X-Request-ID)", Error, ()),
    500: ("`internal_error`", Error, ()),
    503: ("DynamoDB unavailable, or an index this request reads is missing or still being built "
          "(`index_not_ready`): the code and message say why and what to do", Error, ("Retry-After",)),
}
# Statuses the server answers itself, before the app sees the request (serving/): no X-Request-ID.
SERVER_ERRORS = (408, 414, 431)

PAGE_HEADERS = ("X-Next-Cursor", "Link")
CREATED = ("Location", "Idempotent-Replayed")

ROUTES: list[Route] = [
    Route("GET", "/api/departments", "List the departments the token may see, sorted by name", "departments",
          role="viewer", parameters=("limit", "cursor"),
          answers={200: Answer("The departments (a page of them with `limit`)", [Department], headers=PAGE_HEADERS)},
          errors=(400,)),
    Route("POST", "/api/departments", "Create a department (not with a token limited to departments)",
          "departments", role="admin", parameters=("Idempotency-Key",), body=DepartmentCreate,
          answers={201: Answer("The department as stored", Department, headers=CREATED)},
          errors=(400, 409, 413, 422)),
    Route("GET", "/api/departments/{department_id}", "Read a department", "departments", role="viewer",
          parameters=("department_id",), answers={200: Answer("The department", Department)}, errors=(404,)),
    Route("PATCH", "/api/departments/{department_id}", "Rename a department or change its description",
          "departments", role="admin", parameters=("department_id",), body=DepartmentChanges,
          answers={200: Answer("The department as stored", Department)}, errors=(400, 404, 409, 413)),
    Route("DELETE", "/api/departments/{department_id}", "Delete a department and all its events", "departments",
          role="admin", parameters=("department_id",), answers={204: Answer("Deleted")}, errors=(404,)),
    Route("GET", "/api/departments/{department_id}/calendar.ics",
          "The department's events as an iCalendar (RFC 5545) feed to subscribe to; a viewer token may "
          "come as `?token=`", "departments", role="viewer", query_token=True,
          parameters=("department_id", "If-None-Match"),
          answers={200: Answer("The calendar", {"type": "string"}, "text/calendar", headers=("ETag",)),
                   304: Answer("The client's copy (If-None-Match) is current", headers=("ETag",))},
          errors=(404,)),
    Route("GET", "/api/events/{id}", "List a department's events, by date then creation; or, with "
          "`changed_since`, what changed since a sync token", "events", role="viewer",
          parameters=("events.department", "from", "to", "expand", "limit", "cursor", "changed_since"),
          answers={200: Answer("The events (a page of them with `limit`); with `changed_since` the events "
                               "changed and the tombstones of deleted ones", [Event, Tombstone],
                               headers=("X-Sync-Token", *PAGE_HEADERS))},
          errors=(400, 404, 410)),
    Route("POST", "/api/events/{id}", "Create an event in a department", "events", role="editor",
          parameters=("events.department", "Idempotency-Key"), body=EventCreate,
          answers={201: Answer("The event as stored", Event, headers=("ETag", *CREATED))},
          errors=(400, 404, 409, 413, 422)),
    Route("GET", "/api/events/{department_id}/{event_id}", "Read one event", "events", role="viewer",
          parameters=("department_id", "event_id"), answers={200: Answer("The event", Event, headers=("ETag",))},
          errors=(404,)),
    Route("PUT", "/api/events/{id}", "Change the fields sent of an event, a series or occurrences of one (`scope`)",
          "events", role="editor", parameters=("events.event", "scope", "If-Match"), body=EventChanges,
          answers={200: Answer("The event, series or exception as stored (`following`: the new series)", Event,
                               headers=("ETag",))}, errors=(400, 404, 409, 412, 413)),
    Route("DELETE", "/api/events/{id}", "Delete an event, a series or occurrences of one (`scope`)", "events",
          role="editor", parameters=("events.event", "scope", "If-Match"), answers={204: Answer("Deleted")},
          errors=(400, 404, 409, 412)),
    Route("GET", "/api/events/{department_id}/{event_id}/history", "An event's history: each change (who, when, "
          "the fields before and after), newest first, kept HISTORY_DAYS", "events", role="viewer",
          parameters=("department_id", "event_id", "history.limit", "cursor"),
          answers={200: Answer("The entries (a page of them)", [HistoryEntry], headers=PAGE_HEADERS)},
          errors=(400, 404)),
    Route("GET", "/api/search", "Find events by their words across every date of the departments the token may "
          "read: nearest to today first (a series once, as its occurrence nearest today)", "events", role="viewer",
          parameters=("search.q", "search.department", "from", "to", "search.limit", "cursor"),
          answers={200: Answer("The events found (a page of them)", [Event], headers=PAGE_HEADERS)},
          errors=(400,)),
    Route("GET", "/api/departments/{department_id}/trash", "The department's trash: the events and series deleted "
          "in the last TRASH_DAYS, newest first", "departments", role="editor",
          parameters=("department_id", "history.limit", "cursor"),
          answers={200: Answer("The deleted events as they were (a page of them)", [TrashedEvent],
                               headers=PAGE_HEADERS)}, errors=(400, 404)),
    Route("POST", "/api/departments/{department_id}/trash/{event_id}/restore", "Restore a deleted event or series "
          "(with its exceptions) under its id, as the version after its tombstone's; broadcast as `event_created` "
          "and in `changed_since`", "departments", role="editor", parameters=("department_id", "event_id"),
          answers={200: Answer("The restored event", Event, headers=("ETag",))}, errors=(404, 409)),
    Route("DELETE", "/api/departments/{department_id}/trash/{event_id}", "Remove a deleted event from the trash "
          "for good (it can no longer be restored; its history stays)", "departments", role="editor",
          parameters=("department_id", "event_id"), answers={204: Answer("Removed")}, errors=(404,)),
    Route("GET", "/api/holidays", "The Korean public holidays (substitute and temporary ones included) and the "
          "company days of a range of days, by day", "holidays", role="viewer",
          parameters=("holidays.from", "holidays.to"),
          answers={200: Answer("The holidays and company days, by day (`kind` tells which)", [Holiday])},
          errors=(400,)),
    Route("POST", "/api/company-days", "Add a company day (창립기념일, 전사 휴무): an admin of every department "
          "only; every open page hears `company_day_added`", "holidays", role="admin", body=CompanyDayCreate,
          answers={201: Answer("The company day as stored", CompanyDay)}, errors=(400, 409, 413)),
    Route("GET", "/api/company-days/calendar.ics", "The company days of the last, this and the next year as an "
          "iCalendar (RFC 5545) feed to subscribe to; a viewer token may come as `?token=`", "holidays", role="viewer",
          query_token=True, parameters=("If-None-Match",),
          answers={200: Answer("The calendar", {"type": "string"}, "text/calendar", headers=("ETag",)),
                   304: Answer("The client's copy (If-None-Match) is current", headers=("ETag",))}),
    Route("DELETE", "/api/company-days/{date}", "Remove a company day: an admin of every department only; every "
          "open page hears `company_day_removed`", "holidays", role="admin", parameters=("company_day.date",),
          answers={204: Answer("Removed")}, errors=(400, 404)),
    Route("GET", "/api/me", "Who the caller is: name, e-mail, role, departments and how it authenticated", "auth",
          role="viewer", answers={200: Answer("The caller", Me)}),
    Route("GET", "/auth/login", "Sign in with the company's account: a redirect to the identity provider "
          "(OIDC_ISSUER; 404 without it)", "auth", reads_storage=False,
          answers={302: Answer("To the provider's authorization endpoint (code flow, PKCE S256, state, nonce)",
                               headers=("Location",)),
                   503: Answer("The provider's discovery document could not be read: a page in Korean",
                               {"type": "string"}, "text/html")}, errors=(404,)),
    Route("GET", "/auth/callback", "Where the provider sends the browser back: checks state and the ID token, "
          "starts a session (cookie `calendar_session`) and opens the calendar page", "auth",
          answers={302: Answer("Signed in: to `/`, with the session cookie", headers=("Location",)),
                   400: Answer("Not signed in (wrong or missing state, a refused code, an ID token that fails "
                               "verification): a page in Korean", {"type": "string"}, "text/html"),
                   403: Answer("No group of OIDC_ROLE_GROUPS: a page in Korean saying to ask the administrator",
                               {"type": "string"}, "text/html")}, errors=(404,)),
    Route("POST", "/auth/logout", "Sign out: the session ends on every instance within AUTH_CACHE_SECONDS and "
          "the cookie is dropped", "auth", answers={204: Answer("Signed out")}, errors=(403, 404)),
    Route("POST", "/api/tokens", "Make a personal token (app password) for the C# client, a feed or a calendar "
          "app: only a person signed in with the company's account, at most their role and departments",
          "auth", role="viewer", body=TokenCreate,
          answers={201: Answer("The token with its secret (`token`), shown only now", NewToken)},
          errors=(400, 409, 413)),
    Route("GET", "/api/tokens", "List your own tokens (an admin of every department: every token), never a secret",
          "auth", role="viewer", answers={200: Answer("The tokens, by name", [TokenSummary])}),
    Route("DELETE", "/api/tokens/{token_name}", "Revoke one of your tokens (an admin of every department: anyone's); "
          "it stops working everywhere within AUTH_CACHE_SECONDS", "auth", role="viewer",
          parameters=("token_name",), answers={204: Answer("Revoked")}, errors=(404,)),
    Route("GET", "/api/people", "People who signed in (a live session or a personal token) and people blocked: "
          "an admin of every department only (404 without OIDC_ISSUER)", "auth", role="admin",
          answers={200: Answer("The people, by name", [Person])}, errors=(404,)),
    Route("PUT", "/api/people/{subject}/block", "Block a person: their sessions end and personal tokens are "
          "revoked (everywhere within AUTH_CACHE_SECONDS) and sign-in is refused until unblocked", "auth",
          role="admin", parameters=("subject",), answers={204: Answer("Blocked")}, errors=(404,)),
    Route("DELETE", "/api/people/{subject}/block", "Unblock a person: they may sign in again", "auth",
          role="admin", parameters=("subject",), answers={204: Answer("Unblocked")}, errors=(404,)),
    Route("GET", "/healthz", "Liveness: 200 while the process runs", "health",
          answers={200: Answer("Alive", Health)}, reads_storage=False, rate_limited=False),
    Route("GET", "/readyz", "Readiness: DynamoDB answers and every table (and index) is ACTIVE", "health",
          answers={200: Answer("Ready", Ready)}, errors=(503,), error_bodies={503: NotReady}, reads_storage=False,
          rate_limited=False),
    Route("GET", "/metrics", "This process's Prometheus metrics", "health",
          answers={200: Answer("The metrics, Prometheus text format 0.0.4", {"type": "string"}, "text/plain")},
          reads_storage=False),
    Route("GET", "/api/openapi.json", "This document (OpenAPI 3.1)", "docs",
          answers={200: Answer("The document", {"type": "object"})}, reads_storage=False),
    Route("GET", "/api/docs", "The API's documentation page (Swagger UI, served locally)", "docs",
          answers={200: Answer("The page", {"type": "string"}, "text/html")}, reads_storage=False),
    Route("GET", "/", "The calendar page for people (HTML; it calls this API with the user's token)", "page",
          answers={200: Answer("The page", {"type": "string"}, "text/html")}, reads_storage=False),
    Route("GET", "/page/{asset}", "A file of the calendar page", "page", parameters=("page.asset",),
          answers={200: Answer("The file", {"type": "string"}, "*/*", headers=("ETag",))}, errors=(404,), reads_storage=False),
    Route("GET", "/page/vendor/{asset}", "The socket.io browser client the calendar page loads", "page",
          parameters=("page.vendor_asset",), answers={200: Answer("The file", {"type": "string"}, "*/*", headers=("ETag",))},
          errors=(404,), reads_storage=False),
    Route("GET", "/api/docs/{asset}", "A file of the documentation page", "docs", parameters=("asset",),
          answers={200: Answer("The file", {"type": "string"}, "*/*", headers=("ETag",))}, errors=(404,), reads_storage=False),
]
