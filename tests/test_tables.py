"""create_tables: the seed schema, billing modes, prefixes, and leaving existing tables alone."""
from __future__ import annotations

import uuid

from models import DynamoDBDatabase
from schema import idempotency_table_spec
from support.servers import make_settings


def _describe(db, name):
    return db.client.describe_table(TableName=name)["Table"]


def _keys(schema):
    return {k["AttributeName"]: k["KeyType"] for k in schema}


def _ttl(db, name):
    description = db.client.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    return description["TimeToLiveStatus"], description.get("AttributeName")


def test_tables_have_the_seed_keys_and_indexes(db, settings):
    departments = _describe(db, settings.departments_table)
    assert _keys(departments["KeySchema"]) == {"id": "HASH"}
    (name_index,) = departments["GlobalSecondaryIndexes"]
    assert name_index["IndexName"] == "name-index"
    assert _keys(name_index["KeySchema"]) == {"name": "HASH"}

    events = _describe(db, settings.events_table)
    assert _keys(events["KeySchema"]) == {"id": "HASH", "department_id": "RANGE"}
    indexes = {gsi["IndexName"]: gsi for gsi in events["GlobalSecondaryIndexes"]}
    assert sorted(indexes) == ["department-date-index", "department-modified-index", "department-span-index"]
    assert _keys(indexes["department-date-index"]["KeySchema"]) == {"department_id": "HASH", "event_date": "RANGE"}
    assert _keys(indexes["department-modified-index"]["KeySchema"]) == {
        "department_id": "HASH", "last_modified": "RANGE"}
    assert _keys(indexes["department-span-index"]["KeySchema"]) == {"department_id": "HASH", "last_date": "RANGE"}
    assert _ttl(db, settings.events_table) == ("ENABLED", "expires_at")
    for table in (departments, events):
        assert table["TableStatus"] == "ACTIVE"
        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


def test_idempotency_table_expires_records_through_ttl(db, settings):
    table = _describe(db, settings.idempotency_table)
    assert _keys(table["KeySchema"]) == {"id": "HASH"}
    ttl = db.client.describe_time_to_live(TableName=settings.idempotency_table)["TimeToLiveDescription"]
    assert ttl["TimeToLiveStatus"] in ("ENABLED", "ENABLING")
    assert ttl["AttributeName"] == "expires_at"


def test_create_tables_turns_on_ttl_for_an_idempotency_table_made_without_it(db, settings):
    db.client.delete_table(TableName=settings.idempotency_table)
    db.client.get_waiter("table_not_exists").wait(TableName=settings.idempotency_table)
    db.client.create_table(**{**idempotency_table_spec(settings.idempotency_table), "BillingMode": "PAY_PER_REQUEST"})
    db.client.get_waiter("table_exists").wait(TableName=settings.idempotency_table)
    assert db.create_tables() == []
    ttl = db.client.describe_time_to_live(TableName=settings.idempotency_table)["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) in (("ENABLED", "expires_at"), ("ENABLING", "expires_at"))


def test_create_tables_twice_creates_nothing_and_keeps_data(db, make_department):
    department = make_department("stays")
    assert db.create_tables() == []
    assert db.get_department(department["id"]) == department


def test_create_tables_on_up_to_date_tables_describes_each_table_once(db, settings):
    described = []
    db.client.meta.events.register("provide-client-params.dynamodb.DescribeTable",
                                   lambda params, **kwargs: described.append(params["TableName"]))
    assert db.create_tables() == []
    assert sorted(described) == sorted(settings.table_names)


def test_provisioned_billing_uses_10_and_10(dynamodb_server):
    settings = make_settings(dynamodb_server.endpoint_url, billing_mode="PROVISIONED")
    db = DynamoDBDatabase(settings)
    assert sorted(db.create_tables()) == sorted(settings.table_names)
    table = _describe(db, settings.events_table)
    throughput = table["ProvisionedThroughput"]
    assert (throughput["ReadCapacityUnits"], throughput["WriteCapacityUnits"]) == (10, 10)
    assert len(table["GlobalSecondaryIndexes"]) == 3
    for gsi in table["GlobalSecondaryIndexes"]:
        throughput = gsi["ProvisionedThroughput"]
        assert (throughput["ReadCapacityUnits"], throughput["WriteCapacityUnits"]) == (10, 10)


def test_table_prefix_keeps_environments_apart(dynamodb_server):
    run = uuid.uuid4().hex[:8]
    staging = DynamoDBDatabase(make_settings(dynamodb_server.endpoint_url, table_prefix=f"staging{run}_"))
    prod = DynamoDBDatabase(make_settings(dynamodb_server.endpoint_url, table_prefix=f"prod{run}_"))
    staging.create_tables()
    prod.create_tables()
    staging.create_department("only in staging")
    assert prod.list_departments() == []
    assert staging.table_statuses() == {f"staging{run}_{table}": "ACTIVE" for table in ("departments", "events", "idempotency", "tokens", "sessions", "event_history")}
