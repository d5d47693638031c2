"""The ways a person starts the service: `make run`, and the seed's quick start from backend/."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from config import BACKEND_DIR, PROJECT_DIR, Settings
from local.dynamodb_local import free_port
from models import DynamoDBDatabase
from support.doc_blocks import NEWCOMER_SHELL, fenced_blocks, shell_commands
from support.servers import make_settings

SERVICE_ENV_VARS = ("DYNAMODB_ENDPOINT_URL", "TABLE_PREFIX", "PORT", "HOST", "SOCKETIO_ASYNC_MODE")


def _env(**values) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_ENV_VARS}
    env.update({k: str(v) for k, v in values.items()})
    return env


def _wait_for(url: str, process: subprocess.Popen, output: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"exited with {process.returncode}:\n{output.read_text()}")
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or a loaded machine
            time.sleep(0.2)
    pytest.fail(f"{url} never answered:\n{output.read_text()}")


def _port_is_closed(port: int, within: float = 15) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) != 0:
                return True
        time.sleep(0.1)
    return False


def _printed_tokens(output: Path) -> list[str]:
    """The admin tokens `make run` printed, in order (the line after "Admin token (...):")."""
    lines = output.read_text().splitlines()
    return [lines[i + 1] for i, line in enumerate(lines) if line.startswith("Admin token (")]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _start(command: list[str], env: dict, output: Path, cwd: Path = PROJECT_DIR) -> subprocess.Popen:
    with open(output, "ab") as out:
        return subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def _stop(process: subprocess.Popen, sig: int) -> int:
    if sig == signal.SIGINT:  # Ctrl-C reaches the whole foreground process group
        os.killpg(process.pid, signal.SIGINT)
    else:
        process.send_signal(sig)
    return process.wait(timeout=30)


def test_make_run_keeps_data_across_restarts_and_stops_dynamodb_local(tmp_path, needs_dynamodb_local):
    app_port, ddb_port = free_port(), free_port()
    env = _env(PORT=app_port, DYNAMODB_LOCAL_PORT=ddb_port, LOCAL_DATA_DIR=tmp_path / "data")
    base = f"http://127.0.0.1:{app_port}"
    output = tmp_path / "make-run.log"

    first = _start(["make", "-s", "run"], env, output)
    _wait_for(base + "/readyz", first, output)
    (token,) = _printed_tokens(output)
    assert f'curl -H "Authorization: Bearer {token}" http://127.0.0.1:{app_port}/api/departments' in output.read_text()
    token_file = tmp_path / "data" / "admin-token"
    assert token_file.read_text().strip() == token and token_file.stat().st_mode & 0o777 == 0o600
    assert requests.get(base + "/api/departments", timeout=10).status_code == 401
    department = requests.post(base + "/api/departments", json={"name": "재시작 테스트"}, headers=_bearer(token),
                               timeout=10).json()
    assert department["created_by"] == "local-admin"
    requests.post(f"{base}/api/events/{department['id']}", headers=_bearer(token),
                  json={"event_date": "2024-01-20", "title": "남아 있어야 함"}, timeout=10).raise_for_status()
    _stop(first, signal.SIGINT)  # make itself dies of the signal, like any Ctrl-C'd make
    assert _port_is_closed(ddb_port) and _port_is_closed(app_port)

    second = _start([sys.executable, "-m", "local.run"], env, output, cwd=BACKEND_DIR)
    _wait_for(base + "/readyz", second, output)
    assert _printed_tokens(output) == [token, token]  # the same token, shown again
    assert "Admin token (kept from an earlier start" in output.read_text()
    events = requests.get(f"{base}/api/events/{department['id']}", headers=_bearer(token), timeout=10).json()
    assert [e["title"] for e in events] == ["남아 있어야 함"]
    assert _stop(second, signal.SIGTERM) == 0
    assert _port_is_closed(ddb_port) and _port_is_closed(app_port)
    assert "DynamoDB Local on" in output.read_text()


def test_without_java_make_run_warns_and_falls_back_to_moto(tmp_path):
    no_java = tmp_path / "bin"
    no_java.mkdir()
    for tool in ("npm", "node", "make"):
        if shutil.which(tool):
            (no_java / tool).symlink_to(shutil.which(tool))
    app_port = free_port()
    env = _env(PORT=app_port, DYNAMODB_LOCAL_PORT=free_port(), LOCAL_DATA_DIR=tmp_path / "data",
               PATH=str(no_java))
    output = tmp_path / "run.log"

    process = _start([sys.executable, "-m", "local.run"], env, output, cwd=BACKEND_DIR)
    _wait_for(f"http://127.0.0.1:{app_port}/readyz", process, output)
    (token,) = _printed_tokens(output)
    created = requests.post(f"http://127.0.0.1:{app_port}/api/departments", json={"name": "moto"},
                            headers=_bearer(token), timeout=10)
    assert _stop(process, signal.SIGTERM) == 0

    assert created.status_code == 201
    log = output.read_text()
    assert "Java was not found" in log
    assert "NOTHING PERSISTS" in log


def test_with_an_endpoint_set_make_run_starts_no_local_dynamodb(tmp_path, dynamodb_server):
    settings = make_settings(dynamodb_server.endpoint_url)
    app_port, unused_port = free_port(), free_port()
    env = _env(PORT=app_port, DYNAMODB_ENDPOINT_URL=settings.dynamodb_endpoint_url,
               TABLE_PREFIX=settings.table_prefix, DYNAMODB_LOCAL_PORT=unused_port,
               LOCAL_DATA_DIR=tmp_path / "data")
    output = tmp_path / "run.log"

    process = _start([sys.executable, "-m", "local.run"], env, output, cwd=BACKEND_DIR)
    _wait_for(f"http://127.0.0.1:{app_port}/readyz", process, output)
    assert _port_is_closed(unused_port)
    assert _stop(process, signal.SIGTERM) == 0
    assert f"Using DYNAMODB_ENDPOINT_URL={settings.dynamodb_endpoint_url}" in output.read_text()
    assert DynamoDBDatabase(settings).table_statuses() == dict.fromkeys(settings.table_names, "ACTIVE")


def test_seed_quick_start_from_backend(tmp_path):
    """The README's quick start, typed as shown in a shell with only the system's PATH (no AWS or
    service variables), against a DynamoDB Local of its own; `flask run` stays up, so it runs last."""
    from local.dynamodb_local import start_moto_server

    local = start_moto_server(log_file=tmp_path / "moto.log")
    port = free_port()
    *setup, serve = shell_commands(_quick_start_block().replace("http://localhost:8000", local.endpoint_url))
    serve = serve.replace("--port=5000", f"--port={port}")
    env = {**NEWCOMER_SHELL, "HOME": str(tmp_path)}
    output = tmp_path / "quick-start.log"
    process = _start(["bash", "-euo", "pipefail", "-c", "\n".join([*setup, f"exec {serve}"])], env, output)
    try:
        _wait_for(f"http://127.0.0.1:{port}/readyz", process, output)
        token = next(line for line in output.read_text().splitlines() if line.startswith("cal_"))
        response = requests.post(f"http://127.0.0.1:{port}/api/departments", json={"name": "quick"},
                                 headers=_bearer(token), timeout=10)
        assert response.status_code == 201
        settings = Settings(dynamodb_endpoint_url=local.endpoint_url)
        assert [d["name"] for d in DynamoDBDatabase(settings).list_departments()] == ["quick"]
    finally:
        _stop(process, signal.SIGTERM)
        local.stop()


def _quick_start_block() -> str:
    return next(block for block in fenced_blocks(PROJECT_DIR / "README.md", "sh") if "flask run" in block)


def test_make_run_refuses_a_dynamodb_port_in_use_and_says_what_to_do(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = _env(PORT=free_port(), DYNAMODB_LOCAL_PORT=port, LOCAL_DATA_DIR=tmp_path / "data")
        result = subprocess.run([sys.executable, "-m", "local.run"], cwd=BACKEND_DIR, env=env,
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert f"Port {port} is already in use" in result.stderr
    assert f"DYNAMODB_ENDPOINT_URL=http://127.0.0.1:{port}" in result.stderr


def _dynamodb_local_pids(port: int) -> list[int]:
    """Processes started with `-port <port>` (DynamoDB Local's command line)."""
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if any(a == b"-port" and b == str(port).encode() for a, b in zip(args, args[1:], strict=False)):
            pids.append(int(cmdline.parent.name))
    return pids


def _wait_until(condition, seconds: float, message: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, message
        time.sleep(0.02)


def test_sigterm_while_dynamodb_local_starts_leaves_nothing_running(tmp_path, needs_dynamodb_local):
    ddb_port = free_port()
    env = _env(PORT=free_port(), DYNAMODB_LOCAL_PORT=ddb_port, LOCAL_DATA_DIR=tmp_path / "data")
    output = tmp_path / "run.log"
    process = _start([sys.executable, "-m", "local.run"], env, output, cwd=BACKEND_DIR)
    _wait_until(lambda: _dynamodb_local_pids(ddb_port), 30, "DynamoDB Local never started")

    assert _stop(process, signal.SIGTERM) == 0  # most likely while it waits for the port

    _wait_until(lambda: not _dynamodb_local_pids(ddb_port), 15, "DynamoDB Local is still running")
    assert _port_is_closed(ddb_port)
