"""The C# sample client (clients/csharp/), built and run as its README says, against a live server
with DynamoDB Local behind it: what it prints, and what the server holds afterwards."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from config import BACKEND_DIR, PROJECT_DIR
from support import live_helpers
from support.doc_blocks import NEWCOMER_SHELL, fenced_blocks
from support.live_helpers import ADMIN_NAME, IN_CI, auth_headers
from support.oidc_provider import sign_in
from support.servers import start_live_server

pytestmark = pytest.mark.parametrize("dynamodb_server", ["dynamodb-local"], indirect=True)

CLIENT_DIR = PROJECT_DIR / "clients" / "csharp"
README = CLIENT_DIR / "README.md"
DOC_URL = "http://localhost:5000"
MONO_TOOLS = ("mcs", "mono")


def _backend_sends(header: str) -> bool:
    return any(header in path.read_text() for path in BACKEND_DIR.rglob("*.py"))


# Paging (branch `paging`) and catch-up sync (branch `sync`) land separately; until the backend sends
# their headers the client must take its fallback path, and these tests check exactly that one.
PAGING = _backend_sends("X-Next-Cursor")
SYNC = _backend_sends("X-Sync-Token")
IDEMPOTENCY = _backend_sends("Idempotency-Key")

PAIR = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)')


def _require_mono() -> None:
    """Skip locally when Mono is missing; in CI (CI set) that is a failure, never a skip."""
    missing = [tool for tool in MONO_TOOLS if shutil.which(tool) is None]
    if not missing:
        return
    how = "`make test` installs it (make system-packages: apt-get install mono-mcs ...)"
    if IN_CI:
        pytest.fail(f"{' and '.join(missing)} not installed; {how}")
    pytest.skip(f"{' and '.join(missing)} not on PATH; {how}; CI runs this test")


def _client_env(server, **extra: str) -> dict[str, str]:
    """The environment the client runs in: the one place that says how it reaches the live server.
    Once auth lands, live_helpers.token_for names the server's admin token; the client sends it."""
    env = {**os.environ, **extra}
    token_for = getattr(live_helpers, "token_for", None)
    token = token_for(server.url) if token_for else None
    if token:
        env["CALENDAR_API_TOKEN"] = token
    return env


def _run_block(block: str, cwd: Path, server, **env: str) -> subprocess.CompletedProcess:
    """A README block typed in a fresh terminal (the system's PATH, nothing of the service) after
    the README's `export` of the token, with the server's admin token where `make run` saves it."""
    token_file = cwd.parent.parent / ".data" / "admin-token"  # cwd is a copy's clients/csharp/
    token_file.parent.mkdir(exist_ok=True)
    token_file.write_text(live_helpers.token_for(server.url) + "\n")
    exports = [line for line in fenced_blocks(README, "sh")[1].splitlines() if line.startswith("export ")]
    script = "\n".join([*exports, block]).replace(DOC_URL, server.url)
    fresh = {**NEWCOMER_SHELL, "HOME": str(cwd), **env}
    return subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=cwd, env=fresh,
                          capture_output=True, text=True, timeout=180)


def _unquote(value: str) -> str:
    if not value.startswith('"'):
        return value
    return re.sub(r"\\(.)", r"\1", value[1:-1])


def _lines(stdout: str) -> list[tuple[str, dict[str, str]]]:
    """Each printed `label: key=value ...` line as (label, {key: value})."""
    parsed = []
    for line in stdout.splitlines():
        label, _, rest = line.partition(": ")
        parsed.append((label, {key: _unquote(value) for key, value in PAIR.findall(rest)}))
    return parsed


def _only(lines, label: str) -> dict[str, str]:
    found = [fields for name, fields in lines if name == label]
    assert len(found) == 1, (label, found)
    return found[0]


def _all(lines, label: str) -> list[dict[str, str]]:
    return [fields for name, fields in lines if name == label]


