"""Capacity: what idle authenticated sockets cost one server process, and what REST sees meanwhile.

On loopback, against a DynamoDB Local of its own, the service served as `make run` and production
serve it (gunicorn, one gevent worker), and python-socketio's own asyncio server (aiohttp,
bench/peer_socketio.py) as the peer. Clients run in processes of their own (bench/capacity_clients.py,
up to 2,500 sockets each), so their cost stays out of the servers'.

1. For each level (0, 1,000, 5,000, 10,000 idle authenticated sockets, in 100 department rooms):
   month GET p50/p99 (sequential requests), the worker's RSS growth per socket since 0, and the
   connect rate of the sockets added. Then the peer's RSS per socket at the same levels, same clients.
   Month GET again once every socket is closed: the quicker of the two runs without sockets is the
   baseline of the REST target.
2. Fan-out, from the POST's answer to the last socket that got the event: at 10,000 sockets, a POST
   into each of the 100 rooms (100 sockets each); then 1,000 sockets in one room.

Targets (exit 1 when missed, unless --no-targets): month GET p99 with the most sockets within 1.5x
of none; fan-out to 1,000 p99 under 250 ms; at most 40 KB of server RSS per idle socket.
Usage: python bench/bench_capacity.py [--levels 0,1000,5000,10000] [--latency-samples 300]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "backend"))
sys.path.insert(0, str(ROOT / "tests"))

from bench_common import add_measure_arguments, main_on_dynamodb_local, percentile  # noqa: E402
from capacity_clients import ClientProcesses, raise_open_files_limit  # noqa: E402
from config import Settings  # noqa: E402
from models import DynamoDBDatabase  # noqa: E402
from support.live_helpers import SERVER_COMMANDS, ShellServer, admin_token, start_shell_server  # noqa: E402

ROOMS = 100
MONTH = "from=2024-03-01&to=2024-03-31"
MONTH_EVENTS = 30
REST_LIMIT = 1.5
FANOUT_P99_LIMIT_MS = 250
KB_PER_SOCKET_LIMIT = 40
PEER_COMMAND = "python bench/peer_socketio.py"


def serving_pid(server: ShellServer) -> int:
    """The process holding the sockets: the deepest descendant of the server's command (gunicorn's worker)."""
    pid = server.process.pid
    while True:
        children = [int(p) for p in os.listdir("/proc") if p.isdigit() and _parent(int(p)) == pid]
        if not children:
            return pid
        pid = children[0]


def _parent(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


class Service:
    """The service's server, its token, rooms and month department."""

    def __init__(self, settings: Settings, server: ShellServer, token: str):
        self.settings, self.server, self.token = settings, server, token
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.rooms = [self._post("/api/departments", {"name": f"room {n}"})["id"] for n in range(ROOMS)]
        self.month_department = self.rooms[0]
        for day in range(MONTH_EVENTS):
            self._post(f"/api/events/{self.month_department}", {"event_date": f"2024-03-{day + 1:02d}",
                                                              "title": f"event {day}"})

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = self.http.post(self.server.url + path, json=body, timeout=30)
        if answer.status_code != 201:
            raise RuntimeError(f"POST {path}: {answer.status_code} {answer.text[:200]}")
        return answer.json()

    def month_latencies(self, samples: int) -> list[float]:
        url = f"{self.server.url}/api/events/{self.month_department}?{MONTH}"
        latencies = []
        for _ in range(samples):
            started = time.perf_counter()
            answer = self.http.get(url, timeout=30)
            latencies.append((time.perf_counter() - started) * 1000)
            if answer.status_code != 200 or len(answer.json()) != MONTH_EVENTS:
                raise RuntimeError(f"month GET: {answer.status_code} {answer.text[:200]}")
        return latencies

    def fanout(self, clients: ClientProcesses, room: str) -> float:
        """ms from a POST's answer to the last socket of `room` receiving its event_created."""
        event = self._post(f"/api/events/{room}", {"event_date": "2024-04-01", "title": "fan-out"})
        answered = time.monotonic()
        last = clients.last_arrival(event["id"], room)
        if last is None:
            raise RuntimeError(f"a socket of room {room} never got event {event['id']}")
        return (last - answered) * 1000


