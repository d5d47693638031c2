"""/api/departments through HTTP, checked against what DynamoDB holds."""
from __future__ import annotations

import uuid

import pytest

from models import NotFound
from support.faults import answer
from support.live_helpers import ADMIN_NAME


def test_create_department_returns_201_location_and_stores_it(client, db):
    response = client.post("/api/departments", json={"name": "  영업부 ", "description": "영업 🚀"})

    assert response.status_code == 201
    body = response.get_json()
    assert body["name"] == "영업부"
    assert body["description"] == "영업 🚀"
    assert uuid.UUID(body["id"]).version == 4
    assert response.headers["Location"].endswith(f"/api/departments/{body['id']}")
    assert body["created_at"].endswith("Z") and len(body["created_at"]) == 24
    assert db.get_department(body["id"]) == body


def test_korean_text_round_trips_as_utf8(client):
    response = client.post("/api/departments", json={"name": "개발팀", "description": "설명"})
    assert "개발팀".encode() in response.data  # raw UTF-8, not \uXXXX escapes
    fetched = client.get(response.headers["Location"]).get_json()
    assert fetched["name"] == "개발팀"


def test_list_is_sorted_by_name(client, make_department):
    for name in ("charlie", "Alpha", "bravo", "가나다"):
        make_department(name)
    names = [d["name"] for d in client.get("/api/departments").get_json()]
    assert names == ["Alpha", "bravo", "charlie", "가나다"]


def test_list_is_empty_json_array_without_departments(client):
    response = client.get("/api/departments")
    assert response.status_code == 200
    assert response.get_json() == []


@pytest.mark.parametrize("taken, again", [("Sales", "Sales"), ("Sales", " sales "), ("인사팀", "인사팀")])
def test_taken_name_is_409_and_stores_nothing(client, db, taken, again):
    assert client.post("/api/departments", json={"name": taken}).status_code == 201
    response = client.post("/api/departments", json={"name": again})
    assert response.status_code == 409
    assert response.get_json()["error"] == "conflict"
    assert len(db.list_departments()) == 1


def test_get_department(client, make_department):
    department = make_department("Finance", "money")
    response = client.get(f"/api/departments/{department['id']}")
    assert response.status_code == 200
    assert response.get_json() == department


@pytest.mark.parametrize("method", ["get", "delete"])
def test_unknown_department_is_404(client, method):
    response = getattr(client, method)(f"/api/departments/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


@pytest.mark.parametrize("path_id", ["1", "not-a-uuid", "name%23sales"])
def test_path_id_that_is_not_a_uuid_is_404(client, path_id):
    response = client.get(f"/api/departments/{path_id}")
    assert response.status_code == 404
    assert response.is_json


def test_delete_department_cascades_to_its_events_only(client, db, make_department, make_event):
    doomed, kept = make_department("Doomed"), make_department("Kept")
    for day in range(1, 31):
        make_event(doomed["id"], event_date=f"2024-03-{day:02d}")
    survivor = make_event(kept["id"])

    response = client.delete(f"/api/departments/{doomed['id']}")

    assert response.status_code == 204
    assert response.data == b""
    with pytest.raises(NotFound):
        db.get_department(doomed["id"])
    assert client.get(f"/api/events/{doomed['id']}").status_code == 404
    raw = db.client.scan(TableName=db.events_table)["Items"]
    assert [item["id"]["S"] for item in raw] == [survivor["id"]]
    assert client.get(f"/api/events/{kept['id']}").get_json() == [survivor]


def test_deleted_name_can_be_used_again(client, make_department):
    department = make_department("Reused")
    client.delete(f"/api/departments/{department['id']}")
    response = client.post("/api/departments", json={"name": "Reused"})
    assert response.status_code == 201
    assert response.get_json()["id"] != department["id"]


def test_interrupted_delete_is_finished_by_the_next_one(client, db, make_department, make_event):
    department = make_department("Half")
    make_event(department["id"])
    # What a crash right after the first step of delete_department leaves behind.
    db.client.update_item(
        TableName=db.departments_table, Key={"id": {"S": department["id"]}},
        UpdateExpression="SET deleting = :t", ExpressionAttributeValues={":t": {"S": "x"}},
    )
    assert client.get(f"/api/departments/{department['id']}").status_code == 404
    assert client.post(f"/api/events/{department['id']}",
                       json={"event_date": "2024-01-01", "title": "late"}).status_code == 404

    assert client.delete(f"/api/departments/{department['id']}").status_code == 204
    assert db.client.scan(TableName=db.events_table)["Items"] == []
    assert db.client.scan(TableName=db.departments_table)["Items"] == []


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": 5}, "name"),
        ({"name": None}, "name"),
        ({"name": "ok", "description": 3}, "description"),
        ({"name": "ok", "colour": "red"}, "colour"),
        ({"name": "ok", "id": str(uuid.uuid4())}, "id"),
        ({"name": "ok", "created_at": "2024-01-01T00:00:00.000Z"}, "created_at"),
    ],
)
def test_bad_department_is_400_naming_the_field_and_stores_nothing(client, db, body, field):
    response = client.post("/api/departments", json=body)
    assert response.status_code == 400
    payload = response.get_json()
    assert payload["error"] == "validation_error"
    assert field in payload["fields"]
    assert field in payload["message"]
    assert db.list_departments() == []


def test_name_of_exactly_100_characters_is_accepted(client):
    assert client.post("/api/departments", json={"name": "가" * 100}).status_code == 201


