"""The migration CLI through main(): input shapes, rejections, re-runs, dry runs, exit codes.
Each test checks what an operator sees (exit status, report, id map) and what DynamoDB holds."""
from __future__ import annotations

import json
import re
import uuid

import pytest

from migration.legacy_ids import MIGRATION_NAMESPACE, department_uuid, event_uuid
from schema import EVENT_FIELDS, department_name_key
from support.migration_support import all_events, drop_existing_tables, raw_item_count, rejection_at


@pytest.fixture
def drop_tables(settings):
    yield
    drop_existing_tables(settings)


TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")

DEPARTMENTS = [
    {"id": 1, "name": "개발팀", "description": "소프트웨어 개발", "created_at": "2023-03-01T09:00:00"},
    {"id": 2, "name": "Sales"},
]
EVENTS = [
    {"id": 10, "department_id": 1, "event_date": "2024-01-20", "title": "팀 회의", "time": "오후 2:00"},
    {"id": 11, "department_id": 2, "date": "2024-01-21", "title": "Deal review", "url": "https://example.com"},
    {"id": 12, "department": "개발팀", "date": "2024-02-01", "title": "배포 🚀", "description": "v2"},
]


def contents(db) -> set[tuple]:
    """(department name, date, title, description, time, url) of every stored event."""
    names = {d["id"]: d["name"] for d in db.list_departments()}
    return {
        (names[e["department_id"]], e["event_date"], e["title"], e["description"], e["time"], e["url"])
        for e in all_events(db)
    }


GOOD_EVENT = {"department_id": 1, "date": "2024-01-01", "title": "good"}
E10, E11, E12 = (event_uuid(department_uuid(d), n) for d, n in ((1, 10), (2, 11), (1, 12)))
EXPECTED_CONTENTS = {
    ("개발팀", "2024-01-20", "팀 회의", "", "오후 2:00", ""),
    ("Sales", "2024-01-21", "Deal review", "", "", "https://example.com"),
    ("개발팀", "2024-02-01", "배포 🚀", "v2", "", ""),
}


# -- shapes -------------------------------------------------------------------------------------


@pytest.mark.parametrize("data, shape", [
    (DEPARTMENTS, "array"),
    ({"departments": DEPARTMENTS}, "departments-key"),
    (["개발팀", "Sales"], "names"),
])
def test_every_departments_shape_is_read_and_named(cli, db, data, shape):
    run = cli(data, [{"department": "Sales", "date": "2024-01-21", "title": "Deal review",
                      "url": "https://example.com"}])

    assert run.code == 0, run.err
    assert run.report["sources"]["departments"]["shape"] == shape
    assert run.report["sources"]["departments"]["shape_description"] in run.err  # said on the console
    assert sorted(d["name"] for d in db.list_departments()) == ["Sales", "개발팀"]
    assert run.report["departments"] == {"read": 2, "written": 2, "already_present": 0, "rejected": 0}
    assert run.id_map["department_names"] == {d["name"]: d["id"] for d in db.list_departments()}
    if shape == "names":  # no legacy ids: the UUID comes from the name
        assert run.id_map["departments"] == {}
        assert run.id_map["department_names"]["Sales"] == str(
            uuid.uuid5(MIGRATION_NAMESPACE, f"department-name:{department_name_key('Sales')}"))
    else:
        assert run.id_map["departments"] == {"1": department_uuid(1), "2": department_uuid(2)}


BY_DATE = {
    "2024-01-20": [{"id": 10, "department_id": 1, "title": "팀 회의", "time": "오후 2:00"}],
    "2024-01-21": [{"id": 11, "department_id": "2", "title": "Deal review", "url": "https://example.com"}],
    "2024-02-01": [{"id": 12, "department": "개발팀", "title": "배포 🚀", "description": "v2"}],
}
BY_DEPARTMENT = {
    "1": {"2024-01-20": [{"title": "팀 회의", "time": "오후 2:00"}],
          "2024-02-01": [{"title": "배포 🚀", "description": "v2"}]},
    "Sales": {"2024-01-21": [{"title": "Deal review", "url": "https://example.com"}]},
}


