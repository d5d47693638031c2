"""Changing and deleting series through HTTP: `scope=this|following|all`, If-Match on each, and
what month lists, `expand=false` and DynamoDB show afterwards."""
from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest

from rules.actors import Actor

WEEKLY = ["RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=10"]  # 2024-01-01 .. 2024-03-04


def _series(client, department_id, recurrence=WEEKLY, **fields):
    body = {"event_date": "2024-01-01", "title": "주간 회의", "recurrence": recurrence, **fields}
    response = client.post(f"/api/events/{department_id}", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _list(client, department_id, query="from=2024-01-01&to=2024-12-31"):
    response = client.get(f"/api/events/{department_id}?{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _shown(events):
    return [(e["event_date"], e["title"]) for e in events]


def test_this_stores_an_exception_and_leaves_the_other_occurrences(client, db, make_department):
    department_id = make_department()["id"]
    series = _series(client, department_id)
    response = client.put(f"/api/events/{series['id']}_20240108", json={"title": "휴가철 회의"})
    assert response.status_code == 200
    exception = response.get_json()
    assert exception["id"] == f"{series['id']}_20240108" and exception["version"] == 2
    assert (exception["recurring_event_id"], exception["original_date"]) == (series["id"], "2024-01-08")
    assert response.headers["ETag"] == '"2"'

    assert _shown(_list(client, department_id, "from=2024-01-01&to=2024-01-15")) == [
        ("2024-01-01", "주간 회의"), ("2024-01-08", "휴가철 회의"), ("2024-01-15", "주간 회의")]
    assert _list(client, department_id, "expand=false") == [series, exception]
    assert db.get_event(series["id"]) == series  # the series itself is unchanged


def test_a_moved_occurrence_is_listed_in_the_month_it_moved_to_only(client, make_department):
    department_id = make_department()["id"]
    series = _series(client, department_id)
    moved = client.put(f"/api/events/{series['id']}_20240129", json={"event_date": "2024-02-02"}).get_json()
    assert (moved["event_date"], moved["original_date"]) == ("2024-02-02", "2024-01-29")

    january = _list(client, department_id, "from=2024-01-01&to=2024-01-31")
    february = _list(client, department_id, "from=2024-02-01&to=2024-02-29")
    assert [e["event_date"] for e in january] == ["2024-01-01", "2024-01-08", "2024-01-15", "2024-01-22"]
    assert [(e["id"], e["event_date"]) for e in february][:2] == [
        (f"{series['id']}_20240129", "2024-02-02"), (f"{series['id']}_20240205", "2024-02-05")]


def test_deleting_one_occurrence_excludes_its_day(client, db, make_department):
    department_id = make_department()["id"]
    series = _series(client, department_id)
    assert client.delete(f"/api/events/{series['id']}_20240115").status_code == 204
    assert "2024-01-15" not in [e["event_date"] for e in _list(client, department_id)]
    stored = db.get_event(series["id"])
    assert stored["recurrence"] == [*WEEKLY, "EXDATE;VALUE=DATE:20240115"] and stored["version"] == 2
    assert len(_list(client, department_id)) == 9
    assert client.delete(f"/api/events/{series['id']}_20240115").status_code == 404


def test_all_changes_the_series_and_exceptions_keep_their_own_changes(client, make_department):
    department_id = make_department()["id"]
    series = _series(client, department_id)
    client.put(f"/api/events/{series['id']}_20240108", json={"title": "특별 회의", "event_date": "2024-01-09"})

    response = client.put(f"/api/events/{series['id']}_20240115?scope=all", json={"title": "팀 회의"})

    assert response.status_code == 200 and response.get_json()["id"] == series["id"]
    assert _shown(_list(client, department_id, "from=2024-01-01&to=2024-01-22")) == [
        ("2024-01-01", "팀 회의"), ("2024-01-09", "특별 회의"), ("2024-01-15", "팀 회의"), ("2024-01-22", "팀 회의")]


def test_all_reaches_what_an_exception_did_not_change_itself(client, make_department):
    department_id = make_department()["id"]
    series = _series(client, department_id, time="오전 10:00", start_time="10:00", end_time="11:00")
    client.put(f"/api/events/{series['id']}_20240108", json={"event_date": "2024-01-09"})  # moved only
    client.put(f"/api/events/{series['id']}_20240115", json={"title": "특별 회의"})  # retitled
    client.put(f"/api/events/{series['id']}_20240115", json={"start_time": "13:00", "end_time": "14:00"})  # and re-timed

    response = client.put(f"/api/events/{series['id']}?scope=all",
                          json={"title": "팀 회의", "description": "3층 회의실", "start_time": "09:00", "end_time": "09:30"})

    assert response.status_code == 200
    shown = {e["original_date"]: e for e in _list(client, department_id, "from=2024-01-01&to=2024-01-22")}
    moved, retitled, plain = shown["2024-01-08"], shown["2024-01-15"], shown["2024-01-22"]
    assert (moved["event_date"], moved["title"], moved["start_time"]) == ("2024-01-09", "팀 회의", "09:00")
    assert (retitled["title"], retitled["start_time"], retitled["end_time"]) == ("특별 회의", "13:00", "14:00")
    assert {moved["description"], retitled["description"], plain["description"]} == {"3층 회의실"}
    assert (plain["title"], plain["start_time"], plain["end_time"]) == ("팀 회의", "09:00", "09:30")


def test_following_splits_the_series_and_its_count(client, db, make_department):
    department_id = make_department()["id"]
    series = _series(client, department_id)
    client.put(f"/api/events/{series['id']}_20240212", json={"title": "예외"})  # after the cut: moves
    before = _list(client, department_id)

    response = client.put(f"/api/events/{series['id']}_20240122?scope=following", json={"title": "새 회의"})

    assert response.status_code == 200
    new = response.get_json()
    assert new["id"] != series["id"] and new["event_date"] == "2024-01-22"
    assert new["recurrence"] == ["RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=7"]
    assert db.get_event(series["id"])["recurrence"] == ["RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=3"]
    after = _list(client, department_id)
    assert [e["event_date"] for e in after] == [e["event_date"] for e in before]  # the same days, all ten
    assert [e["title"] for e in after] == ["주간 회의"] * 3 + ["새 회의"] * 3 + ["예외"] + ["새 회의"] * 3
    assert {e["recurring_event_id"] for e in after[3:]} == {new["id"]}
    assert after[6]["id"] == f"{new['id']}_20240212" and after[6]["original_date"] == "2024-02-12"
    assert client.get(f"/api/events/{department_id}/{series['id']}_20240212").status_code == 404


def test_following_on_the_first_occurrence_changes_the_whole_series(client, db, make_department):
    department_id = make_department()["id"]
    series = _series(client, department_id)
    response = client.put(f"/api/events/{series['id']}_20240101?scope=following", json={"title": "전체"})
    assert response.status_code == 200 and response.get_json()["id"] == series["id"]
    assert {e["title"] for e in _list(client, department_id)} == {"전체"}
    assert [e["id"] for e in _list(client, department_id, "expand=false")] == [series["id"]]


def test_deleting_following_ends_the_series_the_day_before(client, make_department):
    department_id = make_department()["id"]
    series = _series(client, department_id, recurrence=["RRULE:FREQ=WEEKLY;BYDAY=MO"])
    assert client.delete(f"/api/events/{series['id']}_20240122?scope=following").status_code == 204
    assert [e["event_date"] for e in _list(client, department_id)] == ["2024-01-01", "2024-01-08", "2024-01-15"]


def test_deleting_all_removes_the_series_and_its_exceptions(client, make_department):
    department_id = make_department()["id"]
    series = _series(client, department_id)
    client.put(f"/api/events/{series['id']}_20240108", json={"event_date": "2024-06-01"})
    assert client.delete(f"/api/events/{series['id']}_20240115?scope=all").status_code == 204
    assert _list(client, department_id) == []
    assert _list(client, department_id, "expand=false") == []


def test_if_match_works_on_each_scope(client, db, make_department):
    department_id = make_department()["id"]
    series = _series(client, department_id)
    occurrence = f"/api/events/{series['id']}_20240108"
    for scope in ("this", "following", "all"):
        response = client.put(f"{occurrence}?scope={scope}", json={"title": "x"}, headers={"If-Match": '"7"'})
        assert response.status_code == 412, scope
        assert response.get_json()["current_version"] == 1
    assert response.get_json()["current"]["id"] == series["id"]
    assert client.delete(occurrence, headers={"If-Match": '"7"'}).status_code == 412
    assert client.put(occurrence, json={"title": "x"}, headers={"If-Match": '"1"'}).status_code == 200
    stale = client.put(occurrence, json={"title": "y"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412 and stale.get_json()["current"]["title"] == "x"
    assert db.get_event(series["id"]) == series


def test_a_scope_on_an_event_that_is_no_series_is_the_event(client, make_department):
    department_id = make_department()["id"]
    single = client.post(f"/api/events/{department_id}", json={"event_date": "2024-01-01", "title": "t"}).get_json()
    changed = client.put(f"/api/events/{single['id']}?scope=following", json={"title": "바뀜"})
    assert changed.status_code == 200 and changed.get_json()["id"] == single["id"]
    assert client.delete(f"/api/events/{single['id']}?scope=this").status_code == 204
    assert _list(client, department_id) == []


@pytest.mark.parametrize(("path", "status", "field"), [
    ("{series}?scope=sometimes", 400, "scope"),
    ("{series}_20240102", 404, None),  # no occurrence that day
    ("{single}_20240101", 404, None),
])
def test_scopes_that_name_nothing_are_400_or_404(client, make_department, path, status, field):
    department_id = make_department()["id"]
    series = _series(client, department_id)
    single = client.post(f"/api/events/{department_id}", json={"event_date": "2024-01-01", "title": "t"}).get_json()
    url = "/api/events/" + path.format(single=single["id"], series=series["id"])
    for response in (client.put(url, json={"title": "x"}), client.delete(url)):
        assert response.status_code == status
        if field:
            assert set(response.get_json()["fields"]) == {field}


# moto's server applies conditional writes without a lock (see test_concurrency.py): DynamoDB Local only.
@pytest.mark.parametrize("dynamodb_server", ["dynamodb-local"], indirect=True)
def test_concurrent_edits_of_one_occurrence(client, db, make_department):
    """With If-Match one edit wins and the others get 412; without, each lands on the exception in turn."""
    department_id = make_department()["id"]
    series = _series(client, department_id)
    edits = 4

    def run(if_match):
        barrier, outcomes = threading.Barrier(edits), []

        def edit(n):
            barrier.wait()
            try:
                outcomes.append(db.series.update(f"{series['id']}_20240108", {"title": f"t{n}"}, "this", if_match, Actor("t")).answer)
            except Exception as exc:  # noqa: BLE001 - a 412 is what the losers must get
                outcomes.append(type(exc).__name__)

        threads = [threading.Thread(target=edit, args=(n,)) for n in range(edits)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return outcomes

    with_if_match = run(1)
    assert sorted(o if isinstance(o, str) else "stored" for o in with_if_match) == [
        "PreconditionFailed"] * (edits - 1) + ["stored"]
    assert db.get_event(f"{series['id']}_20240108")["version"] == 2
    without = run(None)
    assert all(isinstance(o, dict) for o in without), without
    assert db.get_event(f"{series['id']}_20240108")["version"] == 2 + edits
    assert len(_list(client, department_id, "from=2024-01-08&to=2024-01-08")) == 1


@pytest.mark.live
@pytest.mark.parametrize("dynamodb_server", ["moto"], indirect=True)
def test_broadcasts_say_which_occurrences_changed(live_server, make_department):
    from support.live_helpers import SocketClient, http

    department_id = make_department()["id"]
    events = f"{live_server.url}/api/events"
    series = http.post(f"{events}/{department_id}", json={"event_date": "2024-01-01", "title": "주간 회의",
                                                         "recurrence": WEEKLY}).json()
    socket = SocketClient(live_server.url).connect()
    try:
        socket.join(department_id)
        exception = http.put(f"{events}/{series['id']}_20240108", json={"title": "예외"}).json()
        assert socket.next_event() == ("event_updated", exception)

        new = http.put(f"{events}/{series['id']}_20240122?scope=following", json={"title": "새"}).json()
        assert socket.next_event() == ("event_created", new)
        name, cut = socket.next_event()
        assert (name, cut["id"], cut["recurrence"]) == ("event_updated", series["id"],
                                                         ["RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=3"])

        assert http.delete(f"{events}/{series['id']}_20240115").status_code == 204
        name, excluded = socket.next_event()
        assert (name, excluded["recurrence"][-1]) == ("event_updated", "EXDATE;VALUE=DATE:20240115")
        assert socket.next_event() == ("event_deleted", {"id": f"{series['id']}_20240115",
                                                         "department_id": department_id})
    finally:
        socket.close()


def test_an_occurrence_reads_as_the_month_list_shows_it(client, make_department):
    department_id, other_id = make_department()["id"], make_department()["id"]
    series = _series(client, department_id)
    client.put(f"/api/events/{series['id']}_20240115", json={"title": "특별 회의"})
    listed = {e["id"]: e for e in _list(client, department_id, "from=2024-01-01&to=2024-01-31")}

    for occurrence_id in (f"{series['id']}_20240108", f"{series['id']}_20240115"):
        response = client.get(f"/api/events/{department_id}/{occurrence_id}")
        assert response.status_code == 200, response.get_json()
        assert response.get_json() == listed[occurrence_id]
        assert response.headers["ETag"] == f'"{listed[occurrence_id]["version"]}"'
    assert client.get(f"/api/events/{department_id}/{series['id']}").get_json() == series
    for missing in (f"{department_id}/{series['id']}_20240109", f"{other_id}/{series['id']}_20240108",
                    f"{department_id}/{series['id']}_20991231"):
        response = client.get(f"/api/events/{missing}")
        assert response.status_code == 404 and response.get_json()["error"] == "not_found"


def test_all_with_new_lines_keeps_the_exceptions_on_days_they_still_give(client, db, make_department):
    department_id = make_department()["id"]
    series = _series(client, department_id)  # Mondays from 2024-01-01, ten of them
    client.put(f"/api/events/{series['id']}_20240115", json={"title": "특별 회의"})  # a Monday of every other week too
    client.put(f"/api/events/{series['id']}_20240108", json={"title": "사라질 회의"})  # not in the new lines

    response = client.put(f"/api/events/{series['id']}?scope=all",
                          json={"recurrence": ["RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;COUNT=3"]})

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["recurrence"] == ["RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;COUNT=3"]
    assert _shown(_list(client, department_id)) == [
        ("2024-01-01", "주간 회의"), ("2024-01-15", "특별 회의"), ("2024-01-29", "주간 회의")]
    assert client.get(f"/api/events/{department_id}/{series['id']}_20240108").status_code == 404
    stored = [e["id"] for e in _list(client, department_id, "expand=false")]
    assert stored == [series["id"], f"{series['id']}_20240115"]


def test_following_with_new_lines_starts_a_series_of_them(client, db, make_department):
    department_id = make_department()["id"]
    series = _series(client, department_id, recurrence=["RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20240226"])

    response = client.put(f"/api/events/{series['id']}_20240205?scope=following",
                          json={"event_date": "2024-02-06", "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=3"]})

    assert response.status_code == 200, response.get_json()
    assert [e["event_date"] for e in _list(client, department_id)] == [
        "2024-01-01", "2024-01-08", "2024-01-15", "2024-01-22", "2024-01-29", "2024-02-06", "2024-02-13", "2024-02-20"]


def test_new_lines_are_checked_and_refused_whole(client, db, make_department):
    department_id = make_department()["id"]
    series = _series(client, department_id)
    for body, scope in (({"recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=TU"]}, "all"),  # Jan 1 is a Monday
                        ({"recurrence": None}, "this"),
                        ({"recurrence": ["RRULE:FREQ=DAILY"]}, "this")):
        response = client.put(f"/api/events/{series['id']}_20240108?scope={scope}", json=body)
        assert response.status_code == 400, (body, response.get_json())
        assert "recurrence" in response.get_json()["fields"]
    assert db.get_event(series["id"]) == series


def test_an_event_given_lines_becomes_a_series(client, make_department, make_event):
    department = make_department()
    event = make_event(department["id"], event_date="2024-01-01", title="점검")
    response = client.put(f"/api/events/{event['id']}", json={"recurrence": ["RRULE:FREQ=MONTHLY;COUNT=3"]})
    assert response.status_code == 200, response.get_json()
    assert [(e["event_date"], e["recurring_event_id"]) for e in _list(client, department["id"])] == [
        ("2024-01-01", event["id"]), ("2024-02-01", event["id"]), ("2024-03-01", event["id"])]


def test_following_moves_the_exceptions_after_the_cut_and_drops_those_its_lines_skip(client, make_department):
    department_id = make_department()["id"]
    series = _series(client, department_id)  # Mondays 2024-01-01 .. 2024-03-04
    client.put(f"/api/events/{series['id']}_20240129", json={"title": "이사회"})  # a Monday the new lines give
    client.put(f"/api/events/{series['id']}_20240212", json={"title": "사라질 회의"})  # one they skip

    response = client.put(f"/api/events/{series['id']}_20240122?scope=following", json={
        "description": "2층", "recurrence": ["RRULE:FREQ=WEEKLY;INTERVAL=7;BYDAY=MO;COUNT=2",
                                             "RDATE;VALUE=DATE:20240129"]})

    assert response.status_code == 200, response.get_json()
    new = response.get_json()
    assert [(e["event_date"], e["title"], e["description"], e["recurring_event_id"])
            for e in _list(client, department_id, "from=2024-01-22&to=2024-12-31")] == [
        ("2024-01-22", "주간 회의", "2층", new["id"]), ("2024-01-29", "이사회", "2층", new["id"]),
        ("2024-03-11", "주간 회의", "2층", new["id"])]
    for gone in ("20240129", "20240212"):
        assert client.get(f"/api/events/{department_id}/{series['id']}_{gone}").status_code == 404
    moved = client.get(f"/api/events/{department_id}/{new['id']}_20240129").get_json()
    assert (moved["title"], moved["original_date"], moved["version"]) == ("이사회", "2024-01-29", 1)
    # A change of the moved exception is its own, as before the move.
    client.put(f"/api/events/{new['id']}?scope=all", json={"title": "팀 회의"})
    assert _shown(_list(client, department_id, "from=2024-01-22&to=2024-01-29")) == [
        ("2024-01-22", "팀 회의"), ("2024-01-29", "이사회")]


def test_all_moving_the_first_day_drops_the_exceptions_on_days_it_no_longer_gives(client, make_department):
    department_id = make_department()["id"]
    series = _series(client, department_id, recurrence=["RRULE:FREQ=WEEKLY;COUNT=3"])  # Mon 1, 8, 15 January
    client.put(f"/api/events/{series['id']}_20240108", json={"title": "이동 전 예외"})

    response = client.put(f"/api/events/{series['id']}?scope=all", json={"event_date": "2024-01-02"})

    assert response.status_code == 200, response.get_json()
    assert _shown(_list(client, department_id)) == [
        ("2024-01-02", "주간 회의"), ("2024-01-09", "주간 회의"), ("2024-01-16", "주간 회의")]
    assert client.get(f"/api/events/{department_id}/{series['id']}_20240108").status_code == 404
    assert [e["id"] for e in _list(client, department_id, "expand=false")] == [series["id"]]


def test_all_reaches_more_exceptions_than_one_transaction_takes(settings, db, admin_token, make_department):
    from app import create_app
    from models import DynamoDBDatabase

    # Each transaction here holds up to 100 actions (events and their history entries): moto's
    # server, in Python, takes seconds over one on a loaded machine, past the read timeout and the
    # stall budget meant for DynamoDB. This test is about splitting the writes, not about those.
    patient = settings.with_overrides(dynamodb_read_timeout=30.0, dynamodb_stall_seconds=60.0)
    client = create_app(patient, DynamoDBDatabase(patient)).test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {admin_token}"
    department_id = make_department()["id"]
    series = _series(client, department_id, recurrence=["RRULE:FREQ=DAILY;COUNT=130"])
    for day in range(1, 121):  # 120 exceptions, each with its own description
        stamp = f"2024{(date(2024, 1, 1) + timedelta(days=day)).strftime('%m%d')}"
        assert client.put(f"/api/events/{series['id']}_{stamp}", json={"description": f"예외 {day}"}).status_code == 200

    response = client.put(f"/api/events/{series['id']}?scope=all", json={"title": "매일 점검"})

    assert response.status_code == 200, response.get_json()
    listed = _list(client, department_id, "from=2024-01-01&to=2024-06-30")
    assert len(listed) == 130 and {e["title"] for e in listed} == {"매일 점검"}
    assert sum(e["description"].startswith("예외 ") for e in listed) == 120


@pytest.mark.parametrize("dynamodb_server", ["dynamodb-local"], indirect=True)
def test_an_edit_of_all_and_changes_of_its_exceptions_at_once_all_hold(client, db, make_department):
    """The series and its exceptions are written in one transaction on the versions read: an
    exception changed meanwhile makes it read again, so no change is lost."""
    department_id = make_department()["id"]
    series = _series(client, department_id)
    exception_ids = [f"{series['id']}_202401{day}" for day in ("08", "15", "22")]
    for exception_id in exception_ids:
        client.put(f"/api/events/{exception_id}", json={"description": "원래"})
    edits = [(series["id"], {"title": "전체"}, "all")] + [(i, {"description": "각자"}, "this") for i in exception_ids]

    assert _at_once(client, edits) == [200] * len(edits)
    shown = {e["id"]: e for e in _list(client, department_id, "from=2024-01-01&to=2024-01-31")}
    assert {(shown[i]["title"], shown[i]["description"]) for i in exception_ids} == {("전체", "각자")}


def test_null_recurrence_with_all_makes_the_series_one_event(client, make_department):
    department_id = make_department()["id"]
    series = _series(client, department_id)
    client.put(f"/api/events/{series['id']}_20240108", json={"title": "예외"})

    response = client.put(f"/api/events/{series['id']}_20240115?scope=all", json={"recurrence": None})

    assert response.status_code == 200, response.get_json()
    assert "recurrence" not in response.get_json()
    assert _shown(_list(client, department_id)) == [("2024-01-01", "주간 회의")]
    assert [e["id"] for e in _list(client, department_id, "expand=false")] == [series["id"]]
    assert client.get(f"/api/events/{department_id}/{series['id']}_20240108").status_code == 404


def test_null_recurrence_with_following_ends_the_series_and_leaves_one_event(client, make_department):
    department_id = make_department()["id"]
    series = _series(client, department_id)  # ten Mondays from 2024-01-01
    client.put(f"/api/events/{series['id']}_20240205", json={"title": "사라질 예외"})

    response = client.put(f"/api/events/{series['id']}_20240122?scope=following",
                          json={"recurrence": None, "title": "마지막 회의"})

    assert response.status_code == 200, response.get_json()
    single = response.get_json()
    assert "recurrence" not in single and "recurring_event_id" not in single
    assert _shown(_list(client, department_id)) == [
        ("2024-01-01", "주간 회의"), ("2024-01-08", "주간 회의"), ("2024-01-15", "주간 회의"), ("2024-01-22", "마지막 회의")]
    assert client.get(f"/api/events/{department_id}/{series['id']}_20240205").status_code == 404


@pytest.mark.parametrize("dynamodb_server", ["dynamodb-local"], indirect=True)
def test_a_new_rule_and_new_exceptions_at_once_list_each_occurrence_once(client, db, make_department):
    """Adding an exception leaves the series' version alone; a rule change written on a read from
    before it must still notice it, or the exception would be listed beside its occurrence."""
    department_id = make_department()["id"]
    for round_ in range(5):
        series = _series(client, department_id, recurrence=["RRULE:FREQ=DAILY;COUNT=8"], title=f"회차 {round_}")
        days = [f"{series['id']}_2024010{day}" for day in range(2, 6)]
        edits = [(series["id"], {"recurrence": ["RRULE:FREQ=DAILY;COUNT=6"]}, "all")]
        edits += [(occurrence_id, {"description": "따로"}, "this") for occurrence_id in days]

        assert _at_once(client, edits) == [200] * len(edits)
        listed = [e for e in _list(client, department_id, "from=2024-01-01&to=2024-01-31")
                  if e["recurring_event_id"] == series["id"]]
        assert [e["event_date"] for e in listed] == [f"2024-01-0{day}" for day in range(1, 7)]
        assert [e["description"] for e in listed] == [""] + ["따로"] * 4 + [""]
        client.delete(f"/api/events/{series['id']}?scope=all")


def _at_once(client, edits):
    """The statuses of PUT /api/events/{id}?scope= for each (id, changes, scope), sent at the same
    moment from one thread each (a test client of their own, with the client's token)."""
    barrier, statuses = threading.Barrier(len(edits)), [None] * len(edits)

    def edit(n, event_id, changes, scope):
        own = client.application.test_client()
        own.environ_base.update(client.environ_base)
        barrier.wait()
        statuses[n] = own.put(f"/api/events/{event_id}?scope={scope}", json=changes).status_code

    threads = [threading.Thread(target=edit, args=(n, *args)) for n, args in enumerate(edits)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses
