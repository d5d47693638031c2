"""Settings read once from the environment (and `.env` files via python-dotenv)."""
from __future__ import annotations

import os
import secrets
import zoneinfo
from collections.abc import Callable
from dataclasses import MISSING, Field, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

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
# In threading mode every open socket holds one of gunicorn's threads (backend/gunicorn.conf.py):
# the default keeps threads free for REST there; the event-loop modes hold 10,000 per process.
THREADING_MAX_SOCKETS = 150

# How one setting is read: (its variable's name, its default) -> its value.
Reader = Callable[[str, Any], Any]


def _text(name: str, default: str | None) -> str | None:
    """The variable's text; with no default (None), an empty variable is None too."""
    return _env(name, default or "") or default


def _number(name: str, default: int | float) -> int | float:
    return _env_number(name, default, type(default))


def _choice(choices: tuple[str, ...]) -> Reader:
    return lambda name, default: _env_choice(name, default, choices)


def _region(name: str, default: str) -> str:
    return _env(name, _env("AWS_DEFAULT_REGION", default))


def _secret(name: str, _default: str) -> str:
    return _env(name, "") or secrets.token_hex(32)


def _origins(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(o.strip() for o in _env(name, ",".join(default)).split(",") if o.strip()) or default


def _upper(name: str, default: str) -> str:
    return _env(name, default).upper()


def _project_path(name: str, default: Path) -> Path:
    return (PROJECT_DIR / _env(name, str(default.relative_to(PROJECT_DIR)))).resolve()


def _max_sockets(name: str, default: int) -> int:
    return _env_number(name, THREADING_MAX_SOCKETS if _async_mode() == "threading" else default)


def _auth_cache_seconds(name: str, default: float) -> float:
    seconds = _env_number(name, default, float)
    if not 0 < seconds <= MAX_AUTH_CACHE_SECONDS:
        raise ValueError(f"{name} must be above 0 and at most {MAX_AUTH_CACHE_SECONDS:g}, got {seconds:g}")
    return seconds


def _hard_timeout(name: str, default: float) -> float:
    seconds = _env_number(name, default, float)
    if seconds < 0:
        raise ValueError(f"{name} must be 0 (off) or more, got {seconds:g}")
    return seconds


ROLE_NAMES = ("viewer", "editor", "admin")  # auth.principal.ROLES (config imports nothing of the app)
RoleGroups = tuple[tuple[str, str], ...]


def _role_groups(name: str, default: RoleGroups) -> RoleGroups:
    """`role=group,...` pairs (a role may appear more than once); a clear error naming the variable."""
    raw = _env(name, ",".join(f"{role}={group}" for role, group in default))
    pairs = []
    for entry in filter(None, (part.strip() for part in raw.split(","))):
        role, _, group = (text.strip() for text in entry.partition("="))
        if role not in ROLE_NAMES or not group:
            raise ValueError(f"{name} must be role=group pairs separated by commas, roles among "
                             f"{', '.join(ROLE_NAMES)}; got {entry!r}")
        pairs.append((role, group))
    return tuple(pairs)


def _positive_seconds(name: str, default: float) -> float:
    seconds = _env_number(name, default, float)
    if seconds <= 0:
        raise ValueError(f"{name} must be above 0, got {seconds:g}")
    return seconds


def _flag(name: str, default: bool) -> bool:
    return _env_choice(name, "1" if default else "0", ("0", "1")) == "1"


def _env_timezone(name: str, default: str) -> str:
    """An IANA time zone name such as Asia/Seoul; a clear error naming the variable otherwise."""
    value = _env(name, default)
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"{name} must be an IANA time zone such as Asia/Seoul, got {value!r}") from exc
    return value


def setting(env: str, default: Any = None, read: Reader = _number, **options: Any) -> Any:
    """A Settings field: its default, the environment variable that overrides it, how that is read."""
    if "default_factory" not in options:
        options["default"] = default
    return field(metadata={"env": env, "read": read}, **options)


