"""What the operator's terminal shows: a progress bar on a terminal, none with --quiet or when the
output is not a terminal; the summary in every case."""
from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios

import pytest

from config import BACKEND_DIR
from support.migration_support import write_json

EVENTS = 2_000


def _command(tmp_path, *extra: str) -> list[str]:
    departments = write_json(tmp_path / "departments.json", [{"id": 1, "name": "개발팀"}])
    events = write_json(tmp_path / "calendar_events.json",
                        [{"id": i, "department_id": 1, "date": "2024-01-20", "title": f"일정 {i}"}
                         for i in range(EVENTS)])
    return [sys.executable, "migrate_to_dynamodb.py", "--departments", str(departments), "--events", str(events),
            "--report", str(tmp_path / "report.json"), "--id-map", str(tmp_path / "ids.json"),
            "--log-file", str(tmp_path / "migration.log"), *extra]


def _env(settings) -> dict[str, str]:
    return {**os.environ, "DYNAMODB_ENDPOINT_URL": settings.dynamodb_endpoint_url,
            "TABLE_PREFIX": settings.table_prefix}


@pytest.mark.parametrize("quiet", [False, True])
def test_progress_bar_on_a_terminal_unless_quiet(db, settings, tmp_path, quiet):
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a 100x24 terminal
    process = subprocess.Popen(_command(tmp_path, *(["--quiet"] if quiet else [])), cwd=BACKEND_DIR,
                               env=_env(settings), stdin=subprocess.DEVNULL, stdout=terminal, stderr=terminal)
    os.close(terminal)
    chunks = []
    while True:
        try:
            data = os.read(controller, 65536)
        except OSError:  # EIO: the process closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(controller)
    assert process.wait(timeout=120) == 0
    screen = b"".join(chunks).decode("utf-8", errors="replace")
    assert f"events: {EVENTS} read, {EVENTS} written" in screen
    assert (f"{EVENTS}/{EVENTS}" in screen) is not quiet
    assert ("INFO: writing" in screen) is not quiet


def test_no_progress_bar_when_not_a_terminal(db, settings, tmp_path):
    result = subprocess.run(_command(tmp_path), cwd=BACKEND_DIR, env=_env(settings), capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert f"{EVENTS}/{EVENTS}" not in result.stderr
    assert f"INFO: writing {EVENTS} events" in result.stderr
    assert f"events: {EVENTS} read, {EVENTS} written" in result.stdout
