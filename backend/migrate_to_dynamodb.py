"""Operator CLI: move the legacy JSON files into DynamoDB, safely, and export the tables back out.

Run from backend/ (settings come from the environment and `.env`, as for the service):

    python migrate_to_dynamodb.py [--departments PATH] [--events PATH] [--dry-run]
                                  [--create-tables] [--report PATH] [--id-map PATH]
    python migrate_to_dynamodb.py --export DIR

Exit status: 0 everything migrated, 1 some records rejected (the rest written), 2 could not run
(or could not verify what it wrote); the last lines printed say what to do.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import random
import re
import sys
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    PartialCredentialsError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError
from tqdm import tqdm

from config import Settings
from models import (
    BATCH_WRITE_LIMIT,
    EVENT_FIELDS,
    Conflict,
    DynamoDBDatabase,
    NotFound,
    department_name_key,
    utc_now_iso,
)
from validation import ValidationError, validate_department, validate_new_event

# __name__ is "__main__" when run as a script; one fixed name keeps the log configuration simple.
log = logging.getLogger("migration")

# uuid5(NAMESPACE_URL, "urn:department-calendar:legacy-json-migration"). Never change it: every
# UUID the migration derives from a legacy id depends on it, and re-runs rely on getting the same.
MIGRATION_NAMESPACE = uuid.UUID("90aad3c8-5833-5374-9059-0b3485918980")

EXIT_OK, EXIT_REJECTED, EXIT_FAILED = 0, 1, 2

DEFAULT_DEPARTMENTS = "departments.json"
DEFAULT_EVENTS = "calendar_events.json"
DEFAULT_REPORT = "migration_report.json"
DEFAULT_ID_MAP = "migration_id_map.json"
DEFAULT_LOG = "migration.log"
DEFAULT_WORKERS = 4

DEPARTMENT_KEYS = ("id", "name", "description", "created_at", "updated_at")
EVENT_KEYS = (
    "id", "department_id", "department", "event_date", "date", "title", "description", "time",
    "url", "created_at", "last_modified", "version",
)
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
THROTTLING_CODES = {
    "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
}
THROTTLE_RETRIES = 8
VERIFY_ATTEMPTS = 6
MAX_LOGGED_REJECTIONS = 20

_LEGACY_DATE = re.compile(r"^(\d{4})([-/])(\d{1,2})\2(\d{1,2})$", re.ASCII)
_DIGITS = re.compile(r"^\d+$", re.ASCII)


class MigrationFailed(Exception):
    """The migration cannot run or cannot finish; the message says what to do (exit status 2)."""


class _DuplicateKey(ValueError):
    pass


class _Unresolved(Exception):
    """An event's department could not be resolved; the message is the rejection reason."""


# -- pure helpers -------------------------------------------------------------------------------


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
    parsed = parsed.astimezone(UTC)
    return (
        f"{parsed.year:04d}-{parsed.month:02d}-{parsed.day:02d}T{parsed.hour:02d}:"
        f"{parsed.minute:02d}:{parsed.second:02d}.{parsed.microsecond // 1000:03d}Z"
    )


def parse_identifier(value: Any) -> tuple[str, int | str]:
    """("legacy", int) for an integer id (or its digits), ("uuid", str) for a UUID; else ValueError."""
    if isinstance(value, int) and not isinstance(value, bool):
        return "legacy", value
    if isinstance(value, str):
        text = value.strip()
        if _DIGITS.match(text):
            return "legacy", int(text)
        try:
            return "uuid", str(uuid.UUID(text))
        except ValueError:
            pass
    raise ValueError(f"not an integer id or a UUID: {value!r}")


def department_uuid(legacy_id: int) -> str:
    return str(uuid.uuid5(MIGRATION_NAMESPACE, f"department:{legacy_id}"))


def department_uuid_for_name(name: str) -> str:
    return str(uuid.uuid5(MIGRATION_NAMESPACE, f"department-name:{department_name_key(name)}"))


def event_uuid(department_id: str, legacy_id: int) -> str:
    """The event's UUID; its department is part of it, so an id is never in two departments."""
    return str(uuid.uuid5(MIGRATION_NAMESPACE, f"event:{department_id}:{legacy_id}"))


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
    records = []
    if by_date:
        for key, value in data.items():
            path = "$" + _path_key(key)
            if not isinstance(value, list):
                records.append(Record(path, value, date_key=key, problem="expected an array of events under this date"))
                continue
            records += [Record(f"{path}[{i}]", v, date_key=key) for i, v in enumerate(value)]
        return "by-date", records
    for department, by_day in data.items():
        path = "$" + _path_key(department)
        if not isinstance(by_day, dict):
            records.append(Record(path, by_day, department_key=department,
                                  problem="expected an object keyed by date under this department"))
            continue
        for key, value in by_day.items():
            day_path = path + _path_key(key)
            if not isinstance(value, list):
                records.append(Record(day_path, value, date_key=key, department_key=department,
                                      problem="expected an array of events under this date"))
                continue
            records += [
                Record(f"{day_path}[{i}]", v, date_key=key, department_key=department)
                for i, v in enumerate(value)
            ]
    return "by-department", records


