"""AWS_DEPLOYMENT_CONFIG.md tells the truth: its commands run here, its template matches the code.

The CloudFormation template is linted with cfn-lint, compared with `models.table_specs()`
(the specs `create_tables` uses), and deployed with the doc's own `aws cloudformation deploy`
against moto. The doc's server commands start real gunicorn / eventlet processes, two of each
behind one Redis, and a socket on one sees a write made through the other.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cfnlint.decode import decode

from auth import TokenStore
from auth.tokens import token_hash
from config import PROJECT_DIR, Settings
from models import DynamoDBDatabase
from realtime import QUEUE_CHANNEL
from schema import table_specs, time_to_live_specs
from support.doc_blocks import documented_commands
from support.live_helpers import (
    SERVER_COMMANDS,
    WAIT,
    RedisServer,
    SocketClient,
    http,
    require_redis_server,
    start_shell_server,
    stop_all,
)
from support.servers import make_settings

DOC = PROJECT_DIR / "AWS_DEPLOYMENT_CONFIG.md"
TEMPLATE = PROJECT_DIR / "deploy" / "dynamodb-tables.yaml"
LINT = "cfn-lint deploy/dynamodb-tables.yaml"
DEPLOY = ("aws cloudformation deploy --template-file deploy/dynamodb-tables.yaml "
          "--stack-name calendar-tables --parameter-overrides TablePrefix=prod_")
SERVERS = SERVER_COMMANDS  # the realtime tests serve every async mode with these commands too
FIRST_ADMIN_TOKEN = ("cd backend",
                     "TABLE_PREFIX=prod_ flask --app app tokens create --name ops-admin "
                     "--role admin")
TESTED_COMMANDS = {LINT, DEPLOY, *SERVERS.values(), *FIRST_ADMIN_TOKEN}
TABLE_RESOURCES = ("DepartmentsTable", "EventsTable", "IdempotencyTable", "TokensTable", "SessionsTable", "EventHistoryTable")


def test_every_command_of_the_doc_is_one_a_test_runs():
    commands = documented_commands(DOC)
    assert set(commands) <= TESTED_COMMANDS, set(commands) - TESTED_COMMANDS
    assert set(commands) == TESTED_COMMANDS, f"no longer in the doc: {TESTED_COMMANDS - set(commands)}"


def _venv_env(**extra: str) -> dict[str, str]:
    venv_bin = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}", **extra}


# -- the CloudFormation template ----------------------------------------------------------------

def test_template_passes_cfn_lint():
    result = subprocess.run(["bash", "-c", LINT], cwd=PROJECT_DIR, env=_venv_env(), capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_cfn_lint_rejects_a_broken_template(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(TEMPLATE.read_text().replace("BillingMode: PAY_PER_REQUEST", "BillingMode: ON_DEMAND", 1))
    result = subprocess.run([str(Path(sys.executable).parent / "cfn-lint"), str(broken)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode != 0 and "ON_DEMAND" in result.stdout


def _template_tables() -> dict[str, dict]:
    template, problems = decode(str(TEMPLATE))
    assert problems == []
    return {name: template["Resources"][name] for name in TABLE_RESOURCES}


def test_template_tables_are_the_specs_create_tables_uses():
    # With TABLE_PREFIX "${TablePrefix}", table_specs() names the tables as the template's !Sub does.
    specs = {spec["TableName"]: spec for spec in table_specs(Settings(table_prefix="${TablePrefix}"))}
    tables = _template_tables()
    assert sorted(specs) == sorted(t["Properties"]["TableName"]["Fn::Sub"] for t in tables.values())
    for resource in tables.values():
        properties = resource["Properties"]
        spec = specs[properties["TableName"]["Fn::Sub"]]
        for key in ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes"):
            assert properties.get(key) == spec.get(key), (properties["TableName"], key)


def test_template_ttl_is_the_one_create_tables_enables():
    ttl = time_to_live_specs(Settings(table_prefix="${TablePrefix}"))
    for resource in _template_tables().values():
        properties = resource["Properties"]
        attribute = ttl.get(properties["TableName"]["Fn::Sub"])
        expected = {"AttributeName": attribute, "Enabled": True} if attribute else None
        assert properties.get("TimeToLiveSpecification") == expected, properties["TableName"]


def test_template_tables_are_on_demand_recoverable_encrypted_and_retained():
    for resource in _template_tables().values():
        properties = resource["Properties"]
        assert properties["BillingMode"] == "PAY_PER_REQUEST"
        assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert properties["SSESpecification"] == {"SSEEnabled": True}
        assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain"


@pytest.mark.parametrize("dynamodb_server", ["moto"], indirect=True)
def test_doc_deploy_command_creates_tables_the_app_uses(dynamodb_server):
    env = _venv_env(AWS_ENDPOINT_URL=dynamodb_server.endpoint_url, AWS_ACCESS_KEY_ID="test",
                    AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1")
    result = subprocess.run(["bash", "-c", DEPLOY], cwd=PROJECT_DIR, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr

    settings = make_settings(dynamodb_server.endpoint_url, table_prefix="prod_")
    db = DynamoDBDatabase(settings)
    try:
        assert db.table_statuses() == dict.fromkeys(settings.table_names, "ACTIVE")
        for spec in table_specs(settings):
            table = db.client.describe_table(TableName=spec["TableName"])["Table"]
            assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
            assert table["KeySchema"] == spec["KeySchema"]
            assert sorted(table["AttributeDefinitions"], key=str) == sorted(spec["AttributeDefinitions"], key=str)
            assert [(g["IndexName"], g["KeySchema"], g["Projection"]) for g in table.get("GlobalSecondaryIndexes", [])] \
                == [(g["IndexName"], g["KeySchema"], g["Projection"]) for g in spec.get("GlobalSecondaryIndexes", [])]
        # The stack made every index create_tables would add. moto's CloudFormation drops
        # TimeToLiveSpecification (moto/dynamodb/models/table.py create_from_cloudformation_json),
        # so only there may the TTL be left to create_tables; the template's TTL is checked above.
        assert all(change.endswith(": TTL on expires_at") for change in db.upgrade_tables())
        department = db.create_department("배포 확인")
        event = db.create_event(department["id"], {"event_date": "2024-03-05", "title": "t"})
        assert db.list_events(department["id"]) == [event]
        # The doc's first admin token, made in the deployed tables (moto answers for every region).
        made = subprocess.run(["bash", "-c", " && ".join(FIRST_ADMIN_TOKEN)], cwd=PROJECT_DIR, capture_output=True,
                              text=True, timeout=300, env=_venv_env(DYNAMODB_ENDPOINT_URL=dynamodb_server.endpoint_url))
        assert made.returncode == 0, made.stderr
        principal = TokenStore(db).find(token_hash(made.stdout.strip()))
        assert (principal.name, principal.role, principal.departments) == ("ops-admin", "admin", None)
    finally:
        for name in settings.table_names:
            db.client.delete_table(TableName=name)


# -- the servers --------------------------------------------------------------------------------

@pytest.mark.live
@pytest.mark.parametrize("dynamodb_server", ["moto"], indirect=True)
@pytest.mark.parametrize("mode", list(SERVERS))
def test_doc_server_command_serves_sockets_across_processes(mode, settings, db, tmp_path):
    """Two processes started with the doc's command, one Redis: a write on B reaches a socket on A."""
    require_redis_server()
    redis_server = RedisServer(tmp_path).start()
    processes, clients = [], []
    try:
        for name in ("a", "b"):
            processes.append(start_shell_server(SERVERS[mode], settings, tmp_path / f"{name}.log",
                                                SOCKETIO_MESSAGE_QUEUE=redis_server.url))
        a, b = processes
        department = http.post(f"{a.url}/api/departments", json={"name": f"deploy-{mode}"},
                                   timeout=WAIT).json()
        for url, transports in ((a.url, ("websocket",)), (b.url, ("polling",))):
            client = SocketClient(url, transports=transports)
            clients.append(client.connect())
            assert client.transport() == transports[0]
            assert client.join(department["id"]) == {"ok": True, "department_id": department["id"]}
        redis_server.wait_for_subscribers(QUEUE_CHANNEL, 2)

        response = http.post(f"{b.url}/api/events/{department['id']}",
                                 json={"event_date": "2024-03-05", "title": "배포"}, timeout=WAIT)

        assert response.status_code == 201
        for client in clients:
            assert client.next_event() == ("event_created", response.json())
    finally:
        for client in clients:
            client.close()
        stop_all(processes)
        redis_server.stop()



