"""Idle Socket.IO clients for bench/bench_capacity.py, thousands per process, in processes of their own.

A python-socketio AsyncClient costs its process about a hundred kilobytes and a task or two per
socket; these clients speak the Engine.IO 4 / Socket.IO 5 protocol themselves over aiohttp
websockets sharing one session, so one process holds a few thousand sockets on one core. Each
answers the server's pings, can join a department room, and records when each `event_created`
arrived (time.monotonic(), comparable across processes on Linux).
"""
from __future__ import annotations

import asyncio
import json
import multiprocessing
import resource
import threading
import time
from collections import defaultdict
from multiprocessing.connection import Connection

import aiohttp

CONNECT_BATCH = 20  # handshakes in flight per process: pages opening, not a reconnect storm


def raise_open_files_limit() -> None:
    """Soft limit of open files up to the hard one: each socket is a file descriptor."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class Refused(Exception):
    """The server refused the socket (the status or packet it answered)."""


class _Socket:
    """One Engine.IO websocket connected to the default namespace."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, owner: _Holder):
        self.ws, self.owner = ws, owner
        self.acks: dict[int, asyncio.Future] = {}
        self.next_ack = 0
        self.room: str | None = None

    async def read_forever(self) -> None:
        async for message in self.ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            data = message.data
            if data == "2":
                await self.ws.send_str("3")
            elif data.startswith("42"):
                name, payload = json.loads(data[2:])[:2]
                if name == "event_created":
                    self.owner.arrived(payload["id"], time.monotonic())
            elif data.startswith("43"):
                number, _, body = data[2:].partition("[")
                future = self.acks.pop(int(number), None)
                if future is not None and not future.done():
                    future.set_result(json.loads("[" + body)[0])
        self.owner.lost += 1

    async def call(self, name: str, payload: dict) -> dict:
        self.next_ack += 1
        future = asyncio.get_running_loop().create_future()
        self.acks[self.next_ack] = future
        await self.ws.send_str(f"42{self.next_ack}" + json.dumps([name, payload]))
        return await asyncio.wait_for(future, 30)


class _Holder:
    """This process's sockets (runs inside the child)."""

    def __init__(self, url: str, token: str):
        self.ws_url = url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
        self.token = token
        self.sockets: list[_Socket] = []
        self.readers: list[asyncio.Task] = []
        self.arrivals: dict[str, list[float]] = defaultdict(list)
        self.room_sizes: dict[str, int] = defaultdict(int)
        self.lost = 0
        self.session: aiohttp.ClientSession | None = None

    def arrived(self, event_id: str, when: float) -> None:
        self.arrivals[event_id].append(when)

    async def open_one(self, room: str | None) -> None:
        ws = await self.session.ws_connect(self.ws_url, autoping=False, max_msg_size=0)
        opened = await ws.receive_str(timeout=30)
        if not opened.startswith("0"):
            raise Refused(opened)
        await ws.send_str("40" + json.dumps({"token": self.token}))
        answer = await ws.receive_str(timeout=30)
        if not answer.startswith("40"):
            await ws.close()
            raise Refused(answer)
        sock = _Socket(ws, self)
        self.sockets.append(sock)
        self.readers.append(asyncio.create_task(sock.read_forever()))
        if room is not None:
            ack = await sock.call("join_department", {"department_id": room})
            if not ack.get("ok"):
                raise Refused(f"join: {ack}")
            sock.room = room
            self.room_sizes[room] += 1

    async def open_many(self, rooms: list[str | None]) -> tuple[int, list[str]]:
        """Open one socket per entry of `rooms` (its room, or None); (opened, errors)."""
        errors: list[str] = []
        opened = 0
        for start in range(0, len(rooms), CONNECT_BATCH):
            results = await asyncio.gather(*(self.open_one(r) for r in rooms[start:start + CONNECT_BATCH]),
                                           return_exceptions=True)
            for result in results:
                if isinstance(result, BaseException):
                    errors.append(f"{type(result).__name__}: {result}"[:200])
                else:
                    opened += 1
        return opened, errors[:5]

    async def last_arrival(self, event_id: str, room: str, timeout: float) -> float | None:
        """When the last of this process's sockets in `room` got event_id; None after `timeout`."""
        deadline = time.monotonic() + timeout
        wanted = self.room_sizes.get(room, 0)
        while len(self.arrivals.get(event_id, ())) < wanted:
            if time.monotonic() > deadline:
                return None
            await asyncio.sleep(0.002)
        times = self.arrivals.pop(event_id, [])
        return max(times) if times else 0.0

    async def close_all(self) -> None:
        await asyncio.gather(*(s.ws.close() for s in self.sockets), return_exceptions=True)
        for reader in self.readers:
            reader.cancel()
        self.sockets.clear()
        self.room_sizes.clear()


