"""Settings for a throwaway table set, and the app served in its own process."""
from __future__ import annotations

import uuid
from pathlib import Path

from config import Settings
from live_helpers import MAKE_RUN_SERVER, ShellServer, start_shell_server


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