@pytest.fixture(scope="module")
def built_client(tmp_path_factory) -> Path:
    """A copy of clients/csharp/ built by the README's first command block (run from the root of a
    copy of the project); returns the copy's clients/csharp/, where the README runs the client."""
    _require_mono()
    tmp_path = tmp_path_factory.mktemp("csharp")
    shutil.copytree(CLIENT_DIR, tmp_path / "clients" / "csharp", ignore=shutil.ignore_patterns("*.exe"))
    build = fenced_blocks(README, "sh")[0]
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", build], cwd=tmp_path, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    folder = tmp_path / "clients" / "csharp"
    assert (folder / "CalendarClient.exe").is_file()
    return folder


def _shown_time(event: dict) -> str:
    """The time as the client shows it (CalendarEvent.DisplayTime): start–end, else the free text, else 종일."""
    if event.get("start_time"):
        return "–".join(filter(None, (event["start_time"], event.get("end_time"))))
    return event.get("time") or "종일"


def _check_against_server(lines, db) -> None:
    """The department, every event printed, and the offline copy equal what DynamoDB holds."""
    shown = _only(lines, "department")
    stored = db.get_department(shown["id"])
    assert (shown["name"], shown["description"]) == (stored["name"], stored["description"])
    assert stored["name"].startswith("개발부 ") and stored["description"] == "데스크톱 클라이언트 예제 — 한글 설명"
    assert (shown["created_at"], shown["updated_at"], shown["kind"]) == (stored["created_at"], stored["updated_at"], "Utc")
    events = db.list_events(stored["id"])
    replica = _all(lines, "replica")
    assert [(e["id"], str(e["version"]), e["title"], _shown_time(e), e["event_date"], e["created_at"], e["last_modified"])
            for e in events] == [
        (r["id"], r["version"], r["title"], r["time"], r["date"], r["created_at"], r["last_modified"]) for r in replica]
    assert all(r["kind"] == "Utc" and r["department_id"] == stored["id"] for r in replica)


def test_demo_does_what_the_desktop_client_does(built_client, live_server, db):
    run = fenced_blocks(README, "sh")[1]
    result = _run_block(run, built_client, live_server)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = _lines(result.stdout)
    department_id = _only(lines, "department")["id"]

    assert [(line["count"], line.get("listed_new")) for line in _all(lines, "departments")] == [("0", None), ("1", "yes")]
    created = _all(lines, "created")
    assert [c["title"] for c in created] == [
        "주간 회의", "프로젝트 마감", '고객 미팅 "서울 본사"', "월말 정산", "4월 워크숍", "긴급 점검"]
    assert all(c["version"] == "1" and c["department_id"] == department_id for c in created)
    assert [c["etag"] for c in created[:5]] == ["1"] * 5  # the quoted ETag, "1"
    assert all(c["created_at"] == c["last_modified"] and c["kind"] == "Utc" for c in created)

    month = _only(lines, "month")
    assert (month["count"], month["pages"]) == ("4", "2" if PAGING else "1")
    assert [e["date"] for e in _all(lines, "month event")] == ["2024-03-04", "2024-03-12", "2024-03-20", "2024-03-31"]
    paged = _only(lines, "paged")
    assert (paged["pages"], paged["count"], paged["distinct"]) == ("3" if PAGING else "1", "5", "5")
    assert paged["sync_token"] == ("yes" if SYNC else "no")

    meeting = created[0]["id"]
    assert (_only(lines, "updated")["id"], _only(lines, "updated")["version"]) == (meeting, "2")
    conflict = _only(lines, "conflict")
    assert (conflict["status"], conflict["error"], conflict["current_version"]) == ("412", "precondition_failed", "2")
    # The 412 body carries the current event from branch `paging` on.
    assert (conflict["current"], conflict.get("title")) == (("sent", "주간 회의 (장소 변경)") if PAGING else ("none", None))
    assert (_only(lines, "retried")["id"], _only(lines, "retried")["version"]) == (meeting, "3")

    sync = _only(lines, "sync")
    if SYNC:
        # The update (v3) and the new event are new to the copy; the overlap may resend others.
        assert (sync["mode"], sync["removed"], sync["next_token"]) == ("changed_since", "1", "yes")
        assert int(sync["applied"]) == 2
    else:
        assert (sync["mode"], sync["applied"], sync["removed"]) == ("full_resync_no_token", "0", "0")

    # The deleted event waits in the trash; restored, it is back under its id and the copy catches up with it.
    closing = _only(lines, "deleted")["id"]
    assert (_only(lines, "trash")["count"], _only(lines, "trash")["pages"]) == ("1", "1")
    trashed = _only(lines, "trashed")
    assert (trashed["id"], trashed["date"], trashed["title"], trashed["deleted_by"]) == (
        closing, "2024-03-31", "월말 정산", ADMIN_NAME)
    assert trashed["deleted_at"] > trashed["last_modified"]
    restored = _only(lines, "restored")
    assert (restored["id"], restored["title"], restored["version"], restored["etag"]) == (closing, "월말 정산", "3", "3")
    again = _only(lines, "sync after restore")
    if SYNC:
        assert (again["mode"], again["applied"], again["removed"]) == ("changed_since", "1", "0")
    assert closing in [r["id"] for r in _all(lines, "replica")]
    assert (_only(lines, "search")["q"], _only(lines, "search")["count"]) == ("정산", "1")
    assert [(f["id"], f["title"], f["version"]) for f in _all(lines, "found")] == [(closing, "월말 정산", "3")]

    _check_against_server(lines, db)
    events = {event["id"]: event for event in db.list_events(department_id)}
    assert len(events) == 6 and events[closing]["version"] == 3 and events[closing]["title"] == "월말 정산"
    assert events[meeting]["title"] == "주간 회의 (장소 변경)" and events[meeting]["version"] == 3
    assert events[meeting]["description"] == "충돌 뒤 다시 저장"
    assert events[created[1]["id"]]["description"] == "최종 보고서 제출\n담당: 김민수"
    assert events[created[2]["id"]]["url"] == "https://example.com/meetings/42"