@pytest.mark.parametrize("data, shape", [
    (EVENTS, "array"),
    ({"events": EVENTS}, "events-key"),
    (BY_DATE, "by-date"),
    (BY_DEPARTMENT, "by-department"),
])
def test_every_events_shape_is_read_and_named(cli, db, data, shape):
    run = cli(DEPARTMENTS, data)

    assert run.code == 0, run.err
    assert run.report["sources"]["events"]["shape"] == shape
    assert run.report["sources"]["events"]["shape_description"] in run.err
    assert contents(db) == EXPECTED_CONTENTS
    assert run.report["events"] == {"read": 3, "written": 3, "already_present": 0, "rejected": 0}
    assert run.report["verification"]["ok"] is True


def test_events_with_legacy_ids_get_uuid5_ids_listed_in_the_id_map(cli, db):
    run = cli(DEPARTMENTS, EVENTS)

    assert run.id_map["namespace"] == str(MIGRATION_NAMESPACE)
    assert run.id_map["events"] == {"10": E10, "11": E11, "12": E12}
    assert uuid.UUID(E10) == uuid.uuid5(MIGRATION_NAMESPACE, f"event:{department_uuid(1)}:10")
    assert uuid.UUID(department_uuid(1)) == uuid.uuid5(MIGRATION_NAMESPACE, "department:1")
    stored = {e["id"]: e["department_id"] for e in all_events(db)}
    assert stored == {E10: department_uuid(1), E11: department_uuid(2), E12: department_uuid(1)}


def test_report_names_the_tables_and_the_keyed_shapes_positions(cli, db):
    run = cli({"departments": DEPARTMENTS + [{"id": 9}]},
              {"events": [GOOD_EVENT, {"department_id": 1, "date": "2024-01-01", "title": ""}]})
    assert run.code == 1
    assert run.report["dynamodb"] == {"endpoint": db.settings.dynamodb_endpoint_url,
                                      "departments_table": db.settings.departments_table,
                                      "events_table": db.settings.events_table}
    assert run.report["started_at"] <= run.report["finished_at"]
    assert rejection_at(run, "$.departments[2]")["problems"] == {"name": "is required"}
    assert rejection_at(run, "$.events[1]")["problems"] == {"title": "must not be empty"}


def test_department_names_are_held_by_a_marker_item(cli, db):
    cli(DEPARTMENTS, [])
    marker = db.client.get_item(TableName=db.departments_table,
                                Key={"id": {"S": "name#" + department_name_key("개발팀")}}, ConsistentRead=True)
    assert marker["Item"]["department_id"] == {"S": department_uuid(1)}


def test_events_without_ids_are_mapped_by_position(cli, db):
    run = cli(DEPARTMENTS, BY_DEPARTMENT)
    mapped = run.id_map["events_without_legacy_id"]
    assert set(mapped) == {'$["1"]["2024-01-20"][0]', '$["1"]["2024-02-01"][0]', '$["Sales"]["2024-01-21"][0]'}
    assert set(mapped.values()) == {e["id"] for e in all_events(db)}


@pytest.mark.parametrize("legacy, stored", [
    ("2024-01-05", "2024-01-05"),
    ("2024-1-5", "2024-01-05"),
    ("2024/01/05", "2024-01-05"),
    ("2024/1/5", "2024-01-05"),
    (" 2024-12-31 ", "2024-12-31"),
])
def test_accepted_date_forms_are_normalised(cli, db, legacy, stored):
    run = cli(DEPARTMENTS, [{"department_id": 1, "date": legacy, "title": "x"}])
    assert run.code == 0, run.report["rejections"]
    assert [e["event_date"] for e in all_events(db)] == [stored]


@pytest.mark.parametrize("legacy", [
    "2024-13-01", "2024-02-30", "01/05/2024", "2024.01.05", "2024-01/05", "20240105", "", 20240105, None,
])
def test_other_dates_are_rejected_with_position_and_value(cli, db, legacy):
    events = [{"department_id": 1, "date": "2024-01-01", "title": "good"},
              {"department_id": 1, "date": legacy, "title": "bad"}]
    run = cli(DEPARTMENTS, events)

    assert run.code == 1
    rejection = rejection_at(run, "$[1]")
    assert rejection["file"].endswith("calendar_events.json")
    assert rejection["field"] == "date"  # named as in the file
    assert rejection["value"] == legacy
    assert "event_date" in rejection["reason"]
    assert [e["title"] for e in all_events(db)] == ["good"]


# -- rejections ---------------------------------------------------------------------------------

