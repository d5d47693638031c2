"""`--export`: both tables back out to JSON files the migration can read again."""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from migration.errors import MigrationFailed
from migration.legacy_json import DEFAULT_DEPARTMENTS, DEFAULT_EVENTS
from models import DynamoDBDatabase

# The migration CLI's logger (configured by migrate_to_dynamodb), shared by the migration modules.
log = logging.getLogger("migration")


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
    write_json(targets["departments"], departments)
    write_json(targets["events"], events)
    log.info("exported %d departments to %s and %d events to %s", len(departments),
             targets["departments"], len(events), targets["events"])
    return {"departments": len(departments), "events": len(events)}


def write_json(path: Path, data: Any) -> None:
    """Write JSON (UTF-8, not ASCII-escaped) through a temporary file, so no half file remains."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w", encoding="utf-8") as out:
        json.dump(data, out, ensure_ascii=False, indent=2)
        out.write("\n")
    os.replace(temporary, path)
