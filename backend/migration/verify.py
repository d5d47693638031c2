"""The migration's bulk write of events (in parallel chunks, with a progress bar) and its read-back
of what it wrote: each department there, with the event count it should have."""
from __future__ import annotations

import logging
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tqdm import tqdm

from migration.errors import MigrationFailed
from migration.report import Report
from models import DynamoDBDatabase, NotFound
from storage.plumbing import BATCH_WRITE_LIMIT

log = logging.getLogger("migration")

VERIFY_ATTEMPTS = 6


def put_all(db: DynamoDBDatabase, events: list[dict[str, Any]], workers: int, progress: bool) -> None:
    """Store the events, BATCH_WRITE_LIMIT at a time on `workers` threads; the storage layer retries
    shed load and raises Throttled past its retries."""
    chunks = [events[i : i + BATCH_WRITE_LIMIT] for i in range(0, len(events), BATCH_WRITE_LIMIT)]
    step = max(1, len(events) // 10)
    done, next_log = 0, step

    def put_chunk(chunk: list[dict[str, Any]]) -> int:
        db.put_events(chunk, history=True)  # one "migrated" history entry each
        return len(chunk)

    with tqdm(total=len(events), unit="event", disable=not progress, file=sys.stderr,
              desc="events") as bar, ThreadPoolExecutor(workers) as pool:
        try:
            for written in pool.map(put_chunk, chunks):
                bar.update(written)
                done += written
                if done >= next_log:
                    log.debug("written %d/%d events", done, len(events))
                    next_log += step
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def verify(db: DynamoDBDatabase, report: Report, names: dict[str, str], expected: dict[str, int]) -> None:
    """Read back each department (`names`: id -> name) and its event count into the report; raises
    MigrationFailed on a mismatch."""
    found, pending = _count_events(db, expected)
    missing_departments = _missing_departments(db, names)
    rows = [
        {"id": department_id, "name": names.get(department_id), "expected_events": want,
         "found_events": found.get(department_id)}
        for department_id, want in expected.items()
    ]
    ok = not pending and not missing_departments
    report.verification = {"ok": ok, "departments": rows, "missing_departments": missing_departments}
    if not ok:
        wrong = [f"{r['name']} ({r['id']}): expected {r['expected_events']} events, found "
                 f"{r['found_events']}" for r in rows if r["id"] in pending]
        wrong += [f"department {name} not found" for name in missing_departments]
        raise MigrationFailed(
            "verification failed: " + "; ".join(wrong) + ". The migration is idempotent: run it "
            "again; if the counts still differ, check that nothing else writes to these tables "
            "meanwhile and read the log"
        )
    log.info("verification: the event counts of %d department(s) match", len(rows))


def _count_events(db: DynamoDBDatabase, expected: dict[str, int]) -> tuple[dict[str, int], dict[str, int]]:
    """(event count found, expected count of those that still differ) per department, after retries."""
    found: dict[str, int] = {}
    pending = dict(expected)
    for attempt in range(VERIFY_ATTEMPTS):
        for department_id in list(pending):
            found[department_id] = db.count_department_events(department_id)
            if found[department_id] == pending[department_id]:
                del pending[department_id]
        if not pending:
            break
        if attempt < VERIFY_ATTEMPTS - 1:
            delay = 0.2 * 2**attempt
            log.debug("event counts of %d department(s) differ; reading again in %.1fs", len(pending), delay)
            time.sleep(delay)  # a GSI may lag behind its table on AWS for a moment
    return found, pending


def _missing_departments(db: DynamoDBDatabase, names: dict[str, str]) -> list[str]:
    """The names of the planned departments (`names`: id -> name) that DynamoDB does not have."""
    missing = []
    for department_id, name in names.items():
        try:
            db.get_department(department_id)
        except NotFound:
            missing.append(name)
    return missing
