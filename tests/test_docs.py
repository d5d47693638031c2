"""The docs tell the truth: their commands run, their quoted messages are the real ones."""
from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess

import icalendar
import pytest
from openapi_spec_validator import validate

from app import create_app
from auth import TokenStore
from auth.tokens import token_hash
from config import PROJECT_DIR, Settings
from models import DynamoDBDatabase
from support.doc_blocks import NEWCOMER_SHELL, shell_commands
from support.faults import remove_aws_credentials, throttling_hook
from support.live_helpers import ADMIN_NAME, admin_token, token_for
from support.servers import UNCHECKABLE_TOKEN, authorized, make_settings

DOCS = ("README.md", "DYNAMODB_SETUP.md", "backend/README.md", "clients/csharp/README.md")

# Every shell command these docs show, and the test (or CI step) that runs it.
TESTED_COMMANDS = {
    "make run": "test_run_local.py::test_make_run_keeps_data_across_restarts_and_stops_dynamodb_local",
    "make test": ".ci/run",
    "make test-fast": ".ci/run (make test runs it first; test_layout.py::test_make_test_runs_the_fast_tier_first_and_once)",
    "make create-tables": "test_docs.py::test_make_create_tables",
    "cd backend": "test_run_local.py::test_seed_quick_start_from_backend",
    ". .venv/bin/activate": "test_run_local.py::test_seed_quick_start_from_backend",
    "export DYNAMODB_ENDPOINT_URL=http://localhost:8000": "test_run_local.py::test_seed_quick_start_from_backend",
    'python -c "from models import DynamoDBDatabase; db = DynamoDBDatabase(); db.create_tables()"':
        "test_run_local.py::test_seed_quick_start_from_backend",
    "flask run --host=0.0.0.0 --port=5000": "test_run_local.py::test_seed_quick_start_from_backend",
    "flask --app app tokens create --name admin --role admin": "test_run_local.py::test_seed_quick_start_from_backend",
    'curl -s "http://localhost:5000/api/departments/$DEPT/calendar.ics?token=$VIEWER_TOKEN"':
        "test_docs.py::test_backend_readme_feed_and_document_commands",
    "curl -s -o openapi.json http://localhost:5000/api/openapi.json":
        "test_docs.py::test_backend_readme_feed_and_document_commands",
    "cd clients/csharp": "test_csharp_client.py::built_client",
    "mcs -out:CalendarClient.exe -r:System.Net.Http.dll -r:System.Runtime.Serialization.dll src/*.cs":
        "test_csharp_client.py::built_client",
    'export CALENDAR_API_TOKEN="$(cat ../../.data/admin-token)"':
        "test_csharp_client.py::test_demo_does_what_the_desktop_client_does",
    "mono CalendarClient.exe --url http://localhost:5000 demo":
        "test_csharp_client.py::test_demo_does_what_the_desktop_client_does",
    "mono CalendarClient.exe --url http://localhost:5000 departments":
        "test_csharp_client.py::test_departments_create_event_and_month_commands_and_their_errors",
    'mono CalendarClient.exe --url http://localhost:5000 create-event "$DEPARTMENT_ID" 2024-03-07 "비품 점검" "오전 10:00"':
        "test_csharp_client.py::test_departments_create_event_and_month_commands_and_their_errors",
    'mono CalendarClient.exe --url http://localhost:5000 month "$DEPARTMENT_ID" 2024-03':
        "test_csharp_client.py::test_departments_create_event_and_month_commands_and_their_errors",
    'mono CalendarClient.exe --url http://localhost:5000 trash "$DEPARTMENT_ID"':
        "test_csharp_client.py::test_trash_restore_and_remove_from_trash_commands",
    'mono CalendarClient.exe --url http://localhost:5000 restore "$DEPARTMENT_ID" "$EVENT_ID"':
        "test_csharp_client.py::test_trash_restore_and_remove_from_trash_commands",
    'mono CalendarClient.exe --url http://localhost:5000 remove-from-trash "$DEPARTMENT_ID" "$OLD_EVENT_ID"':
        "test_csharp_client.py::test_trash_restore_and_remove_from_trash_commands",
    'mono CalendarClient.exe --url http://localhost:5000 search "회의" "$DEPARTMENT_ID"':
        "test_csharp_client.py::test_search_command_finds_words_as_people_type_them_through_every_page",
    'mono CalendarClient.exe --url http://localhost:5000 search "점검"':
        "test_csharp_client.py::test_search_command_finds_words_as_people_type_them_through_every_page",
}


# Walkthrough sections (<!-- test: NAME --> ... <!-- /test: NAME -->): their ```sh blocks run in one shell
# against a live server, and each ```http block after a command is the answer it must give.
WALKTHROUGHS = {("backend/README.md", name): "test_docs.py::test_backend_readme_walkthroughs"
                for name in ("api-walkthrough", "times-walkthrough", "series-walkthrough",
                                 "company-days-walkthrough")}
