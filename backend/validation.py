"""Validation of request bodies and query parameters with the contract's models; shared by the API
and the migration. Failures become one ValidationError naming every bad field, worded as always."""
from __future__ import annotations

from typing import Any, cast

import pydantic
from pydantic import BaseModel

from contract.bodies import (
    REQUIRED,
    CompanyDayCreate,
    CompanyDayKey,
    DateRange,
    DepartmentChanges,
    DepartmentCreate,
    EventChanges,
    EventCreate,
    TokenCreate,
    field_rule,
    read_only_fields,
    writable_fields,
)
from errors import ValidationError
from rules.date_range import MAX_LIST_DAYS
from rules.event_times import check_event_times, days_between
from rules.shapes import EventFields


def _validated(model: type[BaseModel], data: Any) -> BaseModel:
    """`data` as an instance of `model`; raises ValidationError."""
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        raise _as_validation_error(model, exc.errors(include_url=False)) from None


def _as_validation_error(model: type[BaseModel], errors: list[dict[str, Any]]) -> ValidationError:
    """One ValidationError for pydantic's errors: a body that is no object, else the unknown and
    read-only fields, else every bad field (one problem each), worded by the field's rule."""
    if any(not error["loc"] for error in errors):
        return ValidationError("the request body must be a JSON object")
    extra = [error["loc"][0] for error in errors if error["type"] == "extra_forbidden"]
    if extra:
        return _extra_fields_error(read_only_fields(model), extra)
    problems: dict[str, str] = {}
    for error in errors:
        name = error["loc"][0]
        rule = field_rule(model, name)
        problems.setdefault(name, REQUIRED if error["type"] == "missing" or rule is None else rule.problem(error))
    detail = "; ".join(f"{k} {v}" for k, v in sorted(problems.items()))
    return ValidationError(f"invalid input: {detail}", problems)


def _extra_fields_error(read_only: tuple[str, ...], extra: list[str]) -> ValidationError:
    unknown = sorted(k for k in extra if k not in read_only)
    fixed = sorted(k for k in extra if k in read_only)
    problems = {k: "unknown field" for k in unknown}
    problems.update({k: "read-only field" for k in fixed})
    if "department_id" in fixed:
        problems["department_id"] = "department_id cannot change"
    parts = []
    if unknown:
        parts.append("unknown field(s): " + ", ".join(unknown))
    if fixed:
        parts.append("read-only field(s): " + ", ".join(fixed))
    return ValidationError("; ".join(parts), problems)


def validate_department(body: Any) -> dict[str, str]:
    """The department's `name` (trimmed, 1-100 chars) and `description`; raises ValidationError."""
    department = _validated(DepartmentCreate, body)
    return {"name": department.name, "description": department.description or ""}


def validate_company_day(body: Any) -> dict[str, str]:
    """A company day's `date` (a real day in the stored range) and `name` (trimmed, 1-50 chars);
    raises ValidationError."""
    day = _validated(CompanyDayCreate, body)
    return {"date": day.date, "name": day.name}


def validate_company_date(value: str) -> str:
    """The date of a company day to remove, checked as on creation; raises ValidationError."""
    return _validated(CompanyDayKey, {"date": value}).date


def validate_personal_token(body: Any) -> dict[str, Any]:
    """A personal token's `name`, `role` and `departments` (canonical ids) or None; raises ValidationError."""
    token = _validated(TokenCreate, body)
    departments = None if token.departments is None else sorted({d.lower() for d in token.departments})
    return {"name": token.name, "role": token.role, "departments": departments}


def validate_department_changes(body: Any) -> dict[str, str]:
    """Only the department fields sent (`name`, `description`), checked as on creation; raises
    ValidationError (also for an empty change)."""
    if body == {}:
        raise ValidationError("nothing to change: send at least one of " + ", ".join(writable_fields(DepartmentChanges)))
    return _sent_fields(_validated(DepartmentChanges, body))


def _sent_fields(event: BaseModel) -> dict[str, str | None]:
    # Optional texts sent as null are stored empty, as the API always did; the fields a resource has
    # only when set (structured times) stay None: absent on creation, removed by a change.
    sent, resource = event.model_fields_set, type(event).resource.model_fields
    return {name: getattr(event, name) if _only_when_set(resource, name) else getattr(event, name) or ""
            for name in type(event).model_fields if name in sent}


def _only_when_set(resource_fields: dict[str, Any], name: str) -> bool:
    return name in resource_fields and not resource_fields[name].is_required()


def validate_new_event(body: Any) -> EventFields:
    """Fields of a new event; raises ValidationError naming every bad field."""
    fields = cast(EventFields, {name: value for name, value in _sent_fields(_validated(EventCreate, body)).items()
                                if value is not None})
    check_event_times(fields)
    return fields


def validate_event_changes(body: Any) -> EventFields:
    """Only the fields sent, validated; raises ValidationError (also for an empty change)."""
    if body == {}:
        raise ValidationError("nothing to change: send at least one of " + ", ".join(writable_fields(EventChanges)))
    return cast(EventFields, _sent_fields(_validated(EventChanges, body)))


def validate_date_bounds(start: str | None, end: str | None) -> tuple[str | None, str | None]:
    """The `from`/`to` query parameters of any span (a search's), checked; raises ValidationError."""
    if start is None and end is None:
        return None, None
    sent = {name: value for name, value in (("from", start), ("to", end)) if value is not None}
    _validated(DateRange, sent)
    if start and end and start > end:
        raise ValidationError("`from` must not be after `to`", {"from": "is after `to`"})
    return start, end


def validate_date_range(start: str | None, end: str | None) -> tuple[str | None, str | None]:
    """The `from`/`to` query parameters of a listing (at most MAX_LIST_DAYS apart), checked;
    raises ValidationError."""
    start, end = validate_date_bounds(start, end)
    if start and end and days_between(start, end) > MAX_LIST_DAYS:
        raise ValidationError(f"`to` must be at most {MAX_LIST_DAYS} days after `from`: list a longer span "
                              "in several requests", {"to": f"must be at most {MAX_LIST_DAYS} days after `from`"})
    return start, end


EXPAND = "expand"


def validate_expand(value: str | None) -> bool:
    """The `expand` query parameter: "true" (the default: series as their occurrences) or "false"
    (series, exceptions and single events as stored); raises ValidationError."""
    if value in (None, "true"):
        return True
    if value == "false":
        return False
    raise ValidationError("`expand` must be true or false", {EXPAND: "must be true or false"})


SCOPE = "scope"
SCOPES = ("this", "following", "all")


def validate_scope(value: str | None) -> str | None:
    """The `scope` query parameter of a change or delete: this, following, all, or None (not sent)."""
    if value is None or value in SCOPES:
        return value
    raise ValidationError("`scope` must be this, following or all", {SCOPE: "must be this, following or all"})
