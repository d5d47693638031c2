"""One migration run: plan the legacy records, write what is missing to DynamoDB, verify the counts."""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from errors import Conflict, NotFound, ValidationError
from migration.errors import MigrationFailed
from migration.legacy_ids import (
    department_uuid,
    department_uuid_for_name,
    event_content,
    event_uuid,
    event_uuid_for_content,
    parse_identifier,
)
from migration.legacy_json import (
    DEPARTMENT_KEYS,
    DEPARTMENT_SHAPES,
    EVENT_KEYS,
    EVENT_SHAPES,
    Record,
    department_records,
    event_records,
    normalise_date,
    normalise_timestamp,
    read_json,
)
from migration.report import Report
from migration.verify import put_all, verify
from models import DynamoDBDatabase
from rules.actors import Actor
from schema import EVENT_DEFAULTS, EVENT_FIELDS, MIGRATION_ACTOR, department_name_key
from validation import validate_department, validate_new_event

# The migration CLI's logger (configured by migrate_to_dynamodb), shared by the migration modules.
log = logging.getLogger("migration")

DEFAULT_WORKERS = 4


class _Unresolved(Exception):
    """An event's department could not be resolved; the message is the rejection reason."""


@dataclass
class PlannedDepartment:
    """A valid department of the file, as it will be written (or found already) in DynamoDB."""

    path: str
    legacy_id: int | None
    id: str
    name: str
    description: str
    created_at: str
    updated_at: str
    status: str = "new"  # "new" (to write), "written", "present"
    created_by: str = MIGRATION_ACTOR
    updated_by: str = MIGRATION_ACTOR


