"""Settings read once from the environment (and `.env` files via python-dotenv)."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path

from dotenv import load_dotenv

BACKEND_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BACKEND_DIR.parent

ASYNC_MODES = ("threading", "eventlet", "gevent")
BILLING_MODES = ("PAY_PER_REQUEST", "PROVISIONED")


def load_env_files() -> None:
    """Load `backend/.env`, then the project's `.env`; real environment variables win."""
    load_dotenv(BACKEND_DIR / ".env", override=False)
    load_dotenv(PROJECT_DIR / ".env", override=False)


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return default if value is None or value.strip() == "" else value.strip()


def _env_int(name: str, default: int) -> int:
    raw = _env(name, str(default))
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from exc


def _env_float(name: str, default: float) -> float:
    raw = _env(name, str(default))
    try:
        return float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number, got {raw!r}") from exc


def _env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = _env(name, default)
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


@dataclass(frozen=True)
class Settings:
    """Every setting of the service, with its default beside it."""

    dynamodb_endpoint_url: str | None = None
    aws_region: str = "us-east-1"
    table_prefix: str = ""
    billing_mode: str = "PAY_PER_REQUEST"
    read_capacity: int = 10
    write_capacity: int = 10
    dynamodb_max_attempts: int = 5
    dynamodb_connect_timeout: int = 5
    dynamodb_read_timeout: int = 10
    gsi_settle_seconds: float = 1.0
    secret_key: str = field(default_factory=lambda: secrets.token_hex(32), repr=False)
    cors_allowed_origins: tuple[str, ...] = ()
    socketio_async_mode: str = "threading"
    socketio_message_queue: str | None = None
    host: str = "127.0.0.1"
    port: int = 5000
    max_content_length: int = 1024 * 1024
    log_level: str = "INFO"
    dynamodb_local_port: int = 8000
    local_data_dir: Path = PROJECT_DIR / ".data"

    @property
    def departments_table(self) -> str:
        return f"{self.table_prefix}departments"

    @property
    def events_table(self) -> str:
        return f"{self.table_prefix}events"

    def with_overrides(self, **changes) -> Settings:
        return replace(self, **changes)

    @classmethod
    def from_env(cls) -> Settings:
        """Read the settings from the environment after loading the `.env` files."""
        load_env_files()
        origins = tuple(o.strip() for o in _env("CORS_ALLOWED_ORIGINS", "").split(",") if o.strip())
        return cls(
            dynamodb_endpoint_url=_env("DYNAMODB_ENDPOINT_URL", "") or None,
            aws_region=_env("AWS_REGION", _env("AWS_DEFAULT_REGION", "us-east-1")),
            table_prefix=_env("TABLE_PREFIX", ""),
            billing_mode=_env_choice("DYNAMODB_BILLING_MODE", "PAY_PER_REQUEST", BILLING_MODES),
            read_capacity=_env_int("DYNAMODB_READ_CAPACITY", 10),
            write_capacity=_env_int("DYNAMODB_WRITE_CAPACITY", 10),
            dynamodb_max_attempts=_env_int("DYNAMODB_MAX_ATTEMPTS", 5),
            dynamodb_connect_timeout=_env_int("DYNAMODB_CONNECT_TIMEOUT", 5),
            dynamodb_read_timeout=_env_int("DYNAMODB_READ_TIMEOUT", 10),
            gsi_settle_seconds=_env_float("DYNAMODB_GSI_SETTLE_SECONDS", 1.0),
            secret_key=_env("SECRET_KEY", "") or secrets.token_hex(32),
            cors_allowed_origins=origins,
            socketio_async_mode=_env_choice("SOCKETIO_ASYNC_MODE", "threading", ASYNC_MODES),
            socketio_message_queue=_env("SOCKETIO_MESSAGE_QUEUE", "") or None,
            host=_env("HOST", "127.0.0.1"),
            port=_env_int("PORT", 5000),
            max_content_length=_env_int("MAX_CONTENT_LENGTH", 1024 * 1024),
            log_level=_env("LOG_LEVEL", "INFO").upper(),
            dynamodb_local_port=_env_int("DYNAMODB_LOCAL_PORT", 8000),
            local_data_dir=(PROJECT_DIR / _env("LOCAL_DATA_DIR", ".data")).resolve(),
        )