@dataclass(frozen=True)
class Settings:
    """Every setting of the service: its default, and the environment variable that overrides it."""

    dynamodb_endpoint_url: str | None = setting("DYNAMODB_ENDPOINT_URL", None, _text)
    aws_region: str = setting("AWS_REGION", "us-east-1", _region)
    table_prefix: str = setting("TABLE_PREFIX", "", _text)
    billing_mode: str = setting("DYNAMODB_BILLING_MODE", "PAY_PER_REQUEST", _choice(BILLING_MODES))
    read_capacity: int = setting("DYNAMODB_READ_CAPACITY", 10)
    write_capacity: int = setting("DYNAMODB_WRITE_CAPACITY", 10)
    dynamodb_max_attempts: int = setting("DYNAMODB_MAX_ATTEMPTS", 5)
    dynamodb_connect_timeout: float = setting("DYNAMODB_CONNECT_TIMEOUT", 2.0)
    dynamodb_read_timeout: float = setting("DYNAMODB_READ_TIMEOUT", 3.0)
    dynamodb_stall_seconds: float = setting("DYNAMODB_STALL_SECONDS", 4.0)
    gsi_settle_seconds: float = setting("DYNAMODB_GSI_SETTLE_SECONDS", 1.0)
    department_cache_seconds: float = setting("DEPARTMENT_CACHE_SECONDS", 5.0)
    single_query_months: bool = setting("SINGLE_QUERY_MONTHS", True, _flag)
    idempotency_in_progress_seconds: float = setting("IDEMPOTENCY_IN_PROGRESS_SECONDS", 10.0)
    sync_overlap_seconds: float = setting("SYNC_OVERLAP_SECONDS", 10.0)
    sync_tombstone_days: int = setting("SYNC_TOMBSTONE_DAYS", 30)
    history_days: int = setting("HISTORY_DAYS", 365)
    trash_days: int = setting("TRASH_DAYS", 30)
    secret_key: str = setting("SECRET_KEY", read=_secret, default_factory=lambda: secrets.token_hex(32), repr=False)
    cors_allowed_origins: tuple[str, ...] = setting("CORS_ALLOWED_ORIGINS", (), _origins)
    rate_limit: str = setting("RATE_LIMIT", "6000 per minute", _text)
    rate_limit_storage_uri: str | None = setting("RATE_LIMIT_STORAGE_URI", None, _text)
    trusted_proxy_count: int = setting("TRUSTED_PROXY_COUNT", 0)
    socketio_max_rooms_per_socket: int = setting("SOCKETIO_MAX_ROOMS_PER_SOCKET", 100)
    socketio_max_message_bytes: int = setting("SOCKETIO_MAX_MESSAGE_BYTES", 64 * 1024)
    socketio_max_sockets: int = setting("SOCKETIO_MAX_SOCKETS", 10_000, _max_sockets)
    socketio_max_sockets_per_address: int = setting("SOCKETIO_MAX_SOCKETS_PER_ADDRESS", 1_000)
    socketio_auth_timeout_seconds: float = setting("SOCKETIO_AUTH_TIMEOUT_SECONDS", 5.0)
    content_security_policy: str = setting("CONTENT_SECURITY_POLICY", API_CONTENT_SECURITY_POLICY, _text)
    content_security_policy_pages: str = setting("CONTENT_SECURITY_POLICY_PAGES", PAGE_CONTENT_SECURITY_POLICY, _text)
    socketio_async_mode: str = setting("SOCKETIO_ASYNC_MODE", "gevent", _choice(ASYNC_MODES))
    socketio_message_queue: str | None = setting("SOCKETIO_MESSAGE_QUEUE", None, _text)
    host: str = setting("HOST", "127.0.0.1", _text)
    port: int = setting("PORT", 5000)
    max_content_length: int = setting("MAX_CONTENT_LENGTH", 1024 * 1024)
    request_read_timeout: float = setting("REQUEST_READ_TIMEOUT", 10.0)
    request_hard_timeout_seconds: float = setting("REQUEST_HARD_TIMEOUT_SECONDS", 30.0, _hard_timeout)
    test_hooks: bool = setting("TEST_HOOKS", False, _flag)
    log_level: str = setting("LOG_LEVEL", "INFO", _upper)
    log_format: str = setting("LOG_FORMAT", "json", _choice(LOG_FORMATS))
    dynamodb_local_port: int = setting("DYNAMODB_LOCAL_PORT", 8000)
    local_data_dir: Path = setting("LOCAL_DATA_DIR", PROJECT_DIR / ".data", _project_path)
    auth_mode: str = setting("AUTH_MODE", "token", _choice(AUTH_MODES))
    auth_cache_seconds: float = setting("AUTH_CACHE_SECONDS", 30.0, _auth_cache_seconds)
    calendar_timezone: str = setting("CALENDAR_TIMEZONE", "Asia/Seoul", _env_timezone)
    oidc_issuer: str | None = setting("OIDC_ISSUER", None, _text)
    oidc_client_id: str | None = setting("OIDC_CLIENT_ID", None, _text)
    oidc_client_secret: str | None = setting("OIDC_CLIENT_SECRET", None, _text, repr=False)
    oidc_scopes: str = setting("OIDC_SCOPES", "openid email profile", _text)
    oidc_groups_claim: str = setting("OIDC_GROUPS_CLAIM", "groups", _text)
    oidc_role_groups: RoleGroups = setting("OIDC_ROLE_GROUPS", (("admin", "calendar-admins"), ("editor", "calendar-editors"),
                                                                ("viewer", "calendar-viewers")), _role_groups)
    oidc_department_group_prefix: str = setting("OIDC_DEPARTMENT_GROUP_PREFIX", "dept:", _text)
    session_idle_seconds: float = setting("SESSION_IDLE_SECONDS", 8 * 3600.0, _positive_seconds)
    session_max_seconds: float = setting("SESSION_MAX_SECONDS", 7 * 24 * 3600.0, _positive_seconds)

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
    def sessions_table(self) -> str:
        return f"{self.table_prefix}sessions"

    @property
    def history_table(self) -> str:
        return f"{self.table_prefix}event_history"

    @property
    def table_names(self) -> tuple[str, ...]:
        """Every table of the service, as create_tables makes them and /readyz checks them."""
        return (self.departments_table, self.events_table, self.idempotency_table, self.tokens_table,
                self.sessions_table, self.history_table)

    @property
    def sign_in(self) -> bool:
        """Whether people sign in with the company's identity provider (OIDC_ISSUER is set)."""
        return self.oidc_issuer is not None

    def with_overrides(self, **changes) -> Settings:
        return replace(self, **changes)

    @classmethod
    def from_env(cls) -> Settings:
        """Read the settings from the environment after loading the `.env` files."""
        load_env_files()
        values = {f.name: f.metadata["read"](f.metadata["env"], _default_of(f)) for f in fields(cls)}
        if values["test_hooks"] and not values["dynamodb_endpoint_url"]:
            raise ValueError("TEST_HOOKS=1 serves test-only routes and is refused without DYNAMODB_ENDPOINT_URL "
                             "(a local DynamoDB): never set it in production")
        if values["oidc_issuer"] and (not values["oidc_client_id"] or values["auth_mode"] == "off"):
            raise ValueError("OIDC_ISSUER needs OIDC_CLIENT_ID (and OIDC_CLIENT_SECRET for a confidential client), "
                             "and AUTH_MODE=token")
        return cls(**values)


def _default_of(setting_field: Field) -> Any:
    return None if setting_field.default is MISSING else setting_field.default


def _async_mode() -> str:
    mode = next(f for f in fields(Settings) if f.name == "socketio_async_mode")
    return mode.metadata["read"](mode.metadata["env"], mode.default)
