"""/healthz and /readyz, as a load balancer and an operator see them."""
from __future__ import annotations

from app import create_app
from local.dynamodb_local import free_port
from models import DynamoDBDatabase


def test_healthz_is_200(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_is_200_when_every_table_is_active(client, settings):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["tables"] == dict.fromkeys(settings.table_names, "ACTIVE")


def test_readyz_is_503_naming_the_missing_table(client, db, settings):
    db.client.delete_table(TableName=settings.events_table)
    db.client.get_waiter("table_not_exists").wait(TableName=settings.events_table,
                                                   WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["error"] == "not_ready"
    assert f"{settings.events_table} is MISSING" in body["message"]
    assert "create_tables()" in body["message"]
    assert body["tables"][settings.departments_table] == "ACTIVE"
    db.create_tables()  # so the fixture can clean up


def test_readyz_is_503_when_dynamodb_does_not_answer(settings):
    dead = settings.with_overrides(dynamodb_endpoint_url=f"http://127.0.0.1:{free_port()}")
    client = create_app(dead, DynamoDBDatabase(dead)).test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["error"] == "dynamodb_unavailable"
    assert client.get("/healthz").status_code == 200
