"""Property-based tests of backend/validation.py through the API: whatever text and shape the
validators accept round-trips unchanged (titles and names trimmed), whatever they reject is a 400
naming the field; nothing is ever a 500."""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from validation import ValidationError, validate_department, validate_new_event

# Anything a JSON string can carry: every code point, plus the ones the text policy is about.
SPECIAL = ["\x00", "\x1b", "\x7f", "\x85", "\u202e", "\u2066", "\t", "\n", "\r", " ", "\ud800", "한"]
TEXT = st.text(alphabet=st.one_of(st.characters(), st.sampled_from(SPECIAL)), max_size=60)
LONG_TEXT = st.one_of(TEXT, st.integers(190, 210).map(lambda n: "t" * n),
                      st.integers(4990, 5010).map(lambda n: "d" * n))
DATES = st.one_of(st.dates().map(lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}"), TEXT)
URLS = st.one_of(TEXT, st.sampled_from(["https://example.com/a?b=1", "http://x.y", "ftp://x.y", "//x.y"]))
JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers(-2**63, 2**63) | st.floats(allow_nan=False) | TEXT,
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
                           max_leaves=6)
EVENT_FIELDS = {"event_date": DATES, "title": LONG_TEXT, "description": LONG_TEXT, "time": TEXT, "url": URLS}
EVENTS = st.fixed_dictionaries({}, optional={**EVENT_FIELDS, "id": JSON_VALUES, "colour": JSON_VALUES}) | \
    st.fixed_dictionaries({}, optional={name: JSON_VALUES for name in EVENT_FIELDS}) | JSON_VALUES
DEPARTMENTS = st.fixed_dictionaries({}, optional={"name": LONG_TEXT, "description": LONG_TEXT}) | JSON_VALUES

EXAMPLES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def post(client, path: str, body):
    # ASCII-escaped JSON, so lone surrogates travel as the \\ud800 escapes a client would send.
    return client.post(path, data=json.dumps(body), content_type="application/json")


def verdict(validate, body) -> dict[str, str] | None:
    """None when the validator accepts `body`, else the fields it names (maybe none)."""
    try:
        validate(body)
    except ValidationError as exc:
        return exc.fields
    return None


def expected_stored(body: dict, *trimmed: str) -> dict:
    """What a GET shows of each field sent: the same text; trimmed where the field is; null as ""."""
    return {name: "" if value is None else value.strip() if name in trimmed else value
            for name, value in body.items()}


@pytest.fixture
def department(make_department):
    return make_department("properties")


def assert_refused(response, fields: dict[str, str], body) -> None:
    assert response.status_code == 400, response.get_data(as_text=True)
    error = response.get_json()
    assert error["error"] == "validation_error"
    assert error.get("fields", {}).keys() == fields.keys()
    assert set(fields) <= (set(body) if isinstance(body, dict) else set()) | {"event_date", "title", "name"}


@EXAMPLES
@given(body=EVENTS)
def test_events_round_trip_or_are_refused_naming_the_field(client, department, body):
    refused = verdict(validate_new_event, body)
    response = post(client, f"/api/events/{department['id']}", body)
    if refused is not None:
        assert_refused(response, refused, body)
        return
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    stored = client.get(f"/api/events/{department['id']}").get_json()
    assert created in stored
    assert {name: created[name] for name in body} == expected_stored(body, "title", "url")


@EXAMPLES
@given(body=DEPARTMENTS)
def test_departments_round_trip_or_are_refused_naming_the_field(client, db, body):
    refused = verdict(validate_department, body)
    response = post(client, "/api/departments", body)
    if refused is not None:
        assert_refused(response, refused, body)
        return
    assert response.status_code in (201, 409), response.get_data(as_text=True)  # 409: a name drawn twice
    if response.status_code == 201:
        created = response.get_json()
        assert client.get(f"/api/departments/{created['id']}").get_json() == created
        assert {name: created[name] for name in body} == expected_stored(body, "name")


@EXAMPLES
@given(changes=EVENTS)
def test_event_changes_apply_exactly_or_are_refused(client, department, make_event, changes):
    event = make_event(department["id"])
    response = client.put(f"/api/events/{event['id']}", data=json.dumps(changes), content_type="application/json")
    assert response.status_code in (200, 400), response.get_data(as_text=True)
    stored = next(e for e in client.get(f"/api/events/{department['id']}").get_json() if e["id"] == event["id"])
    if response.status_code == 400:
        assert response.get_json()["error"] == "validation_error"
        assert stored == event  # nothing changed
        return
    assert stored == response.get_json()
    assert {name: stored[name] for name in changes} == expected_stored(changes, "title", "url")
