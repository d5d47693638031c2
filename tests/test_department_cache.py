"""Reading a department's events trusts for a while that the department exists (one DynamoDB call
instead of two); deletes end that trust at once on this instance, and writes never rely on it."""
from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from app import create_app
from models import DynamoDBDatabase
from rules.shapes import stored_event
from storage import department_spans
from storage.items import to_item
from support.live_helpers import admin_token
from support.servers import authorized

MONTH = "?from=2024-01-01&to=2024-01-31"
FEBRUARY = "?from=2024-02-01&to=2024-02-29"
# Departments in use for a while (department_spans grants its one-Query month only to those).
LONG_AGO = "2020-01-01T00:00:00.000Z"


@pytest.fixture
def dynamodb_calls(db):
    """The names of the DynamoDB operations the app's client sends, in order."""
    calls: list[str] = []

    def record(model, **kwargs):
        calls.append(model.name)

    db.client.meta.events.register("before-call.dynamodb", record)
    yield calls
    db.client.meta.events.unregister("before-call.dynamodb", record)


def cached_app(settings, seconds: float):
    """A test client of an app (its own DynamoDBDatabase) trusting a department for `seconds`."""
    cached = settings.with_overrides(department_cache_seconds=seconds)
    return authorized(create_app(cached, DynamoDBDatabase(cached)).test_client(), admin_token(settings))


def month_read_twice(client, department_id: str, dynamodb_calls) -> tuple[list[str], list[str]]:
    """The DynamoDB calls of two reads of the month, once the token is cached; both read the
    department's one event alike."""
    assert client.get("/api/departments").status_code == 200  # the token is read once, then cached
    dynamodb_calls.clear()
    first = client.get(f"/api/events/{department_id}{MONTH}")
    calls_of_first = list(dynamodb_calls)
    second = client.get(f"/api/events/{department_id}{MONTH}")
    assert first.status_code == second.status_code == 200
    assert first.get_json() == second.get_json() and len(second.get_json()) == 1
    return calls_of_first, list(dynamodb_calls)[len(calls_of_first):]


def test_month_read_of_a_department_seen_before_reads_only_its_events(client, make_department, make_event, dynamodb_calls):
    department = make_department()
    make_event(department["id"])
    calls_of_first, calls_of_second = month_read_twice(client, department["id"], dynamodb_calls)
    # A month is two Queries (single events and exceptions by date; series and multi-day events by
    # their last day), and the department is read only the first time.
    assert calls_of_first == ["GetItem", "Query", "Query"]
    assert calls_of_second == ["Query", "Query"]


def test_delete_through_this_instance_is_seen_by_the_next_read(client, make_department):
    department = make_department()
    assert client.get(f"/api/events/{department['id']}").status_code == 200

    assert client.delete(f"/api/departments/{department['id']}").status_code == 204

    response = client.get(f"/api/events/{department['id']}")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def test_delete_made_elsewhere_lags_reads_by_at_most_the_cache_time_and_never_writes(settings, db, make_department):
    client = cached_app(settings, 3.0)
    department = make_department()
    events_url = f"/api/events/{department['id']}"
    checked_at = time.monotonic()
    assert client.get(events_url).status_code == 200
    trusted_until = time.monotonic() + 3.0  # at the latest: the check finished before this

    # Another instance, whose broadcast this one never hears.
    DynamoDBDatabase(settings.with_overrides(gsi_settle_seconds=0)).delete_department(department["id"])

    read_at = time.monotonic()
    lagging_read = client.get(events_url).status_code
    if read_at < checked_at + 3.0:  # a loaded machine may take the whole cache time to delete
        assert lagging_read == 200  # still trusted: the documented lag
    write = client.post(events_url, json={"event_date": "2024-01-20", "title": "late"})
    assert write.status_code == 404  # writes check the department in DynamoDB
    while client.get(events_url).status_code == 200:
        assert time.monotonic() < trusted_until + 0.5, "the read lagged the delete past the cache time"
        time.sleep(0.05)
    assert time.monotonic() - checked_at >= 3.0
    assert db.department_event_ids(department["id"]) == set()


def test_with_the_cache_off_every_read_checks_the_department(settings, db, make_department):
    client = cached_app(settings, 0)
    department = make_department()
    assert client.get(f"/api/events/{department['id']}").status_code == 200

    DynamoDBDatabase(settings).delete_department(department["id"])

    assert client.get(f"/api/events/{department['id']}").status_code == 404


def old_department(db) -> dict:
    return db.create_department(f"dept-{uuid.uuid4().hex[:8]}", created_at=LONG_AGO, updated_at=LONG_AGO)


def test_month_read_of_a_department_without_events_spanning_days_is_one_query(
    client, db, make_event, dynamodb_calls,
):
    department = old_department(db)
    make_event(department["id"], event_date="2024-01-20")
    calls_of_first, calls_of_second = month_read_twice(client, department["id"], dynamodb_calls)
    # The first read finds no event spanning days in the department and says so on its item.
    assert calls_of_first == ["GetItem", "Query", "UpdateItem", "Query"]
    assert calls_of_second == ["Query"]


