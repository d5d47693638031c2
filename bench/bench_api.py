"""REST API benchmark against DynamoDB Local, beside raw boto3 making the same DynamoDB calls.

1. Throughput: requests/s and p50/p99 of `GET /api/events/{dept}?from&to` (one month) and of
   `POST /api/events/{dept}` with concurrent clients, beside raw boto3 doing the same calls the
   service makes (GetItem + Query on department-date-index; TransactWriteItems) — the ceiling.
2. Flatness: the month query's latency with 1,000 and with 100,000 events in the table (spread over
   100 departments), measured interleaved in one run. The target month holds the same 30 events in
   both; a Scan would grow with the table, a Query does not. Must stay within 1.3x.

Usage: python bench/bench_api.py [--clients 8] [--requests 1500] [--big 100000]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "backend"))
sys.path.insert(0, str(ROOT / "tests"))

from bench_common import machine, percentile  # noqa: E402
from config import Settings  # noqa: E402
from local.dynamodb_local import start_dynamodb_local  # noqa: E402
from models import DynamoDBDatabase, to_item  # noqa: E402
from schema import DEPARTMENT_DATE_INDEX, utc_now_iso  # noqa: E402
from servers import start_live_server  # noqa: E402

DEPARTMENTS = 100
MONTH = ("2024-03-01", "2024-03-31")
MONTH_EVENTS = 30
FLAT_LIMIT = 1.3


def run_load(call, total: int, clients: int) -> dict[str, float]:
    """Run `call(i)` `total` times from `clients` threads; requests/s and latency percentiles (ms)."""
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(total))

    def worker():
        local = []
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            start = time.perf_counter()
            call(i)
            local.append((time.perf_counter() - start) * 1000)
        with lock:
            latencies.extend(local)

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for future in [pool.submit(worker) for _ in range(clients)]:
            future.result()
    elapsed = time.perf_counter() - started
    return {"rps": total / elapsed, "p50": percentile(latencies, 50), "p99": percentile(latencies, 99)}


def load_events(db: DynamoDBDatabase, total: int) -> list[str]:
    """100 departments; the first gets MONTH_EVENTS events in MONTH; the rest of `total` is spread
    over all departments outside that month. Returns the department ids."""
    departments = [db.create_department(f"bench-{i:03d}")["id"] for i in range(DEPARTMENTS)]
    now = utc_now_iso()

    def event(department_id: str, day: str, n: int) -> dict:
        return {"PutRequest": {"Item": to_item({
            "id": str(uuid.uuid4()), "department_id": department_id, "event_date": day,
            "title": f"event {n}", "description": "", "time": "오후 2:00", "url": "",
            "created_at": now, "last_modified": now, "version": 1})}}

    requests_ = [event(departments[0], f"2024-03-{n % 31 + 1:02d}", n) for n in range(MONTH_EVENTS)]
    for n in range(total - MONTH_EVENTS):
        year = 2020 + n % 4  # 2020-2023: never in the queried month
        requests_.append(event(departments[n % DEPARTMENTS], f"{year}-{n % 12 + 1:02d}-{n % 28 + 1:02d}", n))
    chunks = [requests_[i : i + 2500] for i in range(0, len(requests_), 2500)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda chunk: db._batch_write(db.events_table, chunk), chunks))
    return departments


def raw_month_query(client, settings: Settings, department_id: str) -> int:
    """What GET /api/events/{dept}?from&to asks of DynamoDB, with boto3 directly."""
    client.get_item(TableName=settings.departments_table, Key={"id": {"S": department_id}}, ConsistentRead=True)
    kwargs = {
        "TableName": settings.events_table, "IndexName": DEPARTMENT_DATE_INDEX,
        "KeyConditionExpression": "#d = :d AND #date BETWEEN :s AND :e",
        "ExpressionAttributeNames": {"#d": "department_id", "#date": "event_date"},
        "ExpressionAttributeValues": {":d": {"S": department_id}, ":s": {"S": MONTH[0]}, ":e": {"S": MONTH[1]}},
    }
    count = 0
    while True:
        page = client.query(**kwargs)
        count += len(page["Items"])
        if "LastEvaluatedKey" not in page:
            return count
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def raw_create(client, settings: Settings, department_id: str, n: int) -> None:
    """What POST /api/events/{dept} asks of DynamoDB, with boto3 directly."""
    now = utc_now_iso()
    client.transact_write_items(TransactItems=[
        {"ConditionCheck": {
            "TableName": settings.departments_table, "Key": {"id": {"S": department_id}},
            "ConditionExpression": "attribute_exists(#n) AND attribute_not_exists(#x)",
            "ExpressionAttributeNames": {"#n": "name", "#x": "deleting"}}},
        {"Put": {
            "TableName": settings.events_table,
            "Item": to_item({"id": str(uuid.uuid4()), "department_id": department_id, "event_date": "2024-04-01",
                             "title": f"raw {n}", "description": "", "time": "", "url": "",
                             "created_at": now, "last_modified": now, "version": 1}),
            "ConditionExpression": "attribute_not_exists(#id)", "ExpressionAttributeNames": {"#id": "id"}}},
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--latency-samples", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)

    print(f"machine: {machine()}")
    server = start_dynamodb_local()
    apps = []
    try:
        sets = {}
        for label, total in (("small", args.small), ("big", args.big)):
            settings = Settings(dynamodb_endpoint_url=server.endpoint_url, table_prefix=f"bench_{label}_")
            db = DynamoDBDatabase(settings)
            db.create_tables()
            started = time.perf_counter()
            departments = load_events(db, total)
            print(f"loaded {total:,} events over {DEPARTMENTS} departments in {time.perf_counter() - started:.1f}s")
            app = start_live_server(settings, Path(f"/tmp/bench-app-{label}.log"), LOG_LEVEL="ERROR")
            apps.append(app)
            sets[label] = (settings, db, departments[0], app)

        settings, db, target, app = sets["big"]
        month_url = f"{app.url}/api/events/{target}?from={MONTH[0]}&to={MONTH[1]}"
        post_url = f"{app.url}/api/events/{target}"
        sessions = threading.local()

        def http() -> requests.Session:
            if not hasattr(sessions, "s"):
                sessions.s = requests.Session()
            return sessions.s

        def api_month(i):
            response = http().get(month_url, timeout=30)
            assert response.status_code == 200 and len(response.json()) == MONTH_EVENTS

        def api_post(i):
            response = http().post(post_url, json={"event_date": "2024-04-01", "title": f"api {i}"}, timeout=30)
            assert response.status_code == 201

        def boto_month(i):
            assert raw_month_query(db.client, settings, target) == MONTH_EVENTS

        def boto_post(i):
            raw_create(db.client, settings, target, i)

        for warm in (api_month, boto_month, api_post, boto_post):
            run_load(warm, 100, args.clients)
        results: dict[str, list[dict]] = {name: [] for name in ("api_month", "boto_month", "api_post", "boto_post")}
        for _ in range(args.rounds):  # interleaved rounds, so drift on a shared machine hits both sides
            for name, call in (("api_month", api_month), ("boto_month", boto_month),
                               ("api_post", api_post), ("boto_post", boto_post)):
                results[name].append(run_load(call, args.requests, args.clients))

        def median(name, key):
            return statistics.median(r[key] for r in results[name])

        print(f"\nthroughput, {args.clients} concurrent clients, {args.requests} requests x {args.rounds} rounds "
              f"(median of rounds), {args.big:,} events in the table")
        print(f"{'':34}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}")
        for label, api, raw in (("GET month", "api_month", "boto_month"), ("POST event", "api_post", "boto_post")):
            for side, name in (("API", api), ("raw boto3 (ceiling)", raw)):
                print(f"{label + ' ' + side:34}{median(name, 'rps'):9.0f}{median(name, 'p50'):9.1f}"
                      f"{median(name, 'p99'):9.1f}")
            print(f"{label + ' API / ceiling':34}{median(api, 'rps') / median(raw, 'rps'):9.2f}x")

        # Flatness: one client, small and big table sets interleaved request by request.
        latency = {"small": [], "big": []}
        urls = {label: f"{s[3].url}/api/events/{s[2]}?from={MONTH[0]}&to={MONTH[1]}" for label, s in sets.items()}
        session = requests.Session()
        for label in ("small", "big"):
            for _ in range(30):
                session.get(urls[label], timeout=30)
        for _ in range(args.latency_samples):
            for label in ("small", "big"):
                start = time.perf_counter()
                response = session.get(urls[label], timeout=30)
                latency[label].append((time.perf_counter() - start) * 1000)
                assert len(response.json()) == MONTH_EVENTS
        small_p50, big_p50 = percentile(latency["small"], 50), percentile(latency["big"], 50)
        ratio = big_p50 / small_p50
        print(f"\nmonth query, one client, {args.latency_samples} interleaved samples each")
        print(f"{args.small:>9,} events: p50 {small_p50:.1f} ms, p99 {percentile(latency['small'], 99):.1f} ms")
        print(f"{args.big:>9,} events: p50 {big_p50:.1f} ms, p99 {percentile(latency['big'], 99):.1f} ms")
        verdict = "flat (Query, not Scan)" if ratio <= FLAT_LIMIT else f"NOT flat (limit {FLAT_LIMIT}x)"
        print(f"ratio {args.big:,} / {args.small:,}: {ratio:.2f}x -> {verdict}")
        return 0 if ratio <= FLAT_LIMIT else 1
    finally:
        for app in apps:
            app.stop()
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
