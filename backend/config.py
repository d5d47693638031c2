"""Settings read once from the environment (and `.env` files via python-dotenv)."""
from __future__ import annotations

import os
import secrets
import zoneinfo
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


def _env_number(name: str, default: int | float, kind: type = int):
    """The variable converted by `kind` (int or float); a clear error naming it otherwise."""
    raw = _env(name, str(default))
    try:
        return kind(raw)
    except ValueError as exc:
        what = "an integer" if kind is int else "a number"
        raise ValueError(f"{name} must be {what}, got {raw!r}") from exc


def _env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = _env(name, default)
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def _env_timezone(name: str, default: str) -> str:
    """An IANA time zone name such as Asia/Seoul; a clear error naming the variable otherwise."""
    value = _env(name, default)
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"{name} must be an IANA time zone such as Asia/Seoul, got {value!r}") from exc
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
    dynamodb_connect_timeout: float = 2.0
    dynamodb_read_timeout: float = 3.0
    dynamodb_stall_seconds: float = 4.0
    gsi_settle_seconds: float = 1.0
    department_cache_seconds: float = 5.0
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
    calendar_timezone: str = "Asia/Seoul"

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
            read_capacity=_env_number("DYNAMODB_READ_CAPACITY", 10),
            write_capacity=_env_number("DYNAMODB_WRITE_CAPACITY", 10),
            dynamodb_max_attempts=_env_number("DYNAMODB_MAX_ATTEMPTS", 5),
            dynamodb_connect_timeout=_env_number("DYNAMODB_CONNECT_TIMEOUT", 2.0, float),
            dynamodb_read_timeout=_env_number("DYNAMODB_READ_TIMEOUT", 3.0, float),
            dynamodb_stall_seconds=_env_number("DYNAMODB_STALL_SECONDS", 4.0, float),
            gsi_settle_seconds=_env_number("DYNAMODB_GSI_SETTLE_SECONDS", 1.0, float),
            department_cache_seconds=_env_number("DEPARTMENT_CACHE_SECONDS", 5.0, float),
            secret_key=_env("SECRET_KEY", "") or secrets.token_hex(32),
            cors_allowed_origins=origins,
            socketio_async_mode=_env_choice("SOCKETIO_ASYNC_MODE", "threading", ASYNC_MODES),
            socketio_message_queue=_env("SOCKETIO_MESSAGE_QUEUE", "") or None,
            host=_env("HOST", "127.0.0.1"),
            port=_env_number("PORT", 5000),
            max_content_length=_env_number("MAX_CONTENT_LENGTH", 1024 * 1024),
            log_level=_env("LOG_LEVEL", "INFO").upper(),
            dynamodb_local_port=_env_number("DYNAMODB_LOCAL_PORT", 8000),
            local_data_dir=(PROJECT_DIR / _env("LOCAL_DATA_DIR", ".data")).resolve(),
            calendar_timezone=_env_timezone("CALENDAR_TIMEZONE", "Asia/Seoul"),
        )
