"""Real Socket.IO clients and a real redis-server for the realtime tests (no test doubles)."""
from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
import socketio
import websocket
from botocore.exceptions import ClientError

from auth import TokenStore
from config import PROJECT_DIR, Settings
from local.dynamodb_local import free_port
from models import DynamoDBDatabase

IN_CI = bool(os.environ.get("CI"))
WAIT = 10.0  # seconds a test waits for an event before it fails

# The production server of each async mode, exactly as AWS_DEPLOYMENT_CONFIG.md shows it.
SERVER_COMMANDS = {
    "threading": "SOCKETIO_ASYNC_MODE=threading gunicorn -c backend/gunicorn.conf.py wsgi:app",
    "gevent": "gunicorn -c backend/gunicorn.conf.py wsgi:app",
    "eventlet": "SOCKETIO_ASYNC_MODE=eventlet python backend/wsgi.py",
}
# What `make run` starts once DynamoDB is there (backend/local/run.py): the gevent-mode server.
MAKE_RUN_SERVER = SERVER_COMMANDS["gevent"]
# `make run` itself, with DYNAMODB_ENDPOINT_URL set (so it starts no local DynamoDB).
MAKE_RUN = "cd backend && python -m local.run"

def raw_head(method: str, path: str, headers: dict[str, str] | None = None) -> bytes:
    """An HTTP/1.1 request line and headers, as bytes, ready for a raw socket."""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1",
             *(f"{name}: {value}" for name, value in (headers or {}).items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def read_until_closed(conn: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (or the socket's timeout)."""
    answer = b""
    while chunk := conn.recv(65536):
        answer += chunk
    return answer


# -- tokens: every live server a test starts gets an admin token, sent by `http` and SocketClient --

# base URL of a live server -> the admin token that `http` and SocketClient send it by default
SERVER_TOKENS: dict[str, str] = {}
# (endpoint, table prefix) -> the admin token created in those tables
ADMIN_NAME = "test-admin"  # created_by/updated_by of what tests write through the API
_ADMIN_TOKENS: dict[tuple[str | None, str], str] = {}


def admin_token(settings: Settings) -> str | None:
    """An admin token in the tables of these settings (one per table set), None while the
    tokens table does not exist."""
    key = (settings.dynamodb_endpoint_url, settings.table_prefix)
    if key not in _ADMIN_TOKENS:
        try:
            _ADMIN_TOKENS[key] = TokenStore(DynamoDBDatabase(settings)).create(
                ADMIN_NAME, "admin")
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
                raise
            return None
    return _ADMIN_TOKENS[key]


def token_for(url: str) -> str | None:
    """The token registered for the live server this URL points at, if any."""
    return next((token for base, token in SERVER_TOKENS.items() if url.startswith(base)), None)


def auth_headers(url: str) -> dict[str, str]:
    """`Authorization: Bearer` with the live server's admin token (none when it has none)."""
    token = token_for(url)
    return {"Authorization": f"Bearer {token}"} if token else {}


class Http:
    """`requests` calls to live servers, carrying each server's admin token unless the call
    sends its own Authorization header (route every raw HTTP call of a test through `http`)."""

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        token = token_for(url)
        if token and not any(k.lower() == "authorization" for k in headers):
            headers["Authorization"] = f"Bearer {token}"
        return requests.request(method, url, headers=headers, **kwargs)

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", url, **kwargs)

    def patch(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", url, **kwargs)


http = Http()
NO_TOKEN = ""  # SocketClient(url, token=NO_TOKEN) connects without one


class SocketClient:
    """A python-socketio client that records every server event in arrival order; it connects
    with the server's admin token unless given another `token`."""

    def __init__(self, url: str, transports: tuple[str, ...] = ("websocket",), token: str | None = None,
                 headers: dict[str, str] | None = None, **client_options: Any):
        self.url = url
        self.headers = headers or {}
        self.token = token_for(url) if token is None else token
        self.transports = list(transports)
        self.headers = headers or {}
        self.client = socketio.Client(**{"reconnection": False, **client_options})
        self.received: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.client.on("*", self._record)

    def _record(self, event: str, data: Any = None) -> None:
        self.received.put((event, data))

    def connect(self) -> SocketClient:
        auth = {"token": self.token} if self.token else None
        self.client.connect(self.url, transports=self.transports, wait_timeout=WAIT, auth=auth, headers=self.headers)
        return self

    def join(self, department_id: Any) -> Any:
        return self.client.call("join_department", {"department_id": department_id}, timeout=WAIT)

    def leave(self, department_id: Any) -> Any:
        return self.client.call("leave_department", {"department_id": department_id}, timeout=WAIT)

    def next_event(self, timeout: float = WAIT) -> tuple[str, Any]:
        """The next server event (name, payload); fails the test when none comes in time."""
        try:
            return self.received.get(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"no Socket.IO event within {timeout:.0f}s")

    def transport(self) -> str:
        return self.client.transport()

    def close(self) -> None:
        if self.client.connected:
            self.client.disconnect()
        # websocket-client leaks its socket when the server's close frame reaches the read thread
        # just before disconnect() calls ws.close() (close() then returns early), and the leak
        # surfaces later as a ResourceWarning in whatever test runs; shutdown() is idempotent.
        ws = getattr(self.client.eio, "ws", None)
        if ws is not None:
            ws.shutdown()


def assert_socket_still_hears(url: str, department_id: str, idle_seconds: float) -> None:
    """A socket joined to the department, idle for `idle_seconds`, still receives the next event."""
    client = SocketClient(url).connect()
    try:
        assert client.join(department_id)["ok"] is True
        time.sleep(idle_seconds)
        created = http.post(f"{url}/api/events/{department_id}",
                            json={"event_date": "2024-01-05", "title": "still listening"}, timeout=10).json()
        assert client.next_event() == ("event_created", created)
    finally:
        client.close()


def api_request(method: str, url: str, **kwargs: Any) -> requests.Response:
    """One HTTP request to a live server, with the server's admin token (see Http)."""
    return http.request(method, url, timeout=WAIT, **kwargs)


def open_raw_socket(url: str) -> websocket.WebSocket:
    """A raw Engine.IO/Socket.IO websocket, connected to the default namespace, for hostile tests
    that send what no well-behaved client would (the test holds and closes it itself)."""
    raw = websocket.create_connection(url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket",
                                      timeout=WAIT)
    assert raw.recv().startswith("0{")  # Engine.IO open
    raw.send("40" + json.dumps({"token": token_for(url)}))
    assert raw.recv().startswith("40")  # Socket.IO connect
    return raw


class RedisServer:
    """A throwaway `redis-server` on a free loopback port, nothing persisted."""

    def __init__(self, work_dir: Path, port: int | None = None):
        self.work_dir = work_dir
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> RedisServer:
        executable = shutil.which("redis-server")
        if executable is None:
            raise FileNotFoundError("redis-server")
        log = open(self.work_dir / f"redis-{self.port}.log", "ab")
        with log:
            self.process = subprocess.Popen(
                [executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--dir", str(self.work_dir)],
                stdout=log, stderr=subprocess.STDOUT,
            )
        client = self.client()
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                return self
            except redis.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"redis-server did not start on port {self.port}") from None
                time.sleep(0.05)

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=1)

    def wait_for_subscribers(self, channel: str, count: int, timeout: float = WAIT) -> None:
        """Until `count` app instances listen on the queue channel (each does after its first socket)."""
        client = self.client()
        deadline = time.monotonic() + timeout
        while dict(client.pubsub_numsub(channel)).get(channel.encode(), 0) < count:
            if time.monotonic() > deadline:
                pytest.fail(f"fewer than {count} instance(s) subscribed to {channel!r} in Redis")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def require_redis_server() -> None:
    """Skip locally when redis-server is missing; in CI (CI set) that is a failure, never a skip."""
    if shutil.which("redis-server"):
        return
    if IN_CI:
        pytest.fail("redis-server is not installed; `make test` installs it (make system-packages)")
    pytest.skip("redis-server not found on PATH (apt-get install redis-server); CI runs this test")


class ShellServer:
    """An app started by a shell command line, in its own process group (stopped as a whole)."""

    def __init__(self, process: subprocess.Popen, url: str, log_path: Path):
        self.process = process
        self.url = url
        self.log_path = log_path

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def start_shell_server(command: str, settings: Settings, log_path: Path, **env_overrides: str) -> ShellServer:
    """Run `command` with bash from the project root, as an operator would type it (venv active),
    configured through the environment; returns once /healthz answers."""
    port = int(env_overrides.get("PORT") or free_port())
    venv_bin = str(Path(sys.executable).parent)
    env = {
        **os.environ,
        "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}",
        "DYNAMODB_ENDPOINT_URL": settings.dynamodb_endpoint_url or "",
        "TABLE_PREFIX": settings.table_prefix,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "LOG_LEVEL": "WARNING",
        **env_overrides,
    }
    with open(log_path, "ab") as log_file:
        process = subprocess.Popen(["bash", "-c", command], env=env, cwd=PROJECT_DIR, stdout=log_file,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    server = ShellServer(process, f"http://127.0.0.1:{port}", log_path)
    token = admin_token(settings)
    if token:
        SERVER_TOKENS[server.url] = token
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"`{command}` exited early:\n{log_path.read_text()}")
        try:
            if requests.get(server.url + "/healthz", timeout=1).status_code == 200:
                return server
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or still booting
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"`{command}` did not serve within 30 s:\n{log_path.read_text()}")


def stop_all(servers: list) -> None:
    """Stop servers side by side: each may wait out its graceful timeout for open sockets."""
    threads = [threading.Thread(target=server.stop) for server in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def start_app(mode: str, settings: Settings, log_path: Path, **env_overrides: str) -> ShellServer:
    """The app served the production way for `mode` (see SERVER_COMMANDS)."""
    return start_shell_server(SERVER_COMMANDS[mode], settings, log_path, SOCKETIO_ASYNC_MODE=mode,
                              **env_overrides)