def idle_levels(service: Service, levels: list[int], samples: int) -> tuple[dict[int, dict], ClientProcesses]:
    """Each level's month GET, RSS per socket and connect rate; the clients are left open."""
    clients = ClientProcesses(service.server.url, service.token)
    pid = serving_pid(service.server)
    results: dict[int, dict] = {}
    service.month_latencies(samples)  # warm-up: the baseline is not the first requests
    base = rss_kb(pid)
    for level in levels:
        rooms = [service.rooms[i % ROOMS] for i in range(clients.held, level)]
        opened, errors, seconds = clients.open(rooms) if rooms else (0, [], 0.0)
        if opened != len(rooms):
            raise RuntimeError(f"{len(rooms) - opened} sockets could not connect: {errors}")
        time.sleep(2)  # let the connects' garbage go
        latencies = service.month_latencies(samples)
        rss = rss_kb(pid)
        results[level] = {"p50": percentile(latencies, 50), "p99": percentile(latencies, 99), "rss_mb": rss / 1024,
                          "kb_per_socket": (rss - base) / level if level else None,
                          "connects_per_s": opened / seconds if opened else None}
        _print_level("service", level, results[level])
    return results, clients


def _print_level(side: str, level: int | str, r: dict) -> None:
    per = f"{r['kb_per_socket']:.1f}" if r.get("kb_per_socket") is not None else "-"
    rate = f"{r['connects_per_s']:.0f}" if r.get("connects_per_s") is not None else "-"
    p50 = f"{r['p50']:.1f}" if "p50" in r else "-"
    p99 = f"{r['p99']:.1f}" if "p99" in r else "-"
    print(f"{side:<8} | {level:>6} | {p50:>7} | {p99:>7} | {r['rss_mb']:>7.0f} | {per:>9} | {rate:>10}", flush=True)


def peer_levels(settings: Settings, log_dir: Path, servers: list, token: str, levels: list[int]) -> dict[int, dict]:
    peer = start_shell_server(PEER_COMMAND, settings, log_dir / "peer.log", PEER_TOKEN=token)
    servers.append(peer)
    clients = ClientProcesses(peer.url, token)
    try:
        pid, results = serving_pid(peer), {}
        base = rss_kb(pid)
        for level in levels:
            opened, errors, seconds = clients.open([None] * (level - clients.held)) if level else (0, [], 0.0)
            if clients.held != level:
                raise RuntimeError(f"peer: sockets could not connect: {errors}")
            time.sleep(2)
            rss = rss_kb(pid)
            results[level] = {"rss_mb": rss / 1024, "kb_per_socket": (rss - base) / level if level else None,
                              "connects_per_s": opened / seconds if opened else None}
            _print_level("peer", level, results[level])
        return results
    finally:
        clients.stop()


def wait_until_closed(service: Service, timeout: float = 180) -> None:
    """Until the server has let go of every socket (its Engine.IO connections gauge reads 0)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        metrics = service.http.get(service.server.url + "/metrics", timeout=30).text
        if "calendar_socketio_engine_connections 0.0" in metrics:
            return
        time.sleep(0.5)
    raise RuntimeError(f"the server still holds sockets {timeout:.0f} s after they closed")


def fanout_across_rooms(service: Service, clients: ClientProcesses, rounds: int) -> list[float]:
    """Per POST, ms to the last of its room's sockets; each round a POST into every room, 4 at a time."""
    samples: list[float] = []
    with ThreadPoolExecutor(4) as pool:
        for _ in range(rounds):
            samples += list(pool.map(lambda room: service.fanout(clients, room), service.rooms))
    return samples


def fanout_one_room(service: Service, size: int, rounds: int) -> list[float]:
    clients = ClientProcesses(service.server.url, service.token)
    room = service.rooms[1]
    try:
        opened, errors, _ = clients.open([room] * size)
        if opened != size:
            raise RuntimeError(f"{size - opened} sockets could not connect: {errors}")
        for _ in range(2):  # warm-up
            service.fanout(clients, room)
        return [service.fanout(clients, room) for _ in range(rounds)]
    finally:
        clients.stop()


