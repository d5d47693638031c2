"""DynamoDB that stalls (its process stopped, not refusing): the service answers 503 within a
bounded time, /readyz within 2 s, and recovers by itself when DynamoDB answers again."""
from __future__ import annotations

import os
import signal
import time
import uuid

import pytest
import requests

from local.dynamodb_local import start_moto_server
from models import DynamoDBDatabase
from support.live_helpers import http
from support.servers import make_settings, start_live_server

READ_TIMEOUT = 1.0
STALL_SECONDS = 1.5


@pytest.fixture
def stoppable(tmp_path):
    """A DynamoDB-compatible server of this test's own (moto), with the tables, that can be stopped."""
    server = start_moto_server(log_file=tmp_path / "moto.log")
    settings = make_settings(server.endpoint_url, dynamodb_max_attempts=5)
    DynamoDBDatabase(settings).create_tables()
    yield server, settings
    os.kill(server.process.pid, signal.SIGCONT)
    server.stop()


@pytest.fixture
def app_server(stoppable, tmp_path):
    _, settings = stoppable
    server = start_live_server(settings, tmp_path / "app.log", DYNAMODB_READ_TIMEOUT=str(READ_TIMEOUT),
                               DYNAMODB_STALL_SECONDS=str(STALL_SECONDS))
    yield server
    server.stop()


def timed(method: str, url: str, **kwargs) -> tuple[requests.Response, float]:
    started = time.monotonic()
    response = http.request(method, url, timeout=60, **kwargs)
    return response, time.monotonic() - started


def test_stalled_dynamodb_is_503_within_the_budget_and_recovers(stoppable, app_server):
    dynamodb, _ = stoppable
    department = http.post(f"{app_server.url}/api/departments", json={"name": "stall"}, timeout=10).json()
    os.kill(dynamodb.process.pid, signal.SIGSTOP)

    for method, path, body in (("GET", "/api/departments", None),
                               ("GET", f"/api/events/{uuid.uuid4()}", None),
                               ("POST", f"/api/events/{department['id']}", {"event_date": "2024-01-05", "title": "t"})):
        response, elapsed = timed(method, app_server.url + path, json=body)
        assert response.status_code == 503, response.text
        assert response.json()["error"] in ("dynamodb_stalled", "dynamodb_unreachable")
        assert response.headers["Retry-After"] == "1"
        # Budget, plus the one attempt already waiting when it ran out, plus a backoff and slack.
        assert elapsed < STALL_SECONDS + READ_TIMEOUT + 1.5, (path, elapsed)

    readyz, elapsed = timed("GET", app_server.url + "/readyz")
    assert readyz.status_code == 503 and readyz.json()["error"] == "dynamodb_unavailable"
    assert elapsed < 2.0
    assert http.get(app_server.url + "/healthz", timeout=5).status_code == 200

    os.kill(dynamodb.process.pid, signal.SIGCONT)
    assert http.get(app_server.url + "/readyz", timeout=10).status_code == 200
    listed = http.get(f"{app_server.url}/api/departments", timeout=10)
    assert listed.status_code == 200 and [d["name"] for d in listed.json()] == ["stall"]
