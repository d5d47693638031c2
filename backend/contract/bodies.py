"""Request and response bodies: every field with its type, limits and error wording, declared once.

The handlers and the migration validate with the request models (through `validation`), the
storage layer takes its field lists from the response models (through `schema`), and the OpenAPI
document is their JSON Schema (through `contract.openapi`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal, get_args, get_origin
from urllib.parse import urlsplit
from uuid import UUID

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from rules import recurrence, rrule_form
from rules.date_range import FIRST_DAY, LAST_DAY, MAX_LIST_DAYS, RANGE_PROBLEM, in_range

# Text never holds control characters (C0, DEL, C1) nor the bidirectional embeddings, overrides and
# isolates that make text display as something else (U+202E turns "exe.txt" around). Multi-line
# fields keep tab, line feed and carriage return (Windows clients send CRLF). Written as regex
# escapes that Python, pydantic-core (Rust) and JSON Schema (ECMA-262) all read alike.
_BIDI_CONTROLS = r"\u202a-\u202e\u2066-\u2069"
FORBIDDEN_IN_LINE = rf"\x00-\x1f\x7f-\x9f{_BIDI_CONTROLS}"
FORBIDDEN_IN_MULTILINE = rf"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI_CONTROLS}"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
CLOCK_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"

REQUIRED = "is required"
DATE_PROBLEM = "must be a real date as YYYY-MM-DD"
URL_PROBLEM = "must be an absolute http(s) URL or empty"
CLOCK_PROBLEM = "must be a 24-hour time as HH:MM (00:00-23:59)"
# Room for MAX_RULE_LINES RRULE/RDATE lines and the EXDATE lines of MAX_EXCEPTION_DATES dates.
MAX_RECURRENCE_LINES = 120
RECURRENCE_PROBLEM = (f"must be a list of 1-{MAX_RECURRENCE_LINES} RFC 5545 lines (RRULE:..., EXDATE:..., RDATE:...) "
                      "of up to 500 characters")
# An event's id; an occurrence of a series is `<series id>_<YYYYMMDD>` (its original date).
EVENT_ID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(_[0-9]{8})?$"


@dataclass(frozen=True)
class TextRule:
    """The limits of one text field: pydantic enforces them, `problem` words a failure as the API
    always has, checking in the API's order (type, Unicode, forbidden characters, length)."""

    max_length: int
    min_length: int = 0
    multiline: bool = False
    strip: bool = False

    @property
    def forbidden(self) -> str:
        return FORBIDDEN_IN_MULTILINE if self.multiline else FORBIDDEN_IN_LINE

    def annotations(self) -> tuple[Any, ...]:
        """What `Annotated[str, ...]` needs to enforce (and document) this rule."""
        constraints = StringConstraints(min_length=self.min_length or None, max_length=self.max_length,
                                        pattern=f"^[^{self.forbidden}]*$")
        return (constraints, self, *([BeforeValidator(_strip)] if self.strip else []))

    def problem(self, error: dict[str, Any]) -> str:
        """Today's wording of one pydantic error on this field."""
        kind = error["type"]
        if kind == "string_type":
            return "must be a string"
        if kind == "string_unicode":  # a lone surrogate such as "\ud800" from a JSON escape
            return "must be valid Unicode text"
        if kind in ("string_too_short", "string_too_long", "string_pattern_mismatch"):
            return self._describe(error["input"])
        return error["msg"]

    def _describe(self, value: str) -> str:
        forbidden = re.search(f"[{self.forbidden}]", value)
        if forbidden:
            allowed = " (tab and line breaks are allowed)" if self.multiline else ""
            return (f"must not contain control or bidirectional-override characters{allowed}: "
                    f"found U+{ord(forbidden.group()):04X} at position {forbidden.start()}")
        if len(value) < self.min_length:
            return "must not be empty" if self.min_length == 1 else f"must have at least {self.min_length} characters"
        return f"must have at most {self.max_length} characters (got {len(value)})"


@dataclass(frozen=True)
class DateRule:
    """A calendar date written YYYY-MM-DD; every failure but a missing or null one reads the same."""

    def problem(self, error: dict[str, Any]) -> str:
        if error["type"] == "date_range":
            return RANGE_PROBLEM
        return REQUIRED if error["input"] is None else DATE_PROBLEM


@dataclass(frozen=True)
class FixedRule:
    """A field whose every failure of form reads the same `text` (a clock time; the `recurrence`
    lines, whose meaning the `recurrence` module checks)."""

    text: str

    def problem(self, error: dict[str, Any]) -> str:
        return self.text


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _real_date(value: str) -> str:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("date", DATE_PROBLEM) from None
    if not in_range(day):
        raise PydanticCustomError("date_range", RANGE_PROBLEM)
    return value


def _http_url(value: str) -> str:
    if value:
        try:
            parts = urlsplit(value)
        except ValueError:  # e.g. "http://[::1": an unclosed IPv6 host
            raise PydanticCustomError("url", URL_PROBLEM) from None
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            raise PydanticCustomError("url", URL_PROBLEM)
    return value


def text(rule: TextRule, description: str, **schema: Any) -> Any:
    """A string field under `rule`, documented with `description` (and extra JSON Schema)."""
    return Annotated[str, *rule.annotations(), Field(description=description, json_schema_extra=schema or None)]


DepartmentName = text(TextRule(100, min_length=1, strip=True),
                      "1-100 characters after trimming; unique, compared case-insensitively", examples=["영업부"])
DepartmentDescription = text(TextRule(1000, multiline=True), "Up to 1,000 characters; tab and line breaks allowed")
EventDate = Annotated[str, StringConstraints(pattern=DATE_PATTERN), DateRule(), AfterValidator(_real_date),
                      Field(description=f"A real calendar date, YYYY-MM-DD, from {FIRST_DAY} to {LAST_DAY}",
                            json_schema_extra={"format": "date"},
                            examples=["2024-01-20"])]
Title = text(TextRule(200, min_length=1, strip=True), "1-200 characters after trimming", examples=["주간 회의"])
EventDescription = text(TextRule(5000, multiline=True), "Up to 5,000 characters; tab and line breaks allowed")
Time = text(TextRule(50), "Free text up to 50 characters. The iCalendar feed reads `오후 2:00`, `오전 9:30`, "
            "`14:00`, `2:00 PM` and ranges such as `14:00-15:30` as times; anything else is an all-day event",
            examples=["오후 2:00"])
ClockTime = Annotated[str, StringConstraints(pattern=CLOCK_PATTERN), FixedRule(CLOCK_PROBLEM),
                      Field(description="A 24-hour time HH:MM in CALENDAR_TIMEZONE", examples=["14:00"])]
StartTime = Annotated[ClockTime, Field(description="When the event starts, HH:MM (24-hour) in CALENDAR_TIMEZONE, on "
                                                   "`event_date`. Without it the event is all-day")]
EndTime = Annotated[ClockTime, Field(description="When the event ends, HH:MM (24-hour) in CALENDAR_TIMEZONE, on "
                                                 "`end_date` (or `event_date`); needs `start_time`, and on a one-day "
                                                 "event must be after it. Without it a timed event lasts one hour")]
EndDate = Annotated[EventDate, Field(description="The last day of an event spanning several days (inclusive, "
                                                 "YYYY-MM-DD), not before `event_date`. Without it the event is "
                                                 "on `event_date` alone", examples=["2024-01-22"])]
Recurrence = Annotated[
    list[Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=f"^[^{FORBIDDEN_IN_LINE}]*$")]],
    Field(min_length=1, max_length=MAX_RECURRENCE_LINES, description=(
        "Makes the event a series: RFC 5545 lines as Google Calendar's API takes them, e.g. "
        "`RRULE:FREQ=WEEKLY;BYDAY=MO`, `EXDATE;VALUE=DATE:20240108`, `RDATE;VALUE=DATE:20240110`. One RRULE at "
        "least, whose first occurrence is `event_date`; at most daily (never twice a day): FREQ YEARLY, MONTHLY, "
        f"WEEKLY or DAILY, INTERVAL 1-{rrule_form.MAX_INTERVAL:,}, BY parts within their RFC 5545 "
        "ranges (BYDAY ordinals within the frequency's, BYSETPOS within ±366), no BYEASTER, BYHOUR, BYMINUTE or "
        "BYSECOND; without COUNT or UNTIL it never ends; with an end, 1-5,000 occurrences, the last by "
        f"{LAST_DAY:%Y%m%d}. At most {recurrence.MAX_RULE_LINES} RRULE and RDATE lines; EXDATE lines hold up to "
        f"{recurrence.MAX_EXCEPTION_DATES:,} dates. RDATE dates are not before `event_date`; EXDATE/RDATE dates are "
        f"from {FIRST_DAY:%Y%m%d} to {LAST_DAY:%Y%m%d}; EXDATE/RDATE values and UNTIL are read as dates. A rule "
        "that takes too much work to expand (a rare date searched day by day) is refused"),
        examples=[["RRULE:FREQ=WEEKLY;COUNT=10"]]),
    FixedRule(RECURRENCE_PROBLEM),
]
EventId = Annotated[str, StringConstraints(pattern=EVENT_ID_PATTERN), Field(
    description="A UUID; an occurrence of a series is `<series id>_<YYYYMMDD>` (stable: its original date)",
    examples=["0b6f2d1e-8f0a-4c1b-9a57-3d2c1e0f9a8b"])]