def test_gunicorn_config_refuses_eventlet_with_the_command_to_use():
    result = subprocess.run(["bash", "-c", SERVERS["gevent"]], cwd=PROJECT_DIR, capture_output=True,
                            text=True, timeout=60,
                            env=_venv_env(SOCKETIO_ASYNC_MODE="eventlet", PORT="1", HOST="127.0.0.1"))
    assert result.returncode != 0
    assert "python backend/wsgi.py" in result.stderr


_PATCHED_WHEN_BOTO3_LOADS = """
import importlib.abc, sys
class Spy(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "boto3":
            if {mode!r} == "gevent":
                from gevent.monkey import is_module_patched
            else:
                from eventlet.patcher import is_monkey_patched as is_module_patched
            print("boto3 imported; socket patched:", is_module_patched("socket"), flush=True)
        return None
sys.meta_path.insert(0, Spy())
import wsgi
"""


@pytest.mark.parametrize("mode", ["eventlet", "gevent"])
def test_production_entry_monkey_patches_before_boto3_is_imported(mode):
    env = _venv_env(SOCKETIO_ASYNC_MODE=mode)
    result = subprocess.run([sys.executable, "-c", _PATCHED_WHEN_BOTO3_LOADS.format(mode=mode)],
                            cwd=PROJECT_DIR / "backend", env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "boto3 imported; socket patched: True"