def run(args: argparse.Namespace, endpoint_url: str, log_dir: Path, servers: list) -> int:
    raise_open_files_limit()  # the servers started from here inherit it
    levels = [int(level) for level in args.levels.split(",")]
    settings = Settings(dynamodb_endpoint_url=endpoint_url, table_prefix=f"capacity{uuid.uuid4().hex[:6]}_")
    DynamoDBDatabase(settings).create_tables()
    token = admin_token(settings)
    server = start_shell_server(SERVER_COMMANDS["gevent"], settings, log_dir / "service.log",
                                SOCKETIO_MAX_SOCKETS=str(max(levels) + 100),
                                SOCKETIO_MAX_SOCKETS_PER_ADDRESS=str(max(levels) + 100),
                                RATE_LIMIT="1000000 per minute")
    servers.append(server)
    service = Service(settings, server, token)
    print(f"\n{'server':<8} | {'socks':>6} | {'GET p50':>7} | {'GET p99':>7} | {'RSS MB':>7} | {'KB/socket':>9} | "
          f"{'connects/s':>10}")
    print("---------|--------|---------|---------|---------|-----------|-----------")
    results, clients = idle_levels(service, levels, args.latency_samples)
    try:
        across = fanout_across_rooms(service, clients, args.rounds) if max(levels) >= ROOMS else []
        lost = clients.lost()
    finally:
        clients.stop()
    wait_until_closed(service)
    one_room = fanout_one_room(service, args.room_size, args.rounds * 10)
    wait_until_closed(service)
    again = service.month_latencies(args.latency_samples)
    results["0 again"] = {"p50": percentile(again, 50), "p99": percentile(again, 99),
                          "rss_mb": rss_kb(serving_pid(server)) / 1024}
    _print_level("service", "0 again", results["0 again"])
    peer = peer_levels(settings, log_dir, servers, token, levels)
    return verdict(args, levels, results, peer, across, one_room, lost)


def verdict(args, levels, results, peer, across, one_room, lost) -> int:
    print()
    if across:
        print(f"fan-out, {max(levels)} sockets in {ROOMS} rooms, one POST per room: "
              f"p50 {percentile(across, 50):.1f} ms, p99 {percentile(across, 99):.1f} ms ({len(across)} POSTs)")
    print(f"fan-out, {args.room_size} sockets in one room: p50 {percentile(one_room, 50):.1f} ms, "
          f"p99 {percentile(one_room, 99):.1f} ms ({len(one_room)} POSTs)")
    most = max(levels)
    # The quicker of the two runs without sockets (before and after) is the baseline: the stricter one.
    rest_ratio = results[most]["p99"] / min(results[0]["p99"], results["0 again"]["p99"])
    kb = results[most]["kb_per_socket"]
    peer_kb = peer[most]["kb_per_socket"]
    checks = [
        (f"month GET p99 with {most} sockets / none: {rest_ratio:.2f}x (target <= {REST_LIMIT}x)",
         rest_ratio <= REST_LIMIT),
        (f"fan-out to {args.room_size} p99: {percentile(one_room, 99):.0f} ms (target < {FANOUT_P99_LIMIT_MS} ms)",
         percentile(one_room, 99) < FANOUT_P99_LIMIT_MS),
        (f"server RSS per idle socket at {most}: {kb:.1f} KB, peer {peer_kb:.1f} KB "
         f"(target <= {KB_PER_SOCKET_LIMIT} KB)", kb <= KB_PER_SOCKET_LIMIT),
        (f"sockets the server dropped meanwhile: {lost} (target 0)", lost == 0),
    ]
    for text, ok in checks:
        print(f"{'PASS' if ok else 'MISS'}  {text}")
    return 0 if args.no_targets or all(ok for _, ok in checks) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="0,1000,5000,10000")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of a POST into every room")
    parser.add_argument("--room-size", type=int, default=1000)
    add_measure_arguments(parser)
    args = parser.parse_args(argv)
    if not args.levels.startswith("0,"):
        parser.error("--levels starts at 0 (the baseline)")
    return main_on_dynamodb_local("bench-capacity-", args, run)


if __name__ == "__main__":
    sys.exit(main())
