"""DynamoDB persistence: table creation, and every read and write of the service; domain errors."""
from __future__ import annotations

import heapq
import json
import logging
import os
import random
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from decimal import Decimal
from itertools import islice
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import ClientError

import department_spans
import recurrence
import stall_budget
from config import Settings
from idempotency import IdempotencyStore
from observability import metrics
from schema import (
    DEPARTMENT_CHANGES_INDEX,
    DEPARTMENT_DATE_INDEX,
    DEPARTMENT_EXISTS,
    DEPARTMENT_FIELDS,
    DEPARTMENT_IS_LIVE,
    DEPARTMENT_SPAN_INDEX,
    EVENT_DEFAULTS,
    EVENT_FIELDS,
    EVENT_IS_LIVE,
    EVENT_OPTIONAL_FIELDS,
    EVENT_TIME_FIELDS,
    EXCEPTION_DATES,
    ITEM_EXISTS,
    ITEM_IS_NEW,
    LAST_DATE,
    MARKER_FREE_OR_HELD_BY,
    SERIES_MONTHS,
    TOMBSTONE_MARKER,
    TOMBSTONE_REMOVES,
    TTL_ATTRIBUTE,
    VERSION_MATCHES,
    department_key,
    department_name_key,
    department_not_found,
    event_key,
    event_not_found,
    name_marker_key,
    table_specs,
    time_to_live_specs,
    utc_now_iso,
)
from validation import check_event_times

log = logging.getLogger(__name__)

BATCH_WRITE_LIMIT = 25
BATCH_WRITE_ATTEMPTS = 8  # and BatchGetItem's, for its UnprocessedKeys
BATCH_GET_LIMIT = 100  # keys per BatchGetItem
TRANSACTION_RETRIES = 6
# Most items one Query/Scan of a page asks for (a page holds at most 1,000).
PAGE_READ_MAX = 2002
# Error codes DynamoDB uses when it sheds load; botocore retries them first.
THROTTLING_CODES = frozenset({
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "LimitExceededException",
})


# Who wrote an item when the caller names nobody (scripts, fixtures): see schema.AUDIT_FIELDS.
SYSTEM_ACTOR = "system"
# Called with an event's department id before a write to it; raises to refuse the write.
DepartmentCheck = Callable[[str], None]
AUDIT_DEFAULTS = {"created_by": SYSTEM_ACTOR, "updated_by": SYSTEM_ACTOR}


class DatabaseError(Exception):
    """Base of the domain errors raised by DynamoDBDatabase."""


class NotFound(DatabaseError):
    pass


class Conflict(DatabaseError):
    pass


class PreconditionFailed(DatabaseError):
    """The stored item is not at the version the request expected; `current` is the item as it is."""

    def __init__(self, message: str, current_version: int | None = None, current: dict[str, Any] | None = None):
        super().__init__(message)
        self.current_version = current_version
        self.current = current


class _DepartmentChanged(DatabaseError):
    """The department was renamed or marked for deletion between the read and the write."""


class Throttled(DatabaseError):
    """DynamoDB kept shedding a bulk write (throttling or UnprocessedItems) past every retry."""


# The readiness probe answers within 2 s however DynamoDB behaves: one short attempt per call.
PROBE_TIMEOUTS = {"max_attempts": 1, "connect_timeout": 0.5, "read_timeout": 0.6}


def make_client(settings: Settings, max_attempts: int | None = None, connect_timeout: float | None = None,
                read_timeout: float | None = None):
    """A thread-safe low-level DynamoDB client built from the settings (some of them overridden),
    which respects the stall budget of the request it serves; `max_attempts` counts every attempt."""
    kwargs: dict[str, Any] = {
        "region_name": settings.aws_region,
        "config": Config(
            # total_max_attempts counts the first try; botocore's max_attempts would add one to it.
            retries={"mode": "standard", "total_max_attempts": max_attempts or settings.dynamodb_max_attempts},
            connect_timeout=connect_timeout or settings.dynamodb_connect_timeout,
            read_timeout=read_timeout or settings.dynamodb_read_timeout,
            max_pool_connections=50,
            # The requests are built here from validated input, never from a caller's raw shapes:
            # botocore's walk of every parameter against the service model costs about a tenth
            # of a millisecond per call (bench/README.md), and DynamoDB checks them again anyway.
            parameter_validation=False,
        ),
    }
    if settings.dynamodb_endpoint_url:
        kwargs["endpoint_url"] = settings.dynamodb_endpoint_url
        # Local endpoints accept any key; don't make developers invent one.
        if not os.environ.get("AWS_ACCESS_KEY_ID") and not os.environ.get("AWS_PROFILE"):
            kwargs["aws_access_key_id"] = "local"
            kwargs["aws_secret_access_key"] = "local"
    client = boto3.session.Session().client("dynamodb", **kwargs)
    stall_budget.watch(client)
    metrics.watch_dynamodb(client)
    for operation in ("Query", "Scan"):
        client.meta.events.register(f"before-parse.dynamodb.{operation}", _items_as_sent)
    return client


def _items_as_sent(response_dict: dict[str, Any], customized_response_dict: dict[str, Any], **_kwargs) -> None:
    """Hand a successful Query/Scan answer over as DynamoDB sent it, past botocore's parser.

    The parser walks every attribute of every item through the service model (about 2 ms of CPU for
    a month of events); for the types this service stores (S, N, M, L, BOOL, NULL, SS, NS: never
    binary) DynamoDB's JSON already is exactly what the low-level client would return.
    """
    if response_dict.get("status_code") == 200 and response_dict.get("body"):
        customized_response_dict.update(json.loads(response_dict["body"]))
        response_dict["body"] = b"{}"


_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, set, tuple)):
        return [_plain(v) for v in value]
    return value


def to_item(data: dict[str, Any]) -> dict[str, Any]:
    return {k: _attribute(v) for k, v in data.items()}


def _attribute(value: Any) -> dict[str, Any]:
    """TypeSerializer's answer for one value; our items' strings, numbers and lists directly (on
    the path of every write), anything else through TypeSerializer."""
    kind = type(value)
    if kind is str:
        return {"S": value}
    if kind is int:
        return {"N": str(value)}
    if kind is list:
        return {"L": [_attribute(v) for v in value]}
    return _serializer.serialize(value)


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    """A DynamoDB item as plain JSON-ready values (numbers as int or float, never Decimal)."""
    return {k: _plain_attribute(v) for k, v in item.items()}


def _plain_attribute(value: dict[str, Any]) -> Any:
    # Our items hold strings and numbers: read those directly, on the hot path of every list.
    if "S" in value:
        return value["S"]
    if "N" in value:
        try:
            return int(value["N"])
        except ValueError:
            return _plain(Decimal(value["N"]))
    if "L" in value:  # a series' recurrence lines
        return [_plain_attribute(v) for v in value["L"]]
    return _plain(_deserializer.deserialize(value))


