"""Every answer carries a request id; every request writes one structured log line naming its
route, status and latency, and never its body or query string."""
from __future__ import annotations

import io
import json
import logging
import os
import re

import pytest

from observability.logs import JsonFormatter, TextFormatter
from support.faults import throttling_hook
from support.live_helpers import http, start_app
from support.servers import api_client

GENERATED_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def log_lines(caplog):
    """The lines the service logs during the test, formatted as JSON by the service's formatter."""
    caplog.set_level(logging.INFO)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logging.getLogger().addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logging.getLogger().removeHandler(handler)


def _request_lines(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == "api.request_log"]


ANSWERS = [  # (method, path, body, status): one of each kind of answer
    ("GET", "/api/departments", None, 200),
    ("POST", "/api/departments", {"name": "영업부"}, 201),
    ("POST", "/api/departments", {"name": ""}, 400),
    ("GET", "/api/nothing-here", None, 404),
    ("PATCH", "/api/departments", None, 405),
    ("POST", "/api/departments", {"name": "x" * (2 * 1024 * 1024)}, 413),
    ("GET", "/healthz", None, 200),
]


def test_every_answer_carries_a_generated_request_id(client):
    seen = set()
    for method, path, body, status in ANSWERS:
        response = client.open(path, method=method, json=body)
        assert response.status_code == status
        assert GENERATED_ID.fullmatch(response.headers["X-Request-ID"]), (method, path)
        seen.add(response.headers["X-Request-ID"])
    assert len(seen) == len(ANSWERS)


def test_a_sane_client_request_id_is_kept_and_any_other_replaced(client):
    for sent in ("abc", "1-67891233-abcdef012345678912345678", "a.b_c:d-e", "x" * 128):
        assert client.get("/api/departments", headers={"X-Request-ID": sent}).headers["X-Request-ID"] == sent
    for sent in ("", "x" * 129, "has space", "a/b", 'quote"d', "tab\there", "Root=1-2", "한국어"):
        echoed = client.get("/api/departments", headers={"X-Request-ID": sent}).headers["X-Request-ID"]
        assert GENERATED_ID.fullmatch(echoed), sent


def test_a_503_carries_the_request_id_and_its_log_lines_too(settings, db, log_lines):
    hook, _ = throttling_hook(100)
    db.client.meta.events.register("before-send.dynamodb", hook)
    try:
        response = api_client(settings, db).get("/api/departments",
                                                              headers={"X-Request-ID": "req-503"})
    finally:
        db.client.meta.events.unregister("before-send.dynamodb", hook)
    assert response.status_code == 503 and response.headers["X-Request-ID"] == "req-503"
    lines = log_lines()
    throttled = [line for line in lines if line["message"].startswith("dynamodb_throttled")]
    assert throttled and throttled[0]["request_id"] == "req-503" and throttled[0]["level"] == "WARNING"
    assert _request_lines(lines) == [{
        **_request_lines(lines)[0], "level": "WARNING", "request_id": "req-503", "method": "GET",
        "route": "/api/departments", "status": 503, "message": "request"}]


def test_one_line_per_request_with_the_route_not_the_path(client, make_department, log_lines):
    department = make_department()
    client.get(f"/api/events/{department['id']}?from=2024-01-01&to=2024-01-31&token=QUERY-SECRET")
    client.post(f"/api/events/{department['id']}", json={"event_date": "2024-01-02", "title": "BODY-SECRET"})
    client.get("/api/nothing/here")
    lines = _request_lines(log_lines())
    assert [(line["method"], line["route"], line["status"]) for line in lines] == [
        ("GET", "/api/events/<uuid:department_id>", 200),
        ("POST", "/api/events/<uuid:department_id>", 201),
        ("GET", "<unmatched>", 404),
    ]
    assert all(isinstance(line["latency_ms"], float) and line["latency_ms"] >= 0 for line in lines)
    assert len({line["request_id"] for line in lines}) == 3
    text = json.dumps(lines)
    assert "SECRET" not in text and department["id"] not in text and "2024-01" not in text


def test_outside_a_request_lines_carry_no_request_id(log_lines):
    logging.getLogger("models").warning("outside any request")
    assert "request_id" not in log_lines()[-1]


def test_the_text_format_keeps_the_request_line_readable():
    record = logging.LogRecord("api.request_log", logging.INFO, __file__, 1, "request", None, None)
    record.fields = {"method": "GET", "route": "/api/departments", "status": 200, "latency_ms": 1.5}
    assert TextFormatter().format(record).endswith(
        "INFO api.request_log: request method=GET route=/api/departments status=200 latency_ms=1.5")


@pytest.mark.live
@pytest.mark.parametrize("dynamodb_server", ["moto"], indirect=True)
def test_gunicorn_writes_only_json_lines_one_per_request(settings, db, tmp_path):
    """As AWS_DEPLOYMENT_CONFIG.md serves it: every line of the process is JSON, no access log."""
    log_path = tmp_path / "app.log"
    server = start_app("threading", settings, log_path, LOG_LEVEL="INFO", LOG_FORMAT="json")
    try:
        created = http.post(f"{server.url}/api/departments", json={"name": "BODY-SECRET"}, timeout=10)
        listed = http.get(f"{server.url}/api/events/{created.json()['id']}?token=QUERY-SECRET", timeout=10)
        missing = http.get(f"{server.url}/api/departments/not-a-uuid", headers={"X-Request-ID": "ops-1"},
                               timeout=10)
    finally:
        server.stop()
    lines = [json.loads(line) for line in log_path.read_text().splitlines()]  # every line parses
    assert any(line["logger"] == "gunicorn.error" for line in lines)  # gunicorn's own, as JSON
    requests_logged = [line for line in lines if line["logger"] == "api.request_log" and line["route"] != "/healthz"]
    assert [(r["method"], r["route"], r["status"], r["request_id"]) for r in requests_logged] == [
        ("POST", "/api/departments", 201, created.headers["X-Request-ID"]),
        ("GET", "/api/events/<uuid:department_id>", 200, listed.headers["X-Request-ID"]),
        ("GET", "<unmatched>", 404, "ops-1"),
    ]
    assert missing.headers["X-Request-ID"] == "ops-1"
    assert "SECRET" not in log_path.read_text() and "not-a-uuid" not in log_path.read_text()


def test_generated_ids_are_unique_in_a_process_and_its_forked_workers():
    from api.request_log import request_id_from

    here = [request_id_from(None) for _ in range(1000)]
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # as gunicorn forks a worker from its master
        os.write(writer, request_id_from(None).encode())
        os._exit(0)
    os.close(writer)
    os.waitpid(child, 0)
    in_child = os.read(reader, 64).decode()
    os.close(reader)
    assert all(GENERATED_ID.fullmatch(rid) for rid in [*here, in_child])
    assert len(set(here)) == 1000
    assert in_child[:16] != here[0][:16] and in_child not in here


def test_a_json_line_tells_its_records_utc_time_to_the_millisecond():
    formatter = JsonFormatter()
    times = []
    # 2026-12-07 23:59:59.998 UTC, then a record in the next second (and the next day), then an earlier one
    for created, msecs in ((1796687999.998, 998), (1796688000.001, 1), (1796688000.5, 500), (1796687999.25, 250)):
        record = logging.LogRecord("api.request_log", logging.INFO, __file__, 1, "request", (), None)
        record.created, record.msecs = created, msecs
        times.append(json.loads(formatter.format(record))["time"])
    assert times == ["2026-12-07T23:59:59.998Z", "2026-12-08T00:00:00.001Z", "2026-12-08T00:00:00.500Z",
                     "2026-12-07T23:59:59.250Z"]
