"""The data's shape, declared once: tables, indexes, keys, conditions, fields, defaults, and the
pure helpers every layer shares (timestamps, the name uniqueness key).

No boto3 and no Flask here, so the migration's id and report modules use it without the storage layer.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypedDict

from config import Settings
from contract.bodies import Department, Event, EventCreate
from rules.history_entries import HISTORY_ENTRY, HISTORY_KEY, TRASH_DEPARTMENT  # noqa: F401 - declared there
from rules.shapes import (  # noqa: F401 - declared there
    CALDAV_PROPERTIES,
    CALDAV_UID,
    EXCEPTION_DATES,
    LAST_DATE,
    OVERRIDDEN_FIELDS,
    SEARCH_TEXT,
    SERIES_MONTHS,
)
from rules.timestamps import format_timestamp

NAME_INDEX = "name-index"
DEPARTMENT_DATE_INDEX = "department-date-index"
# Catch-up sync reads a department's changes in last_modified order: live events and tombstones.
DEPARTMENT_CHANGES_INDEX = "department-modified-index"
# Events spanning days (end_date) carry their last day in LAST_DATE; only they are in this sparse
# index, so a month lists the ones that began in an earlier month with one Query (last_date >= start).
# A series' SERIES_MONTHS leave out of that Query the series that never occur in the months asked for.
DEPARTMENT_SPAN_INDEX = "department-span-index"
# A deleted event stays as a tombstone (this marker set, event_date and the texts removed, so it
# leaves department-date-index) until DynamoDB's TTL removes it after the epoch second in TTL_ATTRIBUTE.
TOMBSTONE_MARKER = "deleted"
TTL_ATTRIBUTE = "expires_at"
# The event_history table (storage/event_history.py): one item per change of an event, keyed by
# HISTORY_KEY (`<department id>/<event id>`) and HISTORY_ENTRY (`<changed_at>#<version>`), expiring
# after HISTORY_DAYS. A delete's entry holds the deleted item and, while it is restorable,
# TRASH_DEPARTMENT, which puts it in the sparse DEPARTMENT_TRASH_INDEX (the department's trash).
DEPARTMENT_TRASH_INDEX = "department-trash-index"
HISTORY_EXPIRES_AT = "expires_at"
# The departments table also holds one marker item per name, keyed by this prefix + the name key.
NAME_MARKER_PREFIX = "name#"
# The idempotency table's TTL attribute: when DynamoDB may delete a record (epoch seconds).
IDEMPOTENCY_EXPIRES_AT = "expires_at"
# A session's end (epoch seconds): the sooner of its idle and absolute end; DynamoDB's TTL removes
# it some time after, and every read checks it itself.
SESSION_EXPIRES_AT = "expires_at"

# Who created and last changed an item: the name of the token or of the signed-in person (see
# auth/), "anonymous" with AUTH_MODE=off, "migration" for what the migration wrote. Beside them, a
# person's stable identity (created_by_id, updated_by_id: rules/actors.py) is an optional field.
AUDIT_FIELDS = ("created_by", "updated_by")
# The fields come from the API's bodies (contract.bodies), declared there once: every department
# has these, and the optional ones (a person's identity) only when set.
DEPARTMENT_FIELDS = tuple(name for name, field in Department.model_fields.items() if field.is_required())
DEPARTMENT_OPTIONAL_FIELDS = tuple(name for name in Department.model_fields if name not in DEPARTMENT_FIELDS)

# Every event has these (optional texts stored empty) ...
EVENT_FIELDS = tuple(name for name, field in Event.model_fields.items() if field.is_required())
# ... and these only when set (structured times): absent from the item and from the answer otherwise.
EVENT_OPTIONAL_FIELDS = tuple(name for name in Event.model_fields if name not in EVENT_FIELDS)
# The fields that place an event in time: a change to one is checked against the others as stored.
EVENT_TIME_FIELDS = ("event_date", "end_date", "start_time", "end_time", "recurrence")
MIGRATION_ACTOR = "migration"
# What the sync answer shows of a deleted event.
TOMBSTONE_FIELDS = ("id", "department_id", "deleted", "last_modified", "version")
# What a tombstone no longer holds (event_date: so it is not in department-date-index).
TOMBSTONE_REMOVES = ("event_date", "title", "description", "time", "url", "created_at", *AUDIT_FIELDS,
                     *EVENT_OPTIONAL_FIELDS, LAST_DATE, SERIES_MONTHS, EXCEPTION_DATES, OVERRIDDEN_FIELDS,
                     CALDAV_PROPERTIES, CALDAV_UID, SEARCH_TEXT)
# What a stored event holds for the optional texts a client (or a legacy file) left out.
EVENT_DEFAULTS: dict[str, str] = {
    name: "" for name, field in EventCreate.model_fields.items()
    if not field.is_required() and name not in EVENT_OPTIONAL_FIELDS
}


# -- keys -------------------------------------------------------------------------------------


def department_key(department_id: str) -> dict[str, str]:
    return {"id": department_id}


def name_marker_key(name: str) -> dict[str, str]:
    """Key of the marker item that reserves a department name."""
    return {"id": NAME_MARKER_PREFIX + department_name_key(name)}


def event_key(event_id: str, department_id: str) -> dict[str, str]:
    return {"id": event_id, "department_id": department_id}


# -- conditions -------------------------------------------------------------------------------


class ConditionParams(TypedDict):
    """A condition as a write's arguments name it."""

    ConditionExpression: str
    ExpressionAttributeNames: dict[str, str]