def _public_event(item: dict[str, Any]) -> dict[str, Any]:
    """A raw event item as the API shows it, converted in one pass."""
    event = {f: _plain_attribute(item[f]) if f in item else "" for f in EVENT_FIELDS}
    event.update({f: _plain_attribute(item[f]) for f in EVENT_OPTIONAL_FIELDS if f in item})
    return event


def public_event(data: dict[str, Any]) -> dict[str, Any]:
    """A plain event dict as the API shows it: every EVENT_FIELDS key, the optional ones when set."""
    event = _public(data, EVENT_FIELDS)
    event.update({f: data[f] for f in EVENT_OPTIONAL_FIELDS if data.get(f) is not None})
    return event


def stored_event(event: dict[str, Any]) -> dict[str, Any]:
    """The item of a public event: with LAST_DATE (department-span-index) when it spans days, and
    a series' SERIES_MONTHS."""
    item = public_event(event)
    item.update((name, value) for name, value in _span_attributes(item).items() if value is not None)
    return item


def _span_attributes(event: dict[str, Any]) -> dict[str, Any]:
    """What department-span-index keeps of the event as changed (None: removed): its last day,
    and a series' months."""
    months = recurrence.months(event)
    return {LAST_DATE: recurrence.last_day(event), SERIES_MONTHS: set(months) if months else None}


def _public_change(item: dict[str, Any]) -> dict[str, Any]:
    """A raw item of department-modified-index as the sync answer shows it: the event, or
    `{"id", "department_id", "deleted": true, "last_modified"}` for a deleted one."""
    if TOMBSTONE_MARKER in item:
        return {"id": item["id"]["S"], "department_id": item["department_id"]["S"], "deleted": True,
                "last_modified": item["last_modified"]["S"]}
    return _public_event(item)


def _public(data: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: data.get(f, "") for f in fields}


def _status_of(table: dict[str, Any]) -> str:
    """"ACTIVE" when a described table and every GSI of it are, else the first other status."""
    statuses = [table.get("TableStatus", "UNKNOWN")]
    statuses += [g.get("IndexStatus", "ACTIVE") for g in table.get("GlobalSecondaryIndexes", [])]
    return next((s for s in statuses if s != "ACTIVE"), "ACTIVE")


def _gsi_names(table: dict[str, Any]) -> set[str]:
    return {gsi["IndexName"] for gsi in table.get("GlobalSecondaryIndexes", [])}