def test_a_demo_run_replaces_the_department_an_earlier_run_left(built_client, live_server, db):
    demo = fenced_blocks(README, "sh")[1]
    first = _run_block(demo, built_client, live_server)
    second = _run_block(demo, built_client, live_server)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    earlier = _only(_lines(first.stdout), "department")["id"]
    assert _only(_lines(second.stdout), "removed")["id"] == earlier
    assert [d["id"] for d in db.list_departments()] == [_only(_lines(second.stdout), "department")["id"]]


def test_an_expired_sync_token_makes_the_client_read_everything_again(built_client, settings, db, tmp_path):
    # No tombstone is kept a whole day: every changed_since answers 410 sync_token_expired.
    server = start_live_server(settings, tmp_path / "app.log", SYNC_TOMBSTONE_DAYS="0")
    try:
        result = _run_block(fenced_blocks(README, "sh")[1], built_client, server)
    finally:
        server.stop()
    assert result.returncode == 0, result.stdout + result.stderr
    lines = _lines(result.stdout)
    sync = _only(lines, "sync")
    assert (sync["mode"], sync["applied"]) == ("full_resync_token_expired" if SYNC else "full_resync_no_token", "0")
    assert sync["next_token"] == ("yes" if SYNC else "no")
    assert _only(lines, "sync after restore")["mode"] == sync["mode"]
    _check_against_server(lines, db)