def _actor(value: dict[str, Any], field: str) -> str:
    """The record's created_by/updated_by (kept by a restore of an --export), else "migration"."""
    actor = value.get(field)
    return actor if isinstance(actor, str) and 0 < len(actor.strip()) <= 100 else MIGRATION_ACTOR


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
            verify(self.db, self.report, {d.id: d.name for d in self.planned}, to_verify)

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
        identifier = _record_identifier(value)
        if identifier is not None:
            kind, ident = identifier
            refs.append((kind, ident))
            legacy_id, given_uuid = (ident, None) if kind == "legacy" else (None, ident)
        if isinstance(value.get("name"), str) and value["name"].strip():
            refs.append(("name", department_name_key(value["name"])))
        try:
            fields = validate_department({k: value[k] for k in ("name", "description") if k in value})
        except ValidationError as exc:
            name = sorted(exc.fields)[0] if exc.fields else None
            raise _Rejected(value.get(name) if name else value, exc.message, name, exc.fields, refs) from None
        self._reject_duplicate_department(value, fields["name"], refs)
        created_at = self._timestamp(file, record.path, value, "created_at") or self.run_timestamp
        updated_at = self._timestamp(file, record.path, value, "updated_at") or created_at
        if legacy_id is not None:
            target = department_uuid(legacy_id)
        else:
            target = given_uuid or department_uuid_for_name(fields["name"])
        department = PlannedDepartment(record.path, legacy_id, target, fields["name"], fields["description"],
                                       created_at, updated_at, created_by=_actor(value, "created_by"),
                                       updated_by=_actor(value, "updated_by"))
        self.planned.append(department)
        for kind, ident in refs:
            self._index(kind)[ident] = department

    def _reject_duplicate_department(self, value: dict[str, Any], name: str, refs: list[tuple[str, Any]]) -> None:
        """Raises _Rejected when an id or the name of this department is already used in the file."""
        for kind, ident in refs:
            index = self._index(kind)
            if ident in index:
                what = "name" if kind == "name" else "id"
                shown = name if kind == "name" else value["id"]
                raise _Rejected(
                    shown, f"duplicate department {what} {shown!r}: already used at {index[ident].path} "
                    "in this file" + (" (names are compared case-insensitively)" if kind == "name" else ""),
                    "name" if kind == "name" else "id",
                    refs=[r for r in refs if r != (kind, ident)],
                )

    def _index(self, kind: str) -> dict[Any, PlannedDepartment]:
        """The planned departments by legacy id, by UUID or by name key ("legacy", "uuid", "name")."""
        return {"legacy": self.by_legacy, "uuid": self.by_uuid, "name": self.by_name}[kind]

    def _write_departments(self) -> None:
        counts = self.report.departments
        self.planned = [department for department in self.planned if self._write_department(department)]
        log.info("departments: %d written, %d already present, %d rejected", counts.written,
                 counts.already_present, counts.rejected)

    def _write_department(self, department: PlannedDepartment) -> bool:
        """Create the department unless DynamoDB has it already; False when it had to be rejected."""
        counts = self.report.departments
        existing = self.db.find_department_by_name(department.name) if self.tables_exist else None
        if existing is None and self.tables_exist:
            holder = self._department_by_id(department.id)
            if holder is not None:  # the id is taken by a department of another name
                self._reject_planned(department, f"its id {department.id} already holds the department "
                                     f"{holder['name']!r} in DynamoDB")
                return False
        if existing is None and not self.dry_run:
            try:
                self.db.create_department(
                    department.name, department.description, department_id=department.id,
                    created_at=department.created_at, updated_at=department.updated_at,
                    actor=Actor(department.created_by), updated_by=Actor(department.updated_by),
                )
                department.status = "written"
                counts.written += 1
            except Conflict:  # created meanwhile, by someone else
                existing = self.db.find_department_by_name(department.name)
                if existing is None:
                    self._reject_planned(department, "the name or id is taken by a department being "
                                         "deleted; run again once the delete finished")
                    return False
        if existing is not None:
            department.id = existing["id"]
            department.status = "present"
            counts.already_present += 1
        elif self.dry_run:
            counts.would_write += 1
        if department.legacy_id is not None:
            self.report.id_map["departments"][str(department.legacy_id)] = department.id
        self.report.id_map["department_names"][department.name] = department.id
        return True

    def _reject_planned(self, department: PlannedDepartment, reason: str) -> None:
        """Reject a planned department that DynamoDB cannot take; its events are rejected with it."""
        self.report.departments.rejected += 1
        self.report.reject(self.report.departments_file, department.path, department.name, reason, "name")
        self._forget(department)

    def _forget(self, department: PlannedDepartment) -> None:
        for kind in ("legacy", "uuid", "name"):
            index = self._index(kind)
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
        fields = self._event_fields(record, value)
        version = value.get("version", 1)
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise _Rejected(version, "version must be a positive integer", "version")
        created_at = self._timestamp(file, record.path, value, "created_at") or self.run_timestamp
        last_modified = self._timestamp(file, record.path, value, "last_modified") or created_at
        event_id, legacy_id = self._event_id(value, department_id, fields, occurrences)
        event = {
            **EVENT_DEFAULTS, **fields,
            "id": event_id, "department_id": department_id, "created_at": created_at,
            "last_modified": last_modified, "version": version,
            "created_by": _actor(value, "created_by"), "updated_by": _actor(value, "updated_by"),
        }
        return {f: event[f] for f in EVENT_FIELDS}, legacy_id

    def _event_fields(self, record: Record, value: dict[str, Any]) -> dict[str, Any]:
        """The event's validated date and texts (the date key wins in shapes 2 and 3); raises _Rejected."""
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
        return fields

    @staticmethod
    def _event_id(value: dict[str, Any], department_id: str, fields: dict[str, Any],
                  occurrences: Counter) -> tuple[str, int | None]:
        """(UUID, legacy id or None) of an event; raises _Rejected for an id that is neither."""
        identifier = _record_identifier(value)
        if identifier is None:  # no legacy id: the identity is the content, plus which copy of identical records
            content = event_content(department_id, fields, value.get("created_at"))
            occurrence = occurrences[content]
            occurrences[content] += 1
            return event_uuid_for_content(content, occurrence), None
        kind, ident = identifier
        if kind == "legacy":
            return event_uuid(department_id, ident), ident
        return ident, None

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
        put_all(self.db, to_write, self.workers, self.progress)
        counts.written = len(to_write)
        return expected

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


def _record_identifier(value: dict[str, Any]) -> tuple[str, int | str] | None:
    """The record's parsed "id" (see parse_identifier), None without one; raises _Rejected for a bad id."""
    if value.get("id") is None:
        return None
    try:
        return parse_identifier(value["id"])
    except ValueError:
        raise _Rejected(value["id"], "id must be an integer legacy id or a UUID", "id") from None


class _Rejected(Exception):
    def __init__(self, value: Any, reason: str, field_name: str | None = None,
                 problems: dict[str, str] | None = None, refs: list[tuple[str, Any]] | None = None):
        super().__init__(reason)
        self.value = value
        self.reason = reason
        self.field = field_name
        self.problems = problems
        self.refs = refs or []
