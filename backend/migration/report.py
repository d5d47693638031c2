"""What a migration run did: the counts, rejections and warnings, written as the JSON report."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from config import Settings
from migration.legacy_json import DEPARTMENT_SHAPES, EVENT_SHAPES
from schema import utc_now_iso


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
