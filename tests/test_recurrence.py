"""Series: `recurrence` on POST, checked; month lists expand occurrences, `expand=false` and sync
show what is stored. Edge cases of the calendar itself (31st, 29 February, DST) each a test."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from rules import recurrence_budget
from rules.sync_tokens import new_token


def _create(client, department_id, **fields):
    body = {"event_date": "2024-01-01", "title": "주간 회의", **fields}
    return client.post(f"/api/events/{department_id}", json=body)


def _list(client, department_id, query=""):
    response = client.get(f"/api/events/{department_id}?{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _days(events):
    return [e["event_date"] for e in events]


def test_a_weekly_series_lists_as_its_occurrences_among_single_events(client, db, make_department):
    department_id = make_department()["id"]
    created = _create(client, department_id, recurrence=["RRULE:FREQ=WEEKLY;BYDAY=MO"], start_time="09:00",
                      end_time="10:00", time="오전 9시")
    assert created.status_code == 201
    series = created.get_json()
    assert series["recurrence"] == ["RRULE:FREQ=WEEKLY;BYDAY=MO"] and series["event_date"] == "2024-01-01"
    single = _create(client, department_id, title="단독", event_date="2024-01-15").get_json()

    listed = _list(client, department_id, "from=2024-01-01&to=2024-01-31")

    assert [(e["event_date"], e["title"]) for e in listed] == [
        ("2024-01-01", "주간 회의"), ("2024-01-08", "주간 회의"), ("2024-01-15", "주간 회의"), ("2024-01-15", "단독"),
        ("2024-01-22", "주간 회의"), ("2024-01-29", "주간 회의")]
    first = listed[0]
    assert first == {**{k: v for k, v in series.items() if k != "recurrence"}, "id": f"{series['id']}_20240101",
                     "recurring_event_id": series["id"], "original_date": "2024-01-01"}
    assert listed[3] == single
    # Stable ids: the same occurrence has the same id in every listing.
    assert _list(client, department_id, "from=2024-01-20&to=2024-01-22")[0]["id"] == f"{series['id']}_20240122"


def test_expand_false_and_sync_show_the_stored_series_never_occurrences(client, make_department):
    department_id = make_department()["id"]
    token = new_token(department_id, datetime.now(UTC))
    series = _create(client, department_id, recurrence=["RRULE:FREQ=DAILY;COUNT=30"]).get_json()
    single = _create(client, department_id, title="단독", event_date="2024-01-15").get_json()

    assert _list(client, department_id, "from=2024-01-01&to=2024-01-31&expand=false") == [series, single]
    assert _list(client, department_id, "expand=false") == [series, single]
    assert _list(client, department_id, "from=2024-01-20&to=2024-01-31&expand=false") == [series]
    assert sorted(e["id"] for e in _list(client, department_id, f"changed_since={token}")) == sorted(
        [series["id"], single["id"]])


def test_an_unbounded_series_reaches_any_later_month_and_a_bounded_one_ends(client, make_department):
    department_id = make_department()["id"]
    _create(client, department_id, title="forever", recurrence=["RRULE:FREQ=MONTHLY;BYMONTHDAY=1"])
    _create(client, department_id, title="until", recurrence=["RRULE:FREQ=MONTHLY;BYMONTHDAY=1;UNTIL=20240301T000000Z"])
    _create(client, department_id, title="count", recurrence=["RRULE:FREQ=MONTHLY;BYMONTHDAY=1;COUNT=2"])

    assert [e["title"] for e in _list(client, department_id, "from=2024-02-01&to=2024-02-29")] == [
        "forever", "until", "count"]
    assert [e["title"] for e in _list(client, department_id, "from=2024-03-01&to=2024-03-31")] == ["forever", "until"]
    assert [e["title"] for e in _list(client, department_id, "from=2031-07-01&to=2031-07-31")] == ["forever"]


def test_the_31st_of_each_month_skips_months_without_one(client, make_department):
    department_id = make_department()["id"]
    _create(client, department_id, event_date="2024-01-31", recurrence=["RRULE:FREQ=MONTHLY;BYMONTHDAY=31"])
    assert _days(_list(client, department_id, "from=2024-01-01&to=2024-12-31")) == [
        "2024-01-31", "2024-03-31", "2024-05-31", "2024-07-31", "2024-08-31", "2024-10-31", "2024-12-31"]
    assert _list(client, department_id, "from=2024-02-01&to=2024-02-29") == []


def test_29_february_comes_back_in_leap_years_only(client, make_department):
    department_id = make_department()["id"]
    _create(client, department_id, event_date="2024-02-29", recurrence=["RRULE:FREQ=YEARLY"])
    listed = [day for year in range(2024, 2033) for day in _days(_list(client, department_id,
                                                                          f"from={year}-01-01&to={year}-12-31"))]
    assert listed == ["2024-02-29", "2028-02-29", "2032-02-29"]
    assert _list(client, department_id, "from=2025-02-01&to=2025-03-31") == []


def test_exdate_and_rdate_remove_and_add_days(client, make_department):
    department_id = make_department()["id"]
    _create(client, department_id, recurrence=["RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4", "EXDATE;VALUE=DATE:20240108",
                                               "RDATE;VALUE=DATE:20240110,20240111"])
    assert _days(_list(client, department_id, "from=2024-01-01&to=2024-01-31")) == [
        "2024-01-01", "2024-01-10", "2024-01-11", "2024-01-15", "2024-01-22"]


def test_occurrences_spanning_days_reach_into_the_next_month(client, make_department):
    department_id = make_department()["id"]
    series = _create(client, department_id, event_date="2024-01-31", end_date="2024-02-02",
                     recurrence=["RRULE:FREQ=MONTHLY;BYMONTHDAY=31;COUNT=2"]).get_json()
    february = _list(client, department_id, "from=2024-02-01&to=2024-02-29")
    assert [(e["id"], e["event_date"], e["end_date"]) for e in february] == [
        (f"{series['id']}_20240131", "2024-01-31", "2024-02-02")]
    assert [e["end_date"] for e in _list(client, department_id, "from=2024-03-01&to=2024-04-30")] == ["2024-04-02"]


def test_a_series_keeps_its_wall_clock_time_across_dst(settings, db, make_department):
    from support.servers import api_client

    client = api_client(settings.with_overrides(calendar_timezone="America/New_York"), db)
    department_id = make_department()["id"]
    _create(client, department_id, event_date="2024-03-04", start_time="09:00", end_time="10:00",
            recurrence=["RRULE:FREQ=WEEKLY;COUNT=3"])
    listed = _list(client, department_id, "from=2024-03-01&to=2024-03-31")  # DST starts 10 March there
    assert [(e["event_date"], e["start_time"], e["end_time"]) for e in listed] == [
        ("2024-03-04", "09:00", "10:00"), ("2024-03-11", "09:00", "10:00"), ("2024-03-18", "09:00", "10:00")]


SUB_DAILY = "a rule may repeat at most daily (not HOURLY, MINUTELY or SECONDLY, nor BYHOUR, BYMINUTE or BYSECOND)"


# One problem of each kind a person meets (the rule's form, the series it makes, the field's shape);
# every wording is unit-tested in tests/unit/test_recurrence.py.
@pytest.mark.parametrize(("recurrence", "problem"), [
    (["RRULE:FREQ=HOURLY"], SUB_DAILY),
    (["RRULE:FREQ=DAILY;COUNT=2", "EXDATE;VALUE=DATE:20240101,20240102"], "the series has no occurrence at all"),
    ("RRULE:FREQ=DAILY", "must be a list of 1-120 RFC 5545 lines (RRULE:..., EXDATE:..., RDATE:...) of up to "
                         "500 characters"),
])
def test_a_bad_recurrence_is_400_naming_the_field_and_stores_nothing(client, db, make_department, recurrence,
                                                                     problem):
    response = _create(client, make_department()["id"], recurrence=recurrence)
    assert response.status_code == 400
    assert response.get_json()["fields"] == {"recurrence": problem}
    assert db.client.scan(TableName=db.events_table)["Items"] == []


def test_expand_takes_true_or_false_only(client, make_department):
    response = client.get(f"/api/events/{make_department()['id']}?expand=no")
    assert response.status_code == 400
    assert response.get_json()["fields"] == {"expand": "must be true or false"}


def test_a_list_without_to_expands_a_year_from_from(client, make_department):
    department_id = make_department()["id"]
    _create(client, department_id, recurrence=["RRULE:FREQ=MONTHLY"])
    assert _days(_list(client, department_id, "from=2024-06-01"))[0] == "2024-06-01"
    assert len(_list(client, department_id, "from=2024-06-01")) == 13  # 2024-06-01 .. 2025-06-01
    assert len(_list(client, department_id)) == 13  # from the series' first day


def test_pages_of_a_range_carry_the_same_occurrences_as_the_whole_list(client, make_department):
    department_id = make_department()["id"]
    series = _create(client, department_id, recurrence=["RRULE:FREQ=WEEKLY;BYDAY=MO,TH"]).get_json()
    _create(client, department_id, title="단독", event_date="2024-01-10")
    url = f"/api/events/{department_id}?from=2024-01-01&to=2024-01-31"
    whole = _list(client, department_id, "from=2024-01-01&to=2024-01-31")
    pages, response = [], client.get(f"{url}&limit=3")
    while True:
        assert response.status_code == 200
        pages.append(response.get_json())
        if "X-Next-Cursor" not in response.headers:
            break
        response = client.get(f"{url}&limit=3&cursor={response.headers['X-Next-Cursor']}")
    assert [len(page) for page in pages] == [3, 3, 3, 1] and [e for page in pages for e in page] == whole
    # Without both ends of a range, pages carry what is stored (the series once).
    assert [e["id"] for e in client.get(f"/api/events/{department_id}?limit=5").get_json()][0] == series["id"]
    foreign = client.get(f"{url}&limit=3&cursor={client.get(f'/api/events/{department_id}?limit=1').headers['X-Next-Cursor']}")
    assert foreign.status_code == 400


def test_a_yearly_series_lists_in_its_month_also_after_it_moves_to_another(client, make_department):
    """The month list's span Query leaves out series that never occur in the months asked for:
    each write of a series keeps its months right."""
    department_id = make_department()["id"]
    series = _create(client, department_id, event_date="2023-03-10", title="창립 기념일",
                     recurrence=["RRULE:FREQ=YEARLY"]).get_json()
    _create(client, department_id, event_date="2023-01-30", end_date="2023-02-01", title="설 연휴",
            recurrence=["RRULE:FREQ=YEARLY"])
    assert _days(_list(client, department_id, "from=2025-03-01&to=2025-03-31")) == ["2025-03-10"]
    assert _days(_list(client, department_id, "from=2025-04-01&to=2025-04-30")) == []
    assert _days(_list(client, department_id, "from=2025-02-01&to=2025-02-28")) == ["2025-01-30"]  # into February

    assert client.put(f"/api/events/{series['id']}", json={"event_date": "2023-04-10"}).status_code == 200
    assert _days(_list(client, department_id, "from=2025-04-01&to=2025-04-30")) == ["2025-04-10"]
    assert _days(_list(client, department_id, "from=2025-03-01&to=2025-03-31")) == []

    rule = {"recurrence": ["RRULE:FREQ=YEARLY;BYMONTH=4,9;BYMONTHDAY=10"]}
    assert client.put(f"/api/events/{series['id']}?scope=all", json=rule).status_code == 200
    assert _days(_list(client, department_id, "from=2025-09-01&to=2025-09-30")) == ["2025-09-10"]
    cut = client.put(f"/api/events/{series['id']}_20260410?scope=following", json={"title": "새 기념일"})
    assert cut.status_code == 200, cut.get_json()
    assert [(e["event_date"], e["title"]) for e in _list(client, department_id, "from=2025-09-10&to=2026-09-10")
            if e["title"] != "설 연휴"] == [
        ("2025-09-10", "창립 기념일"), ("2026-04-10", "새 기념일"), ("2026-09-10", "새 기념일")]


def test_a_page_expands_no_more_than_it_shows(client, make_department):
    department = make_department()["id"]
    for _ in range(5):
        client.post(f"/api/events/{department}", json={"event_date": "2024-01-01", "title": "d",
                                                       "recurrence": ["RRULE:FREQ=DAILY"]})
    url = f"/api/events/{department}?from=2024-01-01&to=2025-01-01"

    spent, answers = {}, {}
    for query in ("", "&limit=1"):
        with recurrence_budget.budget(10**9) as budget:  # the listing spends from it (the same thread)
            answers[query] = client.get(url + query).get_json()
        spent[query] = 10**9 - budget.left

    assert len(answers[""]) == 5 * 367 and len(answers["&limit=1"]) == 1
    assert spent["&limit=1"] * 4 < spent[""]
