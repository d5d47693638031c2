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

# JSON answers (the API) are no page: nothing may load, frame or run in them.
API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'"
# HTML pages the app serves: their own scripts, styles and Socket.IO connection, nothing else.
PAGE_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
BILLING_MODES = ("PAY_PER_REQUEST", "PROVISIONED")
LOG_FORMATS = ("json", "text")
AUTH_MODES = ("token", "off")


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


# A revoked token must stop working within a minute: the cache of verified tokens (and the sweep
# of open sockets) may trust a token at most this long.
MAX_AUTH_CACHE_SECONDS = 60.0


def _auth_cache_seconds() -> float:
    seconds = _env_number("AUTH_CACHE_SECONDS", 30.0, float)
    if not 0 < seconds <= MAX_AUTH_CACHE_SECONDS:
        raise ValueError(f"AUTH_CACHE_SECONDS must be above 0 and at most {MAX_AUTH_CACHE_SECONDS:g}, got {seconds:g}")
    return seconds


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
    idempotency_in_progress_seconds: float = 10.0
    sync_overlap_seconds: float = 10.0
    sync_tombstone_days: int = 30
    secret_key: str = field(default_factory=lambda: secrets.token_hex(32), repr=False)
    cors_allowed_origins: tuple[str, ...] = ()
    rate_limit: str = "6000 per minute"
    rate_limit_storage_uri: str | None = None
    trusted_proxy_count: int = 0
    socketio_max_rooms_per_socket: int = 100
    socketio_max_message_bytes: int = 64 * 1024
    socketio_max_sockets: int = 10_000
    socketio_max_sockets_per_address: int = 1_000
    socketio_auth_timeout_seconds: float = 5.0
    content_security_policy: str = API_CONTENT_SECURITY_POLICY
    content_security_policy_pages: str = PAGE_CONTENT_SECURITY_POLICY
    socketio_async_mode: str = "gevent"
    socketio_message_queue: str | None = None
    host: str = "127.0.0.1"
    port: int = 5000
    max_content_length: int = 1024 * 1024
    request_read_timeout: float = 10.0
    request_hard_timeout_seconds: float = 30.0
    test_hooks: bool = False
    log_level: str = "INFO"
    log_format: str = "json"
    dynamodb_local_port: int = 8000
    local_data_dir: Path = PROJECT_DIR / ".data"
    auth_mode: str = "token"
    auth_cache_seconds: float = 30.0
    calendar_timezone: str = "Asia/Seoul"

    @property
    def departments_table(self) -> str:
        return f"{self.table_prefix}departments"

    @property
    def events_table(self) -> str:
        return f"{self.table_prefix}events"

    @property
    def tokens_table(self) -> str:
        return f"{self.table_prefix}tokens"

    @property
    def idempotency_table(self) -> str:
        return f"{self.table_prefix}idempotency"

    @property
    def table_names(self) -> tuple[str, ...]:
        """Every table of the service, as create_tables makes them and /readyz checks them."""
        return (self.departments_table, self.events_table, self.idempotency_table, self.tokens_table)

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
            idempotency_in_progress_seconds=_env_number("IDEMPOTENCY_IN_PROGRESS_SECONDS", 10.0, float),
            sync_overlap_seconds=_env_number("SYNC_OVERLAP_SECONDS", 10.0, float),
            sync_tombstone_days=_env_number("SYNC_TOMBSTONE_DAYS", 30),
            secret_key=_env("SECRET_KEY", "") or secrets.token_hex(32),
            cors_allowed_origins=origins,
            **_limits_from_env(),
            socketio_async_mode=_async_mode(),
            socketio_message_queue=_env("SOCKETIO_MESSAGE_QUEUE", "") or None,
            host=_env("HOST", "127.0.0.1"),
            port=_env_number("PORT", 5000),
            max_content_length=_env_number("MAX_CONTENT_LENGTH", 1024 * 1024),
            request_read_timeout=_env_number("REQUEST_READ_TIMEOUT", 10.0, float),
            **_serving_limits_from_env(),
            log_level=_env("LOG_LEVEL", "INFO").upper(),
            log_format=_env_choice("LOG_FORMAT", "json", LOG_FORMATS),
            dynamodb_local_port=_env_number("DYNAMODB_LOCAL_PORT", 8000),
            local_data_dir=(PROJECT_DIR / _env("LOCAL_DATA_DIR", ".data")).resolve(),
            auth_mode=_env_choice("AUTH_MODE", "token", AUTH_MODES),
            auth_cache_seconds=_auth_cache_seconds(),
            calendar_timezone=_env_timezone("CALENDAR_TIMEZONE", "Asia/Seoul"),
        )


def _async_mode() -> str:
    return _env_choice("SOCKETIO_ASYNC_MODE", Settings.socketio_async_mode, ASYNC_MODES)


# In threading mode every open socket holds one of gunicorn's threads (backend/gunicorn.conf.py):
# the default keeps threads free for REST there; the event-loop modes hold 10,000 per process.
THREADING_MAX_SOCKETS = 150


def _socket_limits() -> dict:
    """The Socket.IO admission settings (see realtime_admission.py)."""
    default_max = THREADING_MAX_SOCKETS if _async_mode() == "threading" else Settings.socketio_max_sockets
    return dict(
        socketio_max_sockets=_env_number("SOCKETIO_MAX_SOCKETS", default_max),
        socketio_max_sockets_per_address=_env_number(
            "SOCKETIO_MAX_SOCKETS_PER_ADDRESS", Settings.socketio_max_sockets_per_address),
        socketio_auth_timeout_seconds=_env_number(
            "SOCKETIO_AUTH_TIMEOUT_SECONDS", Settings.socketio_auth_timeout_seconds, float),
    )


def _limits_from_env() -> dict:
    """The rate limit, proxy, Socket.IO and security-header settings (see Settings.from_env)."""
    return dict(
        rate_limit=_env("RATE_LIMIT", "6000 per minute"),
        rate_limit_storage_uri=_env("RATE_LIMIT_STORAGE_URI", "") or None,
        trusted_proxy_count=_env_number("TRUSTED_PROXY_COUNT", 0),
        socketio_max_rooms_per_socket=_env_number("SOCKETIO_MAX_ROOMS_PER_SOCKET", 100),
        socketio_max_message_bytes=_env_number("SOCKETIO_MAX_MESSAGE_BYTES", 64 * 1024),
        **_socket_limits(),
        content_security_policy=_env("CONTENT_SECURITY_POLICY", API_CONTENT_SECURITY_POLICY),
        content_security_policy_pages=_env("CONTENT_SECURITY_POLICY_PAGES", PAGE_CONTENT_SECURITY_POLICY),
    )


def _serving_limits_from_env() -> dict:
    """The hard limit on one request's time and the test-only hooks (serving.hard_limit, serving.test_hooks)."""
    seconds = _env_number("REQUEST_HARD_TIMEOUT_SECONDS", 30.0, float)
    if seconds < 0:
        raise ValueError(f"REQUEST_HARD_TIMEOUT_SECONDS must be 0 (off) or more, got {seconds:g}")
    test_hooks = _env_choice("TEST_HOOKS", "0", ("0", "1")) == "1"
    if test_hooks and not _env("DYNAMODB_ENDPOINT_URL", ""):
        raise ValueError("TEST_HOOKS=1 serves test-only routes and is refused without DYNAMODB_ENDPOINT_URL "
                         "(a local DynamoDB): never set it in production")
    return dict(request_hard_timeout_seconds=seconds, test_hooks=test_hooks)