def _serve(conn: Connection, url: str, token: str) -> None:
    raise_open_files_limit()
    asyncio.run(_serve_async(conn, url, token))


async def _serve_async(conn: Connection, url: str, token: str) -> None:
    holder = _Holder(url, token)
    loop = asyncio.get_running_loop()
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as holder.session:
        while True:
            command, *args = await loop.run_in_executor(None, conn.recv)
            if command == "open":
                conn.send(await holder.open_many(args[0]))
            elif command == "last":
                conn.send(await holder.last_arrival(*args))
            elif command == "lost":
                conn.send(holder.lost)
            elif command == "close":
                await holder.close_all()
                conn.send(len(holder.sockets))
            elif command == "exit":
                await holder.close_all()
                conn.send(None)
                return


class ClientProcesses:
    """Processes of idle sockets to one server, `per_process` sockets each at most."""

    def __init__(self, url: str, token: str, per_process: int = 2500):
        self.url, self.token, self.per_process = url, token, per_process
        self.context = multiprocessing.get_context("spawn")
        self.workers: list[tuple[multiprocessing.Process, Connection, list[int]]] = []  # [held]
        self.lock = threading.Lock()  # one question at a time on the pipes

    def _worker(self, index: int) -> tuple[multiprocessing.Process, Connection, list[int]]:
        while len(self.workers) <= index:
            parent, child = self.context.Pipe()
            process = self.context.Process(target=_serve, args=(child, self.url, self.token), daemon=True,
                                           name=f"capacity-clients-{len(self.workers)}")
            process.start()
            self.workers.append((process, parent, [0]))
        return self.workers[index]

    @property
    def held(self) -> int:
        return sum(held[0] for _, _, held in self.workers)

    def open(self, rooms: list[str | None], timeout: float = 600) -> tuple[int, list[str], float]:
        """One socket per entry of `rooms`, spread over the processes (filling each to per_process);
        (opened, first errors, seconds it took)."""
        shares: dict[int, list[str | None]] = defaultdict(list)
        index, pending = 0, list(rooms)
        while pending:
            _, _, held = self._worker(index)
            room_left = self.per_process - held[0] - len(shares[index])
            shares[index] += pending[:max(0, room_left)]
            pending = pending[max(0, room_left):]
            index += 1
        started = time.monotonic()
        for index, share in shares.items():
            if share:
                self.workers[index][1].send(("open", share))
        opened, errors = 0, []
        for index, share in shares.items():
            if share:
                done, problems = self._receive(self.workers[index][1], timeout)
                self.workers[index][2][0] += done
                opened += done
                errors += problems
        return opened, errors, time.monotonic() - started

    def last_arrival(self, event_id: str, room: str, timeout: float = 30) -> float | None:
        """When the last socket in `room` (over every process) got event_id; None if one never did."""
        with self.lock:
            for _, pipe, _ in self.workers:
                pipe.send(("last", event_id, room, timeout))
            answers = [self._receive(pipe, timeout + 30) for _, pipe, _ in self.workers]
        return None if any(a is None for a in answers) else max(answers)

    def lost(self) -> int:
        """Sockets the server closed so far."""
        for _, pipe, _ in self.workers:
            pipe.send(("lost",))
        return sum(self._receive(pipe, 30) for _, pipe, _ in self.workers)

    def close_sockets(self) -> None:
        for _, pipe, held in self.workers:
            pipe.send(("close",))
            held[0] = 0
        for _, pipe, _ in self.workers:
            self._receive(pipe, 120)

    def stop(self) -> None:
        for process, pipe, _ in self.workers:
            try:
                pipe.send(("exit",))
                pipe.poll(60) and pipe.recv()
            except (OSError, EOFError):
                pass
            process.join(timeout=10)
            if process.is_alive():
                process.terminate()
        self.workers.clear()

    @staticmethod
    def _receive(pipe: Connection, timeout: float):
        if not pipe.poll(timeout):
            raise RuntimeError(f"a client process did not answer within {timeout:.0f} s")
        return pipe.recv()