def _warn_other_keys(data: dict, kept: str, file: Path) -> None:
    others = sorted(k for k in data if k != kept)
    if others:
        log.warning("%s: top-level key(s) %s ignored (only %r holds records)", file, ", ".join(others), kept)


# -- the migration ------------------------------------------------------------------------------


@dataclass
class Counts:
    read: int = 0
    written: int = 0
    already_present: int = 0
    rejected: int = 0
    would_write: int = 0

    def as_dict(self, dry_run: bool) -> dict[str, int]:
        counts = {"read": self.read, "written": self.written, "already_present": self.already_present,
                  "rejected": self.rejected}
        if dry_run:
            counts["would_write"] = self.would_write
        return counts


@dataclass
class PlannedDepartment:
    path: str
    legacy_id: int | None
    id: str
    name: str
    description: str
    created_at: str
    updated_at: str
    status: str = "new"  # "new" (to write), "written", "present"


@dataclass
class Report:
    """What a run did; written as the JSON report."""

    dry_run: bool
    departments_file: Path
    events_file: Path
    started_at: str = field(default_factory=utc_now_iso)
    departments_shape: str | None = None
    events_shape: str | None = None
    departments: Counts = field(default_factory=Counts)
    events: Counts = field(default_factory=Counts)
    rejections: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    ignored_fields: dict[str, Counter] = field(
        default_factory=lambda: {"departments": Counter(), "events": Counter()}
    )
    verification: dict[str, Any] = field(default_factory=lambda: {"ok": None, "departments": []})
    id_map: dict[str, dict[str, str]] = field(
        default_factory=lambda: {"departments": {}, "department_names": {}, "events": {},
                                 "events_without_legacy_id": {}}
    )
    error: str | None = None
    exit_code: int | None = None

    def reject(self, file: Path, path: str, value: Any, reason: str, field_name: str | None = None,
               problems: dict[str, str] | None = None) -> None:
        rejection = {"file": str(file), "path": path, "field": field_name, "value": value, "reason": reason}
        if problems:
            rejection["problems"] = problems
        self.rejections.append(rejection)

    def warn(self, file: Path, path: str, field_name: str, value: Any, reason: str) -> None:
        self.warnings.append(
            {"file": str(file), "path": path, "field": field_name, "value": value, "reason": reason}
        )

    def as_dict(self, settings: Settings) -> dict[str, Any]:
        return {
            "started_at": self.started_at,
            "finished_at": utc_now_iso(),
            "dry_run": self.dry_run,
            "exit_code": self.exit_code,
            "error": self.error,
            "dynamodb": {
                "endpoint": settings.dynamodb_endpoint_url or f"AWS ({settings.aws_region})",
                "departments_table": settings.departments_table,
                "events_table": settings.events_table,
            },
            "sources": {
                "departments": _source(self.departments_file, self.departments_shape, DEPARTMENT_SHAPES),
                "events": _source(self.events_file, self.events_shape, EVENT_SHAPES),
            },
            "departments": self.departments.as_dict(self.dry_run),
            "events": self.events.as_dict(self.dry_run),
            "rejections": self.rejections,
            "warnings": self.warnings,
            "ignored_fields": {k: dict(sorted(v.items())) for k, v in self.ignored_fields.items()},
            "verification": self.verification,
        }


def _source(file: Path, shape: str | None, shapes: dict[str, str]) -> dict[str, Any]:
    return {"file": str(file), "shape": shape, "shape_description": shapes.get(shape or "")}