GOOD = {"id": 1, "department_id": 1, "date": "2024-03-01", "title": "good"}


@pytest.mark.parametrize("record, field, value, reason", [
    ("just text", None, "just text", "must be a JSON object"),
    ({"id": 2, "date": "2024-03-01", "title": "t"}, "department_id", None, "department_id (or department) is required"),
    ({"id": 2, "department_id": 99, "date": "2024-03-01", "title": "t"}, "department_id", 99, "unknown department id 99"),
    ({"id": 2, "department_id": "x1", "date": "2024-03-01", "title": "t"}, "department_id", "x1", "integer legacy id or a UUID"),
    ({"id": 2, "department": "Nowhere", "date": "2024-03-01", "title": "t"}, "department", "Nowhere", "unknown department 'Nowhere'"),
    ({"id": 2, "department": "", "date": "2024-03-01", "title": "t"}, "department", "", "must be a department name"),
    ({"id": 2, "department_id": 3, "date": "2024-03-01", "title": "t"}, "department_id", 3, "was rejected"),
    ({"id": 2, "department_id": 1, "department": "Sales", "date": "2024-03-01", "title": "t"},
     "department_id", 1, "name different departments"),
    ({"id": 2, "department_id": 1, "date": "9999-12-31", "title": "t"}, "date", "9999-12-31",
     "event_date must be a date from 1900-01-01 to 2199-12-31"),
    ({"id": 2, "department_id": 1, "date": "1899-12-31", "title": "t"}, "date", "1899-12-31",
     "event_date must be a date from 1900-01-01 to 2199-12-31"),
    ({"id": 2, "department_id": 1, "date": "2024-03-01"}, "title", None, "title is required"),
    ({"id": 2, "department_id": 1, "date": "2024-03-01", "title": "   "}, "title", "   ", "title must not be empty"),
    ({"id": 2, "department_id": 1, "date": "2024-03-01", "title": "t" * 201}, "title", "t" * 201, "at most 200"),
    ({"id": 2, "department_id": 1, "date": "2024-03-01", "title": 7}, "title", 7, "title must be a string"),
    ({"id": 2, "department_id": 1, "date": "2024-03-01", "title": "t", "description": "d" * 5001},
     "description", "d" * 5001, "at most 5000"),
    ({"id": 2, "department_id": 1, "date": "2024-03-01", "title": "t", "time": "9" * 51}, "time", "9" * 51, "at most 50"),
    ({"id": 2, "department_id": 1, "date": "2024-03-01", "title": "t", "url": "javascript:alert(1)"},
     "url", "javascript:alert(1)", "absolute http(s) URL"),
    ({"id": 2, "department_id": 1, "date": "2024-03-01", "title": "\x1b[31mred"}, "title", "\x1b[31mred",
     "found U+001B"),
    ({"id": 2, "department_id": 1, "date": "2024-03-01", "title": "t", "description": "cod\u202etxt.exe"},
     "description", "cod\u202etxt.exe", "bidirectional-override"),
    ({"id": "ten", "department_id": 1, "date": "2024-03-01", "title": "t"}, "id", "ten", "integer legacy id or a UUID"),
    ({"id": 1, "department_id": 1, "date": "2024-03-02", "title": "again"}, "id", 1, "duplicate event id 1"),
    ({"id": 1, "department_id": 2, "date": "2024-03-02", "title": "elsewhere"}, "id", 1, "duplicate event id 1"),
    ({"id": 2, "department_id": 1, "date": "2024-03-01", "title": "t", "version": 0}, "version", 0, "positive integer"),
    ({"id": 2, "department_id": 1, "event_date": "2024-03-01", "date": "2024-03-01", "title": "t", "version": "2"},
     "version", "2", "positive integer"),
])
def test_each_bad_event_is_rejected_with_reason_and_the_good_one_is_written(cli, db, record, field, value, reason):
    departments = DEPARTMENTS + [{"id": 3, "name": ""}]
    run = cli(departments, [GOOD, record])

    assert run.code == 1
    rejection = rejection_at(run, "$[1]")
    assert rejection["field"] == field
    assert rejection["value"] == value
    assert reason in rejection["reason"]
    assert [e["id"] for e in all_events(db)] == [event_uuid(department_uuid(1), 1)]
    assert run.report["events"] == {"read": 2, "written": 1, "already_present": 0, "rejected": 1}
    assert "rejected" in run.out and "fix them and run again" in run.out