def test_delete_finds_events_the_index_did_not_show_yet(client, db, make_department, make_event):
    """On AWS department-date-index lags behind the table: its first read may miss a new event."""
    department = make_department("Lagging")
    for day in range(1, 6):
        make_event(department["id"], event_date=f"2024-02-{day:02d}")
    reads = {"n": 0}

    def lagging_index(request, **kwargs):
        if b"ProjectionExpression" in request.body:  # the delete's id-only read of the index
            reads["n"] += 1
            if reads["n"] == 1:
                return answer(request, 200, {"Items": [], "Count": 0, "ScannedCount": 0})
        return None

    db.client.meta.events.register("before-send.dynamodb.Query", lagging_index)
    try:
        response = client.delete(f"/api/departments/{department['id']}")
    finally:
        db.client.meta.events.unregister("before-send.dynamodb.Query", lagging_index)

    assert response.status_code == 204
    assert reads["n"] >= 2
    assert db.client.scan(TableName=db.events_table)["Items"] == []


# -- PATCH: rename and re-describe ------------------------------------------------------------

def _markers(db) -> list[str]:
    items = db.client.scan(TableName=db.departments_table)["Items"]
    return sorted(item["id"]["S"] for item in items if item["id"]["S"].startswith("name#"))


def test_rename_frees_the_old_name_and_renews_updated_at(client, db, make_department):
    department = make_department("영업부", "Sales")

    response = client.patch(f"/api/departments/{department['id']}", json={"name": " 영업 본부 "})

    assert response.status_code == 200
    renamed = response.get_json()
    assert renamed == {**department, "name": "영업 본부", "updated_at": renamed["updated_at"], "updated_by": ADMIN_NAME}
    assert renamed["updated_at"] > department["updated_at"]
    assert client.get(f"/api/departments/{department['id']}").get_json() == renamed
    assert _markers(db) == ["name#영업 본부"]
    assert client.post("/api/departments", json={"name": "영업부"}).status_code == 201  # the old name is free
    assert client.post("/api/departments", json={"name": "영업 본부"}).status_code == 409


def test_rename_to_a_taken_name_is_409_and_changes_nothing(client, db, make_department):
    department, other = make_department("Alpha"), make_department("Bravo")
    for taken in ("Bravo", " bravo ", "BRAVO"):
        response = client.patch(f"/api/departments/{department['id']}", json={"name": taken, "description": "x"})
        assert response.status_code == 409
        assert response.get_json()["error"] == "conflict"
    assert db.get_department(department["id"]) == department
    assert db.get_department(other["id"]) == other
    assert _markers(db) == ["name#alpha", "name#bravo"]


@pytest.mark.parametrize("new_name", ["SALES", "sales", " Sales  "])
def test_rename_to_another_spelling_of_its_own_name(client, db, make_department, new_name):
    department = make_department("Sales")
    response = client.patch(f"/api/departments/{department['id']}", json={"name": new_name})
    assert response.status_code == 200
    assert response.get_json()["name"] == new_name.strip()
    assert _markers(db) == ["name#sales"]


def test_description_only_keeps_the_name(client, db, make_department):
    department = make_department("Finance", "old")
    response = client.patch(f"/api/departments/{department['id']}", json={"description": "돈\n관리"})
    assert response.status_code == 200
    changed = response.get_json()
    assert (changed["name"], changed["description"]) == ("Finance", "돈\n관리")
    assert changed["updated_at"] > department["updated_at"]
    assert db.get_department(department["id"]) == changed
    assert _markers(db) == ["name#finance"]


def test_rename_of_an_unknown_or_deleting_department_is_404(client, db, make_department):
    assert client.patch(f"/api/departments/{uuid.uuid4()}", json={"name": "x"}).status_code == 404
    department = make_department("Half")
    db.client.update_item(  # what a delete interrupted after its first step leaves
        TableName=db.departments_table, Key={"id": {"S": department["id"]}},
        UpdateExpression="SET deleting = :t", ExpressionAttributeValues={":t": {"S": "x"}},
    )
    response = client.patch(f"/api/departments/{department['id']}", json={"name": "Whole"})
    assert response.status_code == 404
    assert _markers(db) == ["name#half"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": ""}, "name"), ({"name": "  "}, "name"), ({"name": None}, "name"), ({"name": 5}, "name"),
        ({"name": "x" * 101}, "name"), ({"description": "x" * 1001}, "description"),
        ({"description": 3}, "description"), ({"colour": "red"}, "colour"),
        ({"id": str(uuid.uuid4())}, "id"), ({"updated_at": "2024-01-01T00:00:00.000Z"}, "updated_at"),
    ],
)
def test_bad_patch_is_400_naming_the_field_and_changes_nothing(client, db, make_department, body, field):
    department = make_department("Kept")
    response = client.patch(f"/api/departments/{department['id']}", json=body)
    assert response.status_code == 400
    assert response.get_json()["error"] == "validation_error"
    assert field in response.get_json()["fields"]
    assert db.get_department(department["id"]) == department


@pytest.mark.parametrize("body", [{}, [], "name", None])
def test_empty_or_non_object_patch_is_400(client, db, make_department, body):
    department = make_department("Kept")
    response = client.patch(f"/api/departments/{department['id']}", json=body)
    assert response.status_code == 400
    assert response.get_json()["error"] == "validation_error"
    assert db.get_department(department["id"]) == department
