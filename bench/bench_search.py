"""Search benchmark against DynamoDB Local, through the app in this process (GET /api/search).

1. Latency flat in the table's size: one department of --department events (1 in 10 holds the
   searched word) in a table of --small events, and the same department in a table of --big events
   (the rest spread over 99 other departments); the two searched request by request, interleaved.
   Target: big p50 / small p50 at most 1.3x.
2. What the department's own size costs (reported, not judged): the same search in a department of
   --department and of 10x as many events. A search reads its department's items (DYNAMODB_SETUP.md).
3. The write: an event's item with its search text against the same item without it (bytes, and
   the write units of the event and its three GSIs), and the CPU of POST /api/events with and
   without the text computed (interleaved). Target: write cost under 2x.

Exits 1 when a target is missed (unless --no-targets).
Usage: python bench/bench_search.py [--small 1000] [--big 100000] [--department 1000] [--latency-samples 200]
"""
from __future__ import annotations

import argparse
import math
import sys
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "backend"))
sys.path.insert(0, str(ROOT / "tests"))

from bench_common import add_measure_arguments, add_size_arguments, main_on_dynamodb_local, percentile  # noqa: E402
from config import Settings  # noqa: E402
from models import DynamoDBDatabase  # noqa: E402
from rules import shapes  # noqa: E402
from rules.shapes import SEARCH_TEXT, stored_event  # noqa: E402
from schema import utc_now_iso  # noqa: E402
from support.live_helpers import admin_token  # noqa: E402

FLAT_LIMIT = 1.3
WRITE_LIMIT = 2.0
DEPARTMENTS = 100
WORD = "분기회의"


def _event(department_id: str, n: int, now: str) -> dict[str, Any]:
    title = f"{WORD} {n}" if n % 10 == 0 else f"3팀 점검 {n}"
    return {"id": str(uuid.uuid4()), "department_id": department_id, "event_date": f"{2020 + n % 6}-{n % 12 + 1:02d}-"
            f"{n % 28 + 1:02d}", "title": title, "description": "주간 팀 회의 — weekly sync", "time": "오후 2:00, 3층",
            "url": "", "created_at": now, "last_modified": now, "version": 1}


def load(endpoint: str, label: str, total: int, department_events: int) -> tuple[DynamoDBDatabase, str]:
    """Tables `bench_<label>_` with `total` events: `department_events` in the searched department."""
    db = DynamoDBDatabase(Settings(dynamodb_endpoint_url=endpoint, table_prefix=f"bench_{label}_"))
    db.create_tables()
    departments = [db.create_department(f"bench-{i:03d}")["id"] for i in range(DEPARTMENTS)]
    now, started = utc_now_iso(), time.perf_counter()
    events = [_event(departments[0], n, now) for n in range(department_events)]
    events += [_event(departments[1 + n % (DEPARTMENTS - 1)], n, now) for n in range(total - department_events)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(db.put_events, [events[i:i + 2500] for i in range(0, len(events), 2500)]))
    print(f"loaded {total:,} events ({department_events:,} in the searched department) in "
          f"{time.perf_counter() - started:.1f}s", flush=True)
    return db, departments[0]


def _searcher(db: DynamoDBDatabase, department: str, limit: int) -> Callable[[], float]:
    from app import create_app

    client = create_app(db.settings, db).test_client()
    headers = {"Authorization": f"Bearer {admin_token(db.settings)}"}

    def search() -> float:
        started = time.perf_counter()
        answer = client.get("/api/search", query_string={"q": WORD, "department": department, "limit": limit},
                            headers=headers)
        assert answer.status_code == 200 and len(answer.get_json()) == limit, answer.get_data(as_text=True)[:300]
        return (time.perf_counter() - started) * 1000
    return search


def interleaved(sides: dict[str, Callable[[], float]], samples: int) -> dict[str, float]:
    """p50 ms of each side, sampled request by request in turn (after 10 warm-up rounds)."""
    times: dict[str, list[float]] = {name: [] for name in sides}
    for round_ in range(samples + 10):
        for name, call in sides.items():
            took = call()
            if round_ >= 10:
                times[name].append(took)
    return {name: percentile(values, 50) for name, values in times.items()}


