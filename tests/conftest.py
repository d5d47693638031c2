"""Layered fixtures: dynamodb_server (a live DynamoDB-compatible endpoint) -> settings -> db ->
app -> client; live_server for tests that need a real app process."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

from config import BACKEND_DIR, Settings
from local_dynamodb import (
    LocalDynamoDBUnavailable,
    free_port,
    start_dynamodb_local,
    start_moto_server,
    stop_process,
)
from models import DynamoDBDatabase

IN_CI = bool(os.environ.get("CI"))
BACKENDS = ["dynamodb-local", "moto"]


def _start(kind: str, log_dir: Path):
    if kind == "moto":
        return start_moto_server(log_file=log_dir / "moto.log")
    try:
        return start_dynamodb_local(log_file=log_dir / "dynamodb-local.log")
    except LocalDynamoDBUnavailable as exc:
        if IN_CI:
            raise
        pytest.skip(f"DynamoDB Local unavailable here ({exc}); CI runs these tests")


@pytest.fixture(scope="session", params=BACKENDS)
def dynamodb_server(request, tmp_path_factory):
    """A DynamoDB-compatible server over HTTP: DynamoDB Local, then moto's server."""
    server = _start(request.param, tmp_path_factory.mktemp(request.param))
    yield server
    server.stop()


def make_settings(endpoint_url: str, **overrides) -> Settings:
    values = {
        "dynamodb_endpoint_url": endpoint_url,
        "table_prefix": f"t{uuid.uuid4().hex[:12]}_",
        "dynamodb_max_attempts": 2,
        "dynamodb_connect_timeout": 2,
        **overrides,
    }
    return Settings(**values)


@pytest.fixture
def settings(dynamodb_server) -> Settings:
    return make_settings(dynamodb_server.endpoint_url)


@pytest.fixture
def db(settings):
    database = DynamoDBDatabase(settings)
    database.create_tables()
    yield database
    for name in (settings.departments_table, settings.events_table):
        database.client.delete_table(TableName=name)


@pytest.fixture
def app(settings, db):
    from app import create_app

    return create_app(settings, db)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_department(db):
    def build(name: str | None = None, description: str = "") -> dict:
        return db.create_department(name or f"dept-{uuid.uuid4().hex[:8]}", description)

    return build


@pytest.fixture
def make_event(db):
    def build(department_id: str, **overrides) -> dict:
        fields = {"event_date": "2024-01-20", "title": "Team meeting", **overrides}
        return db.create_event(department_id, fields)

    return build


class LiveServer:
    def __init__(self, process: subprocess.Popen, url: str, log_path: Path):
        self.process = process
        self.url = url
        self.log_path = log_path

    def stop(self) -> None:
        stop_process(self.process)


def start_live_server(settings: Settings, log_path: Path, **env_overrides) -> LiveServer:
    """`python backend/wsgi.py` in its own process, configured through the environment."""
    port = int(env_overrides.get("PORT") or free_port())  # PORT given: restart on the same port
    env = {
        **os.environ,
        "DYNAMODB_ENDPOINT_URL": settings.dynamodb_endpoint_url or "",
        "TABLE_PREFIX": settings.table_prefix,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "DYNAMODB_MAX_ATTEMPTS": str(settings.dynamodb_max_attempts),
        "LOG_LEVEL": "WARNING",
        **env_overrides,
    }
    with open(log_path, "ab") as log_file:
        process = subprocess.Popen(
            [sys.executable, str(BACKEND_DIR / "wsgi.py")], env=env, cwd=BACKEND_DIR,
            stdout=log_file, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"app exited early:\n{log_path.read_text()}")
        try:
            if requests.get(url + "/healthz", timeout=1).status_code == 200:
                return LiveServer(process, url, log_path)
        except requests.ConnectionError:
            time.sleep(0.1)
    process.kill()
    process.wait()
    raise RuntimeError(f"app did not start:\n{log_path.read_text()}")


@pytest.fixture
def live_server(settings, db, tmp_path):
    server = start_live_server(settings, tmp_path / "app.log")
    yield server
    server.stop()
