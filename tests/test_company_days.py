"""Company days (창립기념일, 전사 휴무): an admin of every department adds and removes them through
/api/company-days; GET /api/holidays serves them beside the public holidays, by date."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date

import icalendar
import pytest

from auth import TokenStore


def _bearer(db, role: str, departments: list[str] | None = None) -> dict[str, str]:
    name = f"days-{role}-{'scoped' if departments else 'all'}"
    return {"Authorization": f"Bearer {TokenStore(db).create(name, role, departments)}"}


def _holidays(client, headers, start: str, end: str) -> list[dict[str, str]]:
    answer = client.get(f"/api/holidays?from={start}&to={end}", headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def test_an_admin_adds_a_company_day_and_the_holidays_list_it_beside_the_public_ones(app, db):
    client, admin = app.test_client(), _bearer(db, "admin")
    added = client.post("/api/company-days", json={"date": "2026-05-04", "name": "  전사 휴무 "}, headers=admin)
    assert added.status_code == 201, added.get_json()
    body = added.get_json()
    assert {k: body[k] for k in ("date", "name", "kind", "created_by")} == {
        "date": "2026-05-04", "name": "전사 휴무", "kind": "company", "created_by": "days-admin-all"}
    client.post("/api/company-days", json={"date": "2026-05-05", "name": "창립기념일"}, headers=admin)
    viewer = _bearer(db, "viewer")
    assert _holidays(client, viewer, "2026-05-01", "2026-05-31") == [
        {"date": "2026-05-01", "name": "노동절", "kind": "public"},
        {"date": "2026-05-04", "name": "전사 휴무", "kind": "company"},
        {"date": "2026-05-05", "name": "어린이날", "kind": "public"},
        {"date": "2026-05-05", "name": "창립기념일", "kind": "company"},
        {"date": "2026-05-24", "name": "부처님오신날", "kind": "public"},
        {"date": "2026-05-25", "name": "부처님오신날 대체 휴일", "kind": "public"},
    ]
    assert _holidays(client, viewer, "2026-05-05", "2026-05-05")[1]["name"] == "창립기념일"


def test_a_range_across_new_year_reads_the_company_days_of_both_years(app, db):
    client, admin = app.test_client(), _bearer(db, "admin")
    for day, name in (("2026-12-31", "종무식"), ("2027-01-02", "시무식"), ("2027-03-01", "범위 밖")):
        assert client.post("/api/company-days", json={"date": day, "name": name}, headers=admin).status_code == 201
    company = [day for day in _holidays(client, admin, "2026-12-30", "2027-01-05") if day["kind"] == "company"]
    assert company == [{"date": "2026-12-31", "name": "종무식", "kind": "company"},
                       {"date": "2027-01-02", "name": "시무식", "kind": "company"}]


def test_removing_a_company_day_takes_it_off_the_list_and_a_second_remove_is_404(app, db):
    client, admin = app.test_client(), _bearer(db, "admin")
    client.post("/api/company-days", json={"date": "2026-04-01", "name": "창립기념일"}, headers=admin)
    assert client.delete("/api/company-days/2026-04-01", headers=admin).status_code == 204
    assert _holidays(client, admin, "2026-04-01", "2026-04-30") == []
    again = client.delete("/api/company-days/2026-04-01", headers=admin)
    assert again.status_code == 404 and again.get_json()["error"] == "not_found"


def test_a_second_company_day_on_the_same_date_is_409_and_the_first_stays(app, db):
    client, admin = app.test_client(), _bearer(db, "admin")
    client.post("/api/company-days", json={"date": "2026-04-01", "name": "창립기념일"}, headers=admin)
    second = client.post("/api/company-days", json={"date": "2026-04-01", "name": "전사 휴무"}, headers=admin)
    assert second.status_code == 409 and second.get_json()["error"] == "conflict"
    assert _holidays(client, admin, "2026-04-01", "2026-04-01") == [
        {"date": "2026-04-01", "name": "창립기념일", "kind": "company"}]


# DynamoDB Local only, as tests/test_concurrency.py: moto's server evaluates a condition and applies
# the write without a lock, so two racing conditional writes can both succeed there (seen: two 201s).
@pytest.mark.parametrize("dynamodb_server", ["dynamodb-local"], indirect=True)
def test_ten_admins_naming_one_date_at_once_store_exactly_one_and_the_others_get_409(app, db):
    admin = _bearer(db, "admin")

    def add(name: str) -> int:
        return app.test_client().post("/api/company-days", json={"date": "2026-06-01", "name": name}, headers=admin).status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(add, [f"휴무 {n}" for n in range(10)]))
    assert sorted(statuses) == [201] + [409] * 9
    assert len(db.company_days.list_days(*_year_span("2026"))) == 1


@pytest.mark.parametrize(("body", "field"), [
    ({"date": "2026-02-30", "name": "휴무"}, "date"),
    ({"date": "1899-01-01", "name": "휴무"}, "date"),
    ({"date": "2026-04-01", "name": "   "}, "name"),
    ({"date": "2026-04-01", "name": "가" * 51}, "name"),
    ({"name": "휴무"}, "date"),
    ({"date": "2026-04-01", "name": "휴무", "kind": "public"}, "kind"),
])
def test_bad_company_days_are_400_naming_the_field_and_nothing_is_stored(app, db, body, field):
    client, admin = app.test_client(), _bearer(db, "admin")
    answer = client.post("/api/company-days", json=body, headers=admin)
    assert answer.status_code == 400 and field in answer.get_json()["fields"], answer.get_json()
    assert db.company_days.list_days(*_year_span("2026")) == []
    bad_date = client.delete("/api/company-days/2026-13-01", headers=admin)
    assert bad_date.status_code == 400 and "date" in bad_date.get_json()["fields"]


def _year_span(year: str) -> tuple[date, date]:
    return date.fromisoformat(f"{year}-01-01"), date.fromisoformat(f"{year}-12-31")


def test_editors_viewers_and_an_admin_of_some_departments_get_403(app, db, make_department):
    client, admin = app.test_client(), _bearer(db, "admin")
    client.post("/api/company-days", json={"date": "2026-04-01", "name": "창립기념일"}, headers=admin)
    scoped_admin = _bearer(db, "admin", [make_department("영업부")["id"]])
    for headers in (_bearer(db, "editor"), _bearer(db, "viewer"), scoped_admin):
        assert client.post("/api/company-days", json={"date": "2026-04-02", "name": "휴무"},
                           headers=headers).status_code == 403
        assert client.delete("/api/company-days/2026-04-01", headers=headers).status_code == 403
    assert [day["date"] for day in db.company_days.list_days(*_year_span("2026"))] == ["2026-04-01"]


def test_company_days_are_no_departments(app, db):
    client, admin = app.test_client(), _bearer(db, "admin")
    client.post("/api/company-days", json={"date": "2026-04-01", "name": "창립기념일"}, headers=admin)
    assert client.get("/api/departments", headers=admin).get_json() == []
    assert db.list_departments_page(10)[0] == []


def test_the_company_days_feed_is_a_calendar_of_their_own_a_viewer_token_in_the_url_will_do(app, db):
    client, admin, year = app.test_client(), _bearer(db, "admin"), date.today().year
    for day, name in ((f"{year}-04-01", "창립기념일"), (f"{year + 1}-01-02", "시무식"), (f"{year + 2}-04-01", "너무 먼 날")):
        assert client.post("/api/company-days", json={"date": day, "name": name}, headers=admin).status_code == 201
    viewer = TokenStore(db).create("feed-viewer", "viewer")
    answer = client.get(f"/api/company-days/calendar.ics?token={viewer}")
    assert answer.status_code == 200 and answer.content_type == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(answer.data)
    assert calendar.calendar_name == "회사 휴일"  # NAME and X-WR-CALNAME, as Outlook and Google read it
    events = [(str(event["SUMMARY"]), event["DTSTART"].dt, event["DTEND"].dt) for event in calendar.walk("VEVENT")]
    assert events == [("창립기념일", date(year, 4, 1), date(year, 4, 2)), ("시무식", date(year + 1, 1, 2), date(year + 1, 1, 3))]
    again = client.get(f"/api/company-days/calendar.ics?token={viewer}", headers={"If-None-Match": answer.headers["ETag"]})
    assert again.status_code == 304
    assert client.get(f"/api/company-days/calendar.ics?token={TokenStore(db).create('feed-admin', 'admin')}").status_code == 403
