"""Series benchmark against DynamoDB Local: the month query (`GET /api/events/{dept}?from&to`) of a
department holding SERIES series among 100,000 events, beside today's month query (the same
100,000 events, no series), interleaved request by request (bench_api's flatness measurement).
Series are one Query of the sparse department-span-index plus an expansion in Python: target p50
within 1.3x.

The series are unbounded and start in 2023: SERIES - MONTHLY of them yearly outside the month,
MONTHLY of them monthly (one occurrence each in the month), so the answers differ by only those.

Exits 1 when the target is missed (unless --no-targets).
Usage: python bench/bench_series.py [--events 100000] [--series 100] [--latency-samples 300]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "backend"))
sys.path.insert(0, str(ROOT / "tests"))

from bench_api import FLAT_LIMIT, MONTH, MONTH_EVENTS, TableSet, load_set  # noqa: E402
from bench_common import add_measure_arguments, main_on_dynamodb_local, percentile  # noqa: E402
from load_generator import LoadFailed  # noqa: E402
from support.live_helpers import ShellServer, start_app, token_for  # noqa: E402

MONTHLY = 10  # series with one occurrence in MONTH (2024-03)


def add_series(tables: TableSet, count: int) -> int:
    """`count` unbounded series in the target department; returns how many occur in MONTH."""
    for n in range(count):
        if n < MONTHLY:
            fields = {"event_date": f"2023-01-{n + 1:02d}", "recurrence": ["RRULE:FREQ=MONTHLY"]}
        else:  # yearly, never in March
            month = [1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12][n % 11]
            fields = {"event_date": f"2023-{month:02d}-{n % 28 + 1:02d}", "recurrence": ["RRULE:FREQ=YEARLY"]}
        tables.db.create_event(tables.target, {"title": f"series {n}", "start_time": "09:00", **fields})
    return min(count, MONTHLY)


def interleaved(urls: dict[str, str], expect: dict[str, int], samples: int) -> dict[str, list[float]]:
    """One client, a GET of each URL in turn, `samples` times after 30 warm-up rounds; each answer
    must be 200 with its expected number of items."""
    import time

    session, latency = requests.Session(), {label: [] for label in urls}
    for n in range(30 + samples):
        for label, url in urls.items():
            started = time.perf_counter()
            response = session.get(url, headers={"Authorization": f"Bearer {token_for(url)}"}, timeout=30)
            if n >= 30:
                latency[label].append((time.perf_counter() - started) * 1000)
            if response.status_code != 200 or len(response.json()) != expect[label]:
                raise LoadFailed(f"GET {url} answered {response.status_code}")
    return latency


def run(args: argparse.Namespace, endpoint_url: str, log_dir: Path, servers: list[ShellServer]) -> int:
    """Load both sets, add the series to one, serve each under gunicorn, measure; 1 if not flat."""
    sets = {label: load_set(endpoint_url, f"series{label}", args.events) for label in ("today", "series")}
    expect = {"today": MONTH_EVENTS, "series": MONTH_EVENTS + add_series(sets["series"], args.series)}
    urls = {}
    for label, tables in sets.items():
        servers.append(start_app("threading", tables.settings, log_dir / f"{label}.log"))
        urls[label] = f"{servers[-1].url}/api/events/{tables.target}?from={MONTH[0]}&to={MONTH[1]}"
    latency = interleaved(urls, expect, args.latency_samples)
    p50 = {label: percentile(samples, 50) for label, samples in latency.items()}
    print(f"\nmonth query, service under gunicorn, one client, {args.latency_samples} interleaved samples each")
    print(f"today ({args.events:,} events): p50 {p50['today']:.1f} ms, p99 {percentile(latency['today'], 99):.1f} ms")
    print(f"with {args.series} series: p50 {p50['series']:.1f} ms, p99 {percentile(latency['series'], 99):.1f} ms"
          f" ({expect['series']} items listed, {expect['today']} today)")
    ratio = p50["series"] / p50["today"]
    flat = ratio <= FLAT_LIMIT
    print(f"ratio with series / today: {ratio:.2f}x -> {'within' if flat else 'NOT within'} {FLAT_LIMIT}x"
          f"{' (not judged: --no-targets)' if args.no_targets else ''}")
    return 0 if flat or args.no_targets else 1


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--series", type=int, default=100)
    add_measure_arguments(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 when within the target (or not judged), 1 when not."""
    return main_on_dynamodb_local("bench-series-", parse_args(argv), run)

if __name__ == "__main__":
    sys.exit(main())
