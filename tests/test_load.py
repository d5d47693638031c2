"""bench/load.py in 10 seconds on `make run` and on gunicorn: no 5xx, every acknowledged write
readable, every socket got every broadcast of its room exactly once; and a socket that dropped
fails that check even when it came back."""
from __future__ import annotations

import re
import subprocess
import sys
import time
from collections import Counter

from config import PROJECT_DIR
from support.live_helpers import auth_headers, http
from support.servers import start_live_server

sys.path.insert(0, str(PROJECT_DIR / "bench"))

from load_sockets import SocketProcesses, broadcast_key  # noqa: E402


def test_short_load_run_passes_its_checks_on_both_servers(needs_dynamodb_local):
    result = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "bench" / "load.py"), "--server", "make-run,gunicorn", "--seconds", "10",
         "--clients", "10", "--sockets", "20", "--rooms", "4", "--sample-every", "1"],
        capture_output=True, text=True, timeout=600, cwd=PROJECT_DIR)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "make-run: PASS" in result.stdout and "gunicorn: PASS" in result.stdout
    assert "201:" in result.stdout  # writes happened, so the broadcast checks had something to check
    assert "20 in 2 processes of their own; 0 disconnected (0 disconnects, 0 reconnects)" in result.stdout


def _connected_sockets(url: str) -> int:
    found = re.search(r"^calendar_socketio_connected_sockets (\S+)$", http.get(url + "/metrics", timeout=10).text,
                      re.MULTILINE)
    return int(float(found.group(1))) if found else 0


def test_a_socket_that_dropped_is_a_failure_even_after_it_reconnected(settings, make_department, live_server,
                                                                       tmp_path):
    room = make_department("drop")["id"]
    sockets = SocketProcesses(live_server.url, auth_headers(live_server.url), [room], count=2, processes=2)
    sockets.start()
    live_server.stop()  # the server goes away under its sockets, and comes back on the same port
    restarted = start_live_server(settings, tmp_path / "again.log", PORT=live_server.url.rsplit(":", 1)[1])
    try:
        deadline = time.monotonic() + 30
        while _connected_sockets(restarted.url) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(2)  # each joins its room again right after connecting
        event = http.post(f"{restarted.url}/api/events/{room}", json={"event_date": "2024-03-01", "title": "t"},
                          timeout=10).json()
        expected = Counter([broadcast_key("event_created", event)])
        records = sockets.finish({room: expected})
    finally:
        restarted.stop()

    for record in records:
        assert len(record.disconnects) == 1 and len(record.reconnects) == 1
        assert record.received == expected  # back in its room after the reconnect
        problems = record.problems(expected, time.monotonic())
        assert len(problems) == 1 and "disconnected at" in problems[0] and "reconnected at" in problems[0]
