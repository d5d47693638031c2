"""The typed shapes of an event and a department (rules/shapes.py) agree with the API's contract,
and items make the round trip through DynamoDB's wire format (storage/items.py) unchanged, each
converter giving the shape it names."""
from __future__ import annotations

import pytest
from boto3.dynamodb.types import TypeSerializer

import schema
from rules import shapes
from storage.items import (
    change_from_wire,
    department_from_wire,
    event_from_wire,
    event_key_from_wire,
    from_item,
    listed_from_wire,
    stored_event_from_wire,
    to_item,
)

SERIES = {
    "id": "5f0c7a7e-0000-4000-8000-000000000001", "department_id": "5f0c7a7e-0000-4000-8000-0000000000d1",
    "event_date": "2024-01-01", "title": "주간 회의", "description": "", "time": "오후 2:00", "url": "",
    "start_time": "14:00", "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=3"], "created_at": "2024-01-01T00:00:00.000Z",
    "last_modified": "2024-01-01T00:00:00.000Z", "version": 2, "created_by": "t", "updated_by": "t",
}


def test_the_types_name_the_fields_the_contract_declares_in_its_order():
    assert shapes.EVENT_FIELDS == schema.EVENT_FIELDS
    assert shapes.EVENT_OPTIONAL_FIELDS == schema.EVENT_OPTIONAL_FIELDS
    assert shapes.DEPARTMENT_FIELDS == schema.DEPARTMENT_FIELDS


def test_a_stored_series_carries_its_span_and_months_and_shows_none_of_them():
    stored = shapes.stored_event({**SERIES, shapes.EXCEPTION_DATES: {"2024-01-08"}})
    assert stored[shapes.LAST_DATE] == "2024-01-15" and set(stored[shapes.SERIES_MONTHS]) == {1}
    assert shapes.public_event(stored) == SERIES


@pytest.mark.parametrize("event", [SERIES, {**SERIES, "recurrence": None, "start_time": None, "end_date": "2024-01-03"}])
def test_an_event_item_comes_back_from_the_wire_as_the_answer_shows_it(event):
    wire = to_item(shapes.stored_event(event))
    assert stored_event_from_wire(wire) == from_item(wire) == shapes.stored_event(event) | {
        k: sorted(v) for k, v in shapes.stored_event(event).items() if isinstance(v, set)}
    assert event_from_wire(wire) == shapes.public_event(event)
    assert change_from_wire(wire) == shapes.public_event(event)


def test_a_tombstone_comes_back_as_the_sync_answer_shows_it():
    wire = to_item({"id": SERIES["id"], "department_id": SERIES["department_id"], "deleted": True,
                    "last_modified": "2024-02-01T00:00:00.000Z", "version": 3, "expires_at": 1})
    assert change_from_wire(wire) == {"id": SERIES["id"], "department_id": SERIES["department_id"], "deleted": True,
                                      "last_modified": "2024-02-01T00:00:00.000Z", "version": 3}


def test_a_listed_series_keeps_the_exception_dates_its_expansion_skips_and_the_answer_does_not():
    wire = to_item({**shapes.stored_event(SERIES), shapes.EXCEPTION_DATES: {"2024-01-08"}})
    listed = listed_from_wire(wire)
    assert listed == {**shapes.public_event(SERIES), shapes.EXCEPTION_DATES: ["2024-01-08"]}
    assert event_from_wire(wire) == shapes.public_event(listed) == shapes.public_event(SERIES)


def test_an_event_key_comes_back_from_a_whole_item_and_from_a_projected_one():
    key = shapes.event_key(SERIES)
    assert key == {"id": SERIES["id"], "department_id": SERIES["department_id"]}
    assert event_key_from_wire(to_item(shapes.stored_event(SERIES))) == event_key_from_wire(to_item(key)) == key


def test_a_department_item_comes_back_with_its_internal_attributes_and_shows_none_of_them():
    department = {"id": SERIES["department_id"], "name": "개발부", "description": "", "created_at": SERIES["created_at"],
                  "updated_at": SERIES["created_at"], "created_by": "t", "updated_by": "t"}
    stored = {**department, "deleting": "2024-02-01T00:00:00.000Z", "spans": "some"}
    assert department_from_wire(to_item(stored)) == stored
    assert shapes.public_department(department_from_wire(to_item(stored))) == department
    assert shapes.public_department({"id": "old", "name": "옛 부서"})["created_by"] == ""  # items before the audit fields


@pytest.mark.parametrize("value", ["", "부서 🎉", 0, 7, -1, ["RRULE:FREQ=DAILY"], [], True, None, {1, 12}, {"2024-01-08"}])
def test_the_wire_format_of_every_value_an_item_holds_is_boto3s(value):
    """to_item writes strings, numbers and lists itself (every write's hot path): as boto3 would."""
    assert to_item({"v": value}) == {"v": TypeSerializer().serialize(value)}