Url = Annotated[text(TextRule(2048, strip=True), "An absolute http(s) URL, or empty", examples=["https://intranet.example.com/meetings/1"]),
                AfterValidator(_http_url)]
Actor = Annotated[str, Field(description="Name of the token, or of the person signed in with the company account "
                                         "(also through their personal token), that made it ('anonymous' with "
                                         "AUTH_MODE=off, 'migration' for migrated items)", examples=["ops-admin"])]
ActorId = Annotated[str, Field(description="The stable identity of the person who made it, `<issuer>#<subject>` "
                                           "from their company account (a name can change, this does not). Present "
                                           "only when a person made it: absent for tokens",
                               examples=["https://login.example.com/realms/acme#248289761001"])]
Timestamp = Annotated[datetime, Field(description="UTC, ISO-8601 with milliseconds", examples=["2024-01-15T10:30:00.000Z"])]

_REQUEST = ConfigDict(extra="forbid", strict=True)


# -- responses (what a GET returns, and so what Socket.IO broadcasts) -------------------------


class Department(BaseModel):
    id: UUID
    name: DepartmentName
    description: DepartmentDescription
    created_at: Timestamp
    updated_at: Timestamp
    created_by: Actor
    updated_by: Actor
    created_by_id: ActorId | None = Field(None, description="Present only when a person made it: see ActorId")
    updated_by_id: ActorId | None = Field(None, description="Present only when a person last changed it: see ActorId")


class Event(BaseModel):
    id: EventId
    department_id: UUID
    event_date: EventDate
    title: Title
    description: EventDescription
    time: Time
    url: Url
    start_time: StartTime | None = Field(None, description="Present only when set: see EventCreate")
    end_time: EndTime | None = Field(None, description="Present only when set: see EventCreate")
    end_date: EndDate | None = Field(None, description="Present only when set: see EventCreate")
    recurrence: Recurrence | None = Field(None, description="A series (as stored, `expand=false`): its lines")
    recurring_event_id: UUID | None = Field(None, description="An occurrence of a series: the series' id")
    original_date: EventDate | None = Field(None, description="An occurrence of a series: the day the rule "
                                            "gave it (the date in its id)")
    created_at: Timestamp
    last_modified: Timestamp
    version: Annotated[int, Field(ge=1, description="1 when created, one more on every update; the ETag")]
    created_by: Actor
    updated_by: Actor
    created_by_id: ActorId | None = Field(None, description="Present only when a person made it: see ActorId")
    updated_by_id: ActorId | None = Field(None, description="Present only when a person last changed it: see ActorId")


class Tombstone(BaseModel):
    """A deleted event, as a `changed_since` answer shows it (kept SYNC_TOMBSTONE_DAYS)."""

    id: UUID
    department_id: UUID
    deleted: Literal[True]
    last_modified: Annotated[datetime, Field(description="When it was deleted (UTC, ISO-8601 with milliseconds)")]
    version: Annotated[int, Field(ge=1, description="The deletion's version, one more than the event's last: a "
                                                    "restored event comes back under its id with a higher one")]


class HistoryEntry(BaseModel):
    """One change of an event, as its history shows it (kept HISTORY_DAYS)."""

    event_id: EventId
    department_id: UUID
    action: Literal["created", "updated", "deleted", "restored", "migrated"] = Field(
        description="What the change was; a series edit records on the series and on each exception it touched")
    version: Annotated[int, Field(ge=1, description="The event's version after the change (a deletion: its "
                                                    "tombstone's)")]
    changed_at: Timestamp
    changed_by: Actor
    changed_by_id: ActorId | None = Field(None, description="Present only when a person made the change: see ActorId")
    before: dict[str, Any] | None = Field(description="The changed fields as they were (null: not set); a "
                                          "deletion's: every field the event had; null for a creation")
    after: dict[str, Any] | None = Field(description="The changed fields as they became (null: removed); a "
                                         "creation's, restore's or migration's: every field it has; null for a deletion")


