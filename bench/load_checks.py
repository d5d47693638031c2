"""The parts of bench/load.py: HTTP clients that record every answer, an RSS sampler, and the
checks over what they and the sockets (load_sockets.py) recorded."""
from __future__ import annotations

import random
import threading
import time
from collections import Counter
from pathlib import Path

import requests

from load_sockets import SocketProcesses, SocketRecord, broadcast_key
from models import DynamoDBDatabase
from process_cpu import process_tree
from support.live_helpers import auth_headers

MAX_OWN_EVENTS = 10  # live events per HTTP client: with 50 clients, about 50 per room of 10
SHOWN_FAILURES = 20


def memory_and_threads(root: int) -> tuple[int, int]:
    """(resident bytes, threads) of root's process tree: the app's master and worker (or make run's)."""
    rss = threads = 0
    for pid in process_tree(root):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1]) * 1024
                elif line.startswith("Threads:"):
                    threads += int(line.split()[1])
        except OSError:
            pass
    return rss, threads


def memory_growth(samples: list[tuple[float, int, int]]) -> float:
    """Relative RSS growth over the last third of the run (samples are (seconds, RSS, threads))."""
    if len(samples) < 3:
        return 0.0
    third = samples[-1][0] * 2 / 3
    start = next(rss for seconds, rss, _ in samples if seconds >= third)
    return (samples[-1][1] - start) / start