def spanning_write(settings, other, department_id: str, how: str) -> None:
    """An event spanning days into February, written through another instance (`other`: its own
    app and DynamoDBDatabase), or by a bulk load (the migration's put_events)."""
    url = f"/api/events/{department_id}"
    if how == "multi-day event":
        response = other.post(url, json={"event_date": "2024-01-30", "end_date": "2024-02-02", "title": how})
    elif how == "series":
        response = other.post(url, json={"event_date": "2024-01-03", "title": how,
                                         "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=10"]})
    elif how == "event made a series":
        event = other.post(url, json={"event_date": "2024-01-03", "title": how}).get_json()
        response = other.put(f"/api/events/{event['id']}", json={"recurrence": ["RRULE:FREQ=WEEKLY;COUNT=10"]})
    elif how == "event made multi-day":
        event = other.post(url, json={"event_date": "2024-01-31", "title": how}).get_json()
        response = other.put(f"/api/events/{event['id']}", json={"end_date": "2024-02-01"})
    else:
        DynamoDBDatabase(settings).put_events([{
            "id": str(uuid.uuid4()), "department_id": department_id, "event_date": "2024-01-31",
            "end_date": "2024-02-03", "title": how, "description": "", "time": "", "url": "",
            "created_at": LONG_AGO, "last_modified": LONG_AGO, "version": 1}])
        return
    assert response.status_code in (200, 201), response.get_json()


def test_first_event_spanning_days_written_elsewhere_is_listed_at_once(settings, db):
    ways = ("multi-day event", "series", "event made a series", "event made multi-day", "bulk load")
    departments = {how: old_department(db)["id"] for how in ways}
    reader = cached_app(settings, 5.0)
    for department_id in departments.values():  # this instance now trusts "nothing spans" there
        assert reader.get(f"/api/events/{department_id}{FEBRUARY}").get_json() == []
        assert db.departments.get_item(department_id)[department_spans.SPANS] == department_spans.NONE

    # The other instances are built here, one at a time: CPython 3.11's ast module is not safe to
    # use from several threads at once (SystemError: AST constructor recursion depth mismatch).
    others = {how: cached_app(settings, 5.0) for how in ways}
    started = time.monotonic()
    with ThreadPoolExecutor(len(ways)) as pool:
        list(pool.map(lambda how: spanning_write(settings, others[how], departments[how], how), ways))

    for how, department_id in departments.items():
        listed = reader.get(f"/api/events/{department_id}{FEBRUARY}").get_json()
        assert [event["title"] for event in listed] == [how] * (4 if "series" in how else 1)
    # The price, once in a department's life: its first such write waited out the trust.
    assert time.monotonic() - started >= department_spans.NONE_TRUST_SECONDS


def test_a_young_department_is_read_with_both_queries_and_its_first_series_does_not_wait(client, make_department):
    department = make_department()
    assert client.get(f"/api/events/{department['id']}{FEBRUARY}").get_json() == []

    started = time.monotonic()
    created = client.post(f"/api/events/{department['id']}", json={
        "event_date": "2024-01-03", "title": "weekly", "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=10"]})

    assert created.status_code == 201
    assert time.monotonic() - started < department_spans.NONE_TRUST_SECONDS
    assert len(client.get(f"/api/events/{department['id']}{FEBRUARY}").get_json()) == 4


def older_instance_writes_multi_day_event(settings, db, department_id: str) -> None:
    """What an instance of a version before department_spans writes: the item, and no marker."""
    event = {"id": str(uuid.uuid4()), "department_id": department_id, "event_date": "2024-01-30",
             "end_date": "2024-02-02", "title": "written by an older instance", "created_at": LONG_AGO,
             "last_modified": LONG_AGO, "version": 1, "created_by": "old", "updated_by": "old"}
    db.client.put_item(TableName=settings.events_table, Item=to_item(dict(stored_event(event))))


def test_with_single_query_months_off_a_rolling_upgrade_lists_what_older_instances_write(settings, db):
    """SINGLE_QUERY_MONTHS=0 while older instances still serve: no department is granted the
    one-Query month, and a mark granted before (an earlier rollout) is not trusted."""
    granted_before, never_marked = old_department(db)["id"], old_department(db)["id"]
    assert cached_app(settings, 5.0).get(f"/api/events/{granted_before}{FEBRUARY}").get_json() == []
    assert db.departments.get_item(granted_before)[department_spans.SPANS] == department_spans.NONE

    upgrading = settings.with_overrides(department_cache_seconds=5.0, single_query_months=False)
    reader = authorized(create_app(upgrading, DynamoDBDatabase(upgrading)).test_client(), admin_token(settings))
    for department_id in (granted_before, never_marked):
        assert reader.get(f"/api/events/{department_id}{FEBRUARY}").get_json() == []
    assert department_spans.SPANS not in db.departments.get_item(never_marked)

    for department_id in (granted_before, never_marked):
        older_instance_writes_multi_day_event(settings, db, department_id)
        listed = reader.get(f"/api/events/{department_id}{FEBRUARY}").get_json()
        assert [event["title"] for event in listed] == ["written by an older instance"]
