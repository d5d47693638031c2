"""Validation of request bodies and query parameters; shared by the API and the migration."""
from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from schema import DEPARTMENT_READ_ONLY, DEPARTMENT_WRITABLE, EVENT_READ_ONLY, EVENT_WRITABLE

DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Text never holds control characters (C0, DEL, C1) nor the bidirectional embeddings, overrides and
# isolates that make text display as something else (U+202E turns "exe.txt" around). Multi-line
# fields keep tab, line feed and carriage return (Windows clients send CRLF).
_BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
FORBIDDEN_IN_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI_CONTROLS}]")
FORBIDDEN_IN_MULTILINE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI_CONTROLS}]")

DEPARTMENT_NAME_MAX = 100
DEPARTMENT_DESCRIPTION_MAX = 1000
TITLE_MAX = 200
DESCRIPTION_MAX = 5000
TIME_MAX = 50
URL_MAX = 2048



class ValidationError(Exception):
    """Bad input; `fields` maps each offending field to what is wrong with it."""

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


def is_valid_date(value: Any) -> bool:
    """True for a real calendar date written YYYY-MM-DD."""
    if not isinstance(value, str) or not DATE_PATTERN.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _check_fields(body: Any, writable: tuple[str, ...], read_only: tuple[str, ...]) -> None:
    if not isinstance(body, dict):
        raise ValidationError("the request body must be a JSON object")
    unknown = sorted(k for k in body if k not in writable and k not in read_only)
    fixed = sorted(k for k in body if k in read_only)
    problems = {k: "unknown field" for k in unknown}
    problems.update({k: "read-only field" for k in fixed})
    if "department_id" in fixed:
        problems["department_id"] = "department_id cannot change"
    if problems:
        parts = []
        if unknown:
            parts.append("unknown field(s): " + ", ".join(unknown))
        if fixed:
            parts.append("read-only field(s): " + ", ".join(fixed))
        raise ValidationError("; ".join(parts), problems)


def _text(body: dict, name: str, *, maximum: int, minimum: int = 0, strip: bool = False,
          required: bool = False, multiline: bool = False, problems: dict[str, str]) -> str | None:
    if name not in body or (body[name] is None and not required):
        if required:
            problems[name] = "is required"
        return None
    value = body[name]
    if not isinstance(value, str):
        problems[name] = "must be a string"
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate such as "\ud800" from a JSON escape
        problems[name] = "must be valid Unicode text"
        return None
    if strip:
        value = value.strip()
    forbidden = (FORBIDDEN_IN_MULTILINE if multiline else FORBIDDEN_IN_LINE).search(value)
    if forbidden:
        allowed = " (tab and line breaks are allowed)" if multiline else ""
        problems[name] = (f"must not contain control or bidirectional-override characters{allowed}: "
                          f"found U+{ord(forbidden.group()):04X} at position {forbidden.start()}")
        return None
    if len(value) < minimum:
        problems[name] = "must not be empty" if minimum == 1 else f"must have at least {minimum} characters"
        return None
    if len(value) > maximum:
        problems[name] = f"must have at most {maximum} characters (got {len(value)})"
        return None
    return value


def _url(body: dict, problems: dict[str, str]) -> str | None:
    value = _text(body, "url", maximum=URL_MAX, strip=True, problems=problems)
    if value:
        parts = urlsplit(value)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            problems["url"] = "must be an absolute http(s) URL or empty"
            return None
    return value


def _raise_if(problems: dict[str, str]) -> None:
    if problems:
        detail = "; ".join(f"{k} {v}" for k, v in sorted(problems.items()))
        raise ValidationError(f"invalid input: {detail}", problems)


def validate_department(body: Any) -> dict[str, str]:
    """The department's `name` (trimmed, 1-100 chars) and `description`; raises ValidationError."""
    _check_fields(body, DEPARTMENT_WRITABLE, DEPARTMENT_READ_ONLY)
    problems: dict[str, str] = {}
    name = _text(body, "name", minimum=1, maximum=DEPARTMENT_NAME_MAX, strip=True, required=True,
                 problems=problems)
    description = _text(body, "description", maximum=DEPARTMENT_DESCRIPTION_MAX, multiline=True, problems=problems)
    _raise_if(problems)
    return {"name": name, "description": description or ""}


def validate_department_changes(body: Any) -> dict[str, str]:
    """Only the department fields sent (`name`, `description`), checked as on creation; raises
    ValidationError (also for an empty change)."""
    _check_fields(body, DEPARTMENT_WRITABLE, DEPARTMENT_READ_ONLY)
    if not body:
        raise ValidationError("nothing to change: send at least one of " + ", ".join(DEPARTMENT_WRITABLE))
    problems: dict[str, str] = {}
    changes = {}
    if "name" in body:
        changes["name"] = _text(body, "name", minimum=1, maximum=DEPARTMENT_NAME_MAX, strip=True,
                                required=True, problems=problems)
    if "description" in body:
        changes["description"] = _text(body, "description", maximum=DEPARTMENT_DESCRIPTION_MAX, multiline=True,
                                       problems=problems) or ""
    _raise_if(problems)
    return changes


def _event_fields(body: dict, *, partial: bool) -> dict[str, str]:
    problems: dict[str, str] = {}
    fields = {}
    if "event_date" in body or not partial:
        if not is_valid_date(body.get("event_date")):
            problems["event_date"] = (
                "is required" if body.get("event_date") is None else "must be a real date as YYYY-MM-DD"
            )
        else:
            fields["event_date"] = body["event_date"]
    if "title" in body or not partial:
        fields["title"] = _text(body, "title", minimum=1, maximum=TITLE_MAX, strip=True,
                                required=True, problems=problems)
    for name, maximum, multiline in (("description", DESCRIPTION_MAX, True), ("time", TIME_MAX, False)):
        if name in body:
            fields[name] = _text(body, name, maximum=maximum, multiline=multiline, problems=problems) or ""
    if "url" in body:
        fields["url"] = _url(body, problems) or ""
    _raise_if(problems)
    return fields


def validate_new_event(body: Any) -> dict[str, str]:
    """Fields of a new event; raises ValidationError naming every bad field."""
    _check_fields(body, EVENT_WRITABLE, EVENT_READ_ONLY)
    return _event_fields(body, partial=False)


def validate_event_changes(body: Any) -> dict[str, str]:
    """Only the fields sent, validated; raises ValidationError (also for an empty change)."""
    _check_fields(body, EVENT_WRITABLE, EVENT_READ_ONLY)
    if not body:
        raise ValidationError(
            "nothing to change: send at least one of " + ", ".join(EVENT_WRITABLE)
        )
    return _event_fields(body, partial=True)


def validate_date_range(start: str | None, end: str | None) -> tuple[str | None, str | None]:
    """The `from`/`to` query parameters, checked; raises ValidationError."""
    problems = {}
    for name, value in (("from", start), ("to", end)):
        if value is not None and not is_valid_date(value):
            problems[name] = "must be a real date as YYYY-MM-DD"
    _raise_if(problems)
    if start and end and start > end:
        raise ValidationError("`from` must not be after `to`", {"from": "is after `to`"})
    return start, end
