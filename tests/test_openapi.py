"""GET /api/openapi.json is a valid OpenAPI 3.1 document of every route; /api/docs works offline;
schemathesis finds no 5xx and no answer that breaks the document on a live server."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from contract.routes import ROUTES

ALWAYS_THERE = {"static"}  # Flask's own endpoint, present when a static folder exists


def _template(path: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?[^>]+>|\{[^}]+\}", "{}", path)


def test_the_document_is_valid_openapi_3_1(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    validate(document)
    # Declared once for every route that sends or reads them (paging, sync and retries add theirs).
    assert {"ETag", "Location", "X-Next-Cursor", "X-Sync-Token"} <= set(document["components"]["headers"])
    assert {"If-Match", "If-None-Match", "Idempotency-Key"} <= set(document["components"]["parameters"])
    feed = document["paths"]["/api/departments/{department_id}/calendar.ics"]["get"]["responses"]
    assert set(feed) == {"200", "304", "404", "500", "503"} and "ETag" in feed["200"]["headers"]


def test_every_served_route_is_declared_and_every_declared_route_is_served(app):
    served = {
        (method, _template(rule.rule))
        for rule in app.url_map.iter_rules() if rule.endpoint not in ALWAYS_THERE
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


def test_docs_page_loads_only_files_this_server_serves(client):
    page = client.get("/api/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "//" not in "".join(re.findall(r'(?:src|href|url)[=:]\s*"([^"]*)"', html))  # no CDN, no host
    for link in re.findall(r'(?:src|href)="([^"]+)"', html):
        with client.get(link) as asset:
            assert asset.status_code == 200, link
            assert len(asset.data) > 10_000, link  # the real Swagger UI file, from node_modules
    assert "/api/openapi.json" in html


def test_docs_serve_no_other_file_of_node_modules(client):
    for name in ("package.json", "..%2Fdynamo-db-local%2Fpackage.json", "index.html"):
        response = client.get(f"/api/docs/{name}")
        assert response.status_code == 404
        assert response.get_json()["error"] == "not_found"


@pytest.mark.live
@pytest.mark.parametrize("dynamodb_server", ["dynamodb-local"], indirect=True)
def test_schemathesis_finds_no_server_error_and_no_answer_outside_the_document(live_server, make_department,
                                                                               make_event, tmp_path):
    department = make_department("스키마부")
    kept, deleted = (make_event(department["id"], time="오후 2:00") for _ in range(2))
    config = tmp_path / "schemathesis.toml"
    config.write_text(_existing_ids_config(department["id"], kept["id"], deleted["id"]))
    result = subprocess.run(
        [str(Path(sys.executable).parent / "st"), "--config-file", str(config), "run",
         f"{live_server.url}/api/openapi.json",
         "--url", live_server.url,
         "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
                     "response_headers_conformance,response_schema_conformance",
         "--max-examples", "6", "--phases", "examples,coverage,fuzzing", "--seed", "8",
         "--exclude-path", "/api/docs/{asset}",  # its bodies are CSS and JavaScript
         "--request-timeout", "10", "--no-color", "--suppress-health-check", "all",
         *_schemathesis_headers()],
        capture_output=True, text=True, timeout=170, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "Missing test data: 2" not in result.stdout and "Missing test data: 3" not in result.stdout


def _existing_ids_config(department_id: str, event_id: str, deleted_event_id: str) -> str:
    """schemathesis.toml giving the operations that read or change one item an id that exists
    (random UUIDs would only ever meet 404s); DELETE of the department keeps random ids, and
    DELETE of an event gets its own (only its first call finds it)."""
    uses = {
        "GET /api/departments/{department_id}": ("department_id", department_id),
        "GET /api/departments/{department_id}/calendar.ics": ("department_id", department_id),
        "GET /api/events/{id}": ("id", department_id),
        "POST /api/events/{id}": ("id", department_id),
        "PUT /api/events/{id}": ("id", event_id),
        "DELETE /api/events/{id}": ("id", deleted_event_id),
    }
    return "".join(f'[[operations]]\ninclude-name = "{name}"\nparameters = {{ {key} = "{value}" }}\n\n'
                   for name, (key, value) in uses.items())


def _schemathesis_headers() -> list[str]:
    """Headers every schemathesis request carries (the place for an Authorization header)."""
    return []


def test_a_url_with_an_unclosed_ipv6_host_is_a_400_not_a_500(client, make_department):
    response = client.post(f"/api/events/{make_department()['id']}",
                           json={"event_date": "2024-01-20", "title": "회의", "url": "http://[::1"})
    assert response.status_code == 400
    assert response.get_json()["fields"] == {"url": "must be an absolute http(s) URL or empty"}
