"""The sockets of bench/load.py, in processes of their own.

Each process runs its share of the python-socketio clients on one asyncio loop, away from the HTTP
load's threads (and their GIL), so a socket that misses the server's pings is the server's doing or
the machine's, not the load tool's. Every socket records every broadcast it got and every
disconnect and reconnect (it rejoins its room after one); the checks count a socket that
disconnected as a failure even if it came back.
"""
from __future__ import annotations

import asyncio
import multiprocessing
import time
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

import socketio

CONNECT_BATCH = 25
SETTLE_SECONDS = 30  # how long the sockets may take to receive the last broadcasts
LAG_TICK = 0.25  # seconds between the event loop lag probes
EVENTS = ("event_created", "event_updated", "event_deleted")


def broadcast_key(name: str, payload: dict) -> tuple:
    return (name, payload.get("id"), payload.get("version"))


@dataclass
class SocketRecord:
    """What one socket saw: broadcasts by key, disconnects (time.monotonic(), reason), reconnects."""

    index: int
    room: str
    received: Counter = field(default_factory=Counter)
    disconnects: list[tuple[float, str]] = field(default_factory=list)
    reconnects: list[float] = field(default_factory=list)

    def problems(self, expected: Counter, started: float) -> list[str]:
        """Why this socket fails the exactly-once check (empty when it passes)."""
        problems = []
        name = f"socket {self.index} (room {self.room[:8]})"
        if self.received != expected:
            missed = sum((expected - self.received).values())
            extra = sum((self.received - expected).values())
            problems.append(f"{name}: {missed} missed, {extra} extra or repeated")
        for number, (when, reason) in enumerate(self.disconnects):
            back = (f"reconnected at {self.reconnects[number] - started:.0f} s" if number < len(self.reconnects)
                    else "never reconnected")
            problems.append(f"{name}: disconnected at {when - started:.0f} s ({reason}), {back}")
        return problems


class _Sockets:
    """One process's clients on its asyncio loop (runs inside the child process)."""

    def __init__(self, url: str, headers: dict[str, str], rooms: dict[int, str]):
        self.url, self.headers = url, headers
        self.records = [SocketRecord(index, room) for index, room in rooms.items()]
        self.clients: list[socketio.AsyncClient] = []
        self.max_lag = 0.0
        self.closing = False

    async def connect_all(self) -> None:
        for start in range(0, len(self.records), CONNECT_BATCH):
            await asyncio.gather(*(self._connect_one(r) for r in self.records[start:start + CONNECT_BATCH]))

    async def _connect_one(self, record: SocketRecord) -> None:
        client = socketio.AsyncClient(reconnection=True, reconnection_delay=0.5, reconnection_delay_max=2)
        for name in EVENTS:
            client.on(name, lambda payload, name=name: record.received.update([broadcast_key(name, payload)]))
        client.on("disconnect", lambda reason=None: self._disconnected(record, reason))
        client.on("connect", lambda: self._connected(client, record))
        await client.connect(self.url, transports=["websocket"], headers=self.headers, wait_timeout=30)
        await self._join(client, record)
        self.clients.append(client)

    def _disconnected(self, record: SocketRecord, reason) -> None:
        if not self.closing:
            record.disconnects.append((time.monotonic(), str(reason)))

    def _connected(self, client: socketio.AsyncClient, record: SocketRecord) -> None:
        if record.disconnects:  # a reconnect: its room must be joined again (outside the read loop)
            record.reconnects.append(time.monotonic())
            client.start_background_task(self._join, client, record)

    @staticmethod
    async def _join(client: socketio.AsyncClient, record: SocketRecord) -> None:
        ack = await client.call("join_department", {"department_id": record.room}, timeout=30)
        if not ack.get("ok"):
            raise RuntimeError(f"join failed: {ack}")

    async def watch_lag(self) -> None:
        """The loop's worst lateness: how late a LAG_TICK sleep woke up."""
        while True:
            before = time.monotonic()
            await asyncio.sleep(LAG_TICK)
            self.max_lag = max(self.max_lag, time.monotonic() - before - LAG_TICK)

    async def settle(self, expected: dict[str, Counter]) -> None:
        deadline = time.monotonic() + SETTLE_SECONDS
        while time.monotonic() < deadline and any(
                sum(r.received.values()) < sum(expected[r.room].values()) for r in self.records):
            await asyncio.sleep(0.2)
        await asyncio.sleep(1)  # anything repeated would arrive now

    async def close_all(self) -> None:
        self.closing = True
        await asyncio.gather(*(c.disconnect() for c in self.clients), return_exceptions=True)


def _serve(conn: Connection, url: str, headers: dict[str, str], rooms: dict[int, str]) -> None:
    """The child process: connect, say "ready", wait for the expected broadcasts, send the records."""
    asyncio.run(_serve_async(conn, url, headers, rooms))


async def _serve_async(conn: Connection, url: str, headers: dict[str, str], rooms: dict[int, str]) -> None:
    sockets = _Sockets(url, headers, rooms)
    try:
        await sockets.connect_all()
    except Exception as exc:  # the parent reports it; a child has no one else to tell
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
        await sockets.close_all()
        return
    lag = asyncio.create_task(sockets.watch_lag())
    conn.send(("ready", None))
    expected = await asyncio.get_running_loop().run_in_executor(None, conn.recv)
    await sockets.settle(expected)
    lag.cancel()
    conn.send(("records", (sockets.records, sockets.max_lag)))
    await sockets.close_all()


class SocketProcesses:
    """`count` sockets, socket i in rooms[i % len(rooms)], spread over `processes` processes."""

    def __init__(self, url: str, headers: dict[str, str], rooms: list[str], count: int, processes: int):
        context = multiprocessing.get_context("spawn")
        self.pipes: list[Connection] = []
        self.processes = []
        for share in range(max(1, processes)):
            indices = range(share, count, max(1, processes))
            parent, child = context.Pipe()
            process = context.Process(target=_serve, daemon=True, name=f"load-sockets-{share}",
                                      args=(child, url, headers, {i: rooms[i % len(rooms)] for i in indices}))
            self.pipes.append(parent)
            self.processes.append(process)
        self.max_lag = 0.0

    def start(self, timeout: float = 300) -> None:
        """Start every process and wait until all their sockets have joined; raises RuntimeError."""
        for process in self.processes:
            process.start()
        for pipe in self.pipes:
            kind, detail = self._receive(pipe, timeout)
            if kind != "ready":
                self.stop()
                raise RuntimeError(f"sockets could not connect: {detail}")

    def finish(self, expected: dict[str, Counter], timeout: float = SETTLE_SECONDS + 120) -> list[SocketRecord]:
        """Every socket's record, once each has its room's `expected` broadcasts or SETTLE_SECONDS passed."""
        for pipe in self.pipes:
            pipe.send(expected)
        records = []
        for pipe in self.pipes:
            _, (share, lag) = self._receive(pipe, timeout)
            records += share
            self.max_lag = max(self.max_lag, lag)
        self.stop()
        return sorted(records, key=lambda r: r.index)

    def _receive(self, pipe: Connection, timeout: float) -> tuple[str, object]:
        try:
            if pipe.poll(timeout):
                return pipe.recv()
            problem = f"a socket process did not answer within {timeout:.0f} s"
        except EOFError:
            problem = "a socket process died (see its traceback above)"
        self.stop()
        raise RuntimeError(problem)

    def stop(self) -> None:
        for process in self.processes:
            if process.pid is None:
                continue
            process.join(timeout=30)
            if process.is_alive():
                process.terminate()
                process.join(timeout=10)
