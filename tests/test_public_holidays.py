"""GET /api/holidays: the Korean public holidays of a range, as the page names them on its grid.
2026 is pinned: a new `holidays` release that moves or renames one fails here first."""
from __future__ import annotations

from auth import TokenStore

HOLIDAYS_2026 = [
    ("2026-01-01", "신정연휴"), ("2026-02-16", "설날 전날"), ("2026-02-17", "설날"), ("2026-02-18", "설날 다음날"),
    ("2026-03-01", "삼일절"), ("2026-03-02", "삼일절 대체 휴일"), ("2026-05-01", "노동절"), ("2026-05-05", "어린이날"),
    ("2026-05-24", "부처님오신날"), ("2026-05-25", "부처님오신날 대체 휴일"), ("2026-06-03", "지방선거일"),
    ("2026-06-06", "현충일"), ("2026-07-17", "제헌절"), ("2026-08-15", "광복절"), ("2026-08-17", "광복절 대체 휴일"),
    ("2026-09-24", "추석 전날"), ("2026-09-25", "추석"), ("2026-09-26", "추석 다음날"), ("2026-10-03", "개천절"),
    ("2026-10-05", "개천절 대체 휴일"), ("2026-10-09", "한글날"), ("2026-12-25", "기독탄신일"),
]


def _viewer(db) -> dict[str, str]:
    return {"Authorization": f"Bearer {TokenStore(db).create('holiday-viewer', 'viewer')}"}


def test_a_year_of_korean_holidays_with_substitute_days_and_the_local_election(app, db):
    answer = app.test_client().get("/api/holidays?from=2026-01-01&to=2026-12-31", headers=_viewer(db))
    assert answer.status_code == 200
    assert [(day["date"], day["name"]) for day in answer.get_json()] == HOLIDAYS_2026


def test_a_range_across_new_year_holds_the_days_inside_it_only(app, db):
    answer = app.test_client().get("/api/holidays?from=2026-12-25&to=2027-01-01", headers=_viewer(db))
    assert answer.get_json() == [{"date": "2026-12-25", "name": "기독탄신일", "kind": "public"},
                                 {"date": "2027-01-01", "name": "신정연휴", "kind": "public"}]


def test_a_missing_bad_or_too_long_range_is_a_400_naming_the_field(app, db):
    client, headers = app.test_client(), _viewer(db)
    for query, field in (("from=2026-01-01", "to"), ("", "from"), ("from=2026-02-30&to=2026-03-01", "from"),
                         ("from=2026-03-01&to=2026-02-01", "from"), ("from=2026-01-01&to=2027-06-01", "to")):
        answer = client.get(f"/api/holidays?{query}", headers=headers)
        assert answer.status_code == 400, query
        body = answer.get_json()
        assert body["error"] == "validation_error" and field in body["fields"], (query, body)


def test_without_a_token_it_is_401(app, db):
    assert app.test_client().get("/api/holidays?from=2026-01-01&to=2026-01-31").status_code == 401
