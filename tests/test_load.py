"""bench/load.py in 10 seconds on `make run` and on gunicorn: no 5xx, every acknowledged write
readable, every socket got every broadcast of its room exactly once."""
from __future__ import annotations

import subprocess
import sys

from config import PROJECT_DIR


def test_short_load_run_passes_its_checks_on_both_servers(needs_dynamodb_local):
    result = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "bench" / "load.py"), "--server", "make-run,gunicorn", "--seconds", "10",
         "--clients", "10", "--sockets", "20", "--rooms", "4", "--sample-every", "1"],
        capture_output=True, text=True, timeout=600, cwd=PROJECT_DIR)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "make-run: PASS" in result.stdout and "gunicorn: PASS" in result.stdout
    assert "201:" in result.stdout  # writes happened, so the broadcast checks had something to check
