"""The docs tell the truth: their commands run, their quoted messages are the real ones."""
from __future__ import annotations

import json
import os
import re
import subprocess

import pytest

from app import create_app
from config import PROJECT_DIR, Settings
from doc_blocks import fenced_blocks, shell_commands
from faults import remove_aws_credentials, throttling_hook
from models import DynamoDBDatabase
from servers import make_settings

DOCS = ("README.md", "DYNAMODB_SETUP.md", "backend/README.md", "clients/csharp/README.md")

# Every shell command these docs show, and the test (or CI step) that runs it.
TESTED_COMMANDS = {
    "make run": "test_run_local.py::test_make_run_keeps_data_across_restarts_and_stops_dynamodb_local",
    "make test": ".ci/run",
    "make create-tables": "test_docs.py::test_make_create_tables",
    "cd backend": "test_run_local.py::test_seed_quick_start_from_backend",
    'python -c "from models import DynamoDBDatabase; db = DynamoDBDatabase(); db.create_tables()"':
        "test_run_local.py::test_seed_quick_start_from_backend",
    "flask run --host=0.0.0.0 --port=5000": "test_run_local.py::test_seed_quick_start_from_backend",
    "cd clients/csharp": "test_csharp_client.py::built_client",
    "mcs -out:CalendarClient.exe -r:System.Net.Http.dll -r:System.Runtime.Serialization.dll src/*.cs":
        "test_csharp_client.py::built_client",
    "mono CalendarClient.exe --url http://localhost:5000 demo":
        "test_csharp_client.py::test_demo_does_what_the_desktop_client_does",
    "mono CalendarClient.exe --url http://localhost:5000 departments":
        "test_csharp_client.py::test_departments_create_event_and_month_commands_and_their_errors",
    'mono CalendarClient.exe --url http://localhost:5000 create-event "$DEPARTMENT_ID" 2024-03-07 "비품 점검" "오전 10:00"':
        "test_csharp_client.py::test_departments_create_event_and_month_commands_and_their_errors",
    'mono CalendarClient.exe --url http://localhost:5000 month "$DEPARTMENT_ID" 2024-03':
        "test_csharp_client.py::test_departments_create_event_and_month_commands_and_their_errors",
}


def _curl_walkthrough() -> str:
    readme = (PROJECT_DIR / "README.md").read_text()
    return re.search(r"<!-- test: curl-walkthrough -->\n```sh\n(.*?)```", readme, flags=re.S).group(1)


@pytest.mark.parametrize("doc", DOCS)
def test_every_documented_command_is_one_a_test_runs(doc):
    walkthrough = _curl_walkthrough()
    for block in fenced_blocks(PROJECT_DIR / doc, "sh"):
        if block == walkthrough:
            continue  # run by test_readme_curl_walkthrough
        for command in shell_commands(block):
            assert command in TESTED_COMMANDS, f"{doc}: `{command}` is run by no test"


def test_readme_curl_walkthrough(live_server):
    script = _curl_walkthrough().replace("http://localhost:5000", live_server.url)
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True,
                            timeout=60, check=True)
    created_json, listed_json = result.stdout.strip().splitlines()
    created, listed = json.loads(created_json), json.loads(listed_json)
    assert created["title"] == "주간 회의" and created["time"] == "오후 2:00"
    assert listed == [created]


def test_make_create_tables(dynamodb_server):
    settings = make_settings(dynamodb_server.endpoint_url)
    env = {**os.environ, "DYNAMODB_ENDPOINT_URL": settings.dynamodb_endpoint_url,
           "TABLE_PREFIX": settings.table_prefix}
    subprocess.run(["make", "-s", "create-tables"], cwd=PROJECT_DIR, env=env, check=True, timeout=300)
    assert DynamoDBDatabase(settings).table_statuses() == {
        settings.departments_table: "ACTIVE", settings.events_table: "ACTIVE"}


def test_readme_error_example_is_a_real_response(client, make_department):
    example = re.search(r"```json\n(\{\"error\": \"validation_error\".*?)\n```",
                        (PROJECT_DIR / "README.md").read_text(), flags=re.S).group(1)
    response = client.post(f"/api/events/{make_department()['id']}",
                           json={"event_date": "2024-01-20", "title": ""})
    assert response.get_json() == json.loads(example)


def _quoted_in_setup_doc(message: str) -> bool:
    return f"> {message}\n" in (PROJECT_DIR / "DYNAMODB_SETUP.md").read_text()


def test_setup_doc_quotes_the_missing_credentials_message(monkeypatch, tmp_path):
    remove_aws_credentials(monkeypatch, tmp_path)
    settings = Settings(dynamodb_max_attempts=1)
    body = create_app(settings, DynamoDBDatabase(settings)).test_client().get("/api/departments").get_json()
    assert body["error"] == "aws_credentials_missing"
    assert _quoted_in_setup_doc(body["message"])


def test_setup_doc_quotes_the_missing_tables_message(dynamodb_server):
    settings = make_settings(dynamodb_server.endpoint_url, table_prefix="")
    body = create_app(settings, DynamoDBDatabase(settings)).test_client().get(
        "/api/events/00000000-0000-4000-8000-000000000000").get_json()
    assert body["error"] == "tables_missing"
    assert _quoted_in_setup_doc(body["message"])


def test_setup_doc_quotes_the_throttling_message(settings, db):
    hook, _ = throttling_hook(100)
    db.client.meta.events.register("before-send.dynamodb", hook)
    body = create_app(settings, db).test_client().get("/api/departments").get_json()
    db.client.meta.events.unregister("before-send.dynamodb", hook)
    assert body["error"] == "dynamodb_throttled"
    assert _quoted_in_setup_doc(body["message"])


def _example_settings() -> dict[str, str]:
    lines = (PROJECT_DIR / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_env_example_lists_every_setting_the_code_reads():
    sources = "".join(p.read_text() for p in (PROJECT_DIR / "backend").rglob("*.py"))
    read = set(re.findall(r'_env(?:_number|_choice)?\("([A-Z_]+)"', sources))
    read |= set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', sources))
    read -= {"AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_PROFILE"}  # AWS's own variables
    assert read <= set(_example_settings()), read - set(_example_settings())


def test_env_example_values_are_the_defaults(monkeypatch):
    for name, value in _example_settings().items():
        monkeypatch.setenv(name, value)
    from_example = Settings.from_env()
    defaults = Settings()
    ignore = {"secret_key"}
    for field in defaults.__dataclass_fields__:
        if field not in ignore:
            assert getattr(from_example, field) == getattr(defaults, field), field