def test_departments_create_event_and_month_commands_and_their_errors(built_client, live_server, db, make_department, make_event):
    department = make_department("인사부", "채용과 교육")
    inside = make_event(department["id"], event_date="2024-03-05", title="신입 교육", time="오후 2:00")
    make_event(department["id"], event_date="2024-04-01", title="4월 행사")
    # Given both ways (as an old client could): the start and end win, as on the page and in the feed.
    timed = make_event(department["id"], event_date="2024-03-20", title="분기 회의", time="오후 2:00",
                       start_time="10:00", end_time="11:30")
    all_day = make_event(department["id"], event_date="2024-03-21", title="체육 대회")
    result = _run_block(fenced_blocks(README, "sh")[2], built_client, live_server, DEPARTMENT_ID=department["id"])
    assert result.returncode == 0, result.stdout + result.stderr
    lines = _lines(result.stdout)
    assert _only(lines, "department")["name"] == "인사부"
    assert _only(lines, "department")["created_at"] == department["created_at"]
    created = _only(lines, "created")
    assert (created["date"], created["title"], created["time"], created["version"]) == (
        "2024-03-07", "비품 점검", "오전 10:00", "1")
    assert [(e["id"], e["title"], e["time"], e["created_at"]) for e in _all(lines, "event")] == [
        (inside["id"], "신입 교육", "오후 2:00", inside["created_at"]),
        (created["id"], "비품 점검", "오전 10:00", created["created_at"]),
        (timed["id"], "분기 회의", "10:00–11:30", timed["created_at"]),
        (all_day["id"], "체육 대회", "종일", all_day["created_at"])]
    assert db.get_event(created["id"])["title"] == "비품 점검"

    client = ["mono", "CalendarClient.exe", "--url", live_server.url]
    missing = subprocess.run([*client, "month", "00000000-0000-4000-8000-000000000000", "2024-03"], cwd=built_client,
                             env=_client_env(live_server), capture_output=True, text=True, timeout=60)
    assert (missing.returncode, missing.stderr.strip()) == (
        1, "error: 404 not_found: department 00000000-0000-4000-8000-000000000000 not found")
    usage = subprocess.run([*client, "month", "not-a-uuid", "2024-03"], cwd=built_client,
                           env=_client_env(live_server), capture_output=True, text=True, timeout=60)
    assert usage.returncode == 2 and usage.stderr.startswith("usage: CalendarClient.exe")


def _delete_through_the_api(server, events: list[dict]) -> None:
    """DELETE each event through the API in turn, as another client would."""
    for event in events:
        answer = requests.delete(f"{server.url}/api/events/{event['id']}", headers=auth_headers(server.url), timeout=10)
        assert answer.status_code == 204, answer.text


def test_trash_restore_and_remove_from_trash_commands(built_client, live_server, db, make_department, make_event):
    department = make_department("재무부")["id"]
    older = [make_event(department, event_date="2024-02-01", title=f"지난 일정 {n}") for n in range(19)]
    kept, restored, removed = (make_event(department, event_date=day, title=title) for day, title in (
        ("2024-03-04", "예산 회의"), ("2024-03-05", "결산 보고"), ("2024-03-06", "감사 준비")))
    _delete_through_the_api(live_server, [*older, restored, removed])
    result = _run_block(fenced_blocks(README, "sh")[3], built_client, live_server, DEPARTMENT_ID=department,
                        EVENT_ID=restored["id"], OLD_EVENT_ID=removed["id"])
    assert result.returncode == 0, result.stdout + result.stderr
    lines = _lines(result.stdout)
    # 21 deleted events, newest first, in pages of 20 (the client follows X-Next-Cursor).
    assert (_only(lines, "trash")["count"], _only(lines, "trash")["pages"]) == ("21", "2")
    trashed = [(e["id"], e["title"], e["date"], e["deleted_by"]) for e in _all(lines, "trashed")]
    assert trashed[:2] == [(removed["id"], "감사 준비", "2024-03-06", ADMIN_NAME),
                           (restored["id"], "결산 보고", "2024-03-05", ADMIN_NAME)]
    assert [e[0] for e in trashed[2:]] == [e["id"] for e in reversed(older)]
    back = _only(lines, "restored")
    assert (back["id"], back["title"], back["date"], back["version"], back["etag"]) == (
        restored["id"], "결산 보고", "2024-03-05", "3", "3")
    assert _only(lines, "removed for good")["id"] == removed["id"]
    assert [(e["id"], e["version"]) for e in db.list_events(department)] == [(kept["id"], 1), (restored["id"], 3)]

    client = ["mono", "CalendarClient.exe", "--url", live_server.url]
    after = subprocess.run([*client, "trash", department], cwd=built_client, env=_client_env(live_server),
                           capture_output=True, text=True, timeout=60)
    assert after.returncode == 0, after.stderr
    assert (_only(_lines(after.stdout), "trash")["count"], _only(_lines(after.stdout), "trash")["pages"]) == ("19", "1")
    assert [e["id"] for e in _all(_lines(after.stdout), "trashed")] == [e["id"] for e in reversed(older)]
    gone = subprocess.run([*client, "restore", department, removed["id"]], cwd=built_client,
                          env=_client_env(live_server), capture_output=True, text=True, timeout=60)
    assert (gone.returncode, gone.stderr.strip()) == (1, f"error: 404 not_found: event {removed['id']} is not in the "
                                                         "department's trash (restored, removed, or deleted too long ago)")


