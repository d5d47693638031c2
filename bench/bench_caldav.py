"""CalDAV benchmark against DynamoDB Local: a sync-collection REPORT with no changes and with 30
changes, with 1,000 and with 100,000 events in the table, interleaved request by request; and a
PROPFIND of the calendar home listing 100 departments. A sync-collection is one Query of the
department's changes (then a batch read of the changed events), so its latency must not grow with
the table: target p50 within 1.3x for both syncs.

Both table sets are loaded as bench_sync loads them, then changed alike through the API
(bench_sync.make_changes: 30 created, 10 of them updated, 5 deleted). Servers run with
SYNC_OVERLAP_SECONDS=1, so a token taken a second after the changes sees none of them.

Exits 1 when a target is missed (unless --no-targets).
Usage: python bench/bench_caldav.py [--small 1000] [--big 100000] [--latency-samples 300]
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree as ET

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "backend"))
sys.path.insert(0, str(ROOT / "tests"))

from bench_api import FLAT_LIMIT, TableSet, load_set  # noqa: E402
from bench_common import flatness_main, percentile  # noqa: E402
from bench_sync import CREATES, DELETES, make_changes  # noqa: E402
from rules.timestamps import format_timestamp  # noqa: E402
from support.live_helpers import ShellServer, start_app, token_for  # noqa: E402

SYNC = ('<d:sync-collection xmlns:d="DAV:"><d:sync-token>{token}</d:sync-token><d:sync-level>1</d:sync-level>'
        "<d:prop><d:getetag/></d:prop></d:sync-collection>")
TOKEN_PREFIX = "urn:x-department-calendar:sync:"  # dav.properties.SYNC_TOKEN_PREFIX
DAV = "{DAV:}"
HOME_PROPFIND = ('<propfind xmlns="DAV:"><prop><displayname/><getctag xmlns="http://calendarserver.org/ns/"/>'
                 "</prop></propfind>")
# The 30-change sync's responses: the live events, and each deleted one under both cases of its name.
SYNC_RESPONSES = CREATES - DELETES + 2 * DELETES


def dav(url: str, method: str, body: str, depth: str = "1") -> requests.Response:
    response = requests.request(method, url, data=body.encode(), timeout=60, headers={
        "Authorization": f"Bearer {token_for(url)}", "Depth": depth, "Content-Type": "application/xml"})
    if response.status_code != 207:
        raise RuntimeError(f"{method} {url} answered {response.status_code}: {response.text[:200]}")
    return response


def sync_bodies(base_url: str, department_id: str) -> tuple[str, dict[str, str]]:
    """Change the department through the API; (its calendar URL, the REPORT bodies answering 30
    changes and none)."""
    changed_since = make_changes(base_url, department_id).split("changed_since=", 1)[1]
    time.sleep(1.5)  # past the servers' one-second overlap
    calendar = f"{base_url}/dav/calendars/{department_id}/"
    latest = ET.fromstring(dav(calendar, "REPORT", SYNC.format(token=TOKEN_PREFIX + changed_since)).content)
    time.sleep(1.5)
    return calendar, {"30 changes": SYNC.format(token=TOKEN_PREFIX + changed_since),
                      "no changes": SYNC.format(token=latest.findtext(f"{DAV}sync-token"))}


def latencies(calls: dict[str, tuple[str, str, str, int]], samples: int) -> dict[str, list[float]]:
    """One client, each (url, method, body, expected responses) in turn, `samples` times after 10 warm-ups."""
    found: dict[str, list[float]] = {label: [] for label in calls}
    for n in range(10 + samples):
        for label, (url, method, body, expect) in calls.items():
            started = time.perf_counter()
            answered = len(ET.fromstring(dav(url, method, body).content).findall(f"{DAV}response"))
            if n >= 10:
                found[label].append((time.perf_counter() - started) * 1000)
            if answered != expect:
                raise RuntimeError(f"{label}: {answered} responses, expected {expect}")
    return found


def run(args: argparse.Namespace, endpoint_url: str, log_dir: Path, servers: list[ShellServer]) -> int:
    """Load both sets, serve each, change them alike, measure the syncs and the home; 1 if not flat."""
    hour_ago = format_timestamp(datetime.now(UTC) - timedelta(hours=1))
    sets: dict[str, TableSet] = {label: load_set(endpoint_url, f"caldav{label}", getattr(args, label), hour_ago)
                                 for label in ("small", "big")}
    calls: dict[str, tuple[str, str, str, int]] = {}
    for label, tables in sets.items():
        servers.append(start_app("threading", tables.settings, log_dir / f"{label}.log", SYNC_OVERLAP_SECONDS="1"))
        calendar, bodies = sync_bodies(servers[-1].url, tables.target)
        for what, body in bodies.items():
            calls[f"{what}|{label}"] = (calendar, "REPORT", body, SYNC_RESPONSES if what == "30 changes" else 0)
    home = f"{servers[-1].url}/dav/calendars/"
    departments = len(sets["big"].db.list_departments())
    calls["home"] = (home, "PROPFIND", HOME_PROPFIND, 1 + departments)
    measured = latencies(calls, args.latency_samples)
    return report(measured, args, departments)


def report(measured: dict[str, list[float]], args: argparse.Namespace, departments: int) -> int:
    print(f"\nsync-collection REPORT, service under gunicorn, one client, {args.latency_samples} interleaved samples")
    flat = True
    for what in ("no changes", "30 changes"):
        p50 = {label: percentile(measured[f"{what}|{label}"], 50) for label in ("small", "big")}
        ratio = p50["big"] / p50["small"]
        flat &= ratio <= FLAT_LIMIT
        print(f"{what}: {args.small:,} events p50 {p50['small']:.1f} ms, {args.big:,} events p50 {p50['big']:.1f} ms, "
              f"ratio {args.big:,} / {args.small:,}: {ratio:.2f}x")
    print(f"PROPFIND of the home with {departments} departments: p50 {percentile(measured['home'], 50):.1f} ms, "
          f"p99 {percentile(measured['home'], 99):.1f} ms")
    if args.no_targets:
        print("\ntargets: not judged (--no-targets)")
        return 0
    print(f"\n{'targets: all met' if flat else f'targets missed: flatness (limit {FLAT_LIMIT}x)'}")
    return 0 if flat else 1


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 when flat (or not judged), 1 when not."""
    return flatness_main("bench-caldav-", argv, __doc__.splitlines()[0], run)


if __name__ == "__main__":
    sys.exit(main())
