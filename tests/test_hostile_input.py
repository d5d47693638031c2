"""Hostile and broken input: each gets its documented 4xx JSON and changes nothing."""
from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

import pytest

from support.live_helpers import http, token_for

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

    response = http.post(f"{live_server.url}/api/events/{department['id']}", data=chunks,
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


@pytest.mark.parametrize("path", [
    "/api/events/..%2F..%2Fetc%2Fpasswd", "/api/events/%00", "/api/departments/..", "/api/departments/%2e%2e",
    "/api/events/00000000-0000-0000-0000-000000000000%0d%0aX-Injected:%201",
])
def test_ids_with_path_tricks_are_404_json(client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"
    assert "X-Injected" not in response.headers


@pytest.mark.parametrize("method, path", [
    ("PATCH", "/api/events/{event}"), ("PUT", "/api/departments/{department}"),
    ("DELETE", "/api/departments"), ("POST", "/api/departments/{department}"),
])
def test_wrong_methods_are_405_json_and_change_nothing(client, db, department, make_event, method, path):
    event = make_event(department["id"])
    response = client.open(path.format(event=event["id"], department=department["id"]), method=method,
                           json={"title": "changed", "name": "changed"})

    assert response.status_code == 405
    assert response.get_json()["error"] == "method_not_allowed"
    assert db.get_event(event["id"]) == event and db.get_department(department["id"]) == department


@pytest.mark.parametrize("data, content_type", [
    ("title=x&event_date=2024-01-05", "application/x-www-form-urlencoded"),
    ("event_date: 2024-01-05", "text/plain"),
    ('{"event_date": "2024-01-05", "title": "x"', "application/json"),
    ('["event_date", "title"]', "application/json"),
    ('{"event_date": "2024-01-05", "title": ["x"]}', "application/json"),
    ('{"event_date": 20240105, "title": "x"}', "application/json"),
])
def test_bodies_of_the_wrong_shape_or_type_are_400(client, db, department, data, content_type):
    response = client.post(f"/api/events/{department['id']}", data=data, content_type=content_type)

    assert response.status_code == 400
    assert response.get_json()["error"] == "validation_error"
    assert db.department_event_ids(department["id"]) == set()


def test_five_megabyte_body_is_413(client, db, department):
    body = json.dumps({"event_date": "2024-01-05", "title": "x", "description": "d" * (5 * ONE_MIB)})
    response = client.post(f"/api/events/{department['id']}", data=body, content_type="application/json")

    assert response.status_code == 413
    assert response.get_json()["error"] == "payload_too_large"
    assert db.department_event_ids(department["id"]) == set()


def test_http_1_0_without_host_is_answered_with_json(live_server, make_department):
    make_department("no host")
    address = urlsplit(live_server.url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as conn:
        conn.sendall(f"GET /api/departments HTTP/1.0\r\nAuthorization: Bearer {token_for(live_server.url)}\r\n\r\n"
                     .encode())
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split(b" ", 2)[1] == b"200"
    assert [d["name"] for d in json.loads(body)] == ["no host"]
