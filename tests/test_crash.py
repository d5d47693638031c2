"""A kill -9 of the app in the middle of writes loses no acknowledged write: every event that
got its 201 is readable, unchanged, from the restarted app."""
from __future__ import annotations

import os
import signal
import threading
import time
from urllib.parse import urlsplit

import requests

from support.live_helpers import http, token_for
from support.servers import start_live_server

WRITERS = 4


def _write_until_refused(url: str, department_id: str, acknowledged: list[dict], number: int) -> None:
    """POST events until the server is gone; keep each one answered 201."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token_for(url)}"
    for i in range(100_000):
        try:
            response = session.post(f"{url}/api/events/{department_id}",
                                    json={"event_date": "2024-03-01", "title": f"writer {number} #{i}"}, timeout=10)
        except requests.RequestException:
            return  # killed: whatever was in flight never got an answer
        if response.status_code == 201:
            acknowledged.append(response.json())


def test_kill_9_during_writes_loses_no_acknowledged_write(settings, db, make_department, tmp_path):
    department = make_department("crash")
    server = start_live_server(settings, tmp_path / "app.log")
    acknowledged: list[dict] = []
    writers = [threading.Thread(target=_write_until_refused, args=(server.url, department["id"], acknowledged, n))
               for n in range(WRITERS)]
    for writer in writers:
        writer.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 40 and time.monotonic() < deadline:
        time.sleep(0.05)

    os.killpg(server.process.pid, signal.SIGKILL)  # gunicorn's master and worker, mid-write
    server.process.wait()
    for writer in writers:
        writer.join(timeout=30)
    assert len(acknowledged) >= 40

    restarted = start_live_server(settings, tmp_path / "app.log", PORT=str(urlsplit(server.url).port))
    try:
        listed = http.get(f"{restarted.url}/api/events/{department['id']}", timeout=10)
        assert listed.status_code == 200
        stored = {event["id"]: event for event in listed.json()}
        missing = [event for event in acknowledged if stored.get(event["id"]) != event]
        assert missing == []
    finally:
        restarted.stop()
