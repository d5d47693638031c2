"""Settings for a throwaway table set, and the app served in its own process."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from config import Settings
from support.live_helpers import MAKE_RUN_SERVER, ShellServer, admin_token, start_app, start_shell_server, stop_all


def make_settings(endpoint_url: str, **overrides) -> Settings:
    values = {
        "dynamodb_endpoint_url": endpoint_url,
        "table_prefix": f"t{uuid.uuid4().hex[:12]}_",
        "dynamodb_max_attempts": 2,
        "dynamodb_connect_timeout": 2,
        **overrides,
    }
    return Settings(**values)


def start_live_server(settings: Settings, log_path: Path, **env_overrides) -> ShellServer:
    """gunicorn as `make run` serves the app, in its own process, configured through the
    environment; PORT in env_overrides restarts it on the same port."""
    env = {"SOCKETIO_ASYNC_MODE": "threading", "DYNAMODB_MAX_ATTEMPTS": str(settings.dynamodb_max_attempts),
           **env_overrides}
    return start_shell_server(MAKE_RUN_SERVER, settings, log_path, **env)


@contextmanager
def moto_tables(log_dir: Path) -> Iterator[Settings]:
    """Settings of the service's tables in a moto server of their own (stopped after)."""
    from local.dynamodb_local import start_moto_server
    from models import DynamoDBDatabase

    moto = start_moto_server(log_file=log_dir / "moto.log")
    try:
        settings = make_settings(moto.endpoint_url)
        DynamoDBDatabase(settings).create_tables()
        yield settings
    finally:
        moto.stop()


@contextmanager
def served_on_moto(log_dir: Path, mode: str, **env_overrides: str) -> Iterator[ShellServer]:
    """start_live_server in async `mode`, on tables of a moto server of its own (all stopped after)."""
    with moto_tables(log_dir) as settings:
        served = start_live_server(settings, log_dir / "app.log", SOCKETIO_ASYNC_MODE=mode, **env_overrides)
        try:
            yield served
        finally:
            served.stop()


@contextmanager
def app_instances(mode: str, settings: Settings, log_dir: Path, **env_overrides: str) -> Iterator[list[ShellServer]]:
    """Two app processes ("a", "b") in one async mode on the same tables, stopped side by side after."""
    started: list[ShellServer] = []
    try:
        for name in ("a", "b"):
            started.append(start_app(mode, settings, log_dir / f"{name}.log", **env_overrides))
        yield started
    finally:
        stop_all(started)


# Sent where DynamoDB cannot answer anyway: checking it fails as every other read does.
UNCHECKABLE_TOKEN = "cal_never-checked-dynamodb-is-down"


def authorized(test_client, token: str):
    """The Flask test client, sending `Authorization: Bearer <token>` with every request."""
    test_client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return test_client


def api_client(settings: Settings, db):
    """A test client of a new app on these settings and database, sending the tables' admin token."""
    from app import create_app

    return authorized(create_app(settings, db).test_client(), admin_token(settings))