def _item_bytes(item: dict[str, Any]) -> int:
    """DynamoDB's size of an item: attribute names and values as UTF-8 (numbers ~ their digits)."""
    return sum(len(name.encode()) + len(str(value).encode()) for name, value in item.items())


def write_cost(db: DynamoDBDatabase, department: str, samples: int) -> tuple[float, float, float, float]:
    """(bytes with text, bytes without, WCU ratio, POST CPU ratio with/without the text)."""
    event = _event(department, 7, utc_now_iso())
    with_text = dict(stored_event(event))  # type: ignore[arg-type]
    without = {k: v for k, v in with_text.items() if k != SEARCH_TEXT}
    units = [math.ceil(_item_bytes(item) / 1024) for item in (with_text, without)]  # the table's and each GSI's
    from app import create_app

    client = create_app(db.settings, db).test_client()
    headers = {"Authorization": f"Bearer {admin_token(db.settings)}"}
    body = {k: event[k] for k in ("event_date", "title", "description", "time")}
    folded = shapes.searchable_text

    def post(text: bool) -> float:
        shapes.searchable_text = folded if text else (lambda texts: "")  # the write as it was before search
        started = time.process_time()
        assert client.post(f"/api/events/{department}", json=body, headers=headers).status_code == 201
        return (time.process_time() - started) * 1000
    try:
        cpu = interleaved({"with": lambda: post(True), "without": lambda: post(False)}, samples)
    finally:
        shapes.searchable_text = folded
    return _item_bytes(with_text), _item_bytes(without), units[0] / units[1], cpu["with"] / cpu["without"]


def run(args: argparse.Namespace, endpoint: str, log_dir: Path, servers: list[Any]) -> int:
    small, _ = load(endpoint, "small", args.small, args.department)
    big, _ = load(endpoint, "big", args.big, args.department)
    wide, _ = load(endpoint, "wide", args.department * 10, args.department * 10)
    limit = min(20, args.department // 10)  # a page of results: 1 in 10 events holds the word
    searchers = {name: _searcher(db, _first(db), limit) for name, db in (("small", small), ("big", big), ("wide", wide))}
    p50 = interleaved(searchers, args.latency_samples)
    flat = p50["big"] / p50["small"]
    print(f"search, {args.department:,} events in the department: table of {args.small:,} p50 {p50['small']:.1f} ms, "
          f"of {args.big:,} p50 {p50['big']:.1f} ms; ratio {args.big:,} / {args.small:,}: {flat:.2f}x "
          f"(target <= {FLAT_LIMIT}x)")
    print(f"department of {args.department * 10:,} events: p50 {p50['wide']:.1f} ms, "
          f"{p50['wide'] / p50['small']:.2f}x the department of {args.department:,} (reported, not judged)")
    with_bytes, without_bytes, units, cpu = write_cost(small, _first(small), max(20, args.latency_samples // 4))
    print(f"write: the item {with_bytes} bytes with its search text, {without_bytes} without "
          f"(+{with_bytes - without_bytes} bytes of storage an event and in each GSI); write units {units:.2f}x; "
          f"POST CPU with the text / without: {cpu:.2f}x (target < {WRITE_LIMIT}x)")
    missed = [name for name, ok in (("flat", flat <= FLAT_LIMIT), ("write", max(units, cpu) < WRITE_LIMIT)) if not ok]
    if args.no_targets:
        print("targets: not judged (--no-targets)")
        return 0
    print("targets: met" if not missed else f"targets missed: {', '.join(missed)}")
    return 1 if missed else 0


def _first(db: DynamoDBDatabase) -> str:
    return next(d["id"] for d in db.list_departments() if d["name"] == "bench-000")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_size_arguments(parser)
    parser.add_argument("--department", type=int, default=1_000, help="events in the searched department")
    add_measure_arguments(parser)
    parser.set_defaults(latency_samples=200)
    return main_on_dynamodb_local("bench-search-", parser.parse_args(argv), run)


if __name__ == "__main__":
    sys.exit(main())