_SECTION = r"<!-- test: ([\w-]+) -->\n(.*?)<!-- /test: \1 -->"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")


def _walkthrough(doc: str, name: str) -> str:
    text = (PROJECT_DIR / doc).read_text(encoding="utf-8")
    return next(body for found, body in re.findall(_SECTION, text, flags=re.S) if found == name)


def _without_walkthroughs(text: str) -> str:
    return re.sub(_SECTION, lambda m: "" if (m.group(1) in {n for _, n in WALKTHROUGHS}) else m.group(0), text,
                  flags=re.S)


def _readme_block(name: str) -> str:
    readme = (PROJECT_DIR / "README.md").read_text()
    return re.search(rf"<!-- test: {name} -->\n```sh\n(.*?)```", readme, flags=re.S).group(1)


def _curl_walkthrough() -> str:
    return _readme_block("curl-walkthrough")


@pytest.mark.parametrize("doc", DOCS)
def test_every_documented_command_is_one_a_test_runs(doc):
    walkthroughs = (_curl_walkthrough(), _readme_block("token-walkthrough"))
    text = _without_walkthroughs((PROJECT_DIR / doc).read_text(encoding="utf-8"))
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        if block in walkthroughs:
            continue  # run by test_readme_curl_walkthrough and test_readme_token_walkthrough
        for command in shell_commands(block):
            assert command in TESTED_COMMANDS, f"{doc}: `{command}` is run by no test"


def test_readme_curl_walkthrough(live_server, tmp_path):
    token_file = tmp_path / "admin-token"  # what `make run` saves in .data/admin-token
    token_file.write_text(token_for(live_server.url) + "\n")
    script = _curl_walkthrough().replace("http://localhost:5000", live_server.url)
    script = script.replace("cat .data/admin-token", f"cat {token_file}")
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True,
                            timeout=60, check=True)
    created_json, listed_json = result.stdout.strip().splitlines()
    created, listed = json.loads(created_json), json.loads(listed_json)
    assert created["title"] == "주간 회의" and created["time"] == "오후 2:00"
    assert listed == [created]


def test_readme_token_walkthrough(tmp_path):
    """Typed as the README shows it, in a shell that has only what a fresh login has (the system's
    PATH, no AWS or service variables), against a DynamoDB Local standing in for `make run`'s."""
    from local.dynamodb_local import start_moto_server

    local = start_moto_server(log_file=tmp_path / "moto.log")
    try:
        settings = Settings(dynamodb_endpoint_url=local.endpoint_url)
        db = DynamoDBDatabase(settings)
        db.create_tables()
        department = db.create_department("영업부", "")
        script = _readme_block("token-walkthrough").replace("http://localhost:8000", local.endpoint_url)
        result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=PROJECT_DIR,
                                env={**NEWCOMER_SHELL, "HOME": str(tmp_path), "DEPT": department["id"]},
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
        token = next(line for line in lines if line.startswith("cal_"))
        assert any(line.startswith(f"sales-viewer\tviewer\t{department['id']}\t") for line in lines)
        assert token not in result.stdout.replace(token, "", 1)  # printed once, never listed
        assert "Revoked 'sales-viewer'" in result.stdout
        assert TokenStore(db).find(token_hash(token)) is None
    finally:
        local.stop()


def _responses(text: str) -> list[tuple[int, dict[str, str], str]]:
    """The HTTP answers in `curl -i` output (or in the doc's ```http blocks): status, headers, body."""
    answers = []
    for chunk in re.split(r"^(?=HTTP/1\.[01] \d{3})", text.replace("\r\n", "\n"), flags=re.M):
        if chunk.strip():
            head, _, body = chunk.partition("\n\n")
            status_line, *header_lines = head.splitlines()
            headers = dict(line.split(": ", 1) for line in header_lines)
            answers.append((int(status_line.split()[1]), headers, body.strip()))
    return answers


def _comparable(text: str) -> str:
    """Ids, timestamps and the admin token's name differ from run to run: the same placeholder for each."""
    return _TIMESTAMP.sub("<time>", _UUID.sub("<uuid>", text)).replace(f'"{ADMIN_NAME}"', '"local-admin"')


@pytest.mark.parametrize("name", [name for _, name in WALKTHROUGHS])
def test_backend_readme_walkthroughs(live_server, tmp_path, name):
    section = _walkthrough("backend/README.md", name)
    script = "\n".join(re.findall(r"```sh\n(.*?)```", section, flags=re.S))
    token_file = tmp_path / "admin-token"  # what `make run` saves in .data/admin-token
    token_file.write_text(token_for(live_server.url) + "\n")
    script = script.replace("http://localhost:5000", live_server.url).replace("cat .data/admin-token", f"cat {token_file}")
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", script],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    shown = _responses("\n".join(re.findall(r"```http\n(.*?)```", section, flags=re.S)))
    got = _responses(result.stdout)

    assert [status for status, _, _ in got] == [status for status, _, _ in shown]
    for (_, doc_headers, doc_body), (_, headers, body) in zip(shown, got, strict=True):
        assert set(doc_headers) <= set(headers), set(doc_headers) - set(headers)
        for name in set(doc_headers) - {"X-Next-Cursor", "Link"}:  # cursors differ from run to run
            assert _comparable(headers[name]) == _comparable(doc_headers[name]), name
        if "Link" in headers:
            assert headers["Link"] == f'<{headers["Link"][1:].split("cursor=")[0]}cursor={headers["X-Next-Cursor"]}>; rel="next"'
        if not doc_body:  # 204
            assert not body
            continue
        real, documented = json.loads(_comparable(body)), json.loads(_comparable(doc_body))
        if isinstance(documented, list):  # a page: which departments come first is storage order
            assert [sorted(item) for item in real] == [sorted(item) for item in documented]
        else:
            assert real == documented


