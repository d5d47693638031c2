"""GET /api/openapi.json is a valid OpenAPI 3.1 document of every route; /api/docs works offline;
schemathesis finds no 5xx and no answer that breaks the document on a live server."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from openapi_spec_validator import validate

from contract.routes import ROUTES
from support.live_helpers import token_for
from support.servers import start_live_server

ALWAYS_THERE = {"static"}  # Flask's own endpoint, present when a static folder exists
# CalDAV (backend/dav/) speaks WebDAV XML, not the JSON API the document describes: tests/test_dav_*.py cover it.
CALDAV_ENDPOINTS = "dav."


def _template(path: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?[^>]+>|\{[^}]+\}", "{}", path)


def test_the_document_is_valid_openapi_3_1(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    validate(document)
    # Declared once for every route that sends or reads them (paging, sync and retries add theirs).
    assert {"ETag", "Location", "X-Next-Cursor", "Link", "X-Sync-Token", "Idempotent-Replayed", "Retry-After",
            "WWW-Authenticate", "X-Request-ID"} <= set(document["components"]["headers"])
    assert {"If-Match", "If-None-Match", "Idempotency-Key", "limit", "cursor", "changed_since",
            "X-Request-ID"} <= set(document["components"]["parameters"])
    feed_operation = document["paths"]["/api/departments/{department_id}/calendar.ics"]["get"]
    feed = feed_operation["responses"]
    assert set(feed) == {"200", "304", "401", "403", "404", "408", "414", "429", "431", "500", "503"}
    assert "ETag" in feed["200"]["headers"] and "WWW-Authenticate" in feed["401"]["headers"]
    assert feed_operation["security"] == [{"bearerToken": []}, {"feedToken": []}]
    assert document["components"]["securitySchemes"]["feedToken"] == {
        **document["components"]["securitySchemes"]["feedToken"], "type": "apiKey", "in": "query", "name": "token"}


def test_the_document_describes_paging_sync_retries_and_the_audit_fields(client):
    document = client.get("/api/openapi.json").get_json()
    paths, schemas = document["paths"], document["components"]["schemas"]
    listing = paths["/api/events/{id}"]["get"]
    assert {p["$ref"].rsplit("/", 1)[1] for p in listing["parameters"]} == {
        "events.department", "from", "to", "expand", "limit", "cursor", "changed_since", "X-Request-ID"}
    for method in ("put", "delete"):
        change = paths["/api/events/{id}"][method]
        assert {p["$ref"].rsplit("/", 1)[1] for p in change["parameters"]} == {
            "events.event", "scope", "If-Match", "X-Request-ID"}
    assert listing["responses"]["200"]["content"]["application/json"]["schema"]["items"] == {
        "anyOf": [{"$ref": "#/components/schemas/Event"}, {"$ref": "#/components/schemas/Tombstone"}]}
    assert {"X-Sync-Token", "X-Next-Cursor", "Link"} <= set(listing["responses"]["200"]["headers"])
    assert "410" in listing["responses"]
    assert set(schemas["Tombstone"]["required"]) == {"id", "department_id", "deleted", "last_modified", "version"}
    for path in ("/api/departments", "/api/events/{id}"):
        create = paths[path]["post"]
        assert {"409", "422"} <= set(create["responses"])
        assert "Retry-After" in create["responses"]["409"]["headers"]
        assert "Idempotent-Replayed" in create["responses"]["201"]["headers"]
        assert {"$ref": "#/components/parameters/Idempotency-Key"} in create["parameters"]
    assert "current" in schemas["PreconditionFailure"]["required"]
    assert "ETag" in paths["/api/events/{department_id}/{event_id}"]["get"]["responses"]["200"]["headers"]
    rename = paths["/api/departments/{department_id}"]["patch"]
    assert rename["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/DepartmentChanges"}
    assert {"created_by", "updated_by"} <= set(schemas["Event"]["required"]) & set(schemas["Department"]["required"])
    assert "text/plain" in paths["/metrics"]["get"]["responses"]["200"]["content"]


def test_every_protected_route_declares_its_role_401_403_and_429_and_every_answer_its_request_id(app, client):
    """The registry's role is the one the view's @auth.requires names (None: open without a token)."""
    views = {(method, _template(rule.rule)): app.view_functions[rule.endpoint]
             for rule in app.url_map.iter_rules()
             if rule.endpoint not in ALWAYS_THERE and not rule.endpoint.startswith(CALDAV_ENDPOINTS)
             for method in rule.methods - {"HEAD", "OPTIONS"}}
    document = client.get("/api/openapi.json").get_json()
    for route in ROUTES:
        view = views[(route.method, _template(route.path))]
        assert route.role == getattr(view, "auth_role", None), route.path
        assert route.query_token == getattr(view, "auth_query_token", False), route.path
        operation = document["paths"][route.path][route.method.lower()]
        assert ({"401", "403"} <= set(operation["responses"])) == bool(route.role), route.path
        assert (operation["security"] == []) == (route.role is None), route.path
        assert ("429" in operation["responses"]) == (route.path not in ("/healthz", "/readyz")), route.path
        for status, response in operation["responses"].items():
            server_answer = status in ("408", "414", "431")
            assert ("X-Request-ID" in response.get("headers", {})) != server_answer, (route.path, status)


def test_the_document_and_the_docs_page_need_no_token(app):
    anonymous = app.test_client()
    assert anonymous.get("/api/openapi.json").status_code == 200
    page = anonymous.get("/api/docs")
    assert page.status_code == 200
    for link in re.findall(r'(?:src|href)="(/[^"]+)"', page.get_data(as_text=True)):
        with anonymous.get(link) as asset:
            assert asset.status_code == 200, link
    assert anonymous.get("/api/docs/package.json").status_code == 404  # still only Swagger UI's files
    assert anonymous.get("/api/departments").status_code == 401  # and nothing else opens


def test_every_served_route_is_declared_and_every_declared_route_is_served(app):
    served = {
        (method, _template(rule.rule))
        for rule in app.url_map.iter_rules()
             if rule.endpoint not in ALWAYS_THERE and not rule.endpoint.startswith(CALDAV_ENDPOINTS)
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    declared = {(route.method, _template(route.path)) for route in ROUTES}
    assert served == declared


def test_the_document_declares_the_limits_the_api_enforces(client, make_department):
    schemas = client.get("/api/openapi.json").get_json()["components"]["schemas"]
    title = schemas["EventCreate"]["properties"]["title"]
    assert (title["minLength"], title["maxLength"]) == (1, 200)
    department = make_department()
    too_long = client.post(f"/api/events/{department['id']}", json={"event_date": "2024-01-20", "title": "x" * 201})
    assert too_long.get_json()["fields"] == {"title": "must have at most 200 characters (got 201)"}
    assert schemas["EventCreate"]["additionalProperties"] is False
    assert set(schemas["EventCreate"]["required"]) == {"event_date", "title"}


def test_the_document_declares_the_bounds_of_dates_listings_and_series(client, make_department):
    document = client.get("/api/openapi.json").get_json()
    to = document["components"]["parameters"]["to"]
    event = document["components"]["schemas"]["EventCreate"]["properties"]
    lines = event["recurrence"]["anyOf"][0]
    assert "at most 366 days after `from`" in to["description"]
    assert "from 1900-01-01 to 2199-12-31" in to["schema"]["description"]
    assert "from 1900-01-01 to 2199-12-31" in event["event_date"]["description"]
    assert lines["maxItems"] == 120
    assert all(limit in lines["description"] for limit in ("INTERVAL 1-1,000", "no BYEASTER", "At most 20 RRULE"))
    department = make_department()["id"]
    too_long = client.get(f"/api/events/{department}?from=2024-01-01&to=2025-01-02")
    assert too_long.get_json()["fields"] == {"to": "must be at most 366 days after `from`"}


def test_docs_page_loads_only_files_this_server_serves(client):
    page = client.get("/api/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "//" not in "".join(re.findall(r'(?:src|href|url)[=:]\s*"([^"]*)"', html))  # no CDN, no host
    for link in re.findall(r'(?:src|href)="(/[^"]+)"', html):  # all but the empty data: favicon
        with client.get(link) as asset:
            assert asset.status_code == 200, link
            if not link.endswith("/initializer.js"):  # ours; the others are Swagger UI's, from node_modules
                assert len(asset.data) > 10_000, link
    assert "/api/openapi.json" in html


def test_docs_serve_no_other_file_of_node_modules(client):
    for name in ("package.json", "..%2Fdynamo-db-local%2Fpackage.json", "index.html"):
        response = client.get(f"/api/docs/{name}")
        assert response.status_code == 404
        assert response.get_json()["error"] == "not_found"


@pytest.mark.live
@pytest.mark.parametrize("dynamodb_server", ["dynamodb-local"], indirect=True)
def test_schemathesis_finds_no_server_error_and_no_answer_outside_the_document(settings, db, make_department,
                                                                               make_event, tmp_path):
    department, doomed = make_department("스키마부"), make_department("삭제될부")
    kept, deleted = (make_event(department["id"], time="오후 2:00") for _ in range(2))
    config = tmp_path / "schemathesis.toml"
    config.write_text(_existing_ids_config(department["id"], doomed["id"], kept["id"], deleted["id"]))
    # The run sends a few thousand requests with one token: this server's budget is not under test.
    live_server = start_live_server(settings, tmp_path / "app.log", RATE_LIMIT="1000000 per minute")
    try:
        result = _run_schemathesis(live_server.url, config, tmp_path)
        answered = requests.get(f"{live_server.url}/metrics", timeout=10).text
    finally:
        live_server.stop()
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    # The token let the run past authentication, to the handlers (created events, read feeds).
    assert 'route="/api/events/<uuid:department_id>",status="201"' in answered
    assert 'route="/api/departments/<uuid:department_id>/calendar.ics",status="200"' in answered
    # schemathesis probes each secured operation once or twice without the token: those are the 401s.
    refused = [line for line in answered.splitlines()
               if line.startswith("calendar_http_requests_total{") and 'status="401"' in line]
    assert refused and [line for line in refused if float(line.rsplit(" ", 1)[1]) > 2] == []
    # Only the DELETEs meet 404s after their first call (a made-up token name has nothing to revoke):
    # every other operation reached its handler (but the sign-in and people routes, 404 without
    # OIDC_ISSUER: tests/test_sign_in.py and its neighbours call them with it).
    assert _operations_missing_test_data(result.stdout) <= {
        "DELETE /api/departments/{department_id}", "DELETE /api/events/{id}", "DELETE /api/tokens/{token_name}",
        "GET /auth/login", "GET /auth/callback", "POST /auth/logout",
        "GET /api/people", "PUT /api/people/{subject}/block", "DELETE /api/people/{subject}/block",
        # nothing of the department under test is in its trash (tests/test_trash.py restores and removes)
        "POST /api/departments/{department_id}/trash/{event_id}/restore",
        "DELETE /api/departments/{department_id}/trash/{event_id}"}


def _operations_missing_test_data(report: str) -> set[str]:
    """The operations schemathesis lists under its "Missing test data" warning (mostly 404s)."""
    block = report.partition("\nMissing test data:")[2]
    block = re.split(r"^[A-Z][\w ]+: \d+ operation|^=", block, maxsplit=1, flags=re.MULTILINE)[0]
    return {line.strip()[2:] for line in block.splitlines() if line.strip().startswith("- ")}


def _run_schemathesis(url: str, config: Path, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(Path(sys.executable).parent / "st"), "--config-file", str(config), "run",
         f"{url}/api/openapi.json",
         "--url", url,
         "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
                     "response_headers_conformance,response_schema_conformance",
         "--max-examples", "6", "--phases", "examples,coverage,fuzzing", "--seed", "8",
         "--exclude-path", "/api/docs/{asset}",  # its bodies are CSS and JavaScript
         "--request-timeout", "10", "--no-color", "--suppress-health-check", "all",
         *_schemathesis_headers(url)],
        capture_output=True, text=True, timeout=170, cwd=cwd,
    )


def _existing_ids_config(department_id: str, deleted_department_id: str, event_id: str, deleted_event_id: str) -> str:
    """schemathesis.toml giving the operations that read or change one item an id that exists
    (random UUIDs would only ever meet 404s). The DELETEs get their own department and event (only
    the first call finds them): left to itself, schemathesis deletes the departments it has seen
    listed, the one under test with them, and every later call on its events meets a 404."""
    uses = {
        "DELETE /api/departments/{department_id}": ("department_id", deleted_department_id),
        "GET /api/departments/{department_id}": ("department_id", department_id),
        "PATCH /api/departments/{department_id}": ("department_id", department_id),
        "GET /api/departments/{department_id}/calendar.ics": ("department_id", department_id),
        "GET /api/departments/{department_id}/trash": ("department_id", department_id),
        "GET /api/events/{id}": ("id", department_id),
        "POST /api/events/{id}": ("id", department_id),
        "PUT /api/events/{id}": ("id", event_id),
        "DELETE /api/events/{id}": ("id", deleted_event_id),
    }
    tables = "".join(f'[[operations]]\ninclude-name = "{name}"\nparameters = {{ {key} = "{value}" }}\n\n'
                     for name, (key, value) in uses.items())
    return tables + "".join(f'[[operations]]\ninclude-name = "GET /api/events/{{department_id}}/{{event_id}}{tail}"\n'
                            f'parameters = {{ department_id = "{department_id}", event_id = "{event_id}" }}\n\n'
                            for tail in ("", "/history"))


def _schemathesis_headers(url: str) -> list[str]:
    """Headers every schemathesis request carries: the live server's admin token (every route
    answers what an admin sees; 401/403 are tested in tests/test_auth.py)."""
    return ["--header", f"Authorization: Bearer {token_for(url)}"]


def test_a_url_with_an_unclosed_ipv6_host_is_a_400_not_a_500(client, make_department):
    response = client.post(f"/api/events/{make_department()['id']}",
                           json={"event_date": "2024-01-20", "title": "회의", "url": "http://[::1"})
    assert response.status_code == 400
    assert response.get_json()["fields"] == {"url": "must be an absolute http(s) URL or empty"}