class TrashedEvent(Event):
    """A deleted event or series in its department's trash (kept TRASH_DAYS): as it was when deleted."""

    deleted_at: Timestamp
    deleted_by: Actor


class Me(BaseModel):
    """Who the caller is: GET /api/me."""

    name: str = Field(description="A token's name, or a signed-in person's display name", examples=["김민지"])
    email: str | None = Field(description="A signed-in person's e-mail; null for a token")
    role: Literal["viewer", "editor", "admin"]
    departments: list[UUID] = Field(description="The departments it may reach: a limited token's or person's, "
                                    "else every department's id")
    every_department: bool = Field(description="Whether it reaches every department, those made later too (not "
                                   "limited to some): only then may an admin create departments and company days")
    auth: Literal["token", "session", "off"] = Field(description="`token` (a bearer token), `session` (a person "
                                                     "signed in with the company's account), `off` (AUTH_MODE=off)")


class Holiday(BaseModel):
    """A Korean public holiday or a company day: GET /api/holidays."""

    date: EventDate
    name: str = Field(description="Its name in Korean; a day of two public holidays names both, `; ` between",
                      examples=["삼일절"])
    kind: Literal["public", "company"] = Field(description="`public`: a Korean public holiday (the `holidays` "
                                               "package); `company`: a company day an admin added")


CompanyDayName = text(TextRule(50, min_length=1, strip=True), "1-50 characters after trimming",
                      examples=["창립기념일"])


class CompanyDay(BaseModel):
    """A company day (창립기념일, 전사 휴무): at most one per date."""

    date: EventDate
    name: CompanyDayName
    kind: Literal["company"]
    created_by: Actor
    created_at: Timestamp


class Error(BaseModel):
    """Every failure: a stable code and a message for people, plus details where useful."""

    model_config = ConfigDict(extra="allow")
    error: str = Field(examples=["not_found"])
    message: str


class ValidationFailure(Error):
    fields: dict[str, str] | None = Field(None, description="Each offending field and what is wrong with it")


class PreconditionFailure(Error):
    current_version: int | None = Field(description="The version the event is at now")
    current: Event | None = Field(description="The event as it is now, to show the conflict without another request")


class RateLimited(Error):
    limit: str = Field(description="The budget that was spent", examples=["6000 per 1 minute"])
    retry_after: int = Field(ge=1, description="Seconds until a request is allowed again (also `Retry-After`)")


class Health(BaseModel):
    status: str = Field(examples=["ok"])


class Ready(BaseModel):
    status: str = Field(examples=["ready"])
    tables: dict[str, str]


class NotReady(Error):
    tables: dict[str, str] = Field(description="Each table's status: ACTIVE, CREATING, ..., or MISSING")


# -- requests -------------------------------------------------------------------------------


class DepartmentCreate(BaseModel):
    model_config = _REQUEST
    resource: ClassVar[type[BaseModel]] = Department
    name: DepartmentName
    description: DepartmentDescription | None = None


class CompanyDayCreate(BaseModel):
    model_config = _REQUEST
    resource: ClassVar[type[BaseModel]] = CompanyDay
    date: EventDate
    name: CompanyDayName


class CompanyDayKey(BaseModel):
    """The `{date}` of DELETE /api/company-days/{date}."""

    model_config = _REQUEST
    date: EventDate


class EventCreate(BaseModel):
    model_config = _REQUEST
    resource: ClassVar[type[BaseModel]] = Event
    event_date: EventDate
    title: Title
    description: EventDescription | None = None
    time: Time | None = None
    url: Url | None = None
    start_time: StartTime | None = None
    end_time: EndTime | None = None
    end_date: EndDate | None = None
    recurrence: Recurrence | None = None


def _changes_schema(schema: dict[str, Any]) -> None:
    # At least one field; the ones that may be left out but not sent as null show no null default.
    schema["minProperties"] = 1
    for name in ("event_date", "title"):
        schema["properties"][name].pop("default", None)


