"""What every benchmark prints about the machine, its percentile, and the run on a DynamoDB Local
of its own that the HTTP benchmarks share."""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any


def machine() -> str:
    """Cores, CPU model, Python and Java versions of this machine, on one line."""
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    except (OSError, IndexError):
        java = "no Java"
    return f"nproc {os.cpu_count()}, {cpu}, Python {platform.python_version()}, {java}"


def percentile(samples: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of the samples."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def serve_on_dynamodb_local(prefix: str, run: Callable[[str, Path, list[Any]], int]) -> int:
    """run(endpoint_url, log_dir, servers) against a fresh in-memory DynamoDB Local; afterwards every
    server run appended to `servers` and DynamoDB Local are stopped. Returns run's exit status; the
    log directory is removed, unless run raised (then it is kept and named on stderr)."""
    # Here, not at the top: the benches that need this put backend/ and tests/ on sys.path, and
    # bench_migration.py, which does not, imports this module too.
    from local.dynamodb_local import start_dynamodb_local
    from support.live_helpers import stop_all

    log_dir = Path(tempfile.mkdtemp(prefix=prefix))
    dynamodb, servers = None, []
    try:
        dynamodb = start_dynamodb_local()
        code = run(dynamodb.endpoint_url, log_dir, servers)
    except BaseException:
        print(f"(server logs kept in {log_dir})", file=sys.stderr)
        raise
    finally:
        stop_all(servers)
        if dynamodb is not None:
            dynamodb.stop()
    shutil.rmtree(log_dir, ignore_errors=True)
    return code


def add_measure_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments every latency bench takes: how many samples, and whether to judge the targets."""
    parser.add_argument("--latency-samples", type=int, default=300)
    parser.add_argument("--no-targets", action="store_true", help="print the verdicts without judging them")


def add_size_arguments(parser: argparse.ArgumentParser) -> None:
    """The two department sizes a flatness bench compares (its verdict: big's p50 / small's)."""
    parser.add_argument("--small", type=int, default=1_000, help="events in the small department")
    parser.add_argument("--big", type=int, default=100_000, help="events in the big department")


def flatness_main(prefix: str, argv: list[str] | None, description: str,
                  run: Callable[[argparse.Namespace, str, Path, list[Any]], int]) -> int:
    """The main of a bench comparing a small and a big department: --small/--big and the measure
    arguments, then main_on_dynamodb_local."""
    parser = argparse.ArgumentParser(description=description)
    add_size_arguments(parser)
    add_measure_arguments(parser)
    return main_on_dynamodb_local(prefix, parser.parse_args(argv), run)


def main_on_dynamodb_local(prefix: str, args: argparse.Namespace,
                           run: Callable[[argparse.Namespace, str, Path, list[Any]], int]) -> int:
    """A bench's main: the machine line, then run(args, endpoint_url, log_dir, servers) as
    serve_on_dynamodb_local runs it."""
    print(f"machine: {machine()}", flush=True)
    return serve_on_dynamodb_local(prefix, lambda endpoint_url, log_dir, servers: run(
        args, endpoint_url, log_dir, servers))
