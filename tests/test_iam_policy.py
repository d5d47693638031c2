"""The IAM policies of AWS_DEPLOYMENT_CONFIG.md: only the tables and indexes the code declares, and
the permissions the code's DynamoDB calls need. The whole session's calls are checked against them
by the dynamodb_recorder plugin; these tests check the pieces and that a mismatch fails a session."""
from __future__ import annotations

import copy
import os
import subprocess
import sys
import textwrap

import pytest

from config import BACKEND_DIR, PROJECT_DIR, Settings
from schema import table_specs
from support import dynamodb_recorder, iam_policy
from support.iam_policy import Need


def test_the_policies_name_only_declared_tables_and_indexes_and_explicit_actions():
    policies = iam_policy.load_policies()
    assert set(policies) == set(iam_policy.ROLES)
    declared = {spec["TableName"]: {gsi["IndexName"] for gsi in spec.get("GlobalSecondaryIndexes", [])}
                for spec in table_specs(Settings(table_prefix=iam_policy.DOC_PREFIX))}
    for role, policy in policies.items():
        assert policy["Version"] == "2012-10-17"
        for grant in iam_policy.grants(policy):
            assert grant.action.startswith("dynamodb:") and "*" not in grant.action, (role, grant)
            table, index = grant.table_part()
            assert table in declared and (index is None or index in declared[table]), (role, grant)
            assert grant.resource.startswith("arn:aws:dynamodb:ap-northeast-2:123456789012:table/"), grant


def test_what_users_do_through_the_api_needs_only_the_app_policy(client, make_department, make_event):
    department = make_department()
    event = make_event(department["id"])
    with dynamodb_recorder.capture() as needs:
        assert client.get("/api/departments").status_code == 200
        assert client.post("/api/departments", json={"name": department["name"]}).status_code == 409
        created = client.post("/api/departments", json={"name": "영업부"}).get_json()
        assert client.get(f"/api/departments/{created['id']}").status_code == 200
        assert client.get(f"/api/events/{department['id']}?from=2024-01-01&to=2024-12-31").status_code == 200
        assert client.post(f"/api/events/{created['id']}", json={"event_date": "2024-01-02", "title": "t"}
                           ).status_code == 201
        assert client.put(f"/api/events/{event['id']}", json={"title": "x"}, headers={"If-Match": '"9"'}
                          ).status_code == 412
        assert client.put(f"/api/events/{event['id']}", json={"title": "x"}).status_code == 200
        assert client.delete(f"/api/events/{event['id']}").status_code == 204
        assert client.delete(f"/api/departments/{created['id']}").status_code == 204
        assert client.get("/readyz").status_code == 200
    assert set(needs) == {"app"}  # every call was made while serving a request
    tables = {need.table for need in needs["app"]}
    assert {"BatchWriteItem", "ConditionCheckItem", "Query", "DescribeTable"} <= {n.action for n in needs["app"]}
    assert tables == {db_table for db_table in tables
                      if db_table.endswith(("departments", "events", "tokens", "idempotency", "sessions", "event_history"))}
    verdict = iam_policy.check(needs, iam_policy.load_policies())
    assert verdict.not_allowed == []


def _edited(change) -> dict:
    policies = copy.deepcopy(iam_policy.load_policies())
    change(policies)
    return policies


def test_the_check_names_a_missing_and_an_unused_permission():
    needs = {"app": {Need("GetItem", "t0123456789ab_departments"), Need("Query", "events", "department-date-index"),
                     Need("Scan", "restored_departments")}}
    assert iam_policy.check(needs, iam_policy.load_policies()).not_allowed == []

    def drop_get_item(policies):
        policies["app"]["Statement"][0]["Action"].remove("dynamodb:GetItem")
    verdict = iam_policy.check(needs, _edited(drop_get_item))
    assert verdict.not_allowed == [("app", Need("GetItem", "t0123456789ab_departments"))]

    def add_delete_table(policies):
        policies["app"]["Statement"][0]["Action"].append("dynamodb:DeleteTable")
    unused = iam_policy.check(needs, _edited(add_delete_table)).unused
    assert ("app", iam_policy.Grant("Departments", "dynamodb:DeleteTable",
                                    "arn:aws:dynamodb:ap-northeast-2:123456789012:table/prod_departments")) in unused

    others = {"app": {Need("Query", "t1_events"), Need("GetItem", "t1_audit"), Need("Query", "t1_events", "other-index"),
                      Need("CreateTable", "t1_events")}}
    assert [need for _, need in iam_policy.check(others, iam_policy.load_policies()).not_allowed] == [
        Need("CreateTable", "t1_events"), Need("GetItem", "t1_audit"), Need("Query", "t1_events", "other-index")]


def test_transactions_and_batches_need_the_permission_of_each_item():
    transaction = {"TransactItems": [
        {"ConditionCheck": {"TableName": "p_departments"}}, {"Put": {"TableName": "p_events"}},
        {"Update": {"TableName": "p_events"}}, {"Delete": {"TableName": "p_departments"}}]}
    assert list(iam_policy.needs_of("TransactWriteItems", transaction)) == [
        Need("ConditionCheckItem", "p_departments"), Need("PutItem", "p_events"), Need("UpdateItem", "p_events"),
        Need("DeleteItem", "p_departments")]
    assert list(iam_policy.needs_of("BatchWriteItem", {"RequestItems": {"p_events": []}})) == [
        Need("BatchWriteItem", "p_events")]
    assert list(iam_policy.needs_of("ListTables", {})) == [Need("ListTables", "*")]


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["one-process", "xdist"])
def test_a_session_whose_code_calls_outside_the_policy_fails(tmp_path, workers):
    """End to end: a test session in which the app deletes a table while serving a request; with
    pytest-xdist the call is made in a worker and the session's own process reports it."""
    if workers:
        pytest.importorskip("xdist")
    (tmp_path / "test_outside.py").write_text(textwrap.dedent("""
        import pytest
        from flask import Flask
        from config import Settings
        from models import DynamoDBDatabase

        def test_app_deletes_a_table_while_serving():
            settings = Settings(dynamodb_endpoint_url="http://127.0.0.1:9", dynamodb_max_attempts=1)
            db = DynamoDBDatabase(settings)
            with Flask("x").test_request_context():
                with pytest.raises(Exception):  # nothing listens there: the call is made, never answered
                    db.client.delete_table(TableName="x_departments")
    """))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(BACKEND_DIR), str(PROJECT_DIR / "tests")])}
    env.pop(dynamodb_recorder.DIR_VARIABLE, None)
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "support.dynamodb_recorder", "-q", "-p", "no:cacheprovider",
                             *workers, str(tmp_path / "test_outside.py")], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 passed" in result.stdout
    assert ("app: dynamodb:DeleteTable on x_departments (first by test_outside.py::"
            "test_app_deletes_a_table_while_serving) is not allowed") in result.stdout, result.stdout