class HttpClient:
    """One client thread: creates, reads, updates and deletes (its own events), recording all."""

    def __init__(self, url: str, rooms: list[str], seed: int):
        self.url, self.rooms = url, rooms
        self.random = random.Random(seed)
        self.session = requests.Session()
        self.session.headers.update(auth_headers(self.url))
        self.statuses: Counter = Counter()
        self.errors: list[str] = []
        self.events: dict[str, dict] = {}  # id -> last body written (None once deleted)
        # Events a write of which got no clear answer (5xx, transport error): it may or may not have
        # happened, so they are left alone and not compared at the end.
        self.uncertain: set[str] = set()
        self.writing: str | None = None
        self.broadcasts: dict[str, Counter] = {room: Counter() for room in rooms}

    def run(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            roll = self.random.random()
            own = [e for i, e in self.events.items() if e is not None and i not in self.uncertain]
            self.writing = None
            try:
                if roll < 0.2 and len(own) >= MAX_OWN_EVENTS:
                    self._delete(own[0])  # a steady data set, so a soak measures the app, not the data
                elif roll < 0.2 or not own:  # a calendar is read far more than written
                    self._create()
                elif roll < 0.9:
                    self._read()
                elif roll < 0.97:
                    self._update(self.random.choice(own))
                else:
                    self._delete(self.random.choice(own))
            except requests.RequestException as exc:
                self.errors.append(f"{type(exc).__name__}: {exc}")
                if self.writing:
                    self.uncertain.add(self.writing)

    def _record(self, response: requests.Response) -> bool:
        self.statuses[response.status_code] += 1
        if response.status_code >= 500 and self.writing:
            self.uncertain.add(self.writing)
        return response.ok

    def _create(self) -> None:
        room = self.random.choice(self.rooms)
        day = f"2024-03-{self.random.randint(1, 28):02d}"
        response = self.session.post(f"{self.url}/api/events/{room}", json={
            "event_date": day, "title": f"load {self.random.getrandbits(32):08x}", "description": "d" * 200},
            timeout=30)
        if self._record(response):
            event = response.json()
            self.events[event["id"]] = event
            self.broadcasts[room][broadcast_key("event_created", event)] += 1

    def _read(self) -> None:
        room = self.random.choice(self.rooms)
        self._record(self.session.get(f"{self.url}/api/events/{room}",
                                      params={"from": "2024-03-01", "to": "2024-03-31"}, timeout=30))

    def _update(self, event: dict) -> None:
        self.writing = event["id"]
        response = self.session.put(f"{self.url}/api/events/{event['id']}",
                                    json={"title": f"updated {self.random.getrandbits(32):08x}"},
                                    headers={"If-Match": f'"{event["version"]}"'}, timeout=30)
        if self._record(response):
            updated = response.json()
            self.events[updated["id"]] = updated
            self.broadcasts[updated["department_id"]][broadcast_key("event_updated", updated)] += 1

    def _delete(self, event: dict) -> None:
        self.writing = event["id"]
        response = self.session.delete(f"{self.url}/api/events/{event['id']}", timeout=30)
        if self._record(response):
            self.events[event["id"]] = None
            payload = {"id": event["id"], "department_id": event["department_id"]}
            self.broadcasts[event["department_id"]][broadcast_key("event_deleted", payload)] += 1


class LoadRun:
    """One server under the load of bench/load.py, and what it recorded."""

    def __init__(self, url: str, server_pid: int, settings, args):
        self.url, self.server_pid, self.args = url, server_pid, args
        db = DynamoDBDatabase(settings)
        self.rooms = [db.create_department(f"load room {i}")["id"] for i in range(args.rooms)]
        self.sockets = SocketProcesses(url, auth_headers(url), self.rooms, args.sockets, args.socket_processes)
        self.clients = [HttpClient(url, self.rooms, seed) for seed in range(args.clients)]
        self.samples: list[tuple[float, int, int]] = []  # (seconds, RSS bytes, threads)
        self.records: list[SocketRecord] = []
        self.seconds = 0.0

    def execute(self, seconds: float) -> list[str]:
        """Run the load for `seconds`; the failed checks."""
        self.sockets.start()
        started = time.monotonic()
        deadline = started + seconds
        threads = [threading.Thread(target=c.run, args=(deadline,)) for c in self.clients]
        for thread in threads:
            thread.start()
        while time.monotonic() < deadline:
            self.samples.append((time.monotonic() - started, *memory_and_threads(self.server_pid)))
            time.sleep(max(0.0, min(self.args.sample_every, deadline - time.monotonic())))
        self.samples.append((time.monotonic() - started, *memory_and_threads(self.server_pid)))
        for thread in threads:
            thread.join()
        self.seconds = time.monotonic() - started
        expected = self._expected_broadcasts()
        self.records = self.sockets.finish(expected)
        return self._check_answers() + self._check_readable() + self._check_sockets(expected, started)

    def _check_sockets(self, expected: dict[str, Counter], started: float) -> list[str]:
        """Exactly once per socket, and no socket disconnected; a count first, then the details."""
        problems = {r.index: r.problems(expected[r.room], started) for r in self.records}
        failed = [index for index, found in problems.items() if found]
        if not failed:
            return []
        details = [line for index in failed for line in problems[index]]
        more = f" (first {SHOWN_FAILURES} of {len(details)} below)" if len(details) > SHOWN_FAILURES else ""
        return [f"{len(failed)} of {len(self.records)} sockets did not get every broadcast of their room "
                f"exactly once over one connection{more}", *details[:SHOWN_FAILURES]]

    def _expected_broadcasts(self) -> dict[str, Counter]:
        expected = {room: Counter() for room in self.rooms}
        for client in self.clients:
            for room, counter in client.broadcasts.items():
                expected[room].update(counter)
        return expected

    def statuses(self) -> Counter:
        return sum((c.statuses for c in self.clients), Counter())

    def _check_answers(self) -> list[str]:
        failures = [f"{n} answers {status}" for status, n in sorted(self.statuses().items()) if status >= 500]
        errors = [e for c in self.clients for e in c.errors]
        if errors:
            failures.append(f"{len(errors)} transport errors, first: {errors[0]}")
        return failures

    def _check_readable(self) -> list[str]:
        written = {i: e for c in self.clients for i, e in c.events.items() if e is not None and i not in c.uncertain}
        stored = {}
        for room in self.rooms:
            response = requests.get(f"{self.url}/api/events/{room}", headers=auth_headers(self.url), timeout=60)
            stored.update({event["id"]: event for event in response.json()})
        wrong = [i for i, event in written.items() if stored.get(i) != event]
        return [f"{len(wrong)} of {len(written)} acknowledged events not readable as written"] if wrong else []

    def report(self, name: str) -> str:
        statuses = self.statuses()
        total = sum(statuses.values())
        rss = [s[1] / 2**20 for s in self.samples]
        disconnected = [r for r in self.records if r.disconnects]
        lines = [f"## {name}: {total} requests in {self.seconds:.0f} s ({total / max(self.seconds, 1e-9):.0f}/s), "
                 f"statuses {dict(sorted(statuses.items()))}",
                 f"   broadcasts received: {sum(sum(r.received.values()) for r in self.records)}; events "
                 f"left uncertain by a 5xx or transport error: {sum(len(c.uncertain) for c in self.clients)}",
                 f"   sockets: {len(self.records)} in {len(self.sockets.processes)} processes of their own; "
                 f"{len(disconnected)} disconnected ({sum(len(r.disconnects) for r in self.records)} disconnects, "
                 f"{sum(len(r.reconnects) for r in self.records)} reconnects); worst event loop lag in the "
                 f"socket processes {self.sockets.max_lag:.2f} s",
                 f"   RSS MiB: start {rss[0]:.1f}, end {rss[-1]:.1f}, max {max(rss):.1f}, "
                 f"last third {memory_growth(self.samples):+.1%}" if rss else "   RSS: no samples",
                 "   RSS MiB (threads) by time: " + ", ".join(
                     f"{t:.0f}s {r / 2**20:.0f} ({n})" for t, r, n in self.samples[::max(1, len(self.samples) // 12)])]
        return "\n".join(lines)
