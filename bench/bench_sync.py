"""Catch-up sync benchmark against DynamoDB Local: `GET /api/events/{dept}?changed_since=<token>`
with 1,000 and with 100,000 events in the table, interleaved request by request (bench_api's
flatness measurement). The sync is a Query of department-modified-index from the token's moment,
so its latency must not grow with the table: target p50 within 1.3x.

Both table sets are loaded as bench_api loads them (100 departments), every event stamped an hour
ago; then the same SYNC_CHANGES changes (creates, updates, deletes) are made through the API in the
first department of each set, after a month list gave the token. Each sync answers exactly those.

Exits 1 when the target is missed (unless --no-targets).
Usage: python bench/bench_sync.py [--small 1000] [--big 100000] [--latency-samples 300]
"""
from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "backend"))
sys.path.insert(0, str(ROOT / "tests"))

from bench_api import MONTH, TableSet, check_flatness, load_set  # noqa: E402
from bench_common import flatness_main  # noqa: E402
from rules.timestamps import format_timestamp  # noqa: E402
from support.live_helpers import ShellServer, http, start_app  # noqa: E402

CREATES, UPDATES, DELETES = 30, 10, 5  # updates and deletes touch created events
SYNC_CHANGES = CREATES  # what each sync answers: 25 events (10 of them updated) and 5 tombstones


def make_changes(base_url: str, department_id: str) -> str:
    """Take a token from the month list, then change the department through the API; returns the
    `?changed_since=` URL whose answer is exactly those changes."""
    events_url = f"{base_url}/api/events/{department_id}"
    listed = http.get(events_url, params={"from": MONTH[0], "to": MONTH[1]}, timeout=30)
    listed.raise_for_status()
    token = listed.headers["X-Sync-Token"]
    created = []
    for n in range(CREATES):
        response = http.post(events_url, json={"event_date": "2024-05-01", "title": f"sync {n}"}, timeout=30)
        response.raise_for_status()
        created.append(response.json()["id"])
    for event_id in created[:UPDATES]:
        http.put(f"{base_url}/api/events/{event_id}", json={"title": "수정"}, timeout=30).raise_for_status()
    for event_id in created[-DELETES:]:
        http.delete(f"{base_url}/api/events/{event_id}", timeout=30).raise_for_status()
    return f"{events_url}?changed_since={token}"


def run(args: argparse.Namespace, endpoint_url: str, log_dir: Path, servers: list[ShellServer]) -> int:
    """Load both sets, serve each under gunicorn, change them alike, measure the sync; 1 if not flat."""
    hour_ago = format_timestamp(datetime.now(UTC) - timedelta(hours=1))
    sets: dict[str, TableSet] = {label: load_set(endpoint_url, f"sync{label}", getattr(args, label), hour_ago)
                                 for label in ("small", "big")}
    urls = {}
    for label, tables in sets.items():
        servers.append(start_app("threading", tables.settings, log_dir / f"{label}.log"))
        urls[label] = make_changes(servers[-1].url, tables.target)
    print(f"changes: {CREATES} created, {UPDATES} of them updated, {DELETES} deleted in one department of "
          f"each set; each sync answers {SYNC_CHANGES} items")
    flat = check_flatness(urls, {"small": args.small, "big": args.big}, args.latency_samples,
                          not args.no_targets, what="changed_since sync", expect=SYNC_CHANGES)
    if args.no_targets:
        print("\ntargets: not judged (--no-targets)")
    else:
        print(f"\n{'targets: all met' if flat else 'targets missed: flatness'}")
    return 0 if flat else 1


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 when flat (or not judged), 1 when not."""
    return flatness_main("bench-sync-", argv, __doc__.splitlines()[0], run)


if __name__ == "__main__":
    sys.exit(main())
