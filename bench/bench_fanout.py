"""Realtime fan-out: from the REST response of a create to the last of N sockets receiving it.

For each async mode, one app process served the production way (threading: gunicorn gthread;
gevent: gunicorn's gevent worker; eventlet: `python backend/wsgi.py`, eventlet's own server),
N websocket clients in one department room (N = 1, 100, 500), then rounds of
`POST /api/events/{dept}`; per round, the time from the REST response to the moment the last of
the N sockets got `event_created`. Rounds of the three modes are interleaved so machine noise
hits all of them alike. The clients are python-socketio AsyncClients in one asyncio loop here,
so the load generator costs the same for every mode.

Usage: python bench/bench_fanout.py [--sizes 1,100,500] [--rounds 30] [--modes threading,eventlet,gevent]
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp
import socketio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "backend"))
sys.path.insert(0, str(ROOT / "tests"))

from bench_common import machine, percentile  # noqa: E402
from config import ASYNC_MODES, Settings  # noqa: E402
from local.dynamodb_local import start_moto_server  # noqa: E402
from models import DynamoDBDatabase  # noqa: E402
from support.live_helpers import SERVER_COMMANDS, start_shell_server, token_for  # noqa: E402

CONNECT_BATCH = 50


def start_server(mode: str, settings: Settings, log_dir: Path, max_sockets: int):
    """The production server of `mode` (as AWS_DEPLOYMENT_CONFIG.md runs it), admitting the bench's
    sockets, all from one address (gunicorn.conf.py gives gthread a thread per admitted socket)."""
    admitted = str(max_sockets + 50)
    return start_shell_server(SERVER_COMMANDS[mode], settings, log_dir / f"{mode}.log",
                              SOCKETIO_MAX_SOCKETS=admitted, SOCKETIO_MAX_SOCKETS_PER_ADDRESS=admitted)


class Room:
    """N AsyncClients of one server in one department room; records when each got each event."""

    def __init__(self, url: str, department_id: str, size: int):
        self.url, self.department_id, self.size = url, department_id, size
        self.clients: list[socketio.AsyncClient] = []
        self.arrivals: dict[str, list[float]] = {}
        self.complete: dict[str, asyncio.Event] = {}

    def _expect(self, event_id: str) -> asyncio.Event:
        self.arrivals.setdefault(event_id, [])
        return self.complete.setdefault(event_id, asyncio.Event())

    async def _connect_one(self) -> None:
        client = socketio.AsyncClient(reconnection=False)

        @client.on("event_created")
        async def on_created(event):
            now = time.perf_counter()
            done = self._expect(event["id"])
            self.arrivals[event["id"]].append(now)
            if len(self.arrivals[event["id"]]) == self.size:
                done.set()

        await client.connect(self.url, transports=["websocket"], wait_timeout=30, auth={"token": token_for(self.url)})
        ack = await client.call("join_department", {"department_id": self.department_id}, timeout=30)
        if not ack.get("ok"):
            raise RuntimeError(f"join failed: {ack}")
        self.clients.append(client)

    async def connect(self) -> None:
        for start in range(0, self.size, CONNECT_BATCH):
            await asyncio.gather(*(self._connect_one() for _ in range(min(CONNECT_BATCH, self.size - start))))

    async def round(self, http: aiohttp.ClientSession) -> tuple[float, float]:
        """One create; (ms from the REST response, ms from the request) to the last socket."""
        sent = time.perf_counter()
        async with http.post(f"{self.url}/api/events/{self.department_id}",
                             json={"event_date": "2024-03-05", "title": "fan-out"},
                             headers={"Authorization": f"Bearer {token_for(self.url)}"}) as response:
            body = await response.json()
            answered = time.perf_counter()
            if response.status != 201:
                raise RuntimeError(f"create failed: {response.status} {body}")
        await asyncio.wait_for(self._expect(body["id"]).wait(), timeout=60)
        last = max(self.arrivals.pop(body["id"]))
        self.complete.pop(body["id"])
        return (last - answered) * 1000, (last - sent) * 1000

    async def close(self) -> None:
        await asyncio.gather(*(c.disconnect() for c in self.clients), return_exceptions=True)


async def measure(servers: dict, settings: Settings, size: int, rounds: int) -> dict[str, dict[str, list[float]]]:
    db = DynamoDBDatabase(settings)
    rooms = {}
    for mode, server in servers.items():
        department = db.create_department(f"fanout-{mode}-{size}-{uuid.uuid4().hex[:6]}")
        rooms[mode] = Room(server.url, department["id"], size)
        await rooms[mode].connect()
    results = {mode: {"after_response": [], "after_request": []} for mode in servers}
    async with aiohttp.ClientSession() as http:
        for index in range(rounds + 2):
            for mode, room in rooms.items():
                after_response, after_request = await room.round(http)
                if index >= 2:  # two warm-up rounds
                    results[mode]["after_response"].append(after_response)
                    results[mode]["after_request"].append(after_request)
    for room in rooms.values():
        await room.close()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,100,500")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--modes", default=",".join(ASYNC_MODES))
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    modes = args.modes.split(",")
    logging.basicConfig(level=logging.WARNING)
    print(f"machine: {machine()}", flush=True)

    log_dir = Path(tempfile.mkdtemp(prefix="bench-fanout-"))
    dynamodb = start_moto_server(log_file=log_dir / "moto.log")
    settings = Settings(dynamodb_endpoint_url=dynamodb.endpoint_url, table_prefix=f"fanout{uuid.uuid4().hex[:6]}_")
    DynamoDBDatabase(settings).create_tables()
    servers = {}
    try:
        for mode in modes:
            servers[mode] = start_server(mode, settings, log_dir, max(sizes))
        print(f"\n{'N':>4} | {'mode':<9} | {'p50 ms':>8} | {'p99 ms':>8} | {'p50 from request':>16} | rounds")
        print("-----|-----------|----------|----------|------------------|-------")
        for size in sizes:
            rounds = args.rounds if size < 500 else max(10, args.rounds * 2 // 3)
            results = asyncio.run(measure(servers, settings, size, rounds))
            for mode, samples in results.items():
                after = samples["after_response"]
                print(f"{size:>4} | {mode:<9} | {percentile(after, 50):>8.1f} | {percentile(after, 99):>8.1f}"
                      f" | {percentile(samples['after_request'], 50):>16.1f} | {len(after)}", flush=True)
    finally:
        for server in servers.values():
            server.stop()
        dynamodb.stop()
    print(f"\nserver logs in {log_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