class Migration:
    """One run: read and validate both files, write what is missing, verify, fill the report."""

    def __init__(self, db: DynamoDBDatabase, report: Report, *, create_tables: bool = False,
                 progress: bool = True, workers: int = DEFAULT_WORKERS):
        self.db = db
        self.report = report
        self.dry_run = report.dry_run
        self.create_tables = create_tables
        self.progress = progress
        self.workers = max(1, workers)
        self.run_timestamp = report.started_at
        self.tables_exist = True
        self.planned: list[PlannedDepartment] = []
        self.by_legacy: dict[int, PlannedDepartment] = {}
        self.by_uuid: dict[str, PlannedDepartment] = {}
        self.by_name: dict[str, PlannedDepartment] = {}
        self.rejected_refs: dict[tuple[str, Any], str] = {}  # ("legacy"|"uuid"|"name", ref) -> path
        self._db_departments: dict[tuple[str, str], dict[str, Any] | None] = {}

    # -- phases -----------------------------------------------------------------------------

    def run(self) -> None:
        report = self.report
        dep_shape, dep_records = department_records(read_json(report.departments_file, "departments"),
                                                    report.departments_file)
        ev_shape, ev_records = event_records(read_json(report.events_file, "events"), report.events_file)
        report.departments_shape, report.events_shape = dep_shape, ev_shape
        log.info("%s: %s (%d records)", report.departments_file, DEPARTMENT_SHAPES[dep_shape], len(dep_records))
        log.info("%s: %s (%d records)", report.events_file, EVENT_SHAPES[ev_shape], len(ev_records))

        self._plan_departments(dep_records)
        self._check_tables()
        self._write_departments()
        events = self._plan_events(ev_records)
        to_verify = self._write_events(events)
        if not self.dry_run:
            self._verify(to_verify)

    def _check_tables(self) -> None:
        statuses = self.db.table_statuses()
        missing = sorted(name for name, status in statuses.items() if status == "MISSING")
        busy = sorted(f"{name} ({status})" for name, status in statuses.items()
                      if status not in ("ACTIVE", "MISSING"))
        if self.dry_run:  # never creates anything; treats tables it cannot read yet as empty
            self.tables_exist = not missing and not busy
            if missing:
                log.warning("table(s) %s missing: the dry run treats them as empty; a real run needs "
                            "--create-tables", ", ".join(missing))
            if busy:
                log.warning("table(s) %s not ACTIVE yet: the dry run treats them as empty", ", ".join(busy))
            return
        if missing and not self.create_tables:
            raise MigrationFailed(
                f"table(s) {', '.join(missing)} do not exist: run again with --create-tables, or check "
                f"TABLE_PREFIX ({self.db.settings.table_prefix!r}) and AWS_REGION "
                f"({self.db.settings.aws_region})"
            )
        if missing or busy:
            if busy and not missing and not self.create_tables:
                raise MigrationFailed(f"table(s) {', '.join(busy)} not ACTIVE yet: wait a minute and run again")
            created = self.db.create_tables()
            log.info("tables ready%s", f" (created {', '.join(created)})" if created else "")

    def _plan_departments(self, records: list[Record]) -> None:
        counts, file = self.report.departments, self.report.departments_file
        for record in records:
            counts.read += 1
            value = {"name": record.value} if isinstance(record.value, str) else record.value
            try:
                self._plan_department(record, value)
            except _Rejected as rejected:
                counts.rejected += 1
                self.report.reject(file, record.path, rejected.value, rejected.reason, rejected.field,
                                   rejected.problems)
                for ref in rejected.refs:
                    self.rejected_refs.setdefault(ref, record.path)

    def _plan_department(self, record: Record, value: Any) -> None:
        file = self.report.departments_file
        if not isinstance(value, dict):
            raise _Rejected(value, "a department must be a JSON object with a name (or a plain name)")
        self._note_ignored(value, DEPARTMENT_KEYS, "departments")
        refs: list[tuple[str, Any]] = []
        legacy_id = None
        given_uuid = None
        if value.get("id") is not None:
            try:
                kind, ident = parse_identifier(value["id"])
            except ValueError:
                raise _Rejected(value["id"], "id must be an integer legacy id or a UUID", "id") from None
            refs.append((kind, ident))
            legacy_id, given_uuid = (ident, None) if kind == "legacy" else (None, ident)
        if isinstance(value.get("name"), str) and value["name"].strip():
            refs.append(("name", department_name_key(value["name"])))
        try:
            fields = validate_department({k: value[k] for k in ("name", "description") if k in value})
        except ValidationError as exc:
            name = sorted(exc.fields)[0] if exc.fields else None
            raise _Rejected(value.get(name) if name else value, exc.message, name, exc.fields, refs) from None
        for kind, ident in refs:
            index = {"legacy": self.by_legacy, "uuid": self.by_uuid, "name": self.by_name}[kind]
            if ident in index:
                what = "name" if kind == "name" else "id"
                shown = fields["name"] if kind == "name" else value["id"]
                raise _Rejected(
                    shown, f"duplicate department {what} {shown!r}: already used at {index[ident].path} "
                    "in this file" + (" (names are compared case-insensitively)" if kind == "name" else ""),
                    "name" if kind == "name" else "id",
                    refs=[r for r in refs if r != (kind, ident)],
                )
        created_at = self._timestamp(file, record.path, value, "created_at") or self.run_timestamp
        updated_at = self._timestamp(file, record.path, value, "updated_at") or created_at
        if legacy_id is not None:
            target = department_uuid(legacy_id)
        else:
            target = given_uuid or department_uuid_for_name(fields["name"])
        department = PlannedDepartment(record.path, legacy_id, target, fields["name"],
                                       fields["description"], created_at, updated_at)
        self.planned.append(department)
        for kind, ident in refs:
            {"legacy": self.by_legacy, "uuid": self.by_uuid, "name": self.by_name}[kind][ident] = department

    def _write_departments(self) -> None:
        counts, file = self.report.departments, self.report.departments_file
        kept = []
        for department in self.planned:
            existing = self.db.find_department_by_name(department.name) if self.tables_exist else None
            if existing is None and self.tables_exist:
                holder = self._department_by_id(department.id)
                if holder is not None:  # the id is taken by a department of another name
                    counts.rejected += 1
                    self.report.reject(file, department.path, department.name,
                                       f"its id {department.id} already holds the department "
                                       f"{holder['name']!r} in DynamoDB", "name")
                    self._forget(department)
                    continue
            if existing is None and not self.dry_run:
                try:
                    self.db.create_department(
                        department.name, department.description, department_id=department.id,
                        created_at=department.created_at, updated_at=department.updated_at,
                    )
                    department.status = "written"
                    counts.written += 1
                except Conflict:  # created meanwhile, by someone else
                    existing = self.db.find_department_by_name(department.name)
                    if existing is None:
                        counts.rejected += 1
                        self.report.reject(file, department.path, department.name,
                                           "the name or id is taken by a department being deleted; "
                                           "run again once the delete finished", "name")
                        self._forget(department)
                        continue
            if existing is not None:
                department.id = existing["id"]
                department.status = "present"
                counts.already_present += 1
            elif self.dry_run:
                counts.would_write += 1
            kept.append(department)
            if department.legacy_id is not None:
                self.report.id_map["departments"][str(department.legacy_id)] = department.id
            self.report.id_map["department_names"][department.name] = department.id
        self.planned = kept
        log.info("departments: %d written, %d already present, %d rejected", counts.written,
                 counts.already_present, counts.rejected)

    def _forget(self, department: PlannedDepartment) -> None:
        for kind, index in (("legacy", self.by_legacy), ("uuid", self.by_uuid), ("name", self.by_name)):
            for key, planned in list(index.items()):
                if planned is department:
                    del index[key]
                    self.rejected_refs.setdefault((kind, key), department.path)

    def _plan_events(self, records: list[Record]) -> dict[str, list[dict[str, Any]]]:
        """The valid events grouped by department id; rejects the rest into the report."""
        counts, file = self.report.events, self.report.events_file
        by_department: dict[str, list[dict[str, Any]]] = {d.id: [] for d in self.planned}
        seen_ids: dict[tuple[str, Any], str] = {}  # legacy ids are unique in the whole file
        occurrences: Counter = Counter()
        for record in records:
            counts.read += 1
            try:
                event, legacy_id = self._plan_event(record, occurrences)
                identity = ("legacy", legacy_id) if legacy_id is not None else ("uuid", event["id"])
                first = seen_ids.setdefault(identity, record.path)
                if first != record.path:
                    shown = legacy_id if legacy_id is not None else event["id"]
                    raise _Rejected(record.value.get("id"), f"duplicate event id {shown!r}: already used "
                                    f"at {first} in this file", "id")
            except _Rejected as rejected:
                counts.rejected += 1
                self.report.reject(file, record.path, rejected.value, rejected.reason, rejected.field,
                                   rejected.problems)
                continue
            by_department.setdefault(event["department_id"], []).append(event)
            if legacy_id is not None:
                self.report.id_map["events"][str(legacy_id)] = event["id"]
            elif not isinstance(record.value.get("id"), str):
                self.report.id_map["events_without_legacy_id"][record.path] = event["id"]
        return by_department

    def _plan_event(self, record: Record, occurrences: Counter) -> tuple[dict[str, Any], int | None]:
        file = self.report.events_file
        value = record.value
        if record.problem:
            raise _Rejected(value, record.problem)
        if not isinstance(value, dict):
            raise _Rejected(value, "an event must be a JSON object")
        self._note_ignored(value, EVENT_KEYS, "events")
        department_id = self._event_department(record, value)

        date_field = "event_date" if "event_date" in value else "date"
        raw_date = value.get(date_field)
        if record.date_key is not None:
            if raw_date is not None and normalise_date(raw_date) != normalise_date(record.date_key):
                raise _Rejected(raw_date, f"{date_field} {raw_date!r} differs from the date "
                                f"{record.date_key!r} it is filed under", date_field)
            raw_date, date_field = record.date_key, "(date key)"
        body: dict[str, Any] = {} if raw_date is None else {"event_date": normalise_date(raw_date)}
        body.update({k: value[k] for k in ("title", "description", "time", "url") if k in value})
        try:
            fields = validate_new_event(body)
        except ValidationError as exc:
            name = sorted(exc.fields)[0] if exc.fields else None
            shown = raw_date if name == "event_date" else value.get(name) if name else value
            shown_field = date_field if name == "event_date" else name
            raise _Rejected(shown, exc.message, shown_field, exc.fields) from None

        version = value.get("version", 1)
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise _Rejected(version, "version must be a positive integer", "version")
        created_at = self._timestamp(file, record.path, value, "created_at") or self.run_timestamp
        last_modified = self._timestamp(file, record.path, value, "last_modified") or created_at

        legacy_id = None
        if value.get("id") is not None:
            try:
                kind, ident = parse_identifier(value["id"])
            except ValueError:
                raise _Rejected(value["id"], "id must be an integer legacy id or a UUID", "id") from None
            if kind == "legacy":
                legacy_id, event_id = ident, event_uuid(department_id, ident)
            else:
                event_id = ident
        else:  # no legacy id: the identity is the content, plus which copy of identical records
            content = json.dumps(
                [department_id, fields["event_date"], fields["title"], fields.get("description", ""),
                 fields.get("time", ""), fields.get("url", ""), value.get("created_at")],
                ensure_ascii=False,
            )
            occurrence = occurrences[content]
            occurrences[content] += 1
            event_id = str(uuid.uuid5(MIGRATION_NAMESPACE, f"event-content:{content}#{occurrence}"))
        event = {
            "description": "", "time": "", "url": "", **fields,
            "id": event_id, "department_id": department_id, "created_at": created_at,
            "last_modified": last_modified, "version": version,
        }
        return {f: event[f] for f in EVENT_FIELDS}, legacy_id

    def _event_department(self, record: Record, value: dict[str, Any]) -> str:
        refs = []
        if value.get("department_id") is not None:
            refs.append(("department_id", value["department_id"], self._department_from_id))
        if value.get("department") is not None:
            refs.append(("department", value["department"], self._department_from_name))
        if record.department_key is not None:
            refs.append(("(department key)", record.department_key, self._department_from_key))
        if not refs:
            raise _Rejected(None, "department_id (or department) is required", "department_id")
        targets = []
        for name, ref, resolve in refs:
            try:
                targets.append((name, ref, resolve(ref)))
            except _Unresolved as exc:
                raise _Rejected(ref, str(exc), name) from None
        if len({target for _, _, target in targets}) > 1:
            described = " and ".join(f"{name} {ref!r}" for name, ref, _ in targets)
            raise _Rejected(targets[0][1], f"{described} name different departments", targets[0][0])
        return targets[0][2]

    def _department_from_key(self, key: str) -> str:
        try:
            parse_identifier(key)
        except ValueError:
            return self._department_from_name(key)
        return self._department_from_id(key)

    def _department_from_id(self, ref: Any) -> str:
        try:
            kind, ident = parse_identifier(ref)
        except ValueError:
            raise _Unresolved("department_id must be an integer legacy id or a UUID") from None
        planned = (self.by_legacy if kind == "legacy" else self.by_uuid).get(ident)
        if planned is not None:
            return planned.id
        if (kind, ident) in self.rejected_refs:
            raise _Unresolved(f"its department {ident!r} was rejected (see {self.rejected_refs[kind, ident]} "
                              f"in {self.report.departments_file})")
        if kind == "uuid" and self._department_by_id(ident) is not None:
            return ident
        where = f"not in {self.report.departments_file}" + (" nor in DynamoDB" if kind == "uuid" else "")
        raise _Unresolved(f"unknown department id {ident!r}: {where}")

    def _department_from_name(self, ref: Any) -> str:
        if not isinstance(ref, str) or not ref.strip():
            raise _Unresolved("department must be a department name")
        key = department_name_key(ref)
        if key in self.by_name:
            return self.by_name[key].id
        if ("name", key) in self.rejected_refs:
            raise _Unresolved(f"its department {ref!r} was rejected (see {self.rejected_refs['name', key]} "
                              f"in {self.report.departments_file})")
        existing = self._department_by_name(ref)
        if existing is not None:
            return existing["id"]
        raise _Unresolved(f"unknown department {ref!r}: not in {self.report.departments_file} nor in DynamoDB")

    def _department_by_id(self, department_id: str) -> dict[str, Any] | None:
        if not self.tables_exist:
            return None
        if ("id", department_id) not in self._db_departments:
            try:
                found = self.db.get_department(department_id)
            except NotFound:
                found = None
            self._db_departments["id", department_id] = found
        return self._db_departments["id", department_id]

    def _department_by_name(self, name: str) -> dict[str, Any] | None:
        if not self.tables_exist:
            return None
        key = department_name_key(name)
        if ("name", key) not in self._db_departments:
            self._db_departments["name", key] = self.db.find_department_by_name(name)
        return self._db_departments["name", key]

    def _write_events(self, by_department: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
        """Write the events not yet present; returns the event count each department should have."""
        counts = self.report.events
        new_departments = {d.id for d in self.planned if d.status == "written"}
        to_write: list[dict[str, Any]] = []
        expected: dict[str, int] = {}
        for department_id, events in by_department.items():
            present = set()
            if self.tables_exist and department_id not in new_departments:
                present = self.db.department_event_ids(department_id)
            missing = [e for e in events if e["id"] not in present]
            counts.already_present += len(events) - len(missing)
            to_write += missing
            expected[department_id] = len(present | {e["id"] for e in events})
        if self.dry_run:
            counts.would_write = len(to_write)
            log.info("dry run: %d events would be written, %d already present", len(to_write),
                     counts.already_present)
            return expected
        log.info("writing %d events (%d already present)", len(to_write), counts.already_present)
        self._put_all(to_write)
        counts.written = len(to_write)
        return expected

    def _put_all(self, events: list[dict[str, Any]]) -> None:
        chunks = [events[i : i + BATCH_WRITE_LIMIT] for i in range(0, len(events), BATCH_WRITE_LIMIT)]
        step = max(1, len(events) // 10)
        done, next_log = 0, step
        with tqdm(total=len(events), unit="event", disable=not self.progress, file=sys.stderr,
                  desc="events") as bar, ThreadPoolExecutor(self.workers) as pool:
            try:
                for written in pool.map(self._put_chunk, chunks):
                    bar.update(written)
                    done += written
                    if done >= next_log:
                        log.debug("written %d/%d events", done, len(events))
                        next_log += step
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)
                raise

    def _put_chunk(self, events: list[dict[str, Any]]) -> int:
        """One BatchWriteItem (UnprocessedItems retried by the model); throttling retried here too."""
        for attempt in range(THROTTLE_RETRIES):
            try:
                self.db.put_events(events)
                return len(events)
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code", "")
                if code not in THROTTLING_CODES or attempt == THROTTLE_RETRIES - 1:
                    raise
                delay = min(5.0, 0.1 * 2**attempt) * random.uniform(0.5, 1.0)
                log.warning("throttled (%s); retrying %d events in %.2fs", code, len(events), delay)
                time.sleep(delay)
        raise AssertionError("unreachable")

    def _verify(self, expected: dict[str, int]) -> None:
        """Read back each department and its event count; raises MigrationFailed on a mismatch."""
        names = {d.id: d.name for d in self.planned}
        found: dict[str, int] = {}
        pending = dict(expected)
        for attempt in range(VERIFY_ATTEMPTS):
            for department_id in list(pending):
                found[department_id] = self.db.count_department_events(department_id)
                if found[department_id] == pending[department_id]:
                    del pending[department_id]
            if not pending:
                break
            if attempt < VERIFY_ATTEMPTS - 1:
                delay = 0.2 * 2**attempt
                log.debug("event counts of %d department(s) differ; reading again in %.1fs", len(pending), delay)
                time.sleep(delay)  # a GSI may lag behind its table on AWS for a moment
        missing_departments = []
        for department in self.planned:
            try:
                self.db.get_department(department.id)
            except NotFound:
                missing_departments.append(department.name)
        rows = [
            {"id": department_id, "name": names.get(department_id), "expected_events": want,
             "found_events": found.get(department_id)}
            for department_id, want in expected.items()
        ]
        ok = not pending and not missing_departments
        self.report.verification = {"ok": ok, "departments": rows, "missing_departments": missing_departments}
        if not ok:
            wrong = [f"{r['name']} ({r['id']}): expected {r['expected_events']} events, found "
                     f"{r['found_events']}" for r in rows if r["id"] in pending]
            wrong += [f"department {name} not found" for name in missing_departments]
            raise MigrationFailed(
                "verification failed: " + "; ".join(wrong) + ". The migration is idempotent: run it "
                "again; if the counts still differ, check that nothing else writes to these tables "
                "meanwhile and read the log"
            )
        log.info("verification: the event counts of %d department(s) match", len(rows))

    # -- small helpers ----------------------------------------------------------------------

    def _timestamp(self, file: Path, path: str, value: dict[str, Any], name: str) -> str | None:
        raw = value.get(name)
        if raw is None or raw == "":
            return None
        converted = normalise_timestamp(raw)
        if converted is None:
            self.report.warn(file, path, name, raw,
                             f"{name} is not an ISO-8601 timestamp; the migration time was used instead")
        return converted

    def _note_ignored(self, value: dict[str, Any], known: tuple[str, ...], kind: str) -> None:
        for key in value:
            if key not in known:
                self.report.ignored_fields[kind][key] += 1


class _Rejected(Exception):
    def __init__(self, value: Any, reason: str, field_name: str | None = None,
                 problems: dict[str, str] | None = None, refs: list[tuple[str, Any]] | None = None):
        super().__init__(reason)
        self.value = value
        self.reason = reason
        self.field = field_name
        self.problems = problems
        self.refs = refs or []


# -- export -------------------------------------------------------------------------------------


def export_tables(db: DynamoDBDatabase, directory: Path) -> dict[str, int]:
    """Write both tables to DIR/departments.json and DIR/calendar_events.json (shape 1, UUID ids).

    Returns the counts written; raises MigrationFailed when the tables are missing or the files exist.
    """
    missing = sorted(name for name, status in db.table_statuses().items() if status == "MISSING")
    if missing:
        raise MigrationFailed(f"nothing to export: table(s) {', '.join(missing)} do not exist; check "
                              "TABLE_PREFIX and AWS_REGION")
    targets = {"departments": directory / DEFAULT_DEPARTMENTS, "events": directory / DEFAULT_EVENTS}
    taken = [str(p) for p in targets.values() if p.exists()]
    if taken:
        raise MigrationFailed(f"{', '.join(taken)} already exist(s): export into a new or empty "
                              "directory, so that no earlier backup is overwritten")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MigrationFailed(f"cannot create {directory} ({exc.strerror}): choose another directory") from exc
    departments = db.list_departments()
    events = sorted(db.scan_events(), key=lambda e: (e["department_id"], e["event_date"], e["created_at"], e["id"]))
    _write_json(targets["departments"], departments)
    _write_json(targets["events"], events)
    log.info("exported %d departments to %s and %d events to %s", len(departments),
             targets["departments"], len(events), targets["events"])
    return {"departments": len(departments), "events": len(events)}


def _write_json(path: Path, data: Any) -> None:
    """Write JSON (UTF-8, not ASCII-escaped) through a temporary file, so no half file remains."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w", encoding="utf-8") as out:
        json.dump(data, out, ensure_ascii=False, indent=2)
        out.write("\n")
    os.replace(temporary, path)


# -- command line -------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="migrate_to_dynamodb.py",
        description="Migrate the legacy departments.json and calendar_events.json into DynamoDB "
        "(idempotent: run it again after a failure), or --export the tables back to JSON.",
        epilog="Exit status: 0 all migrated, 1 some records rejected (the rest written), 2 could not run.",
    )
    parser.add_argument("--departments", type=Path, default=Path(DEFAULT_DEPARTMENTS), metavar="PATH",
                        help=f"legacy departments file (default: ./{DEFAULT_DEPARTMENTS})")
    parser.add_argument("--events", type=Path, default=Path(DEFAULT_EVENTS), metavar="PATH",
                        help=f"legacy events file (default: ./{DEFAULT_EVENTS})")
    parser.add_argument("--dry-run", action="store_true", help="validate and report; write nothing to DynamoDB")
    parser.add_argument("--create-tables", action="store_true", help="create the tables if they are missing")
    parser.add_argument("--report", type=Path, default=Path(DEFAULT_REPORT), metavar="PATH",
                        help=f"JSON report (default: ./{DEFAULT_REPORT})")
    parser.add_argument("--id-map", type=Path, default=Path(DEFAULT_ID_MAP), metavar="PATH",
                        help=f"legacy id -> UUID map (default: ./{DEFAULT_ID_MAP})")
    parser.add_argument("--log-file", type=Path, default=Path(DEFAULT_LOG), metavar="PATH",
                        help=f"log file, appended to (default: ./{DEFAULT_LOG})")
    parser.add_argument("--export", type=Path, metavar="DIR",
                        help="write both tables to DIR/departments.json and DIR/calendar_events.json instead")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS, metavar="N",
                        help=f"batch writes in flight at once (default: {DEFAULT_WORKERS})")
    parser.add_argument("--quiet", action="store_true", help="no progress bar, only warnings and the summary")
    return parser


def _setup_logging(log_file: Path, quiet: bool) -> list[logging.Handler]:
    file_handler = logging.FileHandler(log_file, encoding="utf-8")
    file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.WARNING if quiet else logging.INFO)
    console.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    handlers: list[logging.Handler] = [file_handler, console]
    for handler in handlers:
        log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    log.propagate = False
    return handlers


def _teardown_logging(handlers: list[logging.Handler]) -> None:
    for handler in handlers:
        log.removeHandler(handler)
        handler.close()
    log.propagate = True


def _describe_aws_error(exc: Exception, settings: Settings) -> str:
    where = settings.dynamodb_endpoint_url or f"AWS in {settings.aws_region}"
    if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
        return (f"no AWS credentials for {where}: configure an IAM role, AWS_PROFILE or "
                "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or set DYNAMODB_ENDPOINT_URL for a local DynamoDB")
    if isinstance(exc, BotoConnectionError):
        return (f"cannot reach DynamoDB at {where} ({exc}): start DynamoDB Local (`make run` starts "
                "one) or fix DYNAMODB_ENDPOINT_URL / AWS_REGION, then run again")
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return (f"DynamoDB at {where} refused the request ({error.get('Code')}: {error.get('Message')}): "
                "check the credentials and the IAM permissions, then run again (it is idempotent)")
    return f"DynamoDB client error ({exc}): check the settings and run again"


def _write_outputs(report: Report, settings: Settings, args: argparse.Namespace) -> None:
    _write_json(args.report, report.as_dict(settings))
    _write_json(args.id_map, {"namespace": str(MIGRATION_NAMESPACE), **report.id_map})


def _print_summary(report: Report, args: argparse.Namespace) -> None:
    lines = []
    for what, counts in (("departments", report.departments), ("events", report.events)):
        line = (f"{what}: {counts.read} read, {counts.written} written, {counts.already_present} "
                f"already present, {counts.rejected} rejected")
        if report.dry_run:
            line += f", {counts.would_write} would be written (dry run: nothing was written)"
        lines.append(line)
    if report.verification["ok"]:
        lines.append(f"verified: event counts of {len(report.verification['departments'])} department(s) match")
    lines.append(f"report: {args.report}  id map: {args.id_map}  log: {args.log_file}")
    if report.rejections:
        lines.append(f"{len(report.rejections)} record(s) rejected: see \"rejections\" in {args.report}, "
                     "fix them and run again (a re-run writes only what is missing)")
    print("\n".join(lines))


def main(argv: list[str] | None = None, db: DynamoDBDatabase | None = None) -> int:
    """Run the CLI; returns the exit status (0 migrated, 1 some rejected, 2 could not run)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, or bad arguments (argparse printed why)
        return EXIT_OK if exc.code == 0 else EXIT_FAILED
    if args.export and (args.dry_run or args.create_tables):
        print("error: --export cannot be combined with --dry-run or --create-tables", file=sys.stderr)
        return EXIT_FAILED
    try:
        handlers = _setup_logging(args.log_file, args.quiet)
    except OSError as exc:
        print(f"error: cannot open the log file {args.log_file} ({exc.strerror}): pass --log-file PATH",
              file=sys.stderr)
        return EXIT_FAILED
    try:
        return _run(args, db)
    finally:
        _teardown_logging(handlers)


def _run(args: argparse.Namespace, db: DynamoDBDatabase | None) -> int:
    try:
        settings = db.settings if db is not None else Settings.from_env()
    except ValueError as exc:
        log.error("%s: fix the environment (or .env) and run again", exc)
        return EXIT_FAILED
    if args.export:
        try:
            counts = export_tables(db or DynamoDBDatabase(settings), args.export)
        except MigrationFailed as exc:
            log.error("%s", exc)
            return EXIT_FAILED
        except (BotoCoreError, ClientError) as exc:
            log.error("%s", _describe_aws_error(exc, settings))
            return EXIT_FAILED
        print(f"exported {counts['departments']} departments and {counts['events']} events to {args.export}")
        return EXIT_OK
    for output in (args.report, args.id_map):
        if not output.parent.is_dir():
            log.error("cannot write %s: the directory %s does not exist", output, output.parent)
            return EXIT_FAILED
    report = Report(dry_run=args.dry_run, departments_file=args.departments, events_file=args.events)
    progress = not args.quiet and sys.stderr.isatty()
    log.info("migration started%s: tables %s and %s at %s", " (dry run)" if args.dry_run else "",
             settings.departments_table, settings.events_table,
             settings.dynamodb_endpoint_url or f"AWS {settings.aws_region}")
    try:
        Migration(db or DynamoDBDatabase(settings), report, create_tables=args.create_tables,
                  progress=progress, workers=args.workers).run()
    except MigrationFailed as exc:
        report.error = str(exc)
    except (BotoCoreError, ClientError) as exc:
        report.error = _describe_aws_error(exc, settings)
    except Exception as exc:  # the exit status is a contract: never the interpreter's 1 for a crash
        log.exception("unexpected error")
        report.error = f"unexpected error ({type(exc).__name__}: {exc}): see {args.log_file}, then run again"
    if report.error:
        report.exit_code = EXIT_FAILED
    else:
        report.exit_code = EXIT_REJECTED if report.rejections else EXIT_OK
    for rejection in report.rejections[:MAX_LOGGED_REJECTIONS]:
        log.warning("rejected %s %s: %s", rejection["file"], rejection["path"], rejection["reason"])
    if len(report.rejections) > MAX_LOGGED_REJECTIONS:
        log.warning("... and %d more rejections: see %s", len(report.rejections) - MAX_LOGGED_REJECTIONS,
                    args.report)
    try:
        _write_outputs(report, settings, args)
    except OSError as exc:
        log.error("cannot write the report or id map (%s): %s", exc.filename, exc.strerror)
        return EXIT_FAILED
    if report.error:
        log.error("%s", report.error)
    else:
        _print_summary(report, args)
    log.info("migration finished with exit status %d", report.exit_code)
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main())
