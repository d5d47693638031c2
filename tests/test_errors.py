"""Every failure answers JSON {"error", "message"}; storage failures are 503s that say what to do."""
from __future__ import annotations

import json
import uuid

import pytest

from app import create_app
from config import Settings
from local.dynamodb_local import free_port
from models import DynamoDBDatabase
from support.faults import answer, remove_aws_credentials, server_error_hook, throttling_hook
from support.live_helpers import admin_token
from support.servers import UNCHECKABLE_TOKEN, api_client, authorized


@pytest.mark.parametrize(
    "data, content_type",
    [("not json", "application/json"), ("[1, 2]", "application/json"), ('"text"', "application/json"),
     ("", "application/json"), ("{'single': 'quotes'}", "application/json"),
     (b"\xff\xfe\x00", "application/json")],
)
def test_body_that_is_not_a_json_object_is_400(client, db, data, content_type):
    response = client.post("/api/departments", data=data, content_type=content_type)
    assert response.status_code == 400
    assert response.get_json()["error"] == "validation_error"
    assert db.list_departments() == []


def test_json_without_json_content_type_is_accepted(client):
    response = client.post("/api/departments", data='{"name": "curl default"}',
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 201


def test_body_over_one_mebibyte_is_413_json(client, db, make_department):
    department_id = make_department()["id"]
    body = '{"event_date": "2024-01-01", "title": "x", "description": "' + "a" * (1024 * 1024) + '"}'
    response = client.post(f"/api/events/{department_id}", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["error"] == "payload_too_large"
    assert db.client.scan(TableName=db.events_table)["Items"] == []


def test_unknown_route_and_wrong_method_are_json(client):
    missing = client.get("/api/nothing-here")
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"
    wrong = client.patch("/api/departments")
    assert wrong.status_code == 405 and wrong.get_json()["error"] == "method_not_allowed"
    assert b"<html" not in missing.data.lower() + wrong.data.lower()


def _app_for(settings: Settings):
    return authorized(create_app(settings, DynamoDBDatabase(settings)).test_client(), UNCHECKABLE_TOKEN)


def test_unreachable_endpoint_is_503_and_the_process_stays_up(settings):
    dead = settings.with_overrides(dynamodb_endpoint_url=f"http://127.0.0.1:{free_port()}")
    client = _app_for(dead)
    for path in ("/api/departments", f"/api/events/{uuid.uuid4()}"):
        response = client.get(path)
        assert response.status_code == 503
        body = response.get_json()
        assert body["error"] == "dynamodb_unreachable"
        assert "DYNAMODB_ENDPOINT_URL" in body["message"]
    assert client.get("/healthz").status_code == 200


def test_missing_tables_is_503_telling_to_create_them(settings):
    client = _app_for(settings)  # the `db` fixture is not used: no tables exist
    response = client.post("/api/departments", json={"name": "x"})
    assert response.status_code == 503
    body = response.get_json()
    assert body["error"] == "tables_missing"
    assert "create_tables()" in body["message"] and "make create-tables" in body["message"]

    DynamoDBDatabase(settings).create_tables()
    authorized(client, admin_token(settings))  # a token exists once the tables do
    assert client.post("/api/departments", json={"name": "x"}).status_code == 201


def test_missing_credentials_is_503_naming_the_iam_role(monkeypatch, tmp_path):
    remove_aws_credentials(monkeypatch, tmp_path)
    client = _app_for(Settings(dynamodb_endpoint_url=None, dynamodb_max_attempts=1))

    response = client.get("/api/departments")

    assert response.status_code == 503
    body = response.get_json()
    assert body["error"] == "aws_credentials_missing"
    assert "IAM role" in body["message"]


def test_throttling_is_retried_by_botocore_then_succeeds(settings, db):
    retrying = DynamoDBDatabase(settings.with_overrides(dynamodb_max_attempts=4))
    hook, calls = throttling_hook(2)
    retrying.client.meta.events.register("before-send.dynamodb.TransactWriteItems", hook)
    client = authorized(create_app(settings, retrying).test_client(), admin_token(settings))

    response = client.post("/api/departments", json={"name": "after throttling"})

    assert response.status_code == 201
    assert calls["throttled"] == 2
    assert db.get_department(response.get_json()["id"])["name"] == "after throttling"


def test_throttling_past_the_retries_is_503_with_retry_after_and_keeps_stored_data(settings, db, make_department):
    kept = make_department("kept")
    throttled = DynamoDBDatabase(settings.with_overrides(dynamodb_max_attempts=2))
    hook, _ = throttling_hook(10)
    throttled.client.meta.events.register("before-send.dynamodb", hook)
    client = authorized(create_app(settings, throttled).test_client(), admin_token(settings))

    response = client.delete(f"/api/departments/{kept['id']}")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    body = response.get_json()
    assert body["error"] == "dynamodb_throttled"
    assert "ProvisionedThroughputExceededException" in body["message"]
    assert db.get_department(kept["id"]) == kept


def test_unprocessed_items_that_never_clear_are_503_and_a_retry_finishes_the_delete(settings, db, make_department,
                                                                                      make_event):
    department = make_department("stuck")
    for day in range(1, 4):
        make_event(department["id"], event_date=f"2024-03-{day:02d}")
    stuck = DynamoDBDatabase(settings)

    def nothing_processed(request, **kwargs):
        return answer(request, 200, {"UnprocessedItems": json.loads(request.body)["RequestItems"]})

    stuck.client.meta.events.register("before-send.dynamodb.BatchWriteItem", nothing_processed)
    client = authorized(create_app(settings, stuck).test_client(), admin_token(settings))

    response = client.delete(f"/api/departments/{department['id']}")

    assert response.status_code == 503
    assert response.get_json()["error"] == "dynamodb_throttled"
    assert response.headers["Retry-After"] == "1"
    assert len(db.client.scan(TableName=db.events_table)["Items"]) == 3  # nothing lost meanwhile

    stuck.client.meta.events.unregister("before-send.dynamodb.BatchWriteItem", nothing_processed)
    assert client.delete(f"/api/departments/{department['id']}").status_code == 204
    assert db.client.scan(TableName=db.events_table)["Items"] == []


@pytest.mark.parametrize("path, raw, field", [
    ("/api/departments", r'{"name": "a\ud800b"}', "name"),
    ("/api/events/{department}", r'{"event_date": "2024-01-05", "title": "x", "description": "\udfff"}',
     "description"),
])
def test_lone_surrogate_escape_is_400_not_500(client, db, make_department, path, raw, field):
    department_id = make_department("surrogates")["id"]
    response = client.post(path.format(department=department_id), data=raw, content_type="application/json")
    assert response.status_code == 400
    assert field in response.get_json()["fields"]
    assert db.client.scan(TableName=db.events_table)["Items"] == []
    assert [d["name"] for d in db.list_departments()] == ["surrogates"]


def test_dynamodb_server_errors_past_the_retries_are_503_with_retry_after(settings, db):
    failing = DynamoDBDatabase(settings.with_overrides(dynamodb_max_attempts=2))
    internal_error, calls = server_error_hook()

    failing.client.meta.events.register("before-send.dynamodb.TransactWriteItems", internal_error)
    response = api_client(settings, failing).post("/api/departments", json={"name": "x"})

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert response.get_json()["error"] == "dynamodb_unavailable"
    assert "InternalServerError" in response.get_json()["message"]
    assert len(calls) > 1  # botocore retried it first
    assert db.list_departments() == []


@pytest.mark.parametrize("setting", [1, 3])
def test_dynamodb_max_attempts_is_the_total_number_of_attempts(settings, db, setting):
    """DYNAMODB_MAX_ATTEMPTS counts the first try (botocore's own max_attempts would add one)."""
    database = DynamoDBDatabase(settings.with_overrides(dynamodb_max_attempts=setting))
    internal_error, calls = server_error_hook()

    database.client.meta.events.register("before-send.dynamodb.Scan", internal_error)
    response = api_client(settings, database).get("/api/departments")

    assert response.status_code == 503
    assert len(calls) == setting


def test_readiness_probe_makes_a_single_attempt(settings, db):
    database = DynamoDBDatabase(settings)
    internal_error, calls = server_error_hook()

    database.table_statuses(probe=True)  # builds the probe client
    database.tables.probe_client.meta.events.register("before-send.dynamodb.DescribeTable", internal_error)
    response = create_app(settings, database).test_client().get("/readyz")

    assert response.status_code == 503
    assert len(calls) == 1  # the first table's one attempt fails the probe
