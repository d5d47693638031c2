"""pytest plugin: records every DynamoDB permission the test session's code needs, and at the end
checks them against the IAM policies of AWS_DEPLOYMENT_CONFIG.md (tests/support/iam_policy.py).

Every botocore session made in a test process gets a `before-parameter-build.dynamodb` hook (through
botocore's list of built-in handlers), so every client sees it, whoever builds it. A call is
attributed to a role by where it comes from:
- `app`: made while Flask handles a request (REST, or a Socket.IO handler);
- `operator`: made by the backend's code outside a request (create_tables, migration, export, CLIs);
- nothing: made by the test's own set-up or clean-up straight through a client (deleting tables).
Processes the tests start (live servers, subprocess CLIs) run the same code and are not recorded.

Each test process (each pytest-xdist worker too) appends what it recorded to its own file in a
directory shared by the session; the process that ran the session reads them all at its end:
- every recorded need must be allowed by its role's policy (any run, any selection, any order);
- after a complete run (no paths, -k or -m given; nothing failed) every permission of a policy must
  have been used by some test: the policies hold nothing more than the code needs.
A mismatch is printed under "DynamoDB permissions" and fails the session.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import botocore.handlers
import pytest

from config import BACKEND_DIR
from support import iam_policy

DIR_VARIABLE = "CALENDAR_TEST_DYNAMODB_RECORD_DIR"
_seen: set[tuple[str, iam_policy.Need]] = set()
_file: Path | None = None
_BACKEND = str(BACKEND_DIR) + os.sep
_REPORT = pytest.StashKey[list[str]]()
_captures: list[dict[str, set[iam_policy.Need]]] = []


@contextmanager
def capture() -> Iterator[dict[str, set[iam_policy.Need]]]:
    """{role: needs} of the calls made inside the block (recorded for the session as well)."""
    needs: dict[str, set[iam_policy.Need]] = {}
    _captures.append(needs)
    try:
        yield needs
    finally:
        _captures.remove(needs)


def _role() -> str | None:
    from flask import has_request_context

    if has_request_context():
        return "app"
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_filename.startswith(_BACKEND):
            return "operator"
        frame = frame.f_back
    return None


def _record(params: dict[str, Any], model: Any, **_kwargs: Any) -> None:
    role = _role()
    if role is None or _file is None:
        return
    needs = list(iam_policy.needs_of(model.name, params))
    for captured in _captures:
        captured.setdefault(role, set()).update(needs)
    new = [(role, need) for need in needs if (role, need) not in _seen]
    if not new:
        return
    _seen.update(new)
    test = os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" ", 1)[0]
    with _file.open("a", encoding="utf-8") as out:
        for role, need in new:
            out.write(json.dumps({"role": role, "action": need.action, "table": need.table,
                                  "index": need.index, "test": test}) + "\n")


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_configure(config: pytest.Config) -> None:
    global _file
    if not _is_worker(config):
        # Workers of pytest-xdist start after this and inherit the variable.
        os.environ[DIR_VARIABLE] = tempfile.mkdtemp(prefix="dynamodb-permissions-")
    directory = Path(os.environ[DIR_VARIABLE])
    _file = directory / f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.jsonl"
    botocore.handlers.BUILTIN_HANDLERS.append(("before-parameter-build.dynamodb", _record))


def read_records(directory: Path) -> tuple[dict[str, set[iam_policy.Need]], dict[iam_policy.Need, str]]:
    """({role: needs}, {need: the first test that needed it}) from every process's file."""
    recorded: dict[str, set[iam_policy.Need]] = {}
    first_test: dict[iam_policy.Need, str] = {}
    for path in sorted(directory.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            need = iam_policy.Need(row["action"], row["table"], row["index"])
            recorded.setdefault(row["role"], set()).add(need)
            first_test.setdefault(need, row["test"])
    return recorded, first_test


def _complete_run(session: pytest.Session) -> bool:
    option = session.config.option
    return (session.config.args_source == pytest.Config.ArgsSource.TESTPATHS and not option.keyword
            and not option.markexpr and not getattr(option, "deselect", None) and session.testsfailed == 0)


def report(verdict: iam_policy.Verdict, first_test: dict[iam_policy.Need, str], checked_unused: bool) -> list[str]:
    lines = [f"{role}: {need.describe()} (first by {first_test.get(need, '?')}) is not allowed by the "
             f"`{role}` policy in AWS_DEPLOYMENT_CONFIG.md" for role, need in verdict.not_allowed]
    lines += [f"{role}: the `{role}` policy grants {grant.action} on {grant.resource} (statement "
              f"{grant.sid}), which no test used" for role, grant in verdict.unused]
    if not lines:
        lines.append("every DynamoDB call of the session is allowed by the policies of AWS_DEPLOYMENT_CONFIG.md"
                     + (", and every permission they grant was used" if checked_unused else
                        " (unused permissions are checked after a complete run)"))
    return lines


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _is_worker(session.config):
        return
    directory = Path(os.environ[DIR_VARIABLE])
    try:
        recorded, first_test = read_records(directory)
        verdict = iam_policy.check(recorded, iam_policy.load_policies())
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    checked_unused = _complete_run(session)
    if not checked_unused:
        verdict.unused = []
    session.config.stash[_REPORT] = report(verdict, first_test, checked_unused)
    if verdict.not_allowed or verdict.unused:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    lines = config.stash.get(_REPORT, None)
    if lines:
        terminalreporter.section("DynamoDB permissions")
        for line in lines:
            terminalreporter.write_line(line)
