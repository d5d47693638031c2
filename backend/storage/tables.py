"""The tables: created with their GSIs from schema.table_specs, upgraded in place (a GSI or the TTL
an older version lacked), and their status for the readiness probe."""
from __future__ import annotations

import logging
import time
from typing import cast

from botocore.exceptions import ClientError

from config import Settings
from schema import table_specs, time_to_live_specs
from storage.client import PROBE_TIMEOUTS, error_code, make_client
from storage.wire import IndexSpec, TableSpec

log = logging.getLogger(__name__)


def status_of(table: TableSpec) -> str:
    """"ACTIVE" when a described table and every GSI of it are, else the first other status."""
    statuses = [table.get("TableStatus", "UNKNOWN")]
    statuses += [g.get("IndexStatus", "ACTIVE") for g in table.get("GlobalSecondaryIndexes", [])]
    return next((s for s in statuses if s != "ACTIVE"), "ACTIVE")


def _specs(settings: Settings) -> list[TableSpec]:
    """schema.table_specs, which declares them as boto3's CreateTable takes them."""
    return cast(list[TableSpec], table_specs(settings))


def _gsi_names(table: TableSpec) -> set[str]:
    return {gsi["IndexName"] for gsi in table.get("GlobalSecondaryIndexes", [])}


class Tables:
    """Every table of the settings, on one client (and a short-attempt client for the probe)."""

    def __init__(self, settings: Settings, client):
        self.settings = settings
        self.client = client
        self.probe_client = None  # built on the first probe

    def create_tables(self, wait: bool = True) -> list[str]:
        """Create missing tables with their GSIs; wait until ACTIVE, then give tables an older
        version made what they lack (upgrade_tables). Returns the names created."""
        created: list[str] = []
        described: dict[str, TableSpec | None] = {}
        for spec in _specs(self.settings):
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
                if table is None or status_of(table) != "ACTIVE":
                    self.client.get_waiter("table_exists").wait(
                        TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
                    described[name] = None  # changed since: upgrade_tables describes it again
            self.upgrade_tables(described)
        return created

    def upgrade_tables(self, described: dict[str, TableSpec | None] | None = None) -> list[str]:
        """Add the GSIs and the TTL the specs name to existing tables that lack them (UpdateTable,
        UpdateTimeToLive; missing tables are create_tables' to make), waiting until each index is
        ACTIVE; idempotent, and safe to run from several processes at once. `described` holds the
        DescribeTable answers already at hand (None: describe it). Returns what it added, e.g.
        ["events: department-modified-index"]."""
        described = {name: (described or {}).get(name) or self._describe(name) for name in self.settings.table_names}
        added = []
        for spec in _specs(self.settings):
            if (table := described[spec["TableName"]]) is not None:
                added += [f"{spec['TableName']}: {index}" for index in self._add_missing_indexes(spec, table)]
        for name, attribute in time_to_live_specs(self.settings).items():
            if described[name] is not None and self._enable_time_to_live(name, attribute):
                added.append(f"{name}: TTL on {attribute}")
        for change in added:
            log.info("table upgraded: %s", change)
        return added

    def table_statuses(self, probe: bool = False) -> dict[str, str]:
        """Status of each table ("ACTIVE", "CREATING", ..., or "MISSING"), GSIs included; with
        probe, in one short attempt per table (the readiness probe answers within 2 s)."""
        client = self.client
        if probe:
            if self.probe_client is None:
                self.probe_client = make_client(self.settings, **PROBE_TIMEOUTS)
            client = self.probe_client
        return {name: self._table_status(name, client) or "MISSING" for name in self.settings.table_names}

    def _index_names(self, name: str) -> set[str]:
        return _gsi_names(self.client.describe_table(TableName=name)["Table"])

    def _add_missing_indexes(self, spec: TableSpec, table: TableSpec) -> list[str]:
        """Create each GSI of the spec the table (as described) lacks, one per UpdateTable as
        DynamoDB allows; returns them once the table and its indexes are ACTIVE."""
        name, added, present = spec["TableName"], [], _gsi_names(table)
        for gsi in self._with_billing(spec).get("GlobalSecondaryIndexes", []):
            while gsi["IndexName"] not in present:
                # One index at a time, as DynamoDB allows: another process may be adding one now
                # (DynamoDB Local takes a second at once and can leave it CREATING for good).
                self._wait_until_active(name)
                if gsi["IndexName"] in (present := self._index_names(name)):
                    break
                if self._add_index(spec, gsi):
                    added.append(gsi["IndexName"])
                self._wait_until_active(name)
                present = self._index_names(name)
        if not added and status_of(table) != "ACTIVE":  # an index another process is adding
            self._wait_until_active(name)
        return added

    def _add_index(self, spec: TableSpec, gsi: IndexSpec) -> bool:
        """UpdateTable creating the GSI; False when another process added it first or the table is busy."""
        name, keys = spec["TableName"], {k["AttributeName"] for k in gsi["KeySchema"]}
        try:
            self.client.update_table(
                TableName=name,
                AttributeDefinitions=[d for d in spec["AttributeDefinitions"] if d["AttributeName"] in keys],
                GlobalSecondaryIndexUpdates=[{"Create": gsi}],
            )
            return True
        except ClientError as exc:
            # Another process added this very index first ("already exists"), or the table
            # is busy with another update: wait, then look again.
            busy = error_code(exc) in ("ResourceInUseException", "LimitExceededException")
            if not busy and gsi["IndexName"] not in self._index_names(name):
                raise
            return False

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

    def _with_billing(self, spec: TableSpec) -> TableSpec:
        spec = spec.copy()
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

    def _describe(self, name: str, client=None) -> TableSpec | None:
        """The table's DescribeTable answer, None when it does not exist."""
        try:
            return (client or self.client).describe_table(TableName=name)["Table"]
        except ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException":
                return None
            raise

    def _table_status(self, name: str, client=None) -> str | None:
        table = self._describe(name, client)
        return None if table is None else status_of(table)
