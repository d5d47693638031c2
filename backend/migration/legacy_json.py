"""The legacy JSON files: reading them, recognising their shape, turning each shape into Records.

Also the normalisation of their dates and timestamps to the formats the API stores.
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from migration.errors import MigrationFailed
from rules.timestamps import format_timestamp
from schema import DEPARTMENT_FIELDS, EVENT_FIELDS

# The migration CLI's logger (configured by migrate_to_dynamodb), shared by the migration modules.
log = logging.getLogger("migration")

DEFAULT_DEPARTMENTS = "departments.json"
DEFAULT_EVENTS = "calendar_events.json"

# The keys a legacy record may hold: the stored fields, and for events the legacy spellings of
# the department (by name) and the date.
DEPARTMENT_KEYS = DEPARTMENT_FIELDS
EVENT_KEYS = (*EVENT_FIELDS, "department", "date")
DEPARTMENT_SHAPES = {
    "array": "an array of department objects",
    "departments-key": 'an object with a "departments" array',
    "names": "an array of department names",
}
EVENT_SHAPES = {
    "array": "shape 1: an array of event objects",
    "events-key": 'shape 1: an object with an "events" array',
    "by-date": "shape 2: an object keyed by date",
    "by-department": "shape 3: an object keyed by department, then by date",
}
_LEGACY_DATE = re.compile(r"^(\d{4})([-/])(\d{1,2})\2(\d{1,2})$", re.ASCII)


class _DuplicateKey(ValueError):
    pass


def normalise_date(value: Any) -> Any:
    """`YYYY-MM-DD` for `YYYY-MM-DD`, `YYYY-M-D` or `YYYY/MM/DD` input; anything else unchanged."""
    if isinstance(value, str):
        match = _LEGACY_DATE.match(value.strip())
        if match:
            return f"{match[1]}-{int(match[3]):02d}-{int(match[4]):02d}"
    return value


def normalise_timestamp(value: Any) -> str | None:
    """A legacy timestamp as UTC ISO-8601 with milliseconds and `Z`; None if it is not parseable.

    Timestamps without a UTC offset are taken as UTC.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return format_timestamp(parsed.astimezone(UTC))


def _path_key(key: str) -> str:
    return "[" + json.dumps(key, ensure_ascii=False) + "]"


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def read_json(path: Path, what: str) -> Any:
    """The parsed JSON of a legacy file (UTF-8, with or without BOM); raises MigrationFailed."""
    option = "--departments" if what == "departments" else "--events"
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise MigrationFailed(
            f"{what} file {path} not found: pass {option} PATH, or run from the directory that "
            f"holds {path.name}"
        ) from exc
    except OSError as exc:
        raise MigrationFailed(
            f"cannot read {what} file {path} ({exc.strerror}): check the path and its permissions"
        ) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MigrationFailed(
            f"{path} is not UTF-8 text (bad byte at offset {exc.start}): save it as UTF-8 and run again"
        ) from exc
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise MigrationFailed(
            f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}): "
            "fix the file and run again"
        ) from exc
    except _DuplicateKey as exc:
        raise MigrationFailed(
            f"{path} has the key {json.dumps(str(exc), ensure_ascii=False)} twice in one object; "
            "JSON keeps only the last one, so records would be lost: merge them and run again"
        ) from exc


# -- input shapes -------------------------------------------------------------------------------


@dataclass
class Record:
    """One record of a legacy file, with where it was found."""

    path: str  # JSONPath inside its file, e.g. $[3] or $["12"]["2024-01-20"][0]
    value: Any
    date_key: str | None = None  # shapes 2 and 3: the date it is filed under
    department_key: str | None = None  # shape 3: the department it is filed under
    problem: str | None = None  # set when the container itself is malformed


def department_records(data: Any, file: Path) -> tuple[str, list[Record]]:
    """(shape, records) of departments.json; raises MigrationFailed for an unknown shape."""
    if isinstance(data, dict) and isinstance(data.get("departments"), list):
        _warn_other_keys(data, "departments", file)
        return "departments-key", [Record(f"$.departments[{i}]", v) for i, v in enumerate(data["departments"])]
    if isinstance(data, list):
        shape = "names" if data and all(isinstance(v, str) for v in data) else "array"
        return shape, [Record(f"$[{i}]", v) for i, v in enumerate(data)]
    raise MigrationFailed(
        f"{file}: expected {DEPARTMENT_SHAPES['array']}, {DEPARTMENT_SHAPES['departments-key']} or "
        f"{DEPARTMENT_SHAPES['names']}; found a JSON {type(data).__name__}: check that this is the "
        "legacy departments file"
    )


def event_records(data: Any, file: Path) -> tuple[str, list[Record]]:
    """(shape, records) of calendar_events.json; raises MigrationFailed for an unknown shape."""
    if isinstance(data, list):
        return "array", [Record(f"$[{i}]", v) for i, v in enumerate(data)]
    if not isinstance(data, dict):
        raise MigrationFailed(
            f"{file}: expected an array of events or an object keyed by \"events\", by date or by "
            f"department; found a JSON {type(data).__name__}: check that this is the legacy events file"
        )
    if isinstance(data.get("events"), list):
        _warn_other_keys(data, "events", file)
        return "events-key", [Record(f"$.events[{i}]", v) for i, v in enumerate(data["events"])]
    values = list(data.values())
    if all(isinstance(v, list) for v in values):
        by_date = True
    elif all(isinstance(v, dict) for v in values):
        by_date = False
    else:  # mixed: the keys decide, and the odd values are rejected below
        by_date = all(_LEGACY_DATE.match(k.strip()) for k in data)
    if by_date:
        return "by-date", _records_by_date(data, "$")
    records = []
    for department, by_day in data.items():
        path = "$" + _path_key(department)
        if not isinstance(by_day, dict):
            records.append(Record(path, by_day, department_key=department,
                                  problem="expected an object keyed by date under this department"))
            continue
        records += _records_by_date(by_day, path, department)
    return "by-department", records


def _records_by_date(by_date: dict[str, Any], path: str, department: str | None = None) -> list[Record]:
    """The records of an object keyed by date (shape 2, or one department's part of shape 3)."""
    records = []
    for key, value in by_date.items():
        day_path = path + _path_key(key)
        if not isinstance(value, list):
            records.append(Record(day_path, value, date_key=key, department_key=department,
                                  problem="expected an array of events under this date"))
            continue
        records += [
            Record(f"{day_path}[{i}]", v, date_key=key, department_key=department) for i, v in enumerate(value)
        ]
    return records


def _warn_other_keys(data: dict, kept: str, file: Path) -> None:
    others = sorted(k for k in data if k != kept)
    if others:
        log.warning("%s: top-level key(s) %s ignored (only %r holds records)", file, ", ".join(others), kept)
