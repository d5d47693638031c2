"""/api/events through HTTP, checked against what DynamoDB holds."""
from __future__ import annotations

import re
import uuid

import pytest


def _create(client, department_id, **fields):
    body = {"event_date": "2024-01-20", "title": "Meeting", **fields}
    return client.post(f"/api/events/{department_id}", json=body)


def test_create_event_returns_201_and_the_stored_event(client, db, make_department):
    department = make_department()
    response = _create(client, department["id"], title="주간 회의 🗓️", time="오후 2:00",
                       description="3층 회의실", url="https://example.com/a?b=1")

    assert response.status_code == 201
    event = response.get_json()
    assert event == {
        "id": event["id"],
        "department_id": department["id"],
        "event_date": "2024-01-20",
        "title": "주간 회의 🗓️",
        "description": "3층 회의실",
        "time": "오후 2:00",
        "url": "https://example.com/a?b=1",
        "created_at": event["created_at"],
        "last_modified": event["created_at"],
        "version": 1,
        "created_by": "test-admin",
        "updated_by": "test-admin",
    }
    assert uuid.UUID(event["id"]).version == 4
    assert response.headers["ETag"] == '"1"'
    assert db.get_event(event["id"]) == event
    assert client.get(f"/api/events/{department['id']}").get_json() == [event]


def test_optional_fields_default_to_empty_strings(client, make_department):
    event = _create(client, make_department()["id"]).get_json()
    assert (event["description"], event["time"], event["url"]) == ("", "", "")


def test_create_for_unknown_department_is_404_and_stores_nothing(client, db):
    response = _create(client, str(uuid.uuid4()))
    assert response.status_code == 404
    assert db.client.scan(TableName=db.events_table)["Items"] == []


def test_list_is_ordered_by_date_then_creation(client, db, make_department):
    department_id = make_department()["id"]
    for title, day, created in (("later", "2024-02-01", "2024-01-01T00:00:00.000Z"),
                                ("second", "2024-01-15", "2024-01-01T00:00:00.002Z"),
                                ("first", "2024-01-15", "2024-01-01T00:00:00.001Z"),
                                ("earliest", "2023-12-31", "2024-01-01T00:00:00.003Z")):
        db.create_event(department_id, {"event_date": day, "title": title}, created_at=created)

    titles = [e["title"] for e in client.get(f"/api/events/{department_id}").get_json()]

    assert titles == ["earliest", "first", "second", "later"]


def test_list_only_shows_that_departments_events(client, make_department, make_event):
    mine, other = make_department()["id"], make_department()["id"]
    make_event(other)
    assert client.get(f"/api/events/{mine}").get_json() == []


@pytest.mark.parametrize(
    "query, expected",
    [
        ("from=2024-01-10&to=2024-01-31", ["jan-10", "jan-31"]),
        ("from=2024-02-01", ["feb-01"]),
        ("to=2024-01-09", ["jan-09"]),
        ("from=2024-01-31&to=2024-01-31", ["jan-31"]),
    ],
)
def test_from_and_to_are_inclusive(client, make_department, make_event, query, expected):
    department_id = make_department()["id"]
    for title, day in (("jan-09", "2024-01-09"), ("jan-10", "2024-01-10"),
                       ("jan-31", "2024-01-31"), ("feb-01", "2024-02-01")):
        make_event(department_id, event_date=day, title=title)
    response = client.get(f"/api/events/{department_id}?{query}")
    assert [e["title"] for e in response.get_json()] == expected


@pytest.mark.parametrize(
    "query, field",
    [("from=2024-13-01", "from"), ("to=yesterday", "to"), ("from=2024-02-30", "from"),
     ("from=2024-02-01&to=2024-01-01", "from")],
)
def test_bad_range_is_400(client, make_department, query, field):
    response = client.get(f"/api/events/{make_department()['id']}?{query}")
    assert response.status_code == 400
    assert field in response.get_json()["fields"]


