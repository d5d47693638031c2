"""create_tables upgrades tables an older version created: the catch-up sync index, the index of
events spanning days and the TTL of tombstones are added (UpdateTable, UpdateTimeToLive) with the
data kept, once, idempotently."""
from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from botocore.exceptions import ClientError

from app import create_app
from models import DynamoDBDatabase
from rules.sync_tokens import new_token
from schema import departments_table_spec, utc_now_iso
from support.servers import make_settings

ALL_INDEXES = {"department-date-index": "ACTIVE", "department-modified-index": "ACTIVE",
               "department-span-index": "ACTIVE"}


def _old_events_spec(name: str) -> dict:
    """The events table as the seed (and every version before catch-up sync) created it."""
    return {
        "TableName": name,
        "AttributeDefinitions": [
            {"AttributeName": "id", "AttributeType": "S"},
            {"AttributeName": "department_id", "AttributeType": "S"},
            {"AttributeName": "event_date", "AttributeType": "S"},
        ],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"},
                      {"AttributeName": "department_id", "KeyType": "RANGE"}],
        "GlobalSecondaryIndexes": [{
            "IndexName": "department-date-index",
            "KeySchema": [{"AttributeName": "department_id", "KeyType": "HASH"},
                          {"AttributeName": "event_date", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"},
        }],
        "BillingMode": "PAY_PER_REQUEST",
    }


@pytest.fixture(scope="module")
def dynamodb_server(module_dynamodb_server):
    """A fresh server for this module: DynamoDB Local builds a new index in the background, and on
    a worker's shared server, late in a full run, it left the events table's new index CREATING past
    the tests' timeout (twice in CI runs of 2026-12-06; alone the module passes in 20 s)."""
    return module_dynamodb_server


@pytest.fixture
def old_db(dynamodb_server):
    """Tables created the old way (no department-modified-index, no TTL), holding a department
    with three events."""
    settings = make_settings(dynamodb_server.endpoint_url)
    db = DynamoDBDatabase(settings)
    for spec in (departments_table_spec(settings.departments_table), _old_events_spec(settings.events_table)):
        try:
            db.client.create_table(**{"BillingMode": "PAY_PER_REQUEST", **spec})
        except ClientError as exc:  # a retry of a CreateTable that timed out on a busy machine
            if exc.response["Error"]["Code"] != "ResourceInUseException":
                raise
    for name in (settings.departments_table, settings.events_table):
        db.client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1})
    yield db
    for name, status in db.table_statuses().items():
        if status != "MISSING":
            db.client.delete_table(TableName=name)


def _new_tables(db: DynamoDBDatabase) -> list[str]:
    """The tables this version adds beside the old two."""
    return sorted([db.settings.idempotency_table, db.settings.tokens_table, db.settings.sessions_table,
                   db.settings.history_table])


def _stored_events(db: DynamoDBDatabase, department_id: str) -> list[dict]:
    now = utc_now_iso()
    events = [{"id": f"00000000-0000-4000-8000-00000000000{n}", "department_id": department_id,
               "event_date": f"2024-05-0{n}", "title": f"old {n}", "description": "", "time": "", "url": "",
               "created_at": now, "last_modified": now, "version": 1} for n in range(1, 4)]
    db.put_events(events)
    return events


def _indexes(db: DynamoDBDatabase) -> dict[str, str]:
    table = db.client.describe_table(TableName=db.events_table)["Table"]
    return {gsi["IndexName"]: gsi.get("IndexStatus", "ACTIVE") for gsi in table["GlobalSecondaryIndexes"]}


def _ttl(db: DynamoDBDatabase) -> tuple[str, str | None]:
    description = db.client.describe_time_to_live(TableName=db.events_table)["TimeToLiveDescription"]
    return description["TimeToLiveStatus"], description.get("AttributeName")


def test_create_tables_adds_the_sync_index_and_ttl_to_old_tables_keeping_the_data(old_db):
    department = old_db.create_department("예전 부서")
    events = _stored_events(old_db, department["id"])
    assert "department-modified-index" not in _indexes(old_db)
    assert _ttl(old_db)[0] == "DISABLED"

    assert sorted(old_db.create_tables()) == _new_tables(old_db)  # the old two were kept

    assert _indexes(old_db) == ALL_INDEXES
    assert _ttl(old_db) == ("ENABLED", "expires_at")
    assert old_db.table_statuses() == dict.fromkeys(old_db.settings.table_names, "ACTIVE")
    # The new index holds the events written before it existed, and the month list is unchanged.
    # Items an older version wrote have no audit fields: they read as made by "system".
    events = [{**event, "created_by": "system", "updated_by": "system"} for event in events]
    assert old_db.event_changes(department["id"], "2000-01-01T00:00:00.000Z") == events
    assert old_db.list_events(department["id"]) == events


def test_upgrade_is_idempotent(old_db):
    assert sorted(old_db.upgrade_tables()) == [f"{old_db.events_table}: TTL on expires_at",
                                               f"{old_db.events_table}: department-modified-index",
                                               f"{old_db.events_table}: department-span-index"]
    assert sorted(old_db.create_tables()) == _new_tables(old_db)
    calls = []
    old_db.client.meta.events.register("before-send.dynamodb", lambda request, **_: calls.append(
        request.headers["X-Amz-Target"].decode().split(".")[-1]))
    assert old_db.upgrade_tables() == []
    assert old_db.create_tables() == []
    assert not {"CreateTable", "UpdateTable", "UpdateTimeToLive"} & set(calls), calls


def test_concurrent_upgrades_add_the_index_once_and_all_succeed(old_db):
    processes = [DynamoDBDatabase(old_db.settings) for _ in range(3)]
    results, errors = [], []

    def upgrade(db):
        try:
            results.append(db.create_tables())
        except Exception as exc:  # noqa: BLE001 - the assertion below shows it
            errors.append(exc)

    threads = [threading.Thread(target=upgrade, args=(db,)) for db in processes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == [] and sorted(sum(results, [])) == _new_tables(old_db)
    assert _indexes(old_db) == ALL_INDEXES
    assert _ttl(old_db) == ("ENABLED", "expires_at")


def test_sync_on_tables_not_yet_upgraded_is_503_saying_what_to_run(old_db):
    department = old_db.create_department("업그레이드 전")
    # The old version had no tokens table: this client needs none.
    client = create_app(old_db.settings.with_overrides(auth_mode="off"), old_db).test_client()
    listed = client.get(f"/api/events/{department['id']}")
    assert listed.status_code == 200  # month lists work before the upgrade
    url = f"/api/events/{department['id']}?changed_since={new_token(department['id'], datetime.now(UTC))}"

    response = client.get(url)

    assert response.status_code == 503
    body = response.get_json()
    assert body["error"] == "index_not_ready" and "make create-tables" in body["message"]
    assert response.headers["Retry-After"] == "1"
    old_db.create_tables()
    assert client.get(url).status_code == 200
