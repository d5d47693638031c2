"""Whether a department has events spanning days (multi-day events and series), kept on the
department item, so that a month list of a department without any makes one DynamoDB Query
(department-date-index) instead of two (department-span-index too).

The item's SPANS attribute is one of:
- absent: not known (departments before this marker, and new ones): lists query both indexes;
- NONE: the department has no event spanning days: lists skip department-span-index;
- SOME: it has (or had) one: lists query both indexes. Never changes back.

Correct across instances without a message between them:
- A reader trusts NONE for at most NONE_TRUST_SECONDS, counted from before its read of the item.
- A writer of an event spanning days first sets SOME (mark_spanning), before its write. If that
  replaced NONE, it waits NONE_TRUST_SECONDS (plus a margin) before the write: by then no instance
  still trusts a NONE read before SOME was set. So a month list that starts after the write has
  been answered, on any instance, lists it.
- NONE is granted (grant_if_free, by a list of a date range) only by a conditional write over an
  absent marker, after a Query finds nothing in department-span-index: a writer that set SOME
  first makes the grant fail; a grant that came first makes that writer wait.
The wait is paid once in a department's life, by the first event spanning days of a department
granted NONE; NONE is only granted to departments older than GRANT_AFTER_SECONDS, so that a
department being set up (its first series likely soon) never pays it.
"""
from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from botocore.exceptions import ClientError

from rules.shapes import StoredDepartment
from rules.timestamps import format_timestamp
from schema import DEPARTMENT_IS_LIVE, DEPARTMENT_SPAN_INDEX, department_key
from storage import stall_budget
from storage.client import error_code

SPANS = "spans"
NONE = "none"
SOME = "some"
# How long any instance trusts a NONE it read; what the first writer of a span waits.
NONE_TRUST_SECONDS = 5.0
# Added to the writer's wait: the readers' and the writer's clocks may run at slightly other rates.
CLOCK_MARGIN_SECONDS = 0.5
# Departments younger than this are not granted NONE (see the module's docstring).
GRANT_AFTER_SECONDS = 3600.0


def state_of(item: StoredDepartment) -> str | None:
    """The SPANS state of a department item (as from_item gives it): NONE, SOME or None (not known)."""
    state = item.get(SPANS)
    return state if state in (NONE, SOME) else None


def trusted_for(state: str | None, cache_seconds: float) -> float:
    """How long a reader may trust what it read of a department in this state."""
    return min(cache_seconds, NONE_TRUST_SECONDS) if state == NONE else cache_seconds


def may_grant(item: StoredDepartment) -> bool:
    """Whether a department item without a marker is old enough to be granted NONE."""
    old_enough = format_timestamp(datetime.now(UTC) - timedelta(seconds=GRANT_AFTER_SECONDS))
    return state_of(item) is None and str(item.get("created_at", "")) < old_enough


def grant_if_free(client, departments_table: str, events_table: str, department_id: str) -> str | None:
    """Look for any event spanning days of the department; set NONE (nothing found) or SOME over
    an absent marker. Returns the state set, or None when another write got there first."""
    found = client.query(
        TableName=events_table, IndexName=DEPARTMENT_SPAN_INDEX, Select="COUNT", Limit=1,
        KeyConditionExpression="#dep = :dep", ExpressionAttributeNames={"#dep": "department_id"},
        ExpressionAttributeValues={":dep": {"S": department_id}},
    )["Count"]
    state = SOME if found else NONE
    try:
        client.update_item(
            TableName=departments_table, Key={"id": {"S": department_key(department_id)["id"]}},
            UpdateExpression="SET #spans = :state",
            ConditionExpression=f"attribute_not_exists(#spans) AND {DEPARTMENT_IS_LIVE.expression}",
            ExpressionAttributeNames={"#spans": SPANS, **DEPARTMENT_IS_LIVE.names},
            ExpressionAttributeValues={":state": {"S": state}},
        )
    except ClientError as exc:
        if error_code(exc) == "ConditionalCheckFailedException":
            return None
        raise
    return state


def mark_spanning(client, departments_table: str, department_id: str) -> None:
    """Set SOME on the department before an event spanning days is written to it, and wait when
    that replaced NONE (see the module's docstring). Nothing to do for a missing department: the
    write itself finds it missing."""
    try:
        response = client.update_item(
            TableName=departments_table, Key={"id": {"S": department_key(department_id)["id"]}},
            UpdateExpression="SET #spans = :some", ConditionExpression="attribute_exists(#name)",
            ExpressionAttributeNames={"#spans": SPANS, "#name": "name"},
            ExpressionAttributeValues={":some": {"S": SOME}}, ReturnValues="UPDATED_OLD",
        )
    except ClientError as exc:
        if error_code(exc) == "ConditionalCheckFailedException":
            return
        raise
    if response.get("Attributes", {}).get(SPANS, {}).get("S") == NONE:
        time.sleep(NONE_TRUST_SECONDS + CLOCK_MARGIN_SECONDS)
        stall_budget.renew()  # the wait was ours, not a stalled DynamoDB