@pytest.mark.parametrize("data, path, field, value, reason", [
    ({"2024-01-20": {"title": "not in an array"}}, '$["2024-01-20"]', None, {"title": "not in an array"},
     "expected an array of events"),
    ({"2024-01-20": [{"department_id": 1, "date": "2024-01-21", "title": "t"}]}, '$["2024-01-20"][0]', "date",
     "2024-01-21", "differs from the date"),
    ({"2024-02-31": [{"department_id": 1, "title": "t"}]}, '$["2024-02-31"][0]', "(date key)", "2024-02-31",
     "must be a real date"),
])
def test_bad_records_of_the_by_date_shape(cli, db, data, path, field, value, reason):
    run = cli(DEPARTMENTS, {"2024-01-19": [{"department_id": 2, "title": "good"}], **data})
    assert run.code == 1
    rejection = rejection_at(run, path)
    assert (rejection["field"], rejection["value"]) == (field, value)
    assert reason in rejection["reason"]
    assert [e["title"] for e in all_events(db)] == ["good"]


@pytest.mark.parametrize("data, path, field, value, reason", [
    ({"Nowhere": {"2024-01-20": [{"title": "t"}]}}, '$["Nowhere"]["2024-01-20"][0]', "(department key)",
     "Nowhere", "unknown department 'Nowhere'"),
    ({"77": {"2024-01-20": [{"title": "t"}]}}, '$["77"]["2024-01-20"][0]', "(department key)", "77",
     "unknown department id 77"),
    ({"1": ["not keyed by date"]}, '$["1"]', None, ["not keyed by date"], "expected an object keyed by date"),
    ({"1": {"2024-01-20": "x"}}, '$["1"]["2024-01-20"]', None, "x", "expected an array of events"),
    ({"1": {"2024-01-20": [{"department_id": 2, "title": "t"}]}}, '$["1"]["2024-01-20"][0]', "department_id", 2,
     "name different departments"),
])
def test_bad_records_of_the_by_department_shape(cli, db, data, path, field, value, reason):
    run = cli(DEPARTMENTS, {"Sales": {"2024-01-19": [{"title": "good"}]}, **data})
    assert run.code == 1
    rejection = rejection_at(run, path)
    assert (rejection["field"], rejection["value"]) == (field, value)
    assert reason in rejection["reason"]
    assert [e["title"] for e in all_events(db)] == ["good"]


@pytest.mark.parametrize("record, field, value, reason", [
    (42, None, 42, "must be a JSON object"),
    ({"id": 5}, "name", None, "name is required"),
    ({"id": 5, "name": "  "}, "name", "  ", "name must not be empty"),
    ({"id": 5, "name": "n" * 101}, "name", "n" * 101, "at most 100"),
    ({"id": 5, "name": 12}, "name", 12, "name must be a string"),
    ({"id": 5, "name": "Ops", "description": "d" * 1001}, "description", "d" * 1001, "at most 1000"),
    ({"id": 5.5, "name": "Ops"}, "id", 5.5, "integer legacy id or a UUID"),
    ({"id": 1, "name": "Ops"}, "id", 1, "duplicate department id 1"),
    ({"id": 5, "name": " 개발팀 "}, "name", "개발팀", "duplicate department name"),
    ({"id": 5, "name": "SALES"}, "name", "SALES", "compared case-insensitively"),
])
def test_each_bad_department_is_rejected_and_its_events_with_it(cli, db, record, field, value, reason):
    events = [GOOD, {"id": 2, "department_id": 5, "date": "2024-03-01", "title": "of the bad one"}]
    run = cli(DEPARTMENTS + [record], events)

    assert run.code == 1
    rejection = rejection_at(run, "$[2]")
    assert rejection["file"].endswith("departments.json")
    assert (rejection["field"], rejection["value"]) == (field, value)
    assert reason in rejection["reason"]
    assert sorted(d["name"] for d in db.list_departments()) == ["Sales", "개발팀"]
    assert run.report["departments"] == {"read": 3, "written": 2, "already_present": 0, "rejected": 1}
    assert [e["title"] for e in all_events(db)] == ["good"]
    assert rejection_at(run, "$[1]")["file"].endswith("calendar_events.json")


