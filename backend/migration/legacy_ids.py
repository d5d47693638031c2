"""Deterministic ids for legacy records: uuid5 of one fixed namespace and the record's legacy identity.

Re-runs rely on getting the same UUIDs for the same records, so nothing here may change what it returns.
"""
from __future__ import annotations

import json
import re
import uuid
from typing import Any

from schema import department_name_key

# uuid5(NAMESPACE_URL, "urn:department-calendar:legacy-json-migration"). Never change it: every
# UUID the migration derives from a legacy id depends on it, and re-runs rely on getting the same.
MIGRATION_NAMESPACE = uuid.UUID("90aad3c8-5833-5374-9059-0b3485918980")

_DIGITS = re.compile(r"^\d+$", re.ASCII)


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


def event_content(department_id: str, fields: dict[str, Any], created_at: Any) -> str:
    """What identifies an event without a legacy id: its department and validated fields, as one string."""
    return json.dumps(
        [department_id, fields["event_date"], fields["title"], fields.get("description", ""),
         fields.get("time", ""), fields.get("url", ""), created_at],
        ensure_ascii=False,
    )


def event_uuid_for_content(content: str, occurrence: int) -> str:
    """The UUID of an event without a legacy id: its content, plus which copy of identical records it is."""
    return str(uuid.uuid5(MIGRATION_NAMESPACE, f"event-content:{content}#{occurrence}"))