def _api_search(server, **params) -> list[dict]:
    """Every page of GET /api/search (20 a page, as the client reads it), as the API answers it."""
    found, cursor = [], None
    while True:
        answer = requests.get(f"{server.url}/api/search", params={**params, "limit": 20, **({"cursor": cursor} if cursor else {})},
                              headers=auth_headers(server.url), timeout=10)
        assert answer.status_code == 200, answer.text
        found += answer.json()
        if (cursor := answer.headers.get("X-Next-Cursor")) is None:
            return found


def test_search_command_finds_words_as_people_type_them_through_every_page(built_client, live_server, db,
                                                                          make_department):
    sales, planning = make_department("영업부")["id"], make_department("기획부")["id"]
    weekly = db.create_event(sales, {"event_date": "2024-03-04", "title": "주간회의는 3층에서"})
    visit = db.create_event(sales, {"event_date": "2024-03-05", "title": "고객 방문", "time": "오후 2시, 대회의실"})
    db.create_event(sales, {"event_date": "2024-03-06", "title": "점심"})
    checks = [db.create_event(d, {"event_date": f"2024-04-{n:02d}", "title": f"장비 점검 {n}회차"})
              for n, d in enumerate([sales, planning] * 11, start=1)]
    result = _run_block(fenced_blocks(README, "sh")[4], built_client, live_server, DEPARTMENT_ID=sales)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = _lines(result.stdout)
    searches = [n for n, (label, _) in enumerate(lines) if label == "search"]
    assert [lines[n][1]["q"] for n in searches] == ["회의", "점검"]
    meeting, checking = lines[searches[0]:searches[1]], lines[searches[1]:]

    # "회의" finds "주간회의는" (inside a compound, a particle attached) and the time's "대회의실", in one department.
    assert {f["id"] for f in _all(meeting, "found")} == {weekly["id"], visit["id"]}
    assert [(f["id"], f["title"], f["time"]) for f in _all(meeting, "found")] == [
        (e["id"], e["title"], _shown_time(e)) for e in _api_search(live_server, q="회의", department=sales)]
    # Across every department, more results than one page holds: the client follows X-Next-Cursor.
    summary = _only(checking, "search")
    assert (summary["count"], int(summary["pages"]) > 1) == ("22", True)
    assert sorted(f["id"] for f in _all(checking, "found")) == sorted(e["id"] for e in checks)
    assert [f["id"] for f in _all(checking, "found")] == [e["id"] for e in _api_search(live_server, q="점검")]

    bad = subprocess.run(["mono", "CalendarClient.exe", "--url", live_server.url, "search", " , "], cwd=built_client,
                         env=_client_env(live_server), capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and bad.stderr.startswith("error: 400 "), bad.stderr


class AnswerLosingProxy:
    """A loopback HTTP proxy in front of a live server that forwards every request and drops the
    answer to the first POST (the connection closes with no reply), as a crash or a network cut would."""

    def __init__(self, target: str):
        self.posts: list[dict[str, str]] = []  # the headers of each POST that reached the server
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                answer = requests.request(self.command, target + self.path, data=body, headers=headers,
                                    timeout=30)
                if self.command == "POST":
                    proxy.posts.append(headers)
                    if len(proxy.posts) == 1:
                        self.close_connection = True
                        return
                self.send_response(answer.status_code)
                for name, value in answer.headers.items():
                    if name.lower() not in ("connection", "transfer-encoding", "content-encoding", "date", "server"):
                        self.send_header(name, value)
                self.end_headers()
                self.wfile.write(answer.content)

            do_GET = do_POST = do_PUT = do_DELETE = _forward

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_create_whose_answer_is_lost_is_retried_with_the_same_idempotency_key(built_client, live_server, db,
                                                                                  make_department):
    department = make_department("총무부")
    proxy = AnswerLosingProxy(live_server.url)
    try:
        result = subprocess.run(
            ["mono", "CalendarClient.exe", "--url", proxy.url, "create-event", department["id"], "2024-03-07",
             "비품 점검", "오전 10:00"],
            cwd=built_client, env=_client_env(live_server), capture_output=True, text=True, timeout=120)
    finally:
        proxy.stop()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "retrying with the same Idempotency-Key" in result.stderr
    keys = [headers.get("Idempotency-Key") for headers in proxy.posts]
    assert len(keys) == 2 and keys[0] == keys[1] and keys[0]
    shown = _only(_lines(result.stdout), "created")
    stored = db.list_events(department["id"])
    assert shown["title"] == "비품 점검" and shown["time"] == "오전 10:00"
    if IDEMPOTENCY:
        # The retry is answered with the first answer: one event, the one the client shows.
        assert [(e["id"], e["title"]) for e in stored] == [(shown["id"], "비품 점검")]
    else:
        # A server without Idempotency-Key support stores the retry again: why the header exists.
        assert len(stored) == 2 and shown["id"] in {e["id"] for e in stored}


def test_month_command_reads_the_occurrences_of_a_series(built_client, live_server, db, make_department):
    department = make_department("기획부")
    series = db.create_event(department["id"], {"event_date": "2024-03-04", "title": "주간 회의", "start_time": "09:00",
                                                "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=3"]})
    single = db.create_event(department["id"], {"event_date": "2024-03-05", "title": "단독"})
    result = subprocess.run(["mono", "CalendarClient.exe", "--url", live_server.url, "month", department["id"], "2024-03"],
                            cwd=built_client, env=_client_env(live_server), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert [(e["id"], e["date"], e["title"]) for e in _all(_lines(result.stdout), "event")] == [
        (f"{series['id']}_20240304", "2024-03-04", "주간 회의"), (single["id"], "2024-03-05", "단독"),
        (f"{series['id']}_20240311", "2024-03-11", "주간 회의"), (f"{series['id']}_20240318", "2024-03-18", "주간 회의")]


def test_a_personal_token_works_in_the_client_and_the_feed_as_its_person_until_revoked(built_client, settings, db,
                                                                                         provider, tmp_path):
    department = db.create_department("영업부", "")
    server = start_live_server(settings, tmp_path / "app.log", AUTH_CACHE_SECONDS="1", **provider.settings_env())
    try:
        person = sign_in(server.url, provider.add_person(["calendar-editors"], name="노은비"))
        origin = {"Origin": server.url}
        desktop = person.post(f"{server.url}/api/tokens", json={"name": "eunbi-desktop"}, headers=origin, timeout=10)
        feed = person.post(f"{server.url}/api/tokens", json={"name": "eunbi-feed", "role": "viewer"}, headers=origin,
                           timeout=10)
        client = ["mono", "CalendarClient.exe", "--url", server.url, "--token", desktop.json()["token"]]
        made = subprocess.run([*client, "create-event", department["id"], "2024-03-07", "고객 방문"], cwd=built_client,
                              capture_output=True, text=True, timeout=60)
        assert made.returncode == 0, made.stdout + made.stderr
        created = _only(_lines(made.stdout), "created")
        assert (created["title"], created["created_by"], created["updated_by"]) == ("고객 방문", "노은비", "노은비")
        feed_url = f"{server.url}/api/departments/{department['id']}/calendar.ics?token={feed.json()['token']}"
        calendar = requests.get(feed_url, timeout=10)
        assert calendar.status_code == 200 and "고객 방문" in calendar.text

        for name in ("eunbi-desktop", "eunbi-feed"):
            assert person.delete(f"{server.url}/api/tokens/{name}", headers=origin, timeout=10).status_code == 204
        refused = subprocess.run([*client, "month", department["id"], "2024-03"], cwd=built_client,
                                 capture_output=True, text=True, timeout=60)
        assert refused.returncode == 1 and refused.stderr.startswith("error: 401"), refused.stderr
        assert requests.get(feed_url, timeout=10).status_code == 401
    finally:
        server.stop()
