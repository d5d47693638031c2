"""A client that keeps syncing misses nothing while two app instances write at once."""
from __future__ import annotations

import random
import threading
import time

import pytest
import requests

from support.live_helpers import http
from support.servers import start_live_server

WRITERS = 4
OPERATIONS = 12  # per writer


def _call(method: str, url: str, **kwargs) -> requests.Response:
    """Every HTTP request of this module, with the live server's admin token."""
    return http.request(method, url, timeout=30, **kwargs)


def apply_changes(state: dict[str, dict], deleted: set[str], changes: list[dict]) -> None:
    """The client rule README.md documents: a tombstone removes the id for good (ids are never
    reused); an event replaces what the client has only when its version is higher."""
    for change in changes:
        if change.get("deleted"):
            state.pop(change["id"], None)
            deleted.add(change["id"])
        elif change["id"] not in deleted and change["version"] > state.get(change["id"], {}).get("version", 0):
            state[change["id"]] = change


def _writer(urls: list[str], department_id: str, seed: int, failures: list[str]) -> None:
    try:
        _write(urls, department_id, seed)
    except AssertionError as exc:
        failures.append(str(exc))


def _write(urls: list[str], department_id: str, seed: int) -> None:
    rng = random.Random(seed)
    mine: list[str] = []
    for n in range(OPERATIONS):
        url = urls[n % len(urls)]  # alternate instances
        if not mine or rng.random() < 0.5:
            response = _call("POST", f"{url}/api/events/{department_id}",
                             json={"event_date": f"2024-08-{n % 28 + 1:02d}", "title": f"w{seed}-{n}"})
            assert response.status_code == 201, response.text
            mine.append(response.json()["id"])
        elif rng.random() < 0.6:
            response = _call("PUT", f"{url}/api/events/{rng.choice(mine)}", json={"title": f"w{seed}-{n} 수정"})
            assert response.status_code == 200, response.text
        else:
            response = _call("DELETE", f"{url}/api/events/{mine.pop(rng.randrange(len(mine)))}")
            assert response.status_code == 204, response.text


@pytest.mark.live
@pytest.mark.parametrize("dynamodb_server", ["dynamodb-local"], indirect=True)
def test_a_client_that_keeps_syncing_ends_with_the_full_list(live_server, settings, make_department, tmp_path):
    second = start_live_server(settings, tmp_path / "second.log")
    try:
        urls = [live_server.url, second.url]
        department_id = make_department("동기화")["id"]
        first = _call("GET", f"{urls[0]}/api/events/{department_id}")
        state, deleted, token = {e["id"]: e for e in first.json()}, set(), first.headers["X-Sync-Token"]
        failures: list[str] = []
        writers = [threading.Thread(target=_writer, args=(urls, department_id, seed, failures))
                   for seed in range(WRITERS)]
        for writer in writers:
            writer.start()
        syncs = 0
        while any(writer.is_alive() for writer in writers) or syncs == 0:
            response = _call("GET", f"{urls[syncs % 2]}/api/events/{department_id}", params={"changed_since": token})
            assert response.status_code == 200, response.text
            apply_changes(state, deleted, response.json())
            token, syncs = response.headers["X-Sync-Token"], syncs + 1
            time.sleep(0.1)
        for writer in writers:
            writer.join()
        final = _call("GET", f"{urls[1]}/api/events/{department_id}", params={"changed_since": token})
        apply_changes(state, deleted, final.json())

        full = _call("GET", f"{urls[0]}/api/events/{department_id}").json()
        assert failures == [] and syncs > 1 and full
        assert sorted(state.values(), key=lambda e: e["id"]) == sorted(full, key=lambda e: e["id"])
    finally:
        second.stop()