def checked_times(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """The event as the changes would leave it (None removes a field); raises ValidationError when
    its times contradict each other."""
    changed = {k: v for k, v in {**current, **changes}.items() if v is not None}
    check_event_times(changed)
    return changed


def _expanded(
    events: Iterable[dict[str, Any]], start: str | None, end: str | None, expand: bool = True,
) -> Iterator[dict[str, Any]]:
    """The events in listed_order with each series replaced by its occurrences touching start..end
    (unless not `expand`), without the internal EXCEPTION_DATES; series are expanded lazily, as far
    as the reader reads (within a `recurrence.listing()` budget)."""
    window = (date.fromisoformat(start) if start else None, date.fromisoformat(end) if end else None)
    singles, series = [], []
    for event in events:
        skip = frozenset(event.pop(EXCEPTION_DATES, ()))
        if expand and event.get("recurrence"):
            series.append(recurrence.iter_expand(event, *window, skip))
        else:
            singles.append(event)
    return heapq.merge(sorted(singles, key=listed_order), *series, key=listed_order)


def listed_order(event: dict[str, Any]) -> tuple[str, str, str]:
    """The order of an event list: by event_date, then created_at (then id, for ties)."""
    return event["event_date"], event["created_at"], event["id"]


def _listed_event(item: dict[str, Any]) -> dict[str, Any]:
    """_public_event, with a series' EXCEPTION_DATES kept for its expansion (_expanded drops them)."""
    event = _public_event(item)
    if EXCEPTION_DATES in item:
        event[EXCEPTION_DATES] = _plain_attribute(item[EXCEPTION_DATES])
    return event


def error_code(exc: ClientError) -> str:
    """The DynamoDB error code of a ClientError, e.g. "ConditionalCheckFailedException"."""
    return exc.response.get("Error", {}).get("Code", "")


def _cancellation_codes(exc: ClientError) -> list[str]:
    reasons = exc.response.get("CancellationReasons")
    if reasons:
        return [r.get("Code", "None") for r in reasons]
    # Some engines only put the reasons in the message: "... reasons [ConditionalCheckFailed, None]".
    message = exc.response.get("Error", {}).get("Message", "")
    if "[" in message and "]" in message:
        inside = message[message.rindex("[") + 1 : message.rindex("]")]
        return [part.strip() for part in inside.split(",")]
    return []


class DynamoDBDatabase:
    """Departments and events in DynamoDB; one public method per access pattern."""

    def __init__(self, settings: Settings | None = None, client=None):
        self.settings = settings or Settings.from_env()
        self.client = client or make_client(self.settings)
        self.departments_table = self.settings.departments_table
        self.events_table = self.settings.events_table
        # Departments seen to exist: id -> (time.monotonic() until which that is trusted, what they
        # said of their events spanning days: department_spans' state).
        self._known_departments: dict[str, tuple[float, str | None]] = {}
        # Departments this process marked department_spans.SOME (it never changes back).
        self._spanning_departments: set[str] = set()
        self._forgotten = 0  # bumped by every forget, so a check racing a delete caches nothing
        self._probe_client = None
        self.idempotency = IdempotencyStore(
            self.client, self.settings.idempotency_table, self.settings.idempotency_in_progress_seconds
        )

    # -- tables ---------------------------------------------------------------------------

    def create_tables(self, wait: bool = True) -> list[str]:
        """Create missing tables with their GSIs; wait until ACTIVE, then give tables an older
        version made what they lack (upgrade_tables). Returns the names created."""
        created, described = [], {}
        for spec in table_specs(self.settings):
            name = spec["TableName"]
            described[name] = self._describe(name)
            if described[name] is not None:
                log.info("table %s exists, left as it is", name)
                continue
            try:
                described[name] = self.client.create_table(**self._with_billing(spec))["TableDescription"]
                created.append(name)
                log.info("table %s created", name)
            except ClientError as exc:
                if error_code(exc) != "ResourceInUseException":  # created concurrently
                    raise
        if wait:
            for name, table in described.items():
                if table is None or _status_of(table) != "ACTIVE":
                    self.client.get_waiter("table_exists").wait(
                        TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
                    described[name] = None  # changed since: upgrade_tables describes it again
            self.upgrade_tables(described)
        return created

    def upgrade_tables(self, described: dict[str, dict[str, Any] | None] | None = None) -> list[str]:
        """Add the GSIs and the TTL the specs name to existing tables that lack them (UpdateTable,
        UpdateTimeToLive; missing tables are create_tables' to make), waiting until each index is
        ACTIVE; idempotent, and safe to run from several processes at once. `described` holds the
        DescribeTable answers already at hand (None: describe it). Returns what it added, e.g.
        ["events: department-modified-index"]."""
        described = {name: (described or {}).get(name) or self._describe(name) for name in self.settings.table_names}
        added = []
        for spec in (spec for spec in table_specs(self.settings) if described[spec["TableName"]] is not None):
            indexes = self._add_missing_indexes(spec, described[spec["TableName"]])
            added += [f"{spec['TableName']}: {index}" for index in indexes]
        for name, attribute in time_to_live_specs(self.settings).items():
            if described[name] is not None and self._enable_time_to_live(name, attribute):
                added.append(f"{name}: TTL on {attribute}")
        for change in added:
            log.info("table upgraded: %s", change)
        return added

    def _index_names(self, name: str) -> set[str]:
        return _gsi_names(self.client.describe_table(TableName=name)["Table"])

    def _add_missing_indexes(self, spec: dict[str, Any], table: dict[str, Any]) -> list[str]:
        """Create each GSI of the spec the table (as described) lacks, one per UpdateTable as
        DynamoDB allows; returns them once the table and its indexes are ACTIVE."""
        name, added, present = spec["TableName"], [], _gsi_names(table)
        for gsi in self._with_billing(spec).get("GlobalSecondaryIndexes", []):
            keys = {k["AttributeName"] for k in gsi["KeySchema"]}
            while gsi["IndexName"] not in present:
                # One index at a time, as DynamoDB allows: another process may be adding one now
                # (DynamoDB Local takes a second at once and can leave it CREATING for good).
                self._wait_until_active(name)
                if gsi["IndexName"] in (present := self._index_names(name)):
                    break
                try:
                    self.client.update_table(
                        TableName=name,
                        AttributeDefinitions=[d for d in spec["AttributeDefinitions"] if d["AttributeName"] in keys],
                        GlobalSecondaryIndexUpdates=[{"Create": gsi}],
                    )
                    added.append(gsi["IndexName"])
                except ClientError as exc:
                    # Another process added this very index first ("already exists"), or the table
                    # is busy with another update: wait, then look again.
                    busy = error_code(exc) in ("ResourceInUseException", "LimitExceededException")
                    if not busy and gsi["IndexName"] not in self._index_names(name):
                        raise
                self._wait_until_active(name)
                present = self._index_names(name)
        if not added and _status_of(table) != "ACTIVE":  # an index another process is adding
            self._wait_until_active(name)
        return added

    def _wait_until_active(self, name: str, timeout: float = 3600) -> None:
        """Until the table and every GSI of it are ACTIVE (a new GSI backfills the existing items)."""
        deadline = time.monotonic() + timeout
        while (status := self._table_status(name)) != "ACTIVE":
            if time.monotonic() > deadline:
                raise TimeoutError(f"table {name} still {status} after {timeout:.0f} s")
            time.sleep(1)

    def _enable_time_to_live(self, name: str, attribute: str) -> bool:
        """Turn DynamoDB's TTL on for the attribute unless it is on; True when this call did."""
        current = self.client.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        if current.get("TimeToLiveStatus") in ("ENABLED", "ENABLING"):
            if current.get("AttributeName") != attribute:
                log.warning("table %s expires items by %s, not %s: deleted events are never removed",
                            name, current.get("AttributeName"), attribute)
            return False
        try:
            self.client.update_time_to_live(
                TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute}
            )
        except ClientError as exc:
            # Turned on meanwhile by another process ("TimeToLive is already enabled").
            status = self.client.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
            if error_code(exc) != "ValidationException" or status.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
                raise
            return False
        return True

    def _with_billing(self, spec: dict[str, Any]) -> dict[str, Any]:
        spec = dict(spec)
        if self.settings.billing_mode == "PROVISIONED":
            throughput = {
                "ReadCapacityUnits": self.settings.read_capacity,
                "WriteCapacityUnits": self.settings.write_capacity,
            }
            spec["ProvisionedThroughput"] = throughput
            if "GlobalSecondaryIndexes" in spec:
                spec["GlobalSecondaryIndexes"] = [
                    {**gsi, "ProvisionedThroughput": throughput} for gsi in spec["GlobalSecondaryIndexes"]
                ]
        else:
            spec["BillingMode"] = "PAY_PER_REQUEST"
        return spec

    def _describe(self, name: str, client=None) -> dict[str, Any] | None:
        """The table's DescribeTable answer, None when it does not exist."""
        try:
            return (client or self.client).describe_table(TableName=name)["Table"]
        except ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException":
                return None
            raise

    def _table_status(self, name: str, client=None) -> str | None:
        table = self._describe(name, client)
        return None if table is None else _status_of(table)

    def table_statuses(self, probe: bool = False) -> dict[str, str]:
        """Status of each table ("ACTIVE", "CREATING", ..., or "MISSING"), GSIs included; with
        probe, in one short attempt per table (the readiness probe answers within 2 s)."""
        client = self.client
        if probe:
            if self._probe_client is None:
                self._probe_client = make_client(self.settings, **PROBE_TIMEOUTS)
            client = self._probe_client
        return {name: self._table_status(name, client) or "MISSING" for name in self.settings.table_names}

    # -- departments ----------------------------------------------------------------------

    def list_departments(self) -> list[dict[str, Any]]:
        """All departments, sorted by name (case-insensitively)."""
        departments = [
            _public(item, DEPARTMENT_FIELDS)
            for item in self._scan(
                self.departments_table,
                FilterExpression=DEPARTMENT_IS_LIVE.expression,
                ExpressionAttributeNames=dict(DEPARTMENT_IS_LIVE.names),
            )
        ]
        return sorted(departments, key=lambda d: (department_name_key(d["name"]), d["name"], d["id"]))

    def list_departments_page(
        self, limit: int, start_key: dict[str, Any] | None = None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """Up to `limit` departments in storage order (stable from page to page), after start_key;
        with the key the next page starts after, or None when no department follows."""
        kwargs = {
            "TableName": self.departments_table,
            "FilterExpression": DEPARTMENT_IS_LIVE.expression,
            "ExpressionAttributeNames": dict(DEPARTMENT_IS_LIVE.names),
        }
        # About half the items are name markers, which the filter drops after Limit counted them.
        items, next_key = self._page("scan", kwargs, limit, start_key, key_names=("id",), overread=2)
        return [_public(from_item(item), DEPARTMENT_FIELDS) for item in items], next_key

    def get_department(self, department_id: str) -> dict[str, Any]:
        """The department; raises NotFound if it does not exist or is being deleted."""
        item = self._get_department_item(department_id)
        if item is None or "deleting" in item:
            raise NotFound(department_not_found(department_id))
        return _public(item, DEPARTMENT_FIELDS)

    def get_departments(self, department_ids: Iterable[str]) -> list[dict[str, Any]]:
        """The departments of these ids that exist (missing and deleting ones left out), sorted as
        list_departments sorts them; BatchGetItem, no Scan."""
        found = self._get_departments_after(sorted(set(department_ids)), None)
        return sorted(found, key=lambda d: (department_name_key(d["name"]), d["name"], d["id"]))

    def get_departments_page(
        self, department_ids: Iterable[str], limit: int, start_key: dict[str, Any] | None = None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """Up to `limit` of these departments in id order after start_key (a key as
        list_departments_page gives), with the key the next page starts after, or None."""
        after = str((start_key or {}).get("id", ""))
        found = self._get_departments_after(sorted(i for i in set(department_ids) if i > after), limit + 1)
        page = found[:limit]
        return page, ({"id": page[-1]["id"]} if len(found) > limit else None)

    def _get_departments_after(self, ids: list[str], wanted: int | None) -> list[dict[str, Any]]:
        """The live departments of `ids` (sorted), in that order, read BATCH_GET_LIMIT keys at a
        time until `wanted` are found (None: all)."""
        found: list[dict[str, Any]] = []
        for start in range(0, len(ids), BATCH_GET_LIMIT):
            chunk = ids[start : start + BATCH_GET_LIMIT]
            keys = [department_key(i) for i in chunk]
            items = {item["id"]: item for item in self._batch_get(self.departments_table, keys)}
            found += [_public(items[i], DEPARTMENT_FIELDS) for i in chunk if i in items and "deleting" not in items[i]]
            if wanted is not None and len(found) >= wanted:
                break
        return found

    def _batch_get(self, table: str, keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """BatchGetItem of up to BATCH_GET_LIMIT keys (strongly consistent), following UnprocessedKeys."""
        pending = {table: {"Keys": [to_item(key) for key in keys], "ConsistentRead": True}}
        items: list[dict[str, Any]] = []
        for attempt in range(BATCH_WRITE_ATTEMPTS):
            if attempt:
                time.sleep(min(2.0, 0.05 * 2**attempt) * random.uniform(0.5, 1.0))
            response = self.client.batch_get_item(RequestItems=pending)
            items += [from_item(item) for item in response.get("Responses", {}).get(table, [])]
            pending = response.get("UnprocessedKeys") or {}
            if not pending:
                return items
        raise Throttled(f"{len(pending[table]['Keys'])} keys still unprocessed after {BATCH_WRITE_ATTEMPTS} "
                        "BatchGetItem attempts")

    def find_department_by_name(self, name: str) -> dict[str, Any] | None:
        """The department holding this name (compared as department_name_key does), or None."""
        marker = self._get_department_item(name_marker_key(name)["id"])
        if marker is None:
            return None
        try:
            return self.get_department(marker["department_id"])
        except NotFound:
            return None

    def create_department(
        self,
        name: str,
        description: str = "",
        *,
        department_id: str | None = None,
        created_at: str | None = None,
        updated_at: str | None = None,
        actor: str = SYSTEM_ACTOR,
        updated_by: str | None = None,
    ) -> dict[str, Any]:
        """Store a new department (created_by = actor, updated_by = updated_by or actor); raises
        Conflict if the name (or the id) is taken."""
        now = utc_now_iso()
        department = {
            "id": department_id or str(uuid.uuid4()),
            "name": name,
            "description": description,
            "created_at": created_at or now,
            "updated_at": updated_at or now,
            "created_by": actor,
            "updated_by": updated_by or actor,
        }
        marker = {**name_marker_key(name), "department_id": department["id"]}
        self.transact(
            [
                {"Put": {"TableName": self.departments_table, "Item": to_item(marker), **ITEM_IS_NEW.params()}},
                {"Put": {"TableName": self.departments_table, "Item": to_item(department), **ITEM_IS_NEW.params()}},
            ],
            if_condition_fails=[
                Conflict(f"a department named {name!r} already exists"),
                Conflict(f"a department with id {department['id']} already exists"),
            ],
        )
        return department

    def update_department(
        self, department_id: str, changes: dict[str, str], actor: str = SYSTEM_ACTOR
    ) -> dict[str, Any]:
        """Change the department's `name` and/or `description`, renew `updated_at` and set
        `updated_by` to the actor; returns it.

        A new name is reserved, and the old one freed, in the transaction that renames. Raises
        NotFound, or Conflict when another department holds the name.
        """
        for _attempt in range(TRANSACTION_RETRIES):
            current = self.get_department(department_id)
            updated = {**current, **changes, "updated_at": utc_now_iso(), "updated_by": actor}
            try:
                self.transact(*self._department_update(current, updated))
                return updated
            except _DepartmentChanged:
                continue  # renamed, or marked for deletion, since it was read: read it again
        raise Conflict(f"department {department_id} kept changing; try again")

    def _department_update(
        self, current: dict[str, Any], updated: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], list[DatabaseError]]:
        """TransactWriteItems of an update from `current` (the name still as read) to `updated`,
        and the error for each item whose condition fails."""
        changed = _DepartmentChanged()
        items = [{"Update": {
            "TableName": self.departments_table,
            "Key": to_item(department_key(current["id"])),
            "UpdateExpression": "SET #name = :name, #description = :description, #updated_at = :now, #by = :by",
            "ConditionExpression": f"{DEPARTMENT_IS_LIVE.expression} AND #name = :old",
            "ExpressionAttributeNames": {**DEPARTMENT_IS_LIVE.names, "#description": "description",
                                         "#updated_at": "updated_at", "#by": "updated_by"},
            "ExpressionAttributeValues": to_item({":name": updated["name"], ":old": current["name"],
                                                  ":description": updated["description"],
                                                  ":now": updated["updated_at"], ":by": updated["updated_by"]}),
        }}]
        if department_name_key(current["name"]) == department_name_key(updated["name"]):
            return items, [changed]
        marker = {**name_marker_key(updated["name"]), "department_id": current["id"]}
        items.append({"Put": {"TableName": self.departments_table, "Item": to_item(marker), **ITEM_IS_NEW.params()}})
        items.append({"Delete": {
            "TableName": self.departments_table, "Key": to_item(name_marker_key(current["name"])),
            **MARKER_FREE_OR_HELD_BY.params(), "ExpressionAttributeValues": to_item({":dep": current["id"]}),
        }})
        return items, [changed, Conflict(f"a department named {updated['name']!r} already exists"), changed]

    def delete_department(self, department_id: str) -> int:
        """Delete the department, its events and their tombstones; returns how many items went.

        The department is first marked `deleting`, so no event can be added while its events
        are removed, and a delete interrupted half-way is finished by the next one.
        """
        self.forget_department(department_id)
        name = self._mark_deleting(department_id)
        deleted = self._drain_events(department_id, marked_at=time.monotonic())
        self._remove_department(department_id, name)
        return deleted

    def _mark_deleting(self, department_id: str) -> str:
        """Mark the department `deleting` (kept if already marked); returns its name. Raises NotFound."""
        try:
            marked = self.client.update_item(
                TableName=self.departments_table,
                Key=to_item(department_key(department_id)),
                UpdateExpression="SET #deleting = if_not_exists(#deleting, :now)",
                **DEPARTMENT_EXISTS.params({"#deleting": "deleting"}),
                ExpressionAttributeValues=to_item({":now": utc_now_iso()}),
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                raise NotFound(department_not_found(department_id)) from exc
            raise
        return from_item(marked["Attributes"])["name"]

    def _drain_events(self, department_id: str, marked_at: float) -> int:
        """Delete the department's events and tombstones until the indexes show none; returns how many went."""
        deleted = 0
        while True:
            keys = self._department_event_keys(department_id)
            if keys:
                self._batch_write(self.events_table, [{"DeleteRequest": {"Key": to_item(k)}} for k in keys])
                deleted += len(keys)
                continue
            # The index may not show yet an event written just before the mark (GSIs lag on AWS):
            # only an empty read made gsi_settle_seconds after the mark means nothing is left.
            wait = self.settings.gsi_settle_seconds - (time.monotonic() - marked_at)
            if wait <= 0:
                return deleted
            time.sleep(wait)

    def _department_event_keys(self, department_id: str) -> list[dict[str, str]]:
        """Keys of the department's events (department-date-index) and of its tombstones
        (department-modified-index, where they alone are), each once."""
        keys = {e["id"]: event_key(e["id"], e["department_id"])
                for e in self._query_department_events(department_id, projection="#id, #dep")}
        tombstones = self._paginate("query", {
            "TableName": self.events_table,
            "IndexName": DEPARTMENT_CHANGES_INDEX,
            "KeyConditionExpression": "#dep = :dep",
            "FilterExpression": "attribute_exists(#deleted)",
            "ProjectionExpression": "#id, #dep",
            "ExpressionAttributeNames": {"#dep": "department_id", "#id": "id", "#deleted": TOMBSTONE_MARKER},
            "ExpressionAttributeValues": to_item({":dep": department_id}),
        })
        keys.update({t["id"]: event_key(t["id"], t["department_id"]) for t in tombstones})
        return list(keys.values())

    def _remove_department(self, department_id: str, name: str) -> None:
        """Delete the department item and its name marker in one transaction. Raises NotFound."""
        self.transact(
            [
                {"Delete": {
                    "TableName": self.departments_table,
                    "Key": to_item(department_key(department_id)),
                    **ITEM_EXISTS.params(),
                }},
                {"Delete": {
                    "TableName": self.departments_table,
                    "Key": to_item(name_marker_key(name)),
                    **MARKER_FREE_OR_HELD_BY.params(),
                    "ExpressionAttributeValues": to_item({":dep": department_id}),
                }},
            ],
            # A concurrent delete of the same department finished first.
            if_condition_fails=[NotFound(department_not_found(department_id))],
        )

    def forget_department(self, department_id: str) -> None:
        """Drop what this process knows of the department (it was deleted, here or elsewhere)."""
        self._forgotten += 1
        self._known_departments.pop(department_id, None)
        self._spanning_departments.discard(department_id)

    def _check_department_exists(self, department_id: str, may_grant: bool = False) -> str | None:
        """Raises NotFound unless the department exists; returns its department_spans state (which
        a list of a range, `may_grant`, may settle). A yes is trusted department_cache_seconds (the
        state as department_spans.trusted_for says), counted from before the read; reads only:
        writes check the department in the same transaction as the write."""
        read_at = time.monotonic()
        trusted_until, spans = self._known_departments.get(department_id, (0.0, None))
        if trusted_until > read_at:
            return spans
        forgotten = self._forgotten
        item = self._get_department_item(department_id)
        if item is None or "deleting" in item:
            raise NotFound(department_not_found(department_id))
        spans = department_spans.state_of(item)
        if department_id in self._spanning_departments:
            spans = department_spans.SOME
        elif may_grant and department_spans.may_grant(item):
            spans = department_spans.grant_if_free(self.client, self.departments_table, self.events_table, department_id)
        trust = department_spans.trusted_for(spans, self.settings.department_cache_seconds)
        if trust > 0 and forgotten == self._forgotten:
            self._known_departments[department_id] = (read_at + trust, spans)
        return spans

    def _mark_spanning(self, items: list[dict[str, Any]]) -> None:
        """Before writing these event items: department_spans.mark_spanning for the departments of
        those spanning days (with a LAST_DATE), once per department and process."""
        for department_id in sorted({item["department_id"] for item in items if item.get(LAST_DATE)}):
            if department_id not in self._spanning_departments:
                department_spans.mark_spanning(self.client, self.departments_table, department_id)
                self._spanning_departments.add(department_id)

    def _get_department_item(self, key: str) -> dict[str, Any] | None:
        response = self.client.get_item(
            TableName=self.departments_table, Key=to_item(department_key(key)), ConsistentRead=True
        )
        return from_item(response["Item"]) if "Item" in response else None

    # -- events ---------------------------------------------------------------------------

    def list_events(
        self, department_id: str, start: str | None = None, end: str | None = None, expand: bool = True,
    ) -> list[dict[str, Any]]:
        """The department's events touching start..end (inclusive, YYYY-MM-DD), ordered by
        event_date then created_at: each series as its occurrences in the range (recurrence.expand),
        or with expand=False as stored. Raises NotFound for an unknown department."""
        return self.list_events_after(department_id, start, end, expand)[0]

    def list_events_after(
        self, department_id: str, start: str | None, end: str | None, expand: bool = True,
        after: tuple[str, ...] | None = None, limit: int | None = None,
    ) -> tuple[list[dict[str, Any]], tuple[str, ...] | None]:
        """Up to `limit` (all without one) of list_events' answer whose listed_order is after
        `after`, and the listed_order of the last one when more follow: series are expanded only
        as far as the page needs. Raises NotFound for an unknown department."""
        events = self._events_touching(department_id, start, end)
        # Occurrences before the day of the last one shown sort before it: expand from that day.
        window = (max(start, after[0]) if start and after else start, end) if expand else (None, None)
        with recurrence.listing():
            listed = (e for e in _expanded(events.values(), *window, expand) if after is None or listed_order(e) > after)
            page = list(islice(listed, None if limit is None else limit + 1))
        if limit is None or len(page) <= limit:
            return page, None
        return page[:limit], listed_order(page[limit - 1])

    def _events_touching(self, department_id: str, start: str | None, end: str | None) -> dict[str, dict[str, Any]]:
        """The stored events (by id) of the department that touch start..end."""
        spans = self._check_department_exists(department_id, may_grant=bool(start))
        events = {e["id"]: e for e in self._query_department_events(department_id, start, end, convert=_listed_event)}
        # Events spanning days and series that began before `start` and reach into the range.
        if start and spans != department_spans.NONE:
            events.update((e["id"], e) for e in self._query_spans(department_id, start, end))
        return events

    def _query_spans(self, department_id: str, start: str, end: str | None) -> Iterator[dict[str, Any]]:
        """The department's events spanning days whose last day is at or after `start` and whose
        first is not after `end` (but the series whose SERIES_MONTHS miss start..end's months): one
        Query of the sparse department-span-index."""
        kwargs: dict[str, Any] = {
            "TableName": self.events_table,
            "IndexName": DEPARTMENT_SPAN_INDEX,
            "KeyConditionExpression": "#dep = :dep AND #last >= :start",
            "ExpressionAttributeNames": {"#dep": "department_id", "#last": LAST_DATE},
            "ExpressionAttributeValues": to_item({":dep": department_id, ":start": start}),
        }
        if end:
            kwargs["FilterExpression"] = "#date <= :end"
            kwargs["ExpressionAttributeNames"]["#date"] = "event_date"
            values = {":dep": department_id, ":start": start, ":end": end}
            months = recurrence.months_between(date.fromisoformat(start), date.fromisoformat(end))
            if months != recurrence.ALL_MONTHS:  # series that never occur in these months stay behind
                in_months = " OR ".join(f"contains(#months, :m{m})" for m in sorted(months))
                kwargs["FilterExpression"] += f" AND (attribute_not_exists(#months) OR {in_months})"
                kwargs["ExpressionAttributeNames"]["#months"] = SERIES_MONTHS
                values.update({f":m{m}": m for m in months})
            kwargs["ExpressionAttributeValues"] = to_item(values)
        yield from self._paginate("query", kwargs, _listed_event)

    def list_events_page(
        self, department_id: str, start: str | None, end: str | None, limit: int,
        start_key: dict[str, Any] | None = None,
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """Up to `limit` of the department's events after start_key, pages following event_date
        (each page ordered as list_events orders); with the key the next page starts after, or None
        when no event follows. Raises NotFound for an unknown department."""
        self._check_department_exists(department_id)
        kwargs = self._department_events_query(department_id, start, end)
        items, next_key = self._page("query", kwargs, limit, start_key,
                                     key_names=("id", "department_id", "event_date"))
        events = [_public_event(item) for item in items]
        return sorted(events, key=listed_order), next_key

    def event_changes(self, department_id: str, since: str) -> list[dict[str, Any]]:
        """Every event of the department written at or after `since` (ISO-8601, as last_modified
        is stored), deleted ones as tombstones, ordered by last_modified then id: one Query of
        department-modified-index. Raises NotFound for an unknown department."""
        self._check_department_exists(department_id)
        kwargs: dict[str, Any] = {
            "TableName": self.events_table,
            "IndexName": DEPARTMENT_CHANGES_INDEX,
            "KeyConditionExpression": "#dep = :dep AND #last_modified >= :since",
            "ExpressionAttributeNames": {"#dep": "department_id", "#last_modified": "last_modified"},
            "ExpressionAttributeValues": to_item({":dep": department_id, ":since": since}),
        }
        changes = self._paginate("query", kwargs, _public_change)
        return sorted(changes, key=lambda change: (change["last_modified"], change["id"]))

    def get_event(self, event_id: str) -> dict[str, Any]:
        """The event; raises NotFound."""
        return public_event(self.get_event_item(event_id))

    def get_department_event(self, department_id: str, event_id: str) -> dict[str, Any]:
        """The department's event (one strongly consistent GetItem); raises NotFound when it does
        not exist, was deleted (a tombstone) or belongs to another department."""
        response = self.client.get_item(
            TableName=self.events_table, Key=to_item(event_key(event_id, department_id)), ConsistentRead=True
        )
        if "Item" not in response or TOMBSTONE_MARKER in response["Item"]:
            raise NotFound(event_not_found(event_id))
        return _public_event(response["Item"])

    def create_event(
        self,
        department_id: str,
        fields: dict[str, Any],
        *,
        event_id: str | None = None,
        created_at: str | None = None,
        last_modified: str | None = None,
        actor: str = SYSTEM_ACTOR,
    ) -> dict[str, Any]:
        """Store a new event of an existing department (created_by = updated_by = actor); raises
        NotFound or Conflict (id taken)."""
        now = utc_now_iso()
        event = {
            **EVENT_DEFAULTS,
            **fields,
            "id": event_id or str(uuid.uuid4()),
            "department_id": department_id,
            "created_at": created_at or now,
            "last_modified": last_modified or created_at or now,
            "version": 1,
            "created_by": actor, "updated_by": actor,
        }
        item = stored_event(event)
        self._mark_spanning([item])
        self.transact(
            [
                {"ConditionCheck": {
                    "TableName": self.departments_table,
                    "Key": to_item(department_key(department_id)),
                    **DEPARTMENT_IS_LIVE.params(),
                }},
                {"Put": {"TableName": self.events_table, "Item": to_item(item), **ITEM_IS_NEW.params()}},
            ],
            if_condition_fails=[
                NotFound(department_not_found(department_id)),
                Conflict(f"an event with id {event['id']} already exists"),
            ],
        )
        return public_event(event)

    def update_event(
        self, event_id: str, changes: dict[str, Any], expected_version: int | None = None,
        actor: str = SYSTEM_ACTOR, check_department: DepartmentCheck | None = None,
    ) -> dict[str, Any]:
        """Change only the given fields (None removes an optional one), bump version, renew
        last_modified and updated_by; returns the event. check_department(department_id) may raise
        to refuse the event's department.

        A change to when the event is (EVENT_TIME_FIELDS) is checked against the other times as
        stored, and written only if the event is still at the version read. Raises NotFound,
        ValidationError, or PreconditionFailed when expected_version is not the stored one.
        """
        if not changes.keys() & set(EVENT_TIME_FIELDS):
            return self._update_event(event_id, changes, expected_version, actor, check_department)
        for _attempt in range(TRANSACTION_RETRIES):
            current = self.get_event_item(event_id)
            if check_department is not None:
                check_department(current["department_id"])
            if expected_version is not None and expected_version != current["version"]:
                raise PreconditionFailed(f"event {event_id} is at version {current['version']}",
                                         current["version"], public_event(current))
            spanned = {**changes, **_span_attributes(checked_times(current, changes))}
            self._mark_spanning([{"department_id": current["department_id"], **spanned}])
            try:
                return self._update_event(event_id, spanned, current["version"], actor, current=current)
            except PreconditionFailed:
                if expected_version is not None:
                    raise
        raise Conflict(f"event {event_id} kept changing; try again")

    def _update_event(
        self, event_id: str, changes: dict[str, Any], expected_version: int | None, actor: str,
        check_department: DepartmentCheck | None = None, current: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        names = {"#version": "version", "#last_modified": "last_modified", "#updated_by": "updated_by"}
        values: dict[str, Any] = {":one": 1, ":now": utc_now_iso(), ":actor": actor}
        assignments = ["#version = #version + :one", "#last_modified = :now", "#updated_by = :actor"]
        removals = []
        for i, (field, value) in enumerate(sorted(changes.items())):
            names[f"#f{i}"] = field
            if value is None:
                removals.append(f"#f{i}")
            else:
                values[f":v{i}"] = value
                assignments.append(f"#f{i} = :v{i}")
        update = "SET " + ", ".join(assignments) + (" REMOVE " + ", ".join(removals) if removals else "")
        return self._conditional_event_write(
            "update_item", event_id, expected_version, names, values, check_department, current=current,
            UpdateExpression=update, ReturnValues="ALL_NEW",
        )

    def delete_event(
        self, event_id: str, expected_version: int | None = None, check_department: DepartmentCheck | None = None,
        current: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Delete the event (`current`: as the caller already read it); returns it as it was. Raises
        NotFound or PreconditionFailed (and whatever check_department raises for its department).

        What stays is a tombstone for catch-up sync: the texts and event_date removed (so month
        lists and counts never see it), version bumped, last_modified renewed, and a TTL.
        """
        update, names, values = self.tombstone_update()
        return self._conditional_event_write(
            "update_item", event_id, expected_version, names, values, check_department, current=current,
            UpdateExpression=update, ReturnValues="ALL_OLD",
        )

    def tombstone_update(self) -> tuple[str, dict[str, str], dict[str, Any]]:
        """The UpdateExpression (with its names and values) that turns an event into a tombstone."""
        names = {"#version": "version", "#last_modified": "last_modified", "#deleted": TOMBSTONE_MARKER,
                 "#expires": TTL_ATTRIBUTE}
        names.update({f"#r{i}": field for i, field in enumerate(TOMBSTONE_REMOVES)})
        expires = int(time.time()) + self.settings.sync_tombstone_days * 86400
        values: dict[str, Any] = {":one": 1, ":now": utc_now_iso(), ":true": True, ":expires": expires}
        update = ("SET #version = #version + :one, #last_modified = :now, #deleted = :true, #expires = :expires"
                  " REMOVE " + ", ".join(f"#r{i}" for i in range(len(TOMBSTONE_REMOVES))))
        return update, names, values

    def _conditional_event_write(
        self,
        operation: str,
        event_id: str,
        expected_version: int | None,
        names: dict[str, str],
        values: dict[str, Any],
        check_department: DepartmentCheck | None = None,
        current: dict[str, Any] | None = None,
        **kwargs,
    ) -> dict[str, Any]:
        """UpdateItem/DeleteItem on an existing event (at expected_version, if given); `current`
        is the event as already read (else it is read here)."""
        current = current or self.get_event_item(event_id)
        if check_department is not None:
            check_department(current["department_id"])
        names = {**names, **EVENT_IS_LIVE.names}
        condition = EVENT_IS_LIVE.expression
        if expected_version is not None:
            condition += " AND " + VERSION_MATCHES.expression
            names.update(VERSION_MATCHES.names)
            values = {**values, ":expected": expected_version}
        if values:
            kwargs["ExpressionAttributeValues"] = to_item(values)
        try:
            response = getattr(self.client, operation)(
                TableName=self.events_table,
                Key=to_item(event_key(event_id, current["department_id"])),
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                **kwargs,
            )
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                self._raise_for_failed_condition(event_id, exc)
            raise
        return public_event(from_item(response["Attributes"]))

    def put_events(self, events: Iterable[dict[str, Any]]) -> None:
        """Batch-put complete events (every EVENT_FIELDS key; created_by/updated_by default to
        SYSTEM_ACTOR) as given, for bulk loads.

        Unconditional: the caller makes sure the departments exist and the ids are new.
        """
        items = [stored_event({**AUDIT_DEFAULTS, **event}) for event in events]
        self._mark_spanning(items)
        self._batch_write(self.events_table, [{"PutRequest": {"Item": to_item(item)}} for item in items])

    def department_event_ids(self, department_id: str) -> set[str]:
        """Ids of the department's events, read through department-date-index."""
        return {e["id"] for e in self._query_department_events(department_id, projection="#id")}

    def count_department_events(self, department_id: str) -> int:
        """How many events the department has: a Query with Select=COUNT, every page."""
        kwargs: dict[str, Any] = {
            "TableName": self.events_table,
            "IndexName": DEPARTMENT_DATE_INDEX,
            "KeyConditionExpression": "#dep = :dep",
            "ExpressionAttributeNames": {"#dep": "department_id"},
            "ExpressionAttributeValues": to_item({":dep": department_id}),
            "Select": "COUNT",
        }
        total = 0
        while True:
            response = self.client.query(**kwargs)
            total += response["Count"]
            if not response.get("LastEvaluatedKey"):
                return total
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def scan_events(self) -> Iterator[dict[str, Any]]:
        """Every event of every department (no tombstones): a paginated Scan, meant for exports only."""
        live = {"FilterExpression": "attribute_not_exists(#deleted)",
                "ExpressionAttributeNames": {"#deleted": TOMBSTONE_MARKER}}
        for item in self._scan(self.events_table, **live):
            yield public_event(item)

    def _raise_for_failed_condition(self, event_id: str, exc: ClientError) -> None:
        try:
            current = self.get_event(event_id)
        except NotFound as missing:
            raise missing from exc
        raise PreconditionFailed(
            f"event {event_id} is at version {current['version']}", current["version"], current
        ) from exc

    def get_event_items(self, department_id: str, event_ids: list[str]) -> list[dict[str, Any]]:
        """The stored items of the department's live events among `event_ids` (as get_event_item),
        in the order of `event_ids`: BATCH_GET_LIMIT keys a call."""
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(event_ids), BATCH_GET_LIMIT):
            keys = [event_key(i, department_id) for i in event_ids[start : start + BATCH_GET_LIMIT]]
            found.update((item["id"], item) for item in self._batch_get(self.events_table, keys))
        return [found[i] for i in event_ids if i in found and TOMBSTONE_MARKER not in found[i]]

    def get_event_item(self, event_id: str) -> dict[str, Any]:
        """The stored item of a live event (a series' and an exception's internal attributes
        included), strongly consistent; raises NotFound."""
        # The table key is (id, department_id); the id alone is a partition holding one item.
        response = self.client.query(
            TableName=self.events_table,
            KeyConditionExpression="#id = :id",
            ExpressionAttributeNames={"#id": "id"},
            ExpressionAttributeValues=to_item({":id": event_id}),
            ConsistentRead=True,
        )
        if not response["Items"] or TOMBSTONE_MARKER in response["Items"][0]:
            raise NotFound(event_not_found(event_id))
        return from_item(response["Items"][0])

    def _query_department_events(
        self,
        department_id: str,
        start: str | None = None,
        end: str | None = None,
        projection: str | None = None,
        convert: Callable[[dict[str, Any]], dict[str, Any]] = from_item,
    ) -> Iterator[dict[str, Any]]:
        kwargs = self._department_events_query(department_id, start, end)
        if projection:
            kwargs["ExpressionAttributeNames"]["#id"] = "id"
            kwargs["ProjectionExpression"] = projection
        yield from self._paginate("query", kwargs, convert)

    def _department_events_query(
        self, department_id: str, start: str | None = None, end: str | None = None
    ) -> dict[str, Any]:
        """Query arguments for the department's events through department-date-index, in [start, end]."""
        names = {"#dep": "department_id"}
        values: dict[str, Any] = {":dep": department_id}
        condition = "#dep = :dep"
        if start or end:
            names["#date"] = "event_date"
            if start and end:
                condition += " AND #date BETWEEN :start AND :end"
                values.update({":start": start, ":end": end})
            elif start:
                condition += " AND #date >= :start"
                values[":start"] = start
            else:
                condition += " AND #date <= :end"
                values[":end"] = end
        return {
            "TableName": self.events_table,
            "IndexName": DEPARTMENT_DATE_INDEX,
            "KeyConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": to_item(values),
        }

    # -- low-level helpers ----------------------------------------------------------------

    def _scan(self, table: str, **kwargs) -> Iterator[dict[str, Any]]:
        yield from self._paginate("scan", {"TableName": table, **kwargs})

    def _paginate(
        self, operation: str, kwargs: dict[str, Any],
        convert: Callable[[dict[str, Any]], dict[str, Any]] = from_item,
    ) -> Iterator[dict[str, Any]]:
        """Every item of a Query or Scan (converted), following LastEvaluatedKey to the end."""
        call = getattr(self.client, operation)
        while True:
            response = call(**kwargs)
            for item in response.get("Items", []):
                yield convert(item)
            last_key = response.get("LastEvaluatedKey")
            if not last_key:
                return
            kwargs = {**kwargs, "ExclusiveStartKey": last_key}

    def _page(
        self, operation: str, kwargs: dict[str, Any], limit: int, start_key: dict[str, Any] | None,
        key_names: tuple[str, ...], overread: int = 1,
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """Up to `limit` raw items of a Query or Scan after start_key, and the key of the last one
        when more follow (else None).

        Reads on while a filter (applied after Limit counted the items) or the 1 MB cap made an
        answer short, and one item past the page, so a key is only given when an item follows it.
        """
        call = getattr(self.client, operation)
        if start_key:
            kwargs = {**kwargs, "ExclusiveStartKey": start_key}
        items: list[dict[str, Any]] = []
        while True:
            wanted = (limit + 1 - len(items)) * overread
            response = call(**kwargs, Limit=min(wanted, PAGE_READ_MAX))
            items.extend(response.get("Items", []))
            if len(items) > limit:
                page = items[:limit]
                return page, {name: page[-1][name] for name in key_names}
            if not response.get("LastEvaluatedKey"):
                return items, None
            kwargs = {**kwargs, "ExclusiveStartKey": response["LastEvaluatedKey"]}

    def transact(
        self, items: list[dict[str, Any]], if_condition_fails: list[DatabaseError] | None = None
    ) -> None:
        """TransactWriteItems, retried while it only collides with another transaction.

        When the condition of item i fails, raises if_condition_fails[i] (if given).
        """
        for attempt in range(TRANSACTION_RETRIES):
            try:
                self.client.transact_write_items(TransactItems=items)
                return
            except ClientError as exc:
                codes = _cancellation_codes(exc)
                for code, error in zip(codes, if_condition_fails or [], strict=False):
                    if code == "ConditionalCheckFailed":
                        raise error from exc
                retryable = error_code(exc) == "TransactionConflictException" or (
                    "TransactionConflict" in codes and "ConditionalCheckFailed" not in codes
                )
                if not retryable or attempt == TRANSACTION_RETRIES - 1:
                    raise
                time.sleep(random.uniform(0, 0.02 * 2**attempt))

    def _batch_write(self, table: str, requests: Iterable[dict[str, Any]]) -> None:
        """BatchWriteItem in chunks of 25. Raises Throttled when a chunk is still shed after
        BATCH_WRITE_ATTEMPTS attempts (throttling errors and UnprocessedItems alike)."""
        requests = list(requests)
        for start in range(0, len(requests), BATCH_WRITE_LIMIT):
            self._write_chunk(table, requests[start : start + BATCH_WRITE_LIMIT])

    def _write_chunk(self, table: str, chunk: list[dict[str, Any]]) -> None:
        pending = {table: chunk}
        for attempt in range(1, BATCH_WRITE_ATTEMPTS + 1):
            # DynamoDB sheds load two ways: a throttling error (after botocore's own retries) or
            # UnprocessedItems in a successful answer. Both are retried here, with backoff.
            try:
                pending = self.client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
                reason = "UnprocessedItems"
            except ClientError as exc:
                if error_code(exc) not in THROTTLING_CODES:
                    raise
                reason = error_code(exc)
            if not pending:
                return
            if attempt < BATCH_WRITE_ATTEMPTS:
                delay = min(2.0, 0.05 * 2**attempt) * random.uniform(0.5, 1.0)
                log.warning("throttled (%s); retrying %d items in %.2fs", reason, len(pending[table]), delay)
                time.sleep(delay)
        raise Throttled(
            f"{len(pending[table])} items still unprocessed after {BATCH_WRITE_ATTEMPTS} BatchWriteItem attempts"
        )
