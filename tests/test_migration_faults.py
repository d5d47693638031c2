"""The migration under faults: throttling, UnprocessedItems, lost writes, errors half-way, and a
process killed mid-run. Faults are injected into the real botocore client (`before-send` hooks
answer instead of the server); everything else talks to DynamoDB Local or moto."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager

from config import BACKEND_DIR
from migration.legacy_ids import department_uuid
from models import DynamoDBDatabase
from support.faults import answer
from support.migration_support import all_events

DEPARTMENTS = [{"id": d, "name": f"부서 {d}"} for d in range(1, 6)]


def events(count: int) -> list[dict]:
    return [{"id": i, "department_id": 1 + i % 5, "date": f"2024-{1 + i % 12}-{1 + i % 28}",
             "title": f"일정 {i} 🎉", "description": "x" * 50} for i in range(1, count + 1)]


@contextmanager
def batch_write_fault(db: DynamoDBDatabase, fault):
    """Calls fault(call_number, request) before each BatchWriteItem; a non-None result is the answer."""
    lock = threading.Lock()
    calls = {"n": 0}

    def hook(request, **_kwargs):
        with lock:
            calls["n"] += 1
            number = calls["n"]
        return fault(number, request)

    db.client.meta.events.register("before-send.dynamodb.BatchWriteItem", hook)
    try:
        yield calls
    finally:
        db.client.meta.events.unregister("before-send.dynamodb.BatchWriteItem", hook)


def per_department(db: DynamoDBDatabase, departments: int = 5) -> dict[int, int]:
    return {d: db.count_department_events(department_uuid(d)) for d in range(1, departments + 1)}


def test_throttled_batch_writes_are_retried_until_everything_is_written(cli, db):
    throttle = {"__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                "message": "The level of configured provisioned throughput for the table was exceeded."}
    with batch_write_fault(db, lambda n, request: answer(request, 400, throttle) if n <= 4 else None) as calls:
        run = cli(DEPARTMENTS, events(200), "--workers", "1", db=db)

    # botocore retries once (max attempts 2 in the tests), then the migration's own backoff takes over
    assert run.code == 0, run.err
    assert calls["n"] > 4  # the faults were hit, then the writes went through
    assert "throttled (ProvisionedThroughputExceededException)" in run.log
    assert run.report["events"]["written"] == 200
    assert per_department(db) == {d: 40 for d in range(1, 6)}


def test_throttling_that_never_clears_is_exit_2_saying_what_to_do(cli, db):
    throttle = {"__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                "message": "The level of configured provisioned throughput for the table was exceeded."}
    no_botocore_retries = DynamoDBDatabase(db.settings.with_overrides(dynamodb_max_attempts=1))
    event_batches = {"n": 0}

    def throttled_from_the_third_batch_of_events(_number, request):
        # Each batch of events is followed by a batch of their "migrated" history entries.
        (table, _requests), = json.loads(request.body)["RequestItems"].items()
        event_batches["n"] += table == db.settings.events_table
        return answer(request, 400, throttle) if event_batches["n"] > 2 else None

    with batch_write_fault(no_botocore_retries, throttled_from_the_third_batch_of_events):
        run = cli(DEPARTMENTS, events(200), "--workers", "1", db=no_botocore_retries)

    assert run.code == 2
    assert "DynamoDB is throttling requests" in run.err and "run again" in run.err
    assert run.report["exit_code"] == 2 and "throttling" in run.report["error"]
    assert len(all_events(db)) == 50  # the two batches written before stay stored


def test_unprocessed_items_are_retried(cli, db):
    helper = DynamoDBDatabase(db.settings)  # an unhooked client: the "server" processes half

    def half_processed(number, request):
        if number > 3:
            return None
        body = json.loads(request.body)
        (table, requests), = body["RequestItems"].items()
        half = len(requests) // 2
        helper.client.batch_write_item(RequestItems={table: requests[:half]})
        return answer(request, 200, {"UnprocessedItems": {table: requests[half:]}})

    with batch_write_fault(db, half_processed) as calls:
        run = cli(DEPARTMENTS, events(200), db=db)

    assert run.code == 0, run.err
    assert calls["n"] >= 8 + 3  # 8 batches of 25, and at least one retry for each faulty one
    assert len(all_events(db)) == 200
    assert per_department(db) == {d: 40 for d in range(1, 6)}


def test_lost_writes_fail_verification_and_a_rerun_repairs_them(cli, db):
    def swallow_one(number, request):  # claims success, writes nothing
        return answer(request, 200, {"UnprocessedItems": {}}) if number == 2 else None

    with batch_write_fault(db, swallow_one):
        lost = cli(DEPARTMENTS, events(100), db=db)

    assert lost.code == 2
    assert "verification failed" in lost.err and "run it again" in lost.err
    assert lost.report["verification"]["ok"] is False
    assert "differ; reading again" in lost.log  # it gave a lagging index a few seconds first
    assert sum(r["found_events"] for r in lost.report["verification"]["departments"]) == 75
    assert lost.report["exit_code"] == 2

    repaired = cli(db=db)
    assert repaired.code == 0
    assert (repaired.report["events"]["written"], repaired.report["events"]["already_present"]) == (25, 75)
    assert per_department(db) == {d: 20 for d in range(1, 6)}


def test_an_error_half_way_is_exit_2_with_a_report_and_a_rerun_finishes(cli, db):
    invalid = {"__type": "com.amazon.coral.validate#ValidationException", "message": "injected failure"}
    with batch_write_fault(db, lambda n, request: answer(request, 400, invalid) if n == 3 else None):
        failed = cli(DEPARTMENTS, events(300), "--workers", "1", db=db)

    assert failed.code == 2
    assert "ValidationException: injected failure" in failed.err
    assert "run again" in failed.report["error"]
    assert 0 < len(all_events(db)) < 300

    finished = cli(db=db)
    assert finished.code == 0
    assert finished.report["events"]["written"] + finished.report["events"]["already_present"] == 300
    assert per_department(db) == {d: 60 for d in range(1, 6)}


def test_killed_mid_run_then_run_again_gives_exact_counts(cli, db, settings, tmp_path):
    total = 10_000
    departments, events_file = cli.files(DEPARTMENTS, events(total))
    env = {**os.environ, "DYNAMODB_ENDPOINT_URL": settings.dynamodb_endpoint_url,
           "TABLE_PREFIX": settings.table_prefix}
    with open(tmp_path / "killed.out", "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "migrate_to_dynamodb.py", "--departments", str(departments), "--events",
             str(events_file), "--report", str(tmp_path / "killed.json"), "--id-map", str(tmp_path / "k.ids"),
             "--log-file", str(tmp_path / "killed.log")],
            cwd=BACKEND_DIR, env=env, stdout=output, stderr=subprocess.STDOUT,
        )
    # Counting 10,000 items may outlast the app's 3 s read timeout on a busy machine: the checks wait.
    patient = DynamoDBDatabase(settings.with_overrides(dynamodb_read_timeout=30.0))
    try:
        deadline = time.monotonic() + 120
        while sum(per_department(patient).values()) == 0:  # wait for the first events to land
            assert process.poll() is None, (tmp_path / "killed.out").read_text()
            assert time.monotonic() < deadline, "no event was written within 120 s"
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == -signal.SIGKILL
    assert not (tmp_path / "killed.json").exists()  # it really died before finishing

    run = cli(db=db)

    assert run.code == 0, run.err
    counts = run.report["events"]
    assert counts["already_present"] > 0 and counts["written"] > 0
    assert counts["written"] + counts["already_present"] == total
    assert run.report["departments"]["already_present"] == 5
    assert per_department(patient) == {d: total // 5 for d in range(1, 6)}
    assert len(db.list_departments()) == 5
    assert run.report["verification"]["ok"] is True


def test_a_lagging_index_makes_a_rerun_write_again_but_never_twice(cli, db):
    """The existing-ids read goes through a GSI, which may lag on AWS: simulate it seeing nothing."""
    assert cli(DEPARTMENTS, events(100), db=db).code == 0
    before = all_events(db)

    def empty_index(request, **_kwargs):
        if b"ProjectionExpression" in request.body:  # the id-only Query of the existing-ids read
            return answer(request, 200, {"Items": [], "Count": 0, "ScannedCount": 0})
        return None

    db.client.meta.events.register("before-send.dynamodb.Query", empty_index)
    try:
        run = cli(db=db)
    finally:
        db.client.meta.events.unregister("before-send.dynamodb.Query", empty_index)

    assert run.code == 0
    assert run.report["events"]["written"] == 100  # written again: same ids, same fields
    stamps = ("created_at", "last_modified")  # these events had none: the new run's time is used
    assert [{k: v for k, v in e.items() if k not in stamps} for e in all_events(db)] == [
        {k: v for k, v in e.items() if k not in stamps} for e in before]
    assert per_department(db) == {d: 20 for d in range(1, 6)}


def test_events_created_through_the_api_during_the_run_fail_verification(cli, db):
    api = DynamoDBDatabase(db.settings)

    def api_write(number, request):
        if number == 1:
            api.create_event(department_uuid(1), {"event_date": "2024-06-01", "title": "made meanwhile"})
        return None

    with batch_write_fault(db, api_write):
        run = cli(DEPARTMENTS, events(100), "--workers", "1", db=db)

    assert run.code == 2
    assert "expected 20 events, found 21" in run.err
    assert cli(db=db).code == 0  # once nothing writes meanwhile, a re-run verifies
