"""HTTP load for bench_api.py: wrk (native, installed with apt-get when missing and root), else
Python threads; and the thread loop that also drives raw boto3 calls.

A run lasts a fixed time and fails (LoadFailed) on any answer outside 2xx or any socket error.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from bench_common import percentile

WRK_SCRIPT = Path(__file__).resolve().parent / "wrk_report.lua"
REPORT = re.compile(r"^BENCH_REPORT (.*)$", re.MULTILINE)
NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")
SOCKET_ERRORS = ("connect", "read", "write", "timeout")


class LoadFailed(RuntimeError):
    """A load run got answers outside 2xx, socket errors, or no answer at all."""


@dataclass(frozen=True)
class LoadResult:
    """What one run served: completed requests over its duration, and latency percentiles."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def run_calls(call: Callable[[], bool], seconds: float, clients: int) -> LoadResult:
    """Call `call()` from `clients` threads for `seconds`; raises LoadFailed if any call returns False."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        local, failed = [], 0
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            failed += not call()
            local.append((time.perf_counter() - start) * 1000)
        with lock:
            latencies.extend(local)
            failures[0] += failed

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for future in [pool.submit(worker) for _ in range(clients)]:
            future.result()
    elapsed = time.perf_counter() - started
    if failures[0] or not latencies:
        raise LoadFailed(f"{failures[0]} of {len(latencies)} calls failed")
    return LoadResult(len(latencies), elapsed, percentile(latencies, 50), percentile(latencies, 99))


class ThreadGenerator:
    """Python threads with one requests.Session each: the fallback when wrk can't be had."""

    def __init__(self, connections: int, reason: str):
        self.connections = connections
        self.description = f"Python threads, {connections} clients (wrk unavailable: {reason})"

    def run(self, url: str, body: dict[str, Any] | None, seconds: float,
            headers: dict[str, str] | None = None) -> LoadResult:
        """`seconds` of GET url (or POST body as JSON) from every client, sending `headers`."""
        local = threading.local()

        def call() -> bool:
            session = getattr(local, "session", None)
            if session is None:
                session = local.session = requests.Session()
                session.headers.update(headers or {})
            if body is None:
                response = session.get(url, timeout=30)
            else:
                response = session.post(url, json=body, timeout=30)
            return 200 <= response.status_code < 300

        try:
            return run_calls(call, seconds, self.connections)
        except LoadFailed as exc:
            raise LoadFailed(f"{'POST' if body else 'GET'} {url}: {exc} (answers outside 2xx)") from exc


class WrkGenerator:
    """wrk with wrk_report.lua: native load, latency percentiles from wrk's own histogram."""

    def __init__(self, wrk: str, threads: int, connections: int):
        self.wrk = wrk
        self.threads = threads
        self.connections = connections
        version = subprocess.run([wrk, "-v"], capture_output=True, text=True).stdout.split()
        name = version[1] if len(version) > 1 else "(version unknown)"
        self.description = f"wrk {name}, {threads} threads, {connections} connections"

    def run(self, url: str, body: dict[str, Any] | None, seconds: float,
            headers: dict[str, str] | None = None) -> LoadResult:
        """`seconds` (whole, at least 1) of GET url, or POST of body as JSON, sending `headers`;
        raises LoadFailed."""
        command = [self.wrk, f"-t{self.threads}", f"-c{self.connections}", f"-d{max(1, round(seconds))}s",
                   "--timeout", "10s", "-s", str(WRK_SCRIPT)]
        for name, value in (headers or {}).items():
            command += ["-H", f"{name}: {value}"]
        command.append(url)
        if body is not None:
            command += ["--", json.dumps(body)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
        what = f"wrk {'POST' if body else 'GET'} {url}"
        if done.returncode != 0:
            raise LoadFailed(f"{what} exited with status {done.returncode}: {done.stderr.strip()}")
        return parse_wrk_output(done.stdout, what)


def parse_wrk_output(stdout: str, what: str = "wrk") -> LoadResult:
    """The run's result from wrk's output; raises LoadFailed on non-2xx answers or socket errors."""
    match = REPORT.search(stdout)
    if match is None:
        raise LoadFailed(f"{what}: no BENCH_REPORT line in wrk's output:\n{stdout}")
    report = {key: float(value) for key, value in (pair.split("=") for pair in match.group(1).split())}
    non_2xx = max([int(report["non2xx"]), *(int(n) for n in NON_2XX.findall(stdout))])
    socket_errors = {name: int(report[name]) for name in SOCKET_ERRORS if report[name]}
    if non_2xx or socket_errors or not report["requests"]:
        raise LoadFailed(f"{what}: {non_2xx} non-2xx responses of {int(report['requests'])}, "
                         f"socket errors {socket_errors or 'none'}:\n{stdout}")
    return LoadResult(int(report["requests"]), report["duration_us"] / 1e6,
                      report["p50_us"] / 1000, report["p99_us"] / 1000)


def install_wrk() -> str:
    """Install wrk with apt-get (root only); returns why it could not, or "" when it worked."""
    if os.geteuid() != 0:
        return "not installed, and not root to apt-get install it"
    print("wrk not found: apt-get update && apt-get install -y wrk", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "wrk"]):
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"`{' '.join(command)}` failed: {exc}"
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            return f"`{' '.join(command)}` failed: {last}"
    return "" if shutil.which("wrk") else "apt-get installed wrk, but it is not on PATH"


def choose_generator(choice: str, threads: int, connections: int) -> WrkGenerator | ThreadGenerator:
    """wrk when choice is "wrk" or "auto" and wrk is (or can be) installed, else Python threads.

    choice "wrk" raises LoadFailed when wrk can't be had; "python" never tries wrk.
    """
    if choice == "python":
        return ThreadGenerator(connections, "--generator python")
    reason = "" if shutil.which("wrk") else install_wrk()
    if not reason:
        return WrkGenerator(shutil.which("wrk") or "wrk", threads, connections)
    if choice == "wrk":
        raise LoadFailed(f"wrk: {reason}")
    return ThreadGenerator(connections, reason)
