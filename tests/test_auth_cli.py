"""`flask --app app create-tables` and `tokens create|list|revoke`, run from backend/ as an operator
types them, against a live DynamoDB."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from auth import TokenStore
from auth.tokens import token_hash
from config import BACKEND_DIR
from models import DynamoDBDatabase
from support.doc_blocks import NEWCOMER_SHELL
from support.servers import make_settings

FLASK = str(Path(sys.executable).parent / "flask")


@pytest.fixture
def flask_cli(dynamodb_server):
    """Runs `flask --app app ...` from backend/ against fresh (not yet created) tables."""
    settings = make_settings(dynamodb_server.endpoint_url)
    env = {**os.environ, "DYNAMODB_ENDPOINT_URL": settings.dynamodb_endpoint_url,
           "TABLE_PREFIX": settings.table_prefix, "AWS_REGION": settings.aws_region}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([FLASK, "--app", "app", *args], cwd=BACKEND_DIR, env=env, capture_output=True,
                              text=True, timeout=180)

    run.settings = settings
    yield run
    db = DynamoDBDatabase(settings)
    for name, status in db.table_statuses().items():
        if status != "MISSING":
            db.client.delete_table(TableName=name)


def test_create_tables_then_tokens_create_list_revoke(flask_cli):
    created = flask_cli("create-tables")
    assert created.returncode == 0, created.stderr
    db = DynamoDBDatabase(flask_cli.settings)
    assert set(db.table_statuses().values()) == {"ACTIVE"}
    assert flask_cli("create-tables").stdout.strip() == "all tables exist already"
    department = db.create_department("개발팀")

    made = flask_cli("tokens", "create", "--name", "dev-viewer", "--role", "viewer", "--department", department["id"])
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert made.stdout == token + "\n" and token.startswith("cal_") and len(token) >= 43
    assert "shown only now" in made.stderr
    principal = TokenStore(db).find(token_hash(token))
    assert (principal.name, principal.role, principal.departments) == ("dev-viewer", "viewer",
                                                                       frozenset({department["id"]}))

    admin = flask_cli("tokens", "create", "--name", "ops", "--role", "admin").stdout.strip()
    listed = flask_cli("tokens", "list")
    assert listed.returncode == 0
    lines = listed.stdout.splitlines()
    assert lines[0].split("\t") == ["NAME", "ROLE", "DEPARTMENTS", "CREATED_AT"]
    assert [line.split("\t")[:3] for line in lines[1:]] == [["dev-viewer", "viewer", department["id"]],
                                                            ["ops", "admin", "*"]]
    for secret in (token, admin, token_hash(token), token_hash(admin)):
        assert secret not in listed.stdout + listed.stderr

    revoked = flask_cli("tokens", "revoke", "dev-viewer")
    assert revoked.returncode == 0 and "Revoked 'dev-viewer'" in revoked.stdout
    assert TokenStore(db).find(token_hash(token)) is None
    assert "dev-viewer" not in flask_cli("tokens", "list").stdout


def test_bad_token_commands_say_why_and_change_nothing(flask_cli):
    assert flask_cli("create-tables").returncode == 0
    assert flask_cli("tokens", "create", "--name", "taken", "--role", "editor").returncode == 0
    cases = [
        (("tokens", "create", "--name", "taken", "--role", "admin"), 1, "already exists"),
        (("tokens", "create", "--name", "x", "--role", "owner"), 2, "'owner' is not one of"),
        (("tokens", "create", "--name", "bad name!", "--role", "viewer"), 2, "--name"),
        (("tokens", "create", "--name", "y", "--role", "viewer", "--department", "nope"), 2, "existing department"),
        (("tokens", "create", "--name", "z", "--role", "viewer", "--department",
          "00000000-0000-4000-8000-000000000000"), 2, "existing department"),
        (("tokens", "revoke", "nobody"), 1, "no token named 'nobody'"),
    ]
    for args, code, message in cases:
        result = flask_cli(*args)
        assert (result.returncode, message in result.stderr) == (code, True), (args, result.stderr)
    names = [line.split("\t")[0] for line in flask_cli("tokens", "list").stdout.splitlines()[1:]]
    assert names == ["taken"]


# A fresh login shell on a laptop without AWS set up: AWS's own files and instance metadata are out of reach.
NO_AWS = {**NEWCOMER_SHELL, "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
          "AWS_EC2_METADATA_DISABLED": "true"}


@pytest.mark.parametrize("command", [("create-tables",), ("tokens", "list")], ids=" ".join)
@pytest.mark.parametrize("endpoint", ["unset", "nothing listening"])
def test_without_dynamodb_a_command_says_what_to_do_in_one_line(tmp_path, command, endpoint):
    from local.dynamodb_local import free_port

    env = {**NO_AWS, "HOME": str(tmp_path)}
    if endpoint != "unset":
        env["DYNAMODB_ENDPOINT_URL"] = f"http://127.0.0.1:{free_port()}"
    result = subprocess.run([FLASK, "--app", "app", *command], cwd=BACKEND_DIR, env=env, capture_output=True,
                            text=True, timeout=180)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    what_to_do = "set DYNAMODB_ENDPOINT_URL" if endpoint == "unset" else "Check DYNAMODB_ENDPOINT_URL"
    assert line.startswith("Error: DynamoDB at ") and what_to_do in line and line.endswith("Then run again.")
