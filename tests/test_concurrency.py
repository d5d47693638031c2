"""Requests arriving at the same moment, against a live app process over HTTP.

These run against DynamoDB Local only: moto's server evaluates a condition and applies the write
without holding a lock, so two conditional writes racing on one item can both succeed there
(seen: two 200s for one If-Match version). DynamoDB and DynamoDB Local serialise them.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from support.live_helpers import http

pytestmark = pytest.mark.parametrize("dynamodb_server", ["dynamodb-local"], indirect=True)

CLIENTS = 20


def _all_at_once(call, count: int = CLIENTS) -> list:
    barrier = threading.Barrier(count)

    def run(i):
        barrier.wait()
        return call(i)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def test_twenty_clients_creating_one_name_exactly_one_wins(live_server, db):
    statuses = _all_at_once(
        lambda i: http.post(f"{live_server.url}/api/departments", json={"name": "동시 생성"}, timeout=30).status_code
    )
    assert sorted(statuses) == [201] + [409] * (CLIENTS - 1)
    assert [d["name"] for d in db.list_departments()] == ["동시 생성"]


def test_twenty_conditional_updates_of_one_version_exactly_one_wins(live_server, db, make_department, make_event):
    event = make_event(make_department()["id"])
    statuses = _all_at_once(
        lambda i: http.put(f"{live_server.url}/api/events/{event['id']}", json={"title": f"writer {i}"},
                               headers={"If-Match": '"1"'}, timeout=30).status_code
    )
    assert sorted(statuses) == [200] + [412] * (CLIENTS - 1)
    assert db.get_event(event["id"])["version"] == 2


def test_twenty_unconditional_updates_lose_no_version(live_server, db, make_department, make_event):
    event = make_event(make_department()["id"])
    statuses = _all_at_once(
        lambda i: http.put(f"{live_server.url}/api/events/{event['id']}", json={"time": str(i)},
                               timeout=30).status_code
    )
    assert statuses == [200] * CLIENTS
    assert db.get_event(event["id"])["version"] == 1 + CLIENTS


def test_events_created_while_the_department_is_deleted_leave_no_orphans(live_server, db, make_department):
    department_id = make_department()["id"]
    url = live_server.url

    def act(i):
        if i == 0:
            return http.delete(f"{url}/api/departments/{department_id}", timeout=30).status_code
        return http.post(f"{url}/api/events/{department_id}",
                             json={"event_date": "2024-01-01", "title": f"e{i}"}, timeout=30).status_code

    statuses = _all_at_once(act)

    assert statuses[0] == 204
    assert set(statuses[1:]) <= {201, 404}
    assert db.client.scan(TableName=db.events_table)["Items"] == []


def test_concurrent_deletes_of_one_department_exactly_one_succeeds(live_server, db, make_department, make_event):
    department_id = make_department()["id"]
    for day in range(1, 11):
        make_event(department_id, event_date=f"2024-01-{day:02d}")
    statuses = _all_at_once(
        lambda i: http.delete(f"{live_server.url}/api/departments/{department_id}", timeout=30).status_code,
        count=5,
    )
    assert sorted(statuses) == [204] + [404] * 4
    assert db.client.scan(TableName=db.events_table)["Items"] == []
    assert db.client.scan(TableName=db.departments_table)["Items"] == []


def test_twenty_departments_renamed_to_one_name_exactly_one_wins(live_server, db, make_department):
    departments = [make_department(f"부서 {i}") for i in range(CLIENTS)]
    responses = _all_at_once(
        lambda i: http.patch(f"{live_server.url}/api/departments/{departments[i]['id']}",
                                 json={"name": "새 이름"}, timeout=30)
    )
    assert sorted(r.status_code for r in responses) == [200] + [409] * (CLIENTS - 1)
    winner = next(r.json() for r in responses if r.status_code == 200)
    names = sorted(d["name"] for d in db.list_departments())
    assert names == sorted(["새 이름"] + [d["name"] for d in departments if d["id"] != winner["id"]])
    markers = [i for i in db.client.scan(TableName=db.departments_table)["Items"] if i["id"]["S"].startswith("name#")]
    assert len(markers) == CLIENTS  # one per department: the winner's old name was freed


def test_twenty_renames_of_one_department_leave_one_name_and_one_marker(live_server, db, make_department):
    department = make_department("처음 이름")
    statuses = _all_at_once(
        lambda i: http.patch(f"{live_server.url}/api/departments/{department['id']}",
                                 json={"name": f"이름 {i}"}, timeout=30).status_code
    )
    assert set(statuses) <= {200, 409} and 200 in statuses
    (stored,) = db.list_departments()
    markers = [i for i in db.client.scan(TableName=db.departments_table)["Items"] if i["id"]["S"].startswith("name#")]
    assert [m["id"]["S"] for m in markers] == [f"name#{stored['name']}"]


@pytest.mark.parametrize("route", ["events", "departments"])
def test_twenty_copies_of_one_keyed_post_at_once_store_one_item(live_server, db, make_department, route):
    path, body = ((f"/api/events/{make_department()['id']}", {"event_date": "2024-01-01", "title": "한 번만"})
                  if route == "events" else ("/api/departments", {"name": "한 번만"}))
    responses = _all_at_once(
        lambda i: http.post(f"{live_server.url}{path}", json=body, headers={"Idempotency-Key": "once"}, timeout=30)
    )
    assert {r.status_code for r in responses} <= {201, 409}
    created = [r.json() for r in responses if r.status_code == 201]
    assert created and all(c == created[0] for c in created)
    table = db.events_table if route == "events" else db.departments_table
    ids = [i["id"]["S"] for i in db.client.scan(TableName=table)["Items"] if not i["id"]["S"].startswith("name#")]
    assert ids == [created[0]["id"]]
