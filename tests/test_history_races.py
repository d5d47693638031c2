"""History and trash under requests arriving at the same moment, against a live app process over
HTTP on DynamoDB Local (moto does not serialise racing conditional writes: see test_concurrency.py),
and a restore seen live by another page's socket."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from support.live_helpers import http

pytestmark = [pytest.mark.parametrize("dynamodb_server", ["dynamodb-local"], indirect=True),
              pytest.mark.xdist_group("history")]

CLIENTS = 20


def _all_at_once(calls: list) -> list:
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def _history(url: str, department: str, event_id: str) -> list[dict]:
    answer = http.get(f"{url}/api/events/{department}/{event_id}/history?limit=1000", timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_history_holds_exactly_one_entry_per_change_under_twenty_concurrent_edits(live_server, make_department,
                                                                                   make_event):
    department = make_department()["id"]
    event = make_event(department, title="writer -")
    titles = [f"writer {i}" for i in range(CLIENTS)]
    statuses = _all_at_once([
        lambda title=title: http.put(f"{live_server.url}/api/events/{event['id']}", json={"title": title},
                                     timeout=60).status_code for title in titles])
    assert statuses == [200] * CLIENTS

    entries = list(reversed(_history(live_server.url, department, event["id"])))  # oldest first
    assert [(e["action"], e["version"]) for e in entries] == [
        ("created", 1), *(("updated", v) for v in range(2, CLIENTS + 2))]
    assert sorted(e["after"]["title"] for e in entries[1:]) == sorted(titles)  # each writer's change once
    for earlier, later in zip(entries, entries[1:], strict=False):  # each change starts where the last ended
        assert later["before"]["title"] == earlier["after"]["title"]


def test_a_restore_racing_removals_from_the_trash_is_resolved_once(live_server, make_department, make_event):
    department = make_department()["id"]
    event = make_event(department, title="경합")
    assert http.delete(f"{live_server.url}/api/events/{event['id']}", timeout=30).status_code == 204
    trash = f"{live_server.url}/api/departments/{department}/trash/{event['id']}"
    calls = [lambda: http.post(f"{trash}/restore", timeout=60) for _ in range(CLIENTS // 2)]
    calls += [lambda: http.delete(trash, timeout=60) for _ in range(CLIENTS // 2)]
    answers = _all_at_once(calls)

    statuses = [answer.status_code for answer in answers]
    assert sorted(statuses).count(404) == CLIENTS - 1, statuses
    winner = next(answer for answer in answers if answer.status_code != 404)
    actions = [e["action"] for e in _history(live_server.url, department, event["id"])]
    read = http.get(f"{live_server.url}/api/events/{department}/{event['id']}", timeout=30)
    if winner.status_code == 200:  # restored, once
        assert actions == ["restored", "deleted", "created"]
        assert read.status_code == 200 and read.json() == winner.json()
    else:  # removed for good, never restored
        assert winner.status_code == 204
        assert actions == ["deleted", "created"] and read.status_code == 404


def test_a_restored_event_is_broadcast_to_the_department_s_pages(live_server, sockets, make_department, make_event):
    department = make_department()["id"]
    event = make_event(department, title="돌아온 일정")
    page = sockets(live_server.url)
    assert page.join(department)["ok"] is True
    assert http.delete(f"{live_server.url}/api/events/{event['id']}", timeout=30).status_code == 204
    assert page.next_event() == ("event_deleted", {"id": event["id"], "department_id": department})

    restored = http.post(f"{live_server.url}/api/departments/{department}/trash/{event['id']}/restore", timeout=30)
    assert restored.status_code == 200
    assert page.next_event() == ("event_created", restored.json())
