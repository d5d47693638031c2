"""Hostile and broken input: each gets its documented 4xx JSON and changes nothing."""
from __future__ import annotations

import json

import pytest
import requests

ONE_MIB = 1024 * 1024


@pytest.fixture
def department(make_department):
    return make_department("hostile")


def test_deeply_nested_json_is_400_not_a_recursion_error(client, db, department):
    body = "[" * 20000 + "]" * 20000
    response = client.post(f"/api/events/{department['id']}", data=body, content_type="application/json")

    assert response.status_code == 400
    assert response.get_json() == {"error": "validation_error", "message": "the request body is nested too deeply"}
    assert db.department_event_ids(department["id"]) == set()


@pytest.mark.parametrize("if_match", ['"' + "9" * 5000 + '"', "²", '"1²"', '"-1"', '"0x1"', '"1" "2"'])
def test_if_match_that_is_not_a_plain_version_is_400(client, db, department, make_event, if_match):
    event = make_event(department["id"])

    updated = client.put(f"/api/events/{event['id']}", json={"title": "new"}, headers={"If-Match": if_match})
    deleted = client.delete(f"/api/events/{event['id']}", headers={"If-Match": if_match})

    assert updated.status_code == deleted.status_code == 400
    assert updated.get_json()["error"] == "validation_error"
    assert db.get_event(event["id"]) == event


def test_chunked_body_over_the_limit_is_413_on_the_test_client(client, db, department):
    body = json.dumps({"event_date": "2024-01-05", "title": "x", "description": "d" * (2 * ONE_MIB)}).encode()
    response = client.post(f"/api/events/{department['id']}", data=body, content_type="application/json",
                           headers={"Transfer-Encoding": "chunked"}, environ_overrides={"wsgi.input_terminated": True})

    assert response.status_code == 413
    assert response.get_json()["error"] == "payload_too_large"
    assert db.department_event_ids(department["id"]) == set()


def test_chunked_body_within_the_limit_is_read_whole(client, db, department):
    body = json.dumps({"event_date": "2024-01-05", "title": "x", "description": "d" * 4000}).encode()
    response = client.post(f"/api/events/{department['id']}", data=body, content_type="application/json",
                           headers={"Transfer-Encoding": "chunked"}, environ_overrides={"wsgi.input_terminated": True})

    assert response.status_code == 201
    assert len(response.get_json()["description"]) == 4000


def test_chunked_body_over_the_limit_is_413_on_the_live_server(live_server, db, make_department):
    department = make_department("chunked")
    payload = json.dumps({"event_date": "2024-01-05", "title": "x", "description": "d" * (2 * ONE_MIB)}).encode()
    chunks = (payload[i : i + 65536] for i in range(0, len(payload), 65536))  # a generator: sent chunked

    response = requests.post(f"{live_server.url}/api/events/{department['id']}", data=chunks,
                             headers={"Content-Type": "application/json"}, timeout=30)

    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"
    assert db.department_event_ids(department["id"]) == set()


@pytest.mark.parametrize("field, value, found", [
    ("title", "a\x00b", "U+0000"),
    ("title", "\x1b[31mred\x1b[0m", "U+001B"),
    ("title", "invoice\u202efdp.exe", "U+202E"),
    ("title", "x\u2066y", "U+2066"),
    ("title", "x\x7fy", "U+007F"),
    ("title", "x\x85y", "U+0085"),
    ("title", "two\nlines", "U+000A"),
    ("title", "tab\there", "U+0009"),
    ("time", "오후\r2:00", "U+000D"),
    ("description", "bell\x07", "U+0007"),
    ("description", "rlo\u202e", "U+202E"),
])
def test_control_and_bidi_override_characters_are_400_naming_the_field(client, db, department, field, value, found):
    body = {"event_date": "2024-01-05", "title": "t", field: value}
    response = client.post(f"/api/events/{department['id']}", json=body)

    assert response.status_code == 400
    problem = response.get_json()["fields"][field]
    assert "control or bidirectional-override characters" in problem and found in problem
    assert db.department_event_ids(department["id"]) == set()


def test_multi_line_text_keeps_tabs_and_line_breaks(client, department):
    description = "첫 줄\r\n둘째 줄\n\t들여쓴 줄"
    response = client.post(f"/api/events/{department['id']}",
                           json={"event_date": "2024-01-05", "title": "회의", "description": description})

    assert response.status_code == 201
    assert response.get_json()["description"] == description


def test_department_names_follow_the_same_rule(client, db):
    response = client.post("/api/departments", json={"name": "영업\u202e부"})

    assert response.status_code == 400
    assert "U+202E" in response.get_json()["fields"]["name"]
    assert db.list_departments() == []