def test_backend_readme_feed_and_document_commands(live_server, db, make_department, make_event, tmp_path):
    """The feed with a viewer token in the URL (as calendar apps fetch it); the document with no token."""
    block = re.search(r"<!-- test: feed-and-document -->\n```sh\n(.*?)```",
                      (PROJECT_DIR / "backend" / "README.md").read_text(), flags=re.S).group(1)
    department = make_department("영업부")
    event = make_event(department["id"], time="오후 2:00")
    viewer = TokenStore(db).create("outlook-sales", "viewer", [department["id"]])
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", block.replace("http://localhost:5000", live_server.url)],
                            capture_output=True, text=True, timeout=60, check=True, cwd=tmp_path,
                            env={**os.environ, "DEPT": department["id"], "VIEWER_TOKEN": viewer})
    feed = icalendar.Calendar.from_ical(result.stdout)
    assert [str(e["UID"]) for e in feed.walk("VEVENT")] == [event["id"]]
    validate(json.loads((tmp_path / "openapi.json").read_text()))


def test_make_create_tables(dynamodb_server):
    settings = make_settings(dynamodb_server.endpoint_url)
    env = {**os.environ, "DYNAMODB_ENDPOINT_URL": settings.dynamodb_endpoint_url,
           "TABLE_PREFIX": settings.table_prefix}
    subprocess.run(["make", "-s", "create-tables"], cwd=PROJECT_DIR, env=env, check=True, timeout=300)
    assert DynamoDBDatabase(settings).table_statuses() == dict.fromkeys(settings.table_names, "ACTIVE")


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
    client = authorized(create_app(settings, DynamoDBDatabase(settings)).test_client(), UNCHECKABLE_TOKEN)
    body = client.get("/api/departments").get_json()
    assert body["error"] == "aws_credentials_missing"
    assert _quoted_in_setup_doc(body["message"])


def test_setup_doc_quotes_the_missing_tables_message(dynamodb_server):
    settings = make_settings(dynamodb_server.endpoint_url, table_prefix="")
    client = authorized(create_app(settings, DynamoDBDatabase(settings)).test_client(), UNCHECKABLE_TOKEN)
    body = client.get("/api/events/00000000-0000-4000-8000-000000000000").get_json()
    assert body["error"] == "tables_missing"
    assert _quoted_in_setup_doc(body["message"])


def test_setup_doc_quotes_the_throttling_message(settings, db):
    token = admin_token(settings)
    hook, _ = throttling_hook(100)
    db.client.meta.events.register("before-send.dynamodb", hook)
    body = authorized(create_app(settings, db).test_client(), token).get("/api/departments").get_json()
    db.client.meta.events.unregister("before-send.dynamodb", hook)
    assert body["error"] == "dynamodb_throttled"
    assert _quoted_in_setup_doc(body["message"])


def _example_settings() -> dict[str, str]:
    lines = (PROJECT_DIR / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_env_example_lists_every_setting_the_code_reads():
    sources = "".join(p.read_text() for p in (PROJECT_DIR / "backend").rglob("*.py"))
    read = {f.metadata["env"] for f in dataclasses.fields(Settings)}
    read |= set(re.findall(r'_env(?:_number|_choice)?\("([A-Z_]+)"', sources))
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


# A route named in prose: `METHOD /path` up to the query, a space or the closing backquote.
ROUTE_IN_PROSE = re.compile(r"`(GET|POST|PUT|PATCH|DELETE) (/[^`?\s]*)")
ROUTE_DOCS = ("README.md", "backend/README.md", "clients/csharp/README.md", "DYNAMODB_SETUP.md")


@pytest.mark.parametrize("doc", ROUTE_DOCS)
def test_docs_name_each_route_as_api_docs_does(doc):
    """A route template in the docs is the one /api/docs shows (`/api/events/{id}`, not a name of its own)."""
    from contract.routes import ROUTES

    declared = {f"{route.method} {route.path}" for route in ROUTES}
    named = {f"{method} {path}" for method, path in ROUTE_IN_PROSE.findall((PROJECT_DIR / doc).read_text())
             if "{" in path}
    assert named and named <= declared, sorted(named - declared)
