"""--export: both tables to JSON (shape 1, UUID ids), complete, and importable into empty tables."""
from __future__ import annotations

import json
import uuid

import pytest

from migrate_to_dynamodb import main
from models import DynamoDBDatabase
from schema import EVENT_FIELDS
from support.migration_support import all_events

DEPARTMENTS = [
    {"id": 1, "name": "개발팀", "description": "소프트웨어 🚀", "created_at": "2023-03-01T09:00:00"},
    {"id": 2, "name": "Sales"},
    {"id": 3, "name": "빈 부서"},
]
EVENTS = {
    "1": {"2024-01-20": [{"id": 10, "title": "팀 회의 🎉", "time": "오후 2:00", "created_at": "2024-01-15 10:30"}],
          "2024/2/1": [{"title": "배포", "url": "https://example.com/r"}]},
    "Sales": {"2024-01-21": [{"id": 11, "title": "Deal", "description": "큰 거래"}]},
}


def export(directory, capsys) -> tuple[int, str, str]:
    code = main(["--export", str(directory), "--log-file", str(directory.parent / "export.log")])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_export_then_import_into_empty_tables_gives_the_same_data(cli, db, settings, monkeypatch, tmp_path,
                                                                    capsys):
    assert cli(DEPARTMENTS, EVENTS).code == 0
    changed = db.update_event(next(e["id"] for e in all_events(db) if e["title"] == "Deal"), {"title": "Deal 2"})
    extra = db.create_department("API에서 만든 부서")

    code, out, _ = export(tmp_path / "backup", capsys)
    assert code == 0
    assert "exported 4 departments and 3 events" in out
    departments = json.loads((tmp_path / "backup" / "departments.json").read_text(encoding="utf-8"))
    events = json.loads((tmp_path / "backup" / "calendar_events.json").read_text(encoding="utf-8"))
    assert departments == db.list_departments() and extra in departments
    assert sorted(events, key=lambda e: e["id"]) == sorted(all_events(db), key=lambda e: e["id"])
    assert all(set(e) == set(EVENT_FIELDS) and uuid.UUID(e["id"]) for e in events)
    assert changed in events  # version 2 and its last_modified, as stored

    restored = DynamoDBDatabase(settings.with_overrides(table_prefix=f"r{uuid.uuid4().hex[:10]}_"))
    monkeypatch.setenv("TABLE_PREFIX", restored.settings.table_prefix)
    try:
        run = cli(departments, events, "--create-tables")
        assert run.code == 0, run.err
        assert run.report["sources"]["departments"]["shape"] == "array"
        assert run.report["sources"]["events"]["shape"] == "array"
        assert run.report["events"]["written"] == 3
        assert restored.list_departments() == db.list_departments()
        assert all_events(restored) == all_events(db)
        assert restored.find_department_by_name("api에서 만든 부서")["id"] == extra["id"]

        code, _, _ = export(tmp_path / "again", capsys)
        assert code == 0
        for name in ("departments.json", "calendar_events.json"):
            assert (tmp_path / "again" / name).read_bytes() == (tmp_path / "backup" / name).read_bytes()
    finally:
        for table in restored.settings.table_names:
            restored.client.delete_table(TableName=table)


def test_export_follows_every_page(cli, db, tmp_path, capsys):
    department = db.create_department("큰 부서")
    big = [{"id": str(uuid.uuid4()), "department_id": department["id"], "event_date": "2024-01-01",
            "title": f"e{i}", "description": "가" * 5000, "time": "", "url": "", "created_at": "2024-01-01T00:00:00.000Z",
            "last_modified": "2024-01-01T00:00:00.000Z", "version": 1} for i in range(160)]
    db.put_events(big)  # about 2.4 MB of UTF-8: several 1 MB Scan pages on DynamoDB Local

    code, out, _ = export(tmp_path / "backup", capsys)

    assert code == 0 and "160 events" in out
    exported = json.loads((tmp_path / "backup" / "calendar_events.json").read_text(encoding="utf-8"))
    assert sorted(e["id"] for e in exported) == sorted(e["id"] for e in big)


def test_export_never_overwrites_an_earlier_backup(cli, db, tmp_path, capsys):
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "departments.json").write_text("[]", encoding="utf-8")
    code, _, err = export(tmp_path / "backup", capsys)
    assert code == 2
    assert "export into a new or empty directory" in err
    assert (tmp_path / "backup" / "departments.json").read_text(encoding="utf-8") == "[]"
    assert not (tmp_path / "backup" / "calendar_events.json").exists()


def test_export_without_tables_is_exit_2(cli, settings, tmp_path, capsys):
    code, _, err = export(tmp_path / "backup", capsys)
    assert code == 2
    assert "nothing to export" in err


@pytest.mark.parametrize("flag", ["--dry-run", "--create-tables"])
def test_export_refuses_import_flags(tmp_path, capsys, flag):
    assert main(["--export", str(tmp_path), flag]) == 2
    assert "cannot be combined" in capsys.readouterr().err