def test_list_for_unknown_department_is_404(client):
    response = client.get(f"/api/events/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def test_list_returns_more_than_one_megabyte_of_events_whole(client, db, make_department):
    department_id = make_department()["id"]
    description = "가" * 4000  # 12 kB of UTF-8 per event
    events = [
        {"id": str(uuid.uuid4()), "department_id": department_id, "event_date": f"2024-05-{d % 28 + 1:02d}",
         "title": f"event {d}", "description": description, "time": "", "url": "",
         "created_at": f"2024-01-01T00:00:{d % 60:02d}.{d:03d}Z", "last_modified": "2024-01-01T00:00:00.000Z",
         "version": 1}
        for d in range(150)
    ]
    db.put_events(events)
    first_page = db.client.query(
        TableName=db.events_table, IndexName="department-date-index",
        KeyConditionExpression="department_id = :d", ExpressionAttributeValues={":d": {"S": department_id}},
    )
    assert "LastEvaluatedKey" in first_page, "the data must span more than one DynamoDB page"

    listed = client.get(f"/api/events/{department_id}").get_json()

    assert len(listed) == 150
    assert {e["id"] for e in listed} == {e["id"] for e in events}


def test_update_changes_only_the_fields_sent(client, db, make_department):
    event = db.create_event(make_department()["id"],
                            {"event_date": "2024-01-20", "title": "old", "time": "오전 9:00", "description": "keep"},
                            created_at="2024-01-01T00:00:00.000Z")
    response = client.put(f"/api/events/{event['id']}", json={"title": "new", "url": ""})

    assert response.status_code == 200
    updated = response.get_json()
    assert updated["title"] == "new"
    assert updated["time"] == "오전 9:00" and updated["description"] == "keep"
    assert updated["version"] == 2
    assert updated["last_modified"] > event["last_modified"]
    assert updated["created_at"] == event["created_at"]
    assert response.headers["ETag"] == '"2"'
    assert db.get_event(event["id"]) == updated


def test_each_update_bumps_the_version(client, make_department, make_event):
    event = make_event(make_department()["id"])
    for expected in (2, 3, 4):
        assert client.put(f"/api/events/{event['id']}", json={"time": f"{expected}시"}).get_json()["version"] == expected


def test_update_can_move_the_event_to_another_date(client, make_department, make_event):
    department_id = make_department()["id"]
    event = make_event(department_id, event_date="2024-01-20")
    client.put(f"/api/events/{event['id']}", json={"event_date": "2024-03-01"})
    march = client.get(f"/api/events/{department_id}?from=2024-03-01&to=2024-03-31").get_json()
    assert [e["id"] for e in march] == [event["id"]]


def test_update_department_id_is_400_and_changes_nothing(client, db, make_department, make_event):
    event = make_event(make_department()["id"])
    response = client.put(f"/api/events/{event['id']}",
                          json={"department_id": make_department()["id"], "title": "moved"})
    assert response.status_code == 400
    assert "department_id" in response.get_json()["fields"]
    assert db.get_event(event["id"]) == event


def test_update_unknown_event_is_404(client):
    response = client.put(f"/api/events/{uuid.uuid4()}", json={"title": "x"})
    assert response.status_code == 404


def test_if_match_with_the_current_version_updates(client, make_department, make_event):
    event = make_event(make_department()["id"])
    response = client.put(f"/api/events/{event['id']}", json={"title": "x"}, headers={"If-Match": '"1"'})
    assert response.status_code == 200


def test_if_match_with_a_stale_version_is_412_and_changes_nothing(client, db, make_department, make_event):
    event = make_event(make_department()["id"])
    client.put(f"/api/events/{event['id']}", json={"title": "first writer"})

    response = client.put(f"/api/events/{event['id']}", json={"title": "second writer"},
                          headers={"If-Match": '"1"'})

    assert response.status_code == 412
    assert response.get_json()["current_version"] == 2
    assert db.get_event(event["id"])["title"] == "first writer"


def test_412_carries_the_current_event_as_get_returns_it(client, make_department, make_event):
    event = make_event(make_department()["id"])
    client.put(f"/api/events/{event['id']}", json={"title": "먼저 쓴 사람", "time": "오후 3:00"})
    current = client.get(f"/api/events/{event['department_id']}/{event['id']}").get_json()

    for method in ("put", "delete"):
        response = getattr(client, method)(f"/api/events/{event['id']}", json={"title": "늦은 사람"},
                                           headers={"If-Match": '"1"'})
        assert response.status_code == 412
        body = response.get_json()
        assert body["error"] == "precondition_failed"
        assert body["current_version"] == 2
        assert body["current"] == current
        assert body["current"]["title"] == "먼저 쓴 사람"


def test_delete_with_a_stale_if_match_is_412_and_keeps_the_event(client, db, make_department, make_event):
    event = make_event(make_department()["id"])
    client.put(f"/api/events/{event['id']}", json={"title": "changed"})
    assert client.delete(f"/api/events/{event['id']}", headers={"If-Match": '"1"'}).status_code == 412
    assert db.get_event(event["id"])["version"] == 2


def test_get_one_event_with_its_etag(client, make_department, make_event):
    department_id = make_department()["id"]
    event = make_event(department_id, title="주간 회의", time="오후 2:00")
    client.put(f"/api/events/{event['id']}", json={"title": "바뀐 회의"})

    response = client.get(f"/api/events/{department_id}/{event['id']}")

    assert response.status_code == 200
    assert response.headers["ETag"] == '"2"'
    listed = client.get(f"/api/events/{department_id}").get_json()
    assert [response.get_json()] == listed
    assert response.get_json()["title"] == "바뀐 회의"


def test_get_one_event_of_another_department_or_unknown_is_404(client, make_department, make_event):
    mine, other = make_department()["id"], make_department()["id"]
    event = make_event(mine)
    for path in (f"/api/events/{other}/{event['id']}", f"/api/events/{mine}/{uuid.uuid4()}",
                 f"/api/events/{uuid.uuid4()}/{event['id']}", f"/api/events/{mine}/not-a-uuid"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.get_json()["error"] == "not_found"


def test_get_one_deleted_event_is_404(client, make_department, make_event):
    event = make_event(make_department()["id"])
    assert client.delete(f"/api/events/{event['id']}").status_code == 204
    assert client.get(f"/api/events/{event['department_id']}/{event['id']}").status_code == 404


def test_delete_event(client, db, make_department, make_event):
    department_id = make_department()["id"]
    event, other = make_event(department_id), make_event(department_id)
    response = client.delete(f"/api/events/{event['id']}")
    assert response.status_code == 204
    assert [e["id"] for e in client.get(f"/api/events/{department_id}").get_json()] == [other["id"]]
    assert client.delete(f"/api/events/{event['id']}").status_code == 404


@pytest.mark.parametrize(
    "body, field",
    [
        ({"title": "x"}, "event_date"),
        ({"event_date": "2024-02-30", "title": "x"}, "event_date"),
        ({"event_date": "2024-1-5", "title": "x"}, "event_date"),
        ({"event_date": "20240105", "title": "x"}, "event_date"),
        ({"event_date": 20240105, "title": "x"}, "event_date"),
        ({"event_date": "2024-01-05"}, "title"),
        ({"event_date": "2024-01-05", "title": "   "}, "title"),
        ({"event_date": "2024-01-05", "title": "t" * 201}, "title"),
        ({"event_date": "2024-01-05", "title": "x", "description": "d" * 5001}, "description"),
        ({"event_date": "2024-01-05", "title": "x", "time": "t" * 51}, "time"),
        ({"event_date": "2024-01-05", "title": "x", "url": "ftp://example.com"}, "url"),
        ({"event_date": "2024-01-05", "title": "x", "url": "example.com/page"}, "url"),
        ({"event_date": "2024-01-05", "title": "x", "url": "javascript:alert(1)"}, "url"),
        ({"event_date": "2024-01-05", "title": "x", "location": "here"}, "location"),
        ({"event_date": "2024-01-05", "title": "x", "version": 7}, "version"),
        ({"event_date": "2024-01-05", "title": "x", "id": "abc"}, "id"),
        ({"event_date": "2024-01-05", "title": "x", "department_id": "abc"}, "department_id"),
    ],
)
def test_bad_event_is_400_naming_the_field_and_stores_nothing(client, db, make_department, body, field):
    response = client.post(f"/api/events/{make_department()['id']}", json=body)
    assert response.status_code == 400
    payload = response.get_json()
    assert payload["error"] == "validation_error"
    assert field in payload["fields"]
    assert db.client.scan(TableName=db.events_table)["Items"] == []


def test_limits_are_inclusive(client, make_department):
    response = _create(client, make_department()["id"], title="t" * 200, description="d" * 5000,
                       time="t" * 50, url="http://example.com")
    assert response.status_code == 201


@pytest.mark.parametrize("body", [{}, {"title": ""}, {"created_at": "2024-01-01T00:00:00.000Z"},
                                  {"event_date": "2024-02-30"}, {"title": None}])
def test_bad_update_is_400_and_changes_nothing(client, db, make_department, make_event, body):
    event = make_event(make_department()["id"])
    response = client.put(f"/api/events/{event['id']}", json=body)
    assert response.status_code == 400
    assert db.get_event(event["id"]) == event


@pytest.mark.parametrize("method, path", [("get", "/api/events/1"), ("post", "/api/events/abc"),
                                          ("put", "/api/events/42"), ("delete", "/api/events/x-y-z")])
def test_path_id_that_is_not_a_uuid_is_404(client, method, path):
    response = getattr(client, method)(path, json={"title": "x"})
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def test_timestamps_are_utc_iso_with_milliseconds(client, make_department):
    event = _create(client, make_department()["id"]).get_json()
    for field in ("created_at", "last_modified"):
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z", event[field]), event[field]
