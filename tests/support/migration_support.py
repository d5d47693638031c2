"""Helpers shared by the migration test modules: legacy files, running the CLI, reading state."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import migrate_to_dynamodb
from models import DynamoDBDatabase


@dataclass
class Run:
    """What an operator sees after one CLI run."""

    code: int
    report: dict[str, Any] | None
    id_map: dict[str, Any] | None
    out: str
    err: str
    log: str


def write_json(path: Path, data: Any, *, bom: bool = False) -> Path:
    text = json.dumps(data, ensure_ascii=False, indent=1)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def use_settings_env(monkeypatch: pytest.MonkeyPatch, settings) -> None:
    """Point Settings.from_env() (what the CLI reads) at the test's server and table prefix."""
    monkeypatch.setenv("DYNAMODB_ENDPOINT_URL", settings.dynamodb_endpoint_url)
    monkeypatch.setenv("TABLE_PREFIX", settings.table_prefix)
    monkeypatch.setenv("DYNAMODB_MAX_ATTEMPTS", str(settings.dynamodb_max_attempts))
    monkeypatch.setenv("DYNAMODB_CONNECT_TIMEOUT", str(settings.dynamodb_connect_timeout))


class Cli:
    """Runs main() in-process with files and outputs under one directory."""

    def __init__(self, directory: Path, capsys: pytest.CaptureFixture):
        self.directory = directory
        self.capsys = capsys
        self.runs = 0

    def files(self, departments: Any, events: Any, *, bom: bool = False) -> tuple[Path, Path]:
        return (
            write_json(self.directory / "departments.json", departments, bom=bom),
            write_json(self.directory / "calendar_events.json", events, bom=bom),
        )

    def __call__(self, departments: Any = None, events: Any = None, *extra: str,
                 db: DynamoDBDatabase | None = None, bom: bool = False) -> Run:
        if departments is not None or events is not None:
            self.files(departments if departments is not None else [], events if events is not None else [],
                       bom=bom)
        self.runs += 1
        report = self.directory / f"report{self.runs}.json"
        id_map = self.directory / f"ids{self.runs}.json"
        log = self.directory / f"migration{self.runs}.log"
        argv = [
            "--departments", str(self.directory / "departments.json"),
            "--events", str(self.directory / "calendar_events.json"),
            "--report", str(report), "--id-map", str(id_map), "--log-file", str(log), *extra,
        ]
        self.capsys.readouterr()
        code = migrate_to_dynamodb.main(argv, db=db)
        captured = self.capsys.readouterr()
        return Run(code, read_json(report), read_json(id_map), captured.out, captured.err,
                   log.read_text(encoding="utf-8") if log.exists() else "")


def make_cli(settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture) -> Cli:
    """The body of each test module's `cli` fixture."""
    use_settings_env(monkeypatch, settings)
    return Cli(tmp_path, capsys)


def drop_existing_tables(settings) -> None:
    """Delete the tables of these settings that exist (for tests that let the CLI create them)."""
    db = DynamoDBDatabase(settings)
    for name, status in db.table_statuses().items():
        if status != "MISSING":
            db.client.delete_table(TableName=name)


def all_events(db: DynamoDBDatabase) -> list[dict[str, Any]]:
    return sorted(db.scan_events(), key=lambda e: (e["department_id"], e["event_date"], e["title"], e["id"]))


def raw_item_count(db: DynamoDBDatabase) -> int:
    """Every item of both tables, name markers included."""
    return sum(db.client.scan(TableName=t, Select="COUNT")["Count"] for t in (db.departments_table, db.events_table))


def rejection_at(run: Run, path: str) -> dict[str, Any]:
    matches = [r for r in run.report["rejections"] if r["path"] == path]
    assert len(matches) == 1, run.report["rejections"]
    return matches[0]