@dataclass(frozen=True)
class Condition:
    """A ConditionExpression with its attribute-name placeholders."""

    expression: str
    names: dict[str, str] = field(default_factory=dict)

    def params(self, other_names: dict[str, str] | None = None) -> ConditionParams:
        """ConditionExpression and ExpressionAttributeNames (plus other_names the request uses)."""
        return {"ConditionExpression": self.expression, "ExpressionAttributeNames": {**self.names, **(other_names or {})}}


ITEM_IS_NEW = Condition("attribute_not_exists(#id)", {"#id": "id"})
ITEM_EXISTS = Condition("attribute_exists(#id)", {"#id": "id"})
# A department item (not a name marker) that no delete has marked.
DEPARTMENT_IS_LIVE = Condition(
    "attribute_exists(#name) AND attribute_not_exists(#deleting)", {"#name": "name", "#deleting": "deleting"}
)
# A department item, marked for deletion or not.
DEPARTMENT_EXISTS = Condition("attribute_exists(#id) AND attribute_exists(#name)", {"#id": "id", "#name": "name"})
# A name marker that is gone already or still points at the department (needs :dep).
MARKER_FREE_OR_HELD_BY = Condition(
    "attribute_not_exists(#id) OR #dep = :dep", {"#id": "id", "#dep": "department_id"}
)
# An event that is not a tombstone.
EVENT_IS_LIVE = Condition(
    "attribute_exists(#id) AND attribute_not_exists(#deleted)", {"#id": "id", "#deleted": TOMBSTONE_MARKER}
)
# Appended to EVENT_IS_LIVE for If-Match (needs :expected).
VERSION_MATCHES = Condition("#version = :expected", {"#version": "version"})


# -- messages ---------------------------------------------------------------------------------


def department_not_found(department_id: str) -> str:
    return f"department {department_id} not found"


def event_not_found(event_id: str) -> str:
    return f"event {event_id} not found"


# -- pure helpers -----------------------------------------------------------------------------


def utc_now_iso() -> str:
    """Current UTC time as format_timestamp writes it."""
    return format_timestamp(datetime.now(UTC))


