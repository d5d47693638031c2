"""Load and soak on loopback: HTTP clients mixing reads and writes, plus sockets in rooms.

For each server (`make run`, and gunicorn as AWS_DEPLOYMENT_CONFIG.md runs it), against a DynamoDB
server of its own (DynamoDB Local; moto with --backend moto):
  - `--sockets` python-socketio clients (WebSocket) spread over `--rooms` departments, connected
    before the load starts and kept until it ends, in `--socket-processes` processes of their own
    (load_sockets.py), so the HTTP clients' threads never delay their pings;
  - `--clients` HTTP client threads for `--seconds` (or `--soak` seconds): creates, month reads,
    updates and deletes of their own events, in every department;
  - the RSS of the app's processes sampled every `--sample-every` seconds.
Then the checks: no 5xx and no transport error; every event answered 201 (and not deleted) reads
back as last written; every socket got every broadcast of its room exactly once, over one
connection (a socket that disconnected fails, even if it reconnected); with `--soak`,
the RSS of the last third of the run grows less than 5%. Exit status 0 when all hold.

Usage: python bench/load.py [--server make-run,gunicorn] [--seconds 60] [--soak 600]
                            [--clients 50] [--sockets 200] [--rooms 10] [--socket-processes 2]
                            [--backend dynamodb-local|moto]
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "backend"))
sys.path.insert(0, str(ROOT / "tests"))

from bench_common import machine  # noqa: E402
from load_checks import LoadRun, memory_growth  # noqa: E402
from local.dynamodb_local import start_dynamodb_local, start_moto_server  # noqa: E402
from models import DynamoDBDatabase  # noqa: E402
from support.live_helpers import MAKE_RUN, SERVER_COMMANDS, start_shell_server  # noqa: E402
from support.servers import make_settings  # noqa: E402

# `make run` serves in the default mode (gevent); "gunicorn" is the threading mode beside it.
SERVERS = {"make-run": MAKE_RUN, "gunicorn": SERVER_COMMANDS["threading"]}
SOAK_GROWTH_LIMIT = 0.05
# The local DynamoDB on a shared 2-core machine is the bottleneck under this load (DynamoDB Local
# runs transactions one at a time): the app gets DynamoDB timeouts long enough that it is the app,
# not the local DynamoDB, that the checks judge. Production keeps the defaults (.env.example).
DYNAMODB_PATIENCE = {"DYNAMODB_READ_TIMEOUT": "20", "DYNAMODB_STALL_SECONDS": "30"}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="make-run,gunicorn", help="comma-separated: make-run, gunicorn")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the load (without --soak)")
    parser.add_argument("--soak", type=float, default=0.0, help="soak instead: this many seconds, memory judged")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--sockets", type=int, default=200)
    parser.add_argument("--rooms", type=int, default=10)
    parser.add_argument("--socket-processes", type=int, default=2,
                        help="processes the sockets run in, apart from the HTTP clients' process")
    parser.add_argument("--sample-every", type=float, default=5.0, help="seconds between RSS samples")
    parser.add_argument("--backend", choices=("moto", "dynamodb-local"), default="dynamodb-local",
                        help="moto's server is not thread-safe: it answers some concurrent writes with 500")
    args = parser.parse_args(argv)
    args.servers = [name.strip() for name in args.server.split(",") if name.strip()]
    unknown = set(args.servers) - set(SERVERS)
    if unknown:
        parser.error(f"unknown server(s): {', '.join(sorted(unknown))}")
    return args


# One token drives the whole load: the default limit exists to stop exactly that.
UNLIMITED = "10000000 per minute"


def start_backend(kind: str, work: Path):
    if kind == "moto":
        return start_moto_server(log_file=work / "moto.log")
    return start_dynamodb_local(log_file=work / "dynamodb-local.log")


def run_one(name: str, args: argparse.Namespace, work: Path) -> list[str]:
    """One server under load; the failed checks (empty when all hold)."""
    backend = start_backend(args.backend, work)
    try:
        settings = make_settings(backend.endpoint_url, dynamodb_max_attempts=5)
        DynamoDBDatabase(settings).create_tables()
        threads = args.sockets + args.clients + 50  # gthread: one thread per socket held
        server = start_shell_server(SERVERS[name], settings, work / f"{name}.log",
                                    SOCKETIO_MAX_SOCKETS=str(args.sockets + 50),
                                    GUNICORN_CMD_ARGS=f"--threads {threads}", RATE_LIMIT=UNLIMITED,
                                    **DYNAMODB_PATIENCE)
        try:
            run = LoadRun(server.url, server.process.pid, settings, args)
            failures = run.execute(args.soak or args.seconds)
        finally:
            server.stop()
    finally:
        backend.stop()
    print(run.report(name))
    if args.soak:
        growth = memory_growth(run.samples)
        if growth >= SOAK_GROWTH_LIMIT:
            failures.append(f"RSS grew {growth:.1%} over the last third of the soak (limit {SOAK_GROWTH_LIMIT:.0%})")
    return failures


def load_text(load: tuple[float, float, float]) -> str:
    """The machine's 1, 5 and 15 minute load averages (this machine is shared: they qualify the figures)."""
    return "/".join(f"{value:.1f}" for value in load)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"# load: {machine()}")
    print(f"# {args.clients} HTTP clients, {args.sockets} sockets in {args.rooms} rooms, "
          f"{args.soak or args.seconds:.0f} s{' (soak)' if args.soak else ''}, backend {args.backend}")
    failed = False
    tmp = Path(tempfile.mkdtemp(prefix="calendar-load-"))
    for name in args.servers:
        work = tmp / name
        work.mkdir()
        started, load_before = time.monotonic(), os.getloadavg()
        failures = run_one(name, args, work)
        verdict = "PASS" if not failures else "FAIL"
        print(f"{name}: {verdict} ({time.monotonic() - started:.0f} s; load average {load_text(load_before)} "
              f"before, {load_text(os.getloadavg())} after)")
        for failure in failures:
            print(f"  - {failure}")
        failed = failed or bool(failures)
    if failed:
        print(f"# server logs kept in {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