def test_unknown_fields_are_counted_not_silently_dropped(cli, db):
    run = cli([{"id": 1, "name": "A", "color": "red"}],
              [{"department_id": 1, "date": "2024-01-01", "title": "t", "color": "blue", "owner": "kim"}])
    assert run.code == 0
    assert run.report["ignored_fields"] == {"departments": {"color": 1}, "events": {"color": 1, "owner": 1}}
    # The operator sees them without opening the report.
    assert "WARNING: ignored field 'owner' of events in 1 record(s): not migrated" in run.err


# -- what gets written --------------------------------------------------------------------------


def test_migrated_events_look_exactly_like_api_events(cli, db, make_department, make_event):
    run = cli(DEPARTMENTS, [
        {"id": 10, "department_id": 1, "date": "2024-1-20", "title": "  팀 회의 ", "description": "주간",
         "time": "14:00", "url": " https://example.com/a ", "created_at": "2024-01-15 10:30:00",
         "last_modified": "2024-01-16T09:00:00.123456+09:00"},
        {"id": 11, "department_id": 2, "date": "2024-01-21", "title": "bare"},
    ])
    api_event = make_event(make_department("API")["id"])

    assert run.code == 0
    migrated = db.get_event(E10)
    assert set(migrated) == set(api_event) == set(EVENT_FIELDS)
    assert migrated == {
        "id": E10, "department_id": department_uuid(1), "event_date": "2024-01-20",
        "title": "팀 회의", "description": "주간", "time": "14:00", "url": "https://example.com/a",
        "created_at": "2024-01-15T10:30:00.000Z", "last_modified": "2024-01-16T00:00:00.123Z", "version": 1,
        "created_by": "migration", "updated_by": "migration",
    }
    bare = db.get_event(E11)
    assert (bare["description"], bare["time"], bare["url"], bare["version"]) == ("", "", "", 1)
    assert TIMESTAMP.match(bare["created_at"]) and bare["last_modified"] == bare["created_at"]
    assert db.list_events(department_uuid(1)) == [migrated]  # readable through the API's own query
    department = db.get_department(department_uuid(1))
    assert department["created_at"] == department["updated_at"] == "2023-03-01T09:00:00.000Z"


def test_unparseable_timestamps_are_replaced_and_reported_as_warnings(cli, db):
    run = cli(DEPARTMENTS, [{"id": 10, "department_id": 1, "date": "2024-01-20", "title": "t",
                             "created_at": "last tuesday"}])
    assert run.code == 0
    assert run.report["warnings"] == [{
        "file": run.report["sources"]["events"]["file"], "path": "$[0]", "field": "created_at",
        "value": "last tuesday", "reason": "created_at is not an ISO-8601 timestamp; the migration time was used instead",
    }]
    assert db.get_event(E10)["created_at"] == run.report["started_at"]
    # The operator sees it without opening the report.
    assert ("WARNING: warning " + run.report["sources"]["events"]["file"] + " $[0]: created_at is not an "
            "ISO-8601 timestamp; the migration time was used instead") in run.err


def test_korean_and_emoji_text_round_trips_from_files_with_bom(cli, db):
    departments = [{"id": 7, "name": "마케팅팀 🎯", "description": "브랜드 💡 & 캠페인"}]
    events = {"7": {"2024-05-05": [{"id": 70, "title": "어린이날 행사 🎈🎉", "description": "👨‍👩‍👧‍👦 가족 초대",
                                    "time": "오전 10:00 ~ 오후 3:00"}]}}
    run = cli(departments, events, bom=True)

    assert run.code == 0
    assert db.get_department(department_uuid(7))["name"] == "마케팅팀 🎯"
    assert db.get_department(department_uuid(7))["description"] == "브랜드 💡 & 캠페인"
    event = db.get_event(event_uuid(department_uuid(7), 70))
    assert (event["title"], event["description"], event["time"]) == (
        "어린이날 행사 🎈🎉", "👨‍👩‍👧‍👦 가족 초대", "오전 10:00 ~ 오후 3:00")
    assert db.find_department_by_name("마케팅팀 🎯")["id"] == department_uuid(7)
    assert run.id_map["department_names"] == {"마케팅팀 🎯": department_uuid(7)}


# -- re-runs ------------------------------------------------------------------------------------