def department_name_key(name: str) -> str:
    """The uniqueness key of a department name: NFKC, case-folded, inner whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


# -- tables -----------------------------------------------------------------------------------


def table_specs(settings: Settings) -> list[dict[str, Any]]:
    """CreateTable arguments of every table (keys and GSIs), without billing settings."""
    return [
        departments_table_spec(settings.departments_table),
        events_table_spec(settings.events_table),
        idempotency_table_spec(settings.idempotency_table),
        tokens_table_spec(settings.tokens_table),
        sessions_table_spec(settings.sessions_table),
        history_table_spec(settings.history_table),
    ]


def idempotency_table_spec(table_name: str) -> dict[str, Any]:
    return {
        "TableName": table_name,
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
    }


def tokens_table_spec(table_name: str) -> dict[str, Any]:
    """API tokens (auth/store.py): one item per token keyed by `token#<sha256>`, one per name."""
    return {
        "TableName": table_name,
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
    }


def sessions_table_spec(table_name: str) -> dict[str, Any]:
    """Signed-in people's sessions (auth/sessions.py): one item per session keyed by `session#<sha256>`."""
    return {
        "TableName": table_name,
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
    }


def history_table_spec(table_name: str) -> dict[str, Any]:
    """Each change of an event (storage/event_history.py), and the department's trash (a sparse GSI)."""
    return {
        "TableName": table_name,
        "AttributeDefinitions": [
            {"AttributeName": HISTORY_KEY, "AttributeType": "S"},
            {"AttributeName": HISTORY_ENTRY, "AttributeType": "S"},
            {"AttributeName": TRASH_DEPARTMENT, "AttributeType": "S"},
            {"AttributeName": "changed_at", "AttributeType": "S"},
        ],
        "KeySchema": [
            {"AttributeName": HISTORY_KEY, "KeyType": "HASH"},
            {"AttributeName": HISTORY_ENTRY, "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [{
            "IndexName": DEPARTMENT_TRASH_INDEX,
            "KeySchema": [
                {"AttributeName": TRASH_DEPARTMENT, "KeyType": "HASH"},
                {"AttributeName": "changed_at", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        }],
    }


def time_to_live_specs(settings: Settings) -> dict[str, str]:
    """Table name -> its TTL attribute (epoch seconds), for the tables whose items expire by
    themselves: deleted events' tombstones, idempotency records, sessions, history entries."""
    return {settings.events_table: TTL_ATTRIBUTE, settings.idempotency_table: IDEMPOTENCY_EXPIRES_AT,
            settings.sessions_table: SESSION_EXPIRES_AT, settings.history_table: HISTORY_EXPIRES_AT}


def departments_table_spec(table_name: str) -> dict[str, Any]:
    return {
        "TableName": table_name,
        "AttributeDefinitions": [
            {"AttributeName": "id", "AttributeType": "S"},
            {"AttributeName": "name", "AttributeType": "S"},
        ],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": NAME_INDEX,
                "KeySchema": [{"AttributeName": "name", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    }


def _department_index(name: str, sort_key: str) -> dict[str, Any]:
    """A GSI of the events table: a department's items ordered by `sort_key`, every attribute projected."""
    return {
        "IndexName": name,
        "KeySchema": [
            {"AttributeName": "department_id", "KeyType": "HASH"},
            {"AttributeName": sort_key, "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": "ALL"},
    }


def events_table_spec(table_name: str) -> dict[str, Any]:
    return {
        "TableName": table_name,
        "AttributeDefinitions": [
            {"AttributeName": "id", "AttributeType": "S"},
            {"AttributeName": "department_id", "AttributeType": "S"},
            {"AttributeName": "event_date", "AttributeType": "S"},
            {"AttributeName": "last_modified", "AttributeType": "S"},
            {"AttributeName": LAST_DATE, "AttributeType": "S"},
        ],
        "KeySchema": [
            {"AttributeName": "id", "KeyType": "HASH"},
            {"AttributeName": "department_id", "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [
            _department_index(DEPARTMENT_DATE_INDEX, "event_date"),
            _department_index(DEPARTMENT_CHANGES_INDEX, "last_modified"),
            _department_index(DEPARTMENT_SPAN_INDEX, LAST_DATE),
        ],
    }
