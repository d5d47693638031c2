"""caldav-server-tester (PyPI), the CalDAV library's own compatibility checker, run against a live
server on DynamoDB Local: every feature the department calendar declares supported
(backend/README.md, "caldav-server-tester") is found fully supported.

The tester lives in its own virtual environment (.venv-davtester, `make install`): its caldav>=3.6
brings urllib3-future, which breaks botocore in the project's .venv. It runs as a subprocess, on a
department calendar made for the run (this server has no MKCALENDAR), and reports each feature
as a Python dict (`--format hints`)."""
from __future__ import annotations

import ast
import os
import subprocess
from pathlib import Path

import pytest

from support.dav_helpers import department, new_token
from support.servers import start_live_server

pytestmark = [pytest.mark.live, pytest.mark.xdist_group("dav-server-tester"),
              pytest.mark.parametrize("dynamodb_server", ["dynamodb-local"], indirect=True)]

ROOT = Path(__file__).resolve().parents[1]
TESTER_PYTHON = ROOT / ".venv-davtester" / "bin" / "python"
RUN_TESTER = ROOT / "tests" / "support" / "caldav_server_tester_run.py"
RUN_SECONDS = 240
# What the department calendar declares supported (backend/README.md, "caldav-server-tester"):
# the tester must find each one fully supported.
DECLARED = (
    "auth.www-authenticate", "get-current-user-principal", "propfind", "propfind.allprop", "propfind.displayname",
    "propfind.principal-depth-1", "non-existing-raises-not-found.collection", "non-existing-raises-not-found.object",
    "save-load.event", "save-load.event.no-dtend", "save-load.event.timezone", "save-load.event.recurrences",
    "save-load.event.recurrences.count", "save-load.event.recurrences.exception",
    "save-load.event.recurrences.exception.reschedule", "save-load.get-by-url", "save-load.stable-url",
    "save-load.mutable", "save-load.mutable.if-match-optional", "save-load.mutable.if-match-wildcard",
    "save.if-none-match", "save.no-uid-conflict", "save.duplicate-event", "search.time-range.event",
    "search.time-range.event.old-dates", "search.unlimited-time-range", "search.comp-type", "sync-token.delete",
    "sync-token.invalid-token", "synchronous-write",
)


@pytest.fixture(scope="module")
def report(module_settings, tmp_path_factory):
    """{feature: {"support": ..., ...}} as the tester found them, and the calendar it used."""
    folder = tmp_path_factory.mktemp("dav-server-tester")
    served = start_live_server(module_settings, folder / "app.log")
    try:
        sales = department(served.url, "caldav-server-tester 부서")
        name, token = new_token(module_settings, "editor", [sales["id"]])
        run = subprocess.run(
            [str(TESTER_PYTHON), str(RUN_TESTER), "--caldav-url", f"{served.url}/dav/", "--caldav-username", name, "--caldav-password", token,
             "--caldav-calendar", sales["name"], "--format", "hints"],
            capture_output=True, text=True, timeout=RUN_SECONDS, cwd=folder,
            env={"PATH": os.environ["PATH"], "HOME": str(folder)})
    finally:
        served.stop()
    (folder / "tester.out").write_text(run.stdout + "\n--- stderr ---\n" + run.stderr)
    assert run.returncode == 0, run.stderr[-3000:]
    return ast.literal_eval(run.stdout[run.stdout.index("{"):])


def test_every_feature_we_declare_supported_passes(report):
    found = {feature: report.get(feature, {"support": "not checked"}) for feature in DECLARED}
    assert {f: info for f, info in found.items() if info.get("support", "full") != "full"} == {}


def test_what_we_do_not_do_is_reported_so_and_nothing_fails_on_the_server(report):
    """The tester ran through (a refusal of ours broke no check), and graded what this server
    leaves out as not supported rather than as broken."""
    assert report["create-calendar"]["support"] == "unsupported"  # MKCALENDAR refused
    assert report["save-load.todo"]["support"] == "unsupported"  # events only
    assert not [f for f, info in report.items() if info.get("support") == "broken"]
