"""What CI holds to: a test that would skip on a developer's machine fails there instead."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parent
BACKEND_DIR = TESTS_DIR.parent / "backend"


def _run_a_skipping_test(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess:
    (tmp_path / "test_skipping.py").write_text(
        "import pytest\n\ndef test_needs_a_tool():\n    pytest.skip('the tool is not installed')\n"
    )
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    if ci is not None:
        env["CI"] = ci
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS_DIR), str(BACKEND_DIR)])
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "conftest", "-q", "-p", "no:cacheprovider", "test_skipping.py"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )


def test_a_skip_is_a_failure_in_ci(tmp_path):
    result = _run_a_skipping_test(tmp_path, ci="1")
    assert result.returncode == 1, result.stdout
    assert "skipped in CI, where every test must run" in result.stdout
    assert "the tool is not installed" in result.stdout


def test_a_skip_stays_a_skip_on_a_developers_machine(tmp_path):
    result = _run_a_skipping_test(tmp_path, ci=None)
    assert result.returncode == 0, result.stdout
    assert "1 skipped" in result.stdout
