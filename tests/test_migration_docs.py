"""DYNAMODB_MIGRATION_SUMMARY.md tells the truth: its commands run as written, from backend/ of a
copy of the project, in the order it gives them; its JSON examples are what the migration writes."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from config import BACKEND_DIR, PROJECT_DIR
from migration.legacy_ids import department_uuid
from models import DynamoDBDatabase
from support.doc_blocks import documented_commands, fenced_blocks
from support.migration_support import all_events, read_json, write_json

DOC = PROJECT_DIR / "DYNAMODB_MIGRATION_SUMMARY.md"

# Every command of the document, in its order; test_documented_steps_in_order runs them all.
COMMANDS = [
    "cd backend",
    "python migrate_to_dynamodb.py --help",
    "python migrate_to_dynamodb.py --dry-run",
    "python migrate_to_dynamodb.py --export ../backup-before-migration",
    "python migrate_to_dynamodb.py --create-tables",
    "python migrate_to_dynamodb.py",
    "python migrate_to_dynamodb.py --departments ../legacy/departments.json --events "
    "../legacy/calendar_events.json --report ../legacy/report.json --id-map ../legacy/id_map.json",
    "TABLE_PREFIX=restored_ python migrate_to_dynamodb.py --create-tables --departments "
    "../backup-before-migration/departments.json --events ../backup-before-migration/calendar_events.json "
    "--report ../restore_report.json --id-map ../restore_id_map.json",
]

# The legacy data behind the document's JSON examples.
EXAMPLE_DEPARTMENTS = [{"id": 1, "name": "개발팀", "description": "소프트웨어 개발", "created_at": "2023-03-01T09:00:00"}]
EXAMPLE_EVENTS = {"1": {
    "2024-1-20": [{"id": 10, "title": "  팀 회의 ", "description": "주간", "time": "14:00",
                   "url": " https://example.com/a ", "created_at": "2024-01-15 10:30:00",
                   "last_modified": "2024-01-16T09:00:00.123456+09:00"}],
    "2024-02-01": [{"title": "배포"}],
}}


def test_the_document_shows_exactly_the_commands_run_here():
    shown = documented_commands(DOC)
    assert shown == COMMANDS


def _project_copy(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(BACKEND_DIR, project / "backend",
                    ignore=shutil.ignore_patterns("__pycache__", ".env", "*.json", "*.log"))
    return project


def test_documented_steps_in_order(db, settings, tmp_path, make_department):
    existing = make_department("sales", "the service already holds data")
    project = _project_copy(tmp_path)
    legacy = [{"id": 1, "name": "개발팀"}, {"id": 2, "name": "Sales"}]
    events = [{"id": 10, "department_id": 1, "date": "2024-1-20", "title": "팀 회의"},
              {"id": 11, "department_id": 2, "date": "2024/01/21", "title": "Deal 🎉"}]
    for directory in (project / "backend", project / "legacy"):
        directory.mkdir(exist_ok=True)
        write_json(directory / "departments.json", legacy)
        write_json(directory / "calendar_events.json", events)
    bin_dir = str(Path(sys.executable).parent)  # `python` is the project's virtualenv, as when activated
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ["PATH"],
           "DYNAMODB_ENDPOINT_URL": settings.dynamodb_endpoint_url, "TABLE_PREFIX": settings.table_prefix}

    def sh(command: str) -> subprocess.CompletedProcess:
        assert command in COMMANDS
        return subprocess.run(["bash", "-c", f"{COMMANDS[0]} && {command}"], cwd=project, env=env,
                              capture_output=True, text=True, timeout=300)

    def report() -> dict:
        return read_json(project / "backend" / "migration_report.json")

    shown = sh(COMMANDS[1])
    assert shown.returncode == 0 and "--export DIR" in shown.stdout and "(default: 4)" in shown.stdout

    dry = sh(COMMANDS[2])
    assert dry.returncode == 0, dry.stderr
    assert report()["dry_run"] is True and report()["events"]["would_write"] == 2
    assert db.list_departments() == [existing] and all_events(db) == []

    backup = sh(COMMANDS[3])
    assert backup.returncode == 0, backup.stderr
    assert read_json(project / "backup-before-migration" / "departments.json") == [existing]
    assert read_json(project / "backup-before-migration" / "calendar_events.json") == []

    first = sh(COMMANDS[4])
    assert first.returncode == 0, first.stderr
    assert report()["departments"] == {"read": 2, "written": 1, "already_present": 1, "rejected": 0}
    assert report()["events"]["written"] == 2
    assert "migration finished with exit status 0" in (project / "backend" / "migration.log").read_text(encoding="utf-8")
    migrated = all_events(db)

    again = sh(COMMANDS[5])
    assert again.returncode == 0, again.stderr
    assert report()["events"] == {"read": 2, "written": 0, "already_present": 2, "rejected": 0}

    explicit = sh(COMMANDS[6])
    assert explicit.returncode == 0, explicit.stderr
    assert read_json(project / "legacy" / "report.json")["events"]["already_present"] == 2
    assert read_json(project / "legacy" / "id_map.json")["departments"] == {"1": department_uuid(1), "2": existing["id"]}
    assert all_events(db) == migrated and len(db.list_departments()) == 2

    restored = DynamoDBDatabase(settings.with_overrides(table_prefix="restored_"))
    try:
        restore = sh(COMMANDS[7])
        assert restore.returncode == 0, restore.stderr
        assert restored.list_departments() == [existing]  # the state before the migration
        assert all_events(restored) == []
        assert all_events(db) == migrated  # the migrated tables are left as they were
    finally:
        for name, status in restored.table_statuses().items():
            if status != "MISSING":
                restored.client.delete_table(TableName=name)


def test_json_examples_are_what_the_migration_writes(cli, db):
    run = cli(EXAMPLE_DEPARTMENTS, EXAMPLE_EVENTS)
    assert run.code == 0
    department_example, event_example, id_map_example = (json.loads(b) for b in fenced_blocks(DOC, "json"))
    assert db.get_department(department_uuid(1)) == department_example
    assert db.get_event(event_example["id"]) == event_example
    assert run.id_map == id_map_example


def test_the_api_serves_migrated_data_under_uuids_and_not_integer_ids(cli, client, db):
    assert cli(EXAMPLE_DEPARTMENTS, EXAMPLE_EVENTS).code == 0
    department_id = department_uuid(1)
    assert client.get("/api/departments/1").status_code == 404
    assert client.get("/api/events/1").status_code == 404
    assert client.get(f"/api/departments/{department_id}").get_json()["name"] == "개발팀"
    listed = client.get(f"/api/events/{department_id}").get_json()
    assert [e["title"] for e in listed] == ["팀 회의", "배포"]
    response = client.put(f"/api/events/{listed[0]['id']}", json={"title": "바뀐 제목"})
    assert response.status_code == 200 and response.get_json()["version"] == 2
