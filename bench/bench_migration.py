"""Benchmark: the migration CLI against a bare boto3 batch_writer loop (the ceiling) and a per-item
put_item loop (the naive way), all against one DynamoDB Local started here, side by side in one run.

    .venv/bin/python bench/bench_migration.py [--sizes 10000 100000] [--rounds 3] [--naive-sample 10000]

Each measurement writes into fresh tables (own TABLE_PREFIX). The migration is timed end to end
(read and validate the files, write, verify); the loops are timed on items built beforehand.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

BACKEND = Path(__file__).resolve().parent.parent / "backend"
sys.path.insert(0, str(BACKEND))

import boto3  # noqa: E402

import migrate_to_dynamodb  # noqa: E402
from bench_common import machine  # noqa: E402
from config import Settings  # noqa: E402
from local.dynamodb_local import start_dynamodb_local  # noqa: E402
from models import DynamoDBDatabase, to_item  # noqa: E402

DEPARTMENTS = 20
TARGET = 0.8  # migration items/s over the batch_writer ceiling


def legacy_files(directory: Path, events: int) -> tuple[Path, Path]:
    departments = [{"id": d, "name": f"부서 {d}", "description": "벤치마크 🚀",
                    "created_at": "2023-05-01 09:00:00"} for d in range(1, DEPARTMENTS + 1)]
    records = [
        {"id": i, "department_id": 1 + i % DEPARTMENTS, "date": f"2024-{1 + i % 12}-{1 + i % 28}",
         "title": f"회의 {i}", "description": "주간 팀 회의 — weekly sync 🎉", "time": "오후 2:00",
         "url": "https://example.com/meeting", "created_at": "2024-01-15T10:30:00"}
        for i in range(1, events + 1)
    ]
    dep_path, ev_path = directory / "departments.json", directory / "calendar_events.json"
    dep_path.write_text(json.dumps(departments, ensure_ascii=False), encoding="utf-8")
    ev_path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return dep_path, ev_path


def event_items(count: int, department_id: str) -> list[dict]:
    """Items of the same size and shape as the migration writes."""
    return [
        {"id": str(uuid.uuid4()), "department_id": department_id, "event_date": "2024-01-20",
         "title": f"회의 {i}", "description": "주간 팀 회의 — weekly sync 🎉", "time": "오후 2:00",
         "url": "https://example.com/meeting", "created_at": "2024-01-15T10:30:00.000Z",
         "last_modified": "2024-01-15T10:30:00.000Z", "version": 1}
        for i in range(count)
    ]


def fresh_db(endpoint: str) -> DynamoDBDatabase:
    db = DynamoDBDatabase(Settings(dynamodb_endpoint_url=endpoint, table_prefix=f"b{uuid.uuid4().hex[:10]}_"))
    db.create_tables()
    return db


def drop(db: DynamoDBDatabase) -> None:
    for name in db.settings.table_names:
        db.client.delete_table(TableName=name)


def bench_migration(endpoint: str, workdir: Path, events: int, workers: int) -> float:
    dep_path, ev_path = legacy_files(workdir, events)
    db = fresh_db(endpoint)
    args = ["--departments", str(dep_path), "--events", str(ev_path), "--quiet",
            "--report", str(workdir / "report.json"), "--id-map", str(workdir / "ids.json"),
            "--log-file", str(workdir / "migration.log"), "--workers", str(workers)]
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # the CLI's summary; the report is checked below
        status = migrate_to_dynamodb.main(args, db=db)
    elapsed = time.perf_counter() - started
    report = json.loads((workdir / "report.json").read_text(encoding="utf-8"))
    assert status == 0 and report["events"]["written"] == events, report
    drop(db)
    return events / elapsed


def bench_batch_writer(endpoint: str, events: int) -> float:
    db = fresh_db(endpoint)
    items = event_items(events, str(uuid.uuid4()))
    table = boto3.resource("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                           aws_access_key_id="local", aws_secret_access_key="local").Table(db.events_table)
    started = time.perf_counter()
    with table.batch_writer() as batch:
        for item in items:
            batch.put_item(Item=item)
    elapsed = time.perf_counter() - started
    drop(db)
    return events / elapsed


def bench_put_item(endpoint: str, events: int) -> float:
    db = fresh_db(endpoint)
    items = [to_item(item) for item in event_items(events, str(uuid.uuid4()))]
    started = time.perf_counter()
    for item in items:
        db.client.put_item(TableName=db.events_table, Item=item)
    elapsed = time.perf_counter() - started
    drop(db)
    return events / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--rounds", type=int, default=3, help="rounds per size; the median is shown")
    parser.add_argument("--naive-sample", type=int, default=10_000,
                        help="put_item is measured on at most this many items (its rate is per item)")
    args = parser.parse_args()
    server = start_dynamodb_local()
    print(f"machine: {machine()}")
    print(f"DynamoDB Local (in memory) at {server.endpoint_url}")
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            bench_batch_writer(server.endpoint_url, 2_000)  # warm up the JVM
            for size in args.sizes:
                rounds: list[tuple[float, float, float]] = []
                for _ in range(args.rounds):  # interleaved, so drift on a shared machine hits all three
                    rounds.append((
                        bench_batch_writer(server.endpoint_url, size),
                        bench_migration(server.endpoint_url, Path(tmp), size, migrate_to_dynamodb.DEFAULT_WORKERS),
                        bench_migration(server.endpoint_url, Path(tmp), size, 1),
                    ))
                ceiling, migration, sequential = (statistics.median(r[i] for r in rounds) for i in range(3))
                sample = min(size, args.naive_sample)
                naive = bench_put_item(server.endpoint_url, sample)
                rows.append((size, ceiling, migration, sequential, naive, sample))
                print(f"{size:,} events, rounds (batch_writer, migration, migration -w1 items/s): "
                      + "; ".join(", ".join(f"{v:,.0f}" for v in r) for r in rounds), flush=True)
    finally:
        server.stop()
    print()
    print(f"{'events':>8} | {'batch_writer':>12} | {'migration':>16} | {'migration -w1':>16} | {'put_item':>22}")
    for size, ceiling, migration, sequential, naive, sample in rows:
        naive_note = "" if sample == size else f" (on {sample:,})"
        print(f"{size:>8,} | {ceiling:>8,.0f} /s | {migration:>6,.0f} /s {migration / ceiling:>4.2f}x | "
              f"{sequential:>6,.0f} /s {sequential / ceiling:>4.2f}x | "
              f"{naive:>6,.0f} /s {naive / ceiling:>4.2f}x{naive_note}")
    print(f"\nmedians of {args.rounds} interleaved rounds; ratios are items/s divided by the batch_writer "
          "ceiling measured in the same run; "
          f"migration uses --workers {migrate_to_dynamodb.DEFAULT_WORKERS} (default), -w1 is --workers 1")
    missed = [size for size, ceiling, migration, *_ in rows if migration / ceiling < TARGET]
    if missed:
        print(f"target missed: migration below {TARGET}x the ceiling for {missed}")
        return 1
    print(f"target met: migration at least {TARGET}x the ceiling")
    return 0


if __name__ == "__main__":
    sys.exit(main())