def test_second_run_writes_nothing_new_and_says_so(cli, db):
    first = cli(DEPARTMENTS, EVENTS)
    before = all_events(db)
    second = cli()

    assert (first.code, second.code) == (0, 0)
    assert second.report["departments"] == {"read": 2, "written": 0, "already_present": 2, "rejected": 0}
    assert second.report["events"] == {"read": 3, "written": 0, "already_present": 3, "rejected": 0}
    assert all_events(db) == before and len(db.list_departments()) == 2
    assert second.id_map == first.id_map


def test_rerun_does_not_undo_changes_made_through_the_api(cli, db):
    cli(DEPARTMENTS, EVENTS)
    db.update_event(E10, {"title": "renamed"})

    run = cli()

    assert run.code == 0 and run.report["events"]["already_present"] == 3
    event = db.get_event(E10)
    assert (event["title"], event["version"]) == ("renamed", 2)


def test_rerun_after_adding_records_writes_only_the_new_ones(cli, db):
    cli(DEPARTMENTS, EVENTS)
    run = cli(DEPARTMENTS + [{"id": 3, "name": "HR"}],
              EVENTS + [{"id": 13, "department_id": 3, "date": "2024-04-01", "title": "new"}])
    assert run.code == 0
    assert run.report["departments"] == {"read": 3, "written": 1, "already_present": 2, "rejected": 0}
    assert run.report["events"] == {"read": 4, "written": 1, "already_present": 3, "rejected": 0}
    assert len(all_events(db)) == 4


def test_event_moved_to_another_department_between_runs_leaves_the_old_copy(cli, db):
    """A documented limitation: ids stay unique, the old copy has to be deleted by hand."""
    cli(DEPARTMENTS, EVENTS)
    moved = [dict(EVENTS[0], department_id=2)] + EVENTS[1:]
    run = cli(DEPARTMENTS, moved)

    assert run.code == 0 and run.report["events"]["written"] == 1
    copies = [e for e in all_events(db) if e["title"] == "팀 회의"]
    assert sorted(e["department_id"] for e in copies) == sorted([department_uuid(1), department_uuid(2)])
    assert len({e["id"] for e in all_events(db)}) == 4  # no id in two departments
    assert run.id_map["events"]["10"] == event_uuid(department_uuid(2), 10)


def test_department_already_in_dynamodb_is_reused_by_name(cli, db, make_department, make_event):
    existing = make_department("Sales")
    make_event(existing["id"], title="made through the API")

    run = cli([{"id": 2, "name": " sales "}], [{"id": 11, "department_id": 2, "date": "2024-01-21", "title": "t"}])

    assert run.code == 0
    assert db.list_departments() == [existing]
    assert run.id_map["departments"] == {"2": existing["id"]}
    assert run.report["departments"] == {"read": 1, "written": 0, "already_present": 1, "rejected": 0}
    assert sorted(e["title"] for e in db.list_events(existing["id"])) == ["made through the API", "t"]
    assert run.report["verification"]["departments"] == [
        {"id": existing["id"], "name": "sales", "expected_events": 2, "found_events": 2}]


def test_events_may_name_a_department_that_exists_only_in_dynamodb(cli, db, make_department):
    existing = make_department("법무팀")
    run = cli([], [{"department": "법무팀", "date": "2024-01-21", "title": "by name"},
                   {"department_id": existing["id"], "date": "2024-01-22", "title": "by uuid"}])
    assert run.code == 0, run.report["rejections"]
    assert sorted(e["title"] for e in db.list_events(existing["id"])) == ["by name", "by uuid"]


def test_identical_events_without_ids_are_all_kept_once(cli, db):
    same = {"department_id": 1, "date": "2024-01-01", "title": "twice"}
    first = cli(DEPARTMENTS, [same, dict(same)])
    second = cli()
    assert (first.code, second.code) == (0, 0)
    assert len(all_events(db)) == 2
    assert second.report["events"]["already_present"] == 2


# -- dry run ------------------------------------------------------------------------------------


def test_dry_run_validates_and_reports_but_writes_nothing(cli, db):
    run = cli(DEPARTMENTS, EVENTS + [{"department_id": 1, "date": "bad", "title": "t"}], "--dry-run")

    assert run.code == 1
    assert raw_item_count(db) == 0
    assert run.report["dry_run"] is True
    assert run.report["departments"] == {"read": 2, "written": 0, "already_present": 0, "rejected": 0,
                                         "would_write": 2}
    assert run.report["events"] == {"read": 4, "written": 0, "already_present": 0, "rejected": 1,
                                    "would_write": 3}
    assert "dry run: nothing was written" in run.out
    assert run.id_map["events"] == {"10": E10, "11": E11, "12": E12}


