"""Layered fixtures: dynamodb_server (a live DynamoDB-compatible endpoint) -> settings -> db ->
app -> client; live_server for tests that need a real app process; module_settings/module_db
for a module's shared app processes, and sockets (connected SocketClients)."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

from config import Settings
from local.dynamodb_local import (
    LocalDynamoDB,
    LocalDynamoDBUnavailable,
    start_dynamodb_local,
    start_moto_server,
    why_dynamodb_local_unavailable,
)
from models import DynamoDBDatabase
from support.live_helpers import IN_CI, SocketClient
from support.live_helpers import admin_token as admin_token_for
from support.migration_support import Cli, make_cli
from support.servers import make_settings, start_live_server

# Records every DynamoDB call's IAM permission and checks AWS_DEPLOYMENT_CONFIG.md's policies at the end.
# support.oidc_provider gives every module the `provider` and `signing_in` fixtures of the sign-in tests.
pytest_plugins = ["support.dynamodb_recorder", "support.oidc_provider"]

BACKENDS = ["dynamodb-local", "moto"]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI (CI set; .ci/run sets it) a skipped test is a failure: every check must run there."""
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where every test must run: {report.longrepr}"


def _start(kind: str, log_dir: Path) -> LocalDynamoDB:
    if kind == "moto":
        return start_moto_server(log_file=log_dir / "moto.log")
    try:
        return start_dynamodb_local(log_file=log_dir / "dynamodb-local.log")
    except LocalDynamoDBUnavailable as exc:
        if IN_CI:
            raise
        pytest.skip(f"DynamoDB Local unavailable here ({exc}); CI runs these tests")


@pytest.fixture
def needs_dynamodb_local():
    """For tests that start DynamoDB Local themselves: skip locally without Java, fail in CI."""
    reason = why_dynamodb_local_unavailable()
    if reason and not IN_CI:
        pytest.skip(reason)


@pytest.fixture(scope="session", params=BACKENDS)
def dynamodb_server(request, tmp_path_factory):
    """A DynamoDB-compatible server over HTTP: DynamoDB Local, then moto's server."""
    server = _start(request.param, tmp_path_factory.mktemp(request.param))
    yield server
    server.stop()


@pytest.fixture(scope="module", params=BACKENDS)
def module_dynamodb_server(request, tmp_path_factory):
    """A server of the module's own, for a module that must not share one with the worker's other
    tests (test_table_upgrade.py overrides dynamodb_server with it)."""
    server = _start(request.param, tmp_path_factory.mktemp(request.param))
    yield server
    server.stop()


@pytest.fixture
def settings(dynamodb_server) -> Settings:
    return make_settings(dynamodb_server.endpoint_url)


@contextmanager
def _tables(settings: Settings) -> Iterator[DynamoDBDatabase]:
    """The service's tables under these settings, deleted afterwards."""
    database = DynamoDBDatabase(settings)
    database.create_tables()
    yield database
    for name in settings.table_names:
        database.client.delete_table(TableName=name)


@pytest.fixture
def db(settings):
    with _tables(settings) as database:
        yield database


@pytest.fixture(scope="module")
def module_settings(dynamodb_server):
    """Tables shared by a module's app processes (every test makes its own departments)."""
    settings = make_settings(dynamodb_server.endpoint_url)
    with _tables(settings):
        yield settings


@pytest.fixture(scope="module")
def module_db(module_settings):
    return DynamoDBDatabase(module_settings)


@pytest.fixture
def sockets():
    """Builds connected SocketClients (SocketClient's arguments); disconnects them all after the test."""
    made: list[SocketClient] = []

    def connect(url: str, token: str | None = None, **options) -> SocketClient:
        client = SocketClient(url, token=token, **options)
        made.append(client)
        return client.connect()

    yield connect
    # In parallel: websocket-client waits up to 3 s for each close handshake.
    with ThreadPoolExecutor(max_workers=100) as pool:
        list(pool.map(SocketClient.close, made))


@pytest.fixture
def app(settings, db):
    from app import create_app

    return create_app(settings, db)


@pytest.fixture
def admin_token(settings, db) -> str:
    """An admin token of the test's tables (the one its live servers are sent, too)."""
    return admin_token_for(settings)


@pytest.fixture
def client(app, admin_token):
    """A test client that sends the admin token with every request (override the header to test auth)."""
    test_client = app.test_client()
    test_client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {admin_token}"
    return test_client


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


@pytest.fixture
def live_server(settings, db, tmp_path):
    server = start_live_server(settings, tmp_path / "app.log")
    yield server
    server.stop()


@pytest.fixture
def cli(settings, monkeypatch, tmp_path, capsys) -> Cli:
    """Runs the migration CLI in-process against the test's tables (see migration_support.Cli)."""
    return make_cli(settings, monkeypatch, tmp_path, capsys)