class EventChanges(BaseModel):
    """Only the fields sent change; at least one."""

    model_config = ConfigDict(**_REQUEST, json_schema_extra=_changes_schema)
    resource: ClassVar[type[BaseModel]] = Event
    event_date: EventDate = None  # may be left out, not sent as null
    title: Title = None
    description: EventDescription | None = None
    time: Time | None = None
    url: Url | None = None
    start_time: StartTime | None = Field(None, description="null removes it (the event becomes all-day)")
    end_time: EndTime | None = Field(None, description="null removes it")
    end_date: EndDate | None = Field(None, description="null removes it (the event is on `event_date` alone)")
    recurrence: Recurrence | None = Field(None, description=(
        "New lines for the series (scope `all` or `following`; an event that is no series becomes one). Their "
        "first occurrence must be `event_date` (as changed). With `all`, exceptions on days the new lines no "
        "longer give are deleted. null stops the repeating: with `all` the series becomes one event on its "
        "`event_date` (its exceptions deleted), with `following` that occurrence becomes one event and the "
        "series ends the day before"))


def _department_changes_schema(schema: dict[str, Any]) -> None:
    schema["minProperties"] = 1
    schema["properties"]["name"].pop("default", None)


class DepartmentChanges(BaseModel):
    """Only the fields sent change; at least one."""

    model_config = ConfigDict(**_REQUEST, json_schema_extra=_department_changes_schema)
    resource: ClassVar[type[BaseModel]] = Department
    name: DepartmentName = None  # may be left out, not sent as null
    description: DepartmentDescription | None = None


class Person(BaseModel):
    """Someone who signed in with the company's account (a live session or a personal token), or is blocked."""

    subject: str = Field(description="Their subject (`sub`) at the identity provider: stable, unlike the name")
    name: str = Field(description="Their display name when last seen")
    blocked: bool


TOKEN_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$"
UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
TokenName = Annotated[str, StringConstraints(pattern=TOKEN_NAME_PATTERN),
                      FixedRule("must be 1-64 letters, digits, _ . @ -, starting with a letter or digit"),
                      Field(description="Unique among all tokens; shown in created_by/updated_by of what an operator's "
                                        "token writes (a personal token writes as its person)",
                            examples=["minji-desktop"])]
TokenRole = Annotated[Literal["viewer", "editor", "admin"], FixedRule("must be viewer, editor or admin")]
TokenDepartments = Annotated[list[Annotated[str, StringConstraints(pattern=UUID_PATTERN)]],
                             FixedRule("must be a list of department ids")]


class TokenCreate(BaseModel):
    """A personal token (app password) for the C# client, a feed or a calendar app."""

    model_config = _REQUEST
    name: TokenName
    role: TokenRole | None = Field(None, description="At most your own role (default: your role)")
    departments: TokenDepartments | None = Field(None, description="Some of your departments (default: all of yours)")


class TokenSummary(BaseModel):
    """A token as listed: never its secret."""

    name: TokenName
    role: Literal["viewer", "editor", "admin"]
    departments: list[UUID] | None = Field(description="The departments it is limited to; null: every department")
    created_at: Timestamp
    created_by: Actor
    owner: str | None = Field(description="The display name of the person it belongs to; null for an operator's token")


class NewToken(TokenSummary):
    token: str = Field(description="The secret, shown only in this answer: send it as `Authorization: Bearer`")


class DateRange(BaseModel):
    """The `from`/`to` query parameters of an event listing (inclusive, either optional; `to` at most
    MAX_LIST_DAYS after `from`)."""

    model_config = ConfigDict(strict=True)
    start: EventDate | None = Field(None, alias="from", description="First day listed, YYYY-MM-DD")
    end: EventDate | None = Field(None, alias="to", description=(
        f"Last day listed, YYYY-MM-DD, at most {MAX_LIST_DAYS} days after `from`. Series are listed as "
        f"their occurrences over at most {MAX_LIST_DAYS} days: from `from` (or a series' first day) through "
        f"`to` or {MAX_LIST_DAYS} days on"))


def field_rule(model: type[BaseModel], name: str) -> TextRule | DateRule | FixedRule | None:
    """The TextRule or DateRule of a model's field named `name` as sent (its alias, if it has one),
    also inside `X | None`; None for other fields."""
    field = next(f for n, f in model.model_fields.items() if (f.alias or n) == name)
    metadata = list(field.metadata)
    for arg in get_args(field.annotation):
        if get_origin(arg) is Annotated:
            metadata += arg.__metadata__
    return next((m for m in metadata if isinstance(m, (TextRule, DateRule, FixedRule))), None)


def writable_fields(model: type[BaseModel]) -> tuple[str, ...]:
    return tuple(model.model_fields)


def read_only_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """Fields of the resource a request model may not send (the server sets them)."""
    return tuple(f for f in model.resource.model_fields if f not in model.model_fields)