def test_dry_run_after_a_real_run_counts_what_is_present(cli, db):
    cli(DEPARTMENTS, EVENTS[:2])
    before = raw_item_count(db)
    run = cli(DEPARTMENTS, EVENTS, "--dry-run")
    assert run.code == 0
    assert run.report["events"] == {"read": 3, "written": 0, "already_present": 2, "rejected": 0, "would_write": 1}
    assert raw_item_count(db) == before


def test_dry_run_does_not_create_missing_tables(cli, settings, drop_tables):
    from models import DynamoDBDatabase

    run = cli(DEPARTMENTS, EVENTS, "--dry-run", "--create-tables")
    assert run.code == 0
    assert run.report["events"]["would_write"] == 3
    assert set(DynamoDBDatabase(settings).table_statuses().values()) == {"MISSING"}
    assert "--create-tables" in run.err


# -- exit status 2 ------------------------------------------------------------------------------


def test_missing_tables_stop_the_run_and_say_to_use_create_tables(cli, settings, drop_tables):
    run = cli(DEPARTMENTS, EVENTS)
    assert run.code == 2
    assert "do not exist: run again with --create-tables" in run.err
    assert run.report["error"] and run.report["exit_code"] == 2

    created = cli(DEPARTMENTS, EVENTS, "--create-tables")
    assert created.code == 0 and created.report["events"]["written"] == 3


@pytest.mark.parametrize("content, message", [
    (b"{not json", "is not valid JSON (line 1, column 2"),
    (b'{"2024-01-01": [], "2024-01-01": []}', 'has the key "2024-01-01" twice'),
    (b"42", "expected an array of events"),
    (b"\xff\xfe[]", "is not UTF-8 text"),
])
def test_unreadable_events_file_is_exit_2_with_what_to_do(cli, db, content, message):
    cli.files(DEPARTMENTS, [])
    (cli.directory / "calendar_events.json").write_bytes(content)
    run = cli()
    assert run.code == 2
    assert message in run.err and message in run.report["error"]
    assert raw_item_count(db) == 0


def test_missing_file_is_exit_2_naming_the_option(cli, db):
    cli.files(DEPARTMENTS, EVENTS)
    (cli.directory / "departments.json").unlink()
    run = cli()
    assert run.code == 2
    assert "not found: pass --departments PATH" in run.err


def test_departments_file_of_the_wrong_shape_is_exit_2(cli, db):
    run = cli({"name": "not a list"}, EVENTS)
    assert run.code == 2 and "expected an array of department objects" in run.err


def test_unreachable_dynamodb_is_exit_2_saying_what_to_do(cli, monkeypatch):
    from local.dynamodb_local import free_port

    monkeypatch.setenv("DYNAMODB_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("DYNAMODB_MAX_ATTEMPTS", "1")
    run = cli(DEPARTMENTS, EVENTS)
    assert run.code == 2
    assert "DynamoDB could not be reached" in run.err and "DYNAMODB_ENDPOINT_URL" in run.err


def test_bad_arguments_and_missing_report_directory_are_exit_2(cli, db, capsys):
    from migrate_to_dynamodb import main

    assert main(["--no-such-flag"]) == 2
    assert "unrecognized arguments" in capsys.readouterr().err
    run = cli(DEPARTMENTS, EVENTS, "--report", str(cli.directory / "missing" / "r.json"))
    assert run.code == 2 and "does not exist" in run.err


def test_defaults_read_the_files_of_the_current_directory(cli, db, monkeypatch):
    from migrate_to_dynamodb import main

    cli.files(DEPARTMENTS, EVENTS)
    monkeypatch.chdir(cli.directory)
    assert main(["--quiet"]) == 0
    report = json.loads((cli.directory / "migration_report.json").read_text(encoding="utf-8"))
    assert report["events"]["written"] == 3
    assert (cli.directory / "migration_id_map.json").exists()
    assert "migration finished with exit status 0" in (cli.directory / "migration.log").read_text(encoding="utf-8")
