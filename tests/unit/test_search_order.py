from datetime import date

from rules.search_order import Match, after, ranked, shown_event

TODAY = date(2026, 12, 6)


def match(event_id: str, first: str, last: str | None = None, series: str | None = None) -> Match:
    return Match("d", event_id, series or event_id, date.fromisoformat(first), date.fromisoformat(last or first))


def test_results_come_nearest_to_today_first_on_either_side():
    matches = [match("far-past", "2020-01-01"), match("tomorrow", "2026-12-07"), match("last-week", "2026-11-29"),
               match("next-year", "2027-12-06")]
    assert [r.result_id for r in ranked(matches, TODAY)] == ["tomorrow", "last-week", "next-year", "far-past"]


def test_an_ongoing_series_or_trip_is_as_near_as_today():
    matches = [match("weekly", "2019-03-04", "9999-12-31"), match("trip", "2026-12-01", "2026-12-10"),
               match("today", "2026-12-06")]
    assert [(r.result_id, int(r.sort_key[0])) for r in ranked(matches, TODAY)] == [("today", 0), ("trip", 0), ("weekly", 0)]


def test_at_one_distance_the_future_comes_first():
    matches = [match("yesterday", "2026-12-05"), match("tomorrow", "2026-12-07")]
    assert [r.result_id for r in ranked(matches, TODAY)] == ["tomorrow", "yesterday"]


def test_a_series_and_its_exceptions_are_one_result_as_near_as_the_nearest():
    matches = [match("s", "2025-01-06", "2025-06-30"), match("s_20261207", "2026-12-07", series="s"),
               match("other", "2026-12-20")]
    results = ranked(matches, TODAY)
    assert [(r.result_id, int(r.sort_key[0])) for r in results] == [("s", 1), ("other", 14)]
    assert [m.event_id for m in results[0].matches] == ["s_20261207", "s"]


def test_a_date_window_keeps_what_touches_it():
    matches = [match("march", "2026-03-10"), match("trip", "2026-02-27", "2026-03-02"), match("april", "2026-04-01")]
    results = ranked(matches, TODAY, date(2026, 3, 1), date(2026, 3, 31))
    assert sorted(r.result_id for r in results) == ["march", "trip"]


def test_pages_continue_after_the_last_result_shown_without_repeats_or_gaps():
    matches = [match(f"e{i:02d}", f"2026-12-{1 + i % 28:02d}") for i in range(30)]
    results = ranked(matches, TODAY)
    seen, key = [], None
    while page := after(results, key)[:7]:
        seen += [r.result_id for r in page]
        key = page[-1].sort_key
    assert seen == [r.result_id for r in results] and len(set(seen)) == 30


def series(first: str, rule: str, **fields) -> dict:
    return {"id": "s", "department_id": "d", "event_date": first, "title": "주간 회의", "description": "", "time": "",
            "url": "", "created_at": "", "last_modified": "", "version": 1, "created_by": "", "updated_by": "",
            "recurrence": [rule], **fields}


def test_a_series_shows_its_next_occurrence_skipping_its_exceptions_else_its_last():
    weekly = series("2026-01-05", "RRULE:FREQ=WEEKLY;BYDAY=MO")  # Mondays; 2026-12-07 is one
    assert shown_event(weekly, TODAY, None, None)["id"] == "s_20261207"
    moved = {**weekly, "exception_dates": {"2026-12-07"}}  # that Monday is stored as an exception
    assert shown_event(moved, TODAY, None, None)["id"] == "s_20261214"
    ended = series("2026-01-05", "RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20260601")
    assert shown_event(ended, TODAY, None, None)["id"] == "s_20260601"
    assert shown_event(weekly, TODAY, date(2026, 3, 1), date(2026, 3, 31))["id"] == "s_20260330"  # the last before today
    assert shown_event(weekly, TODAY, date(2027, 1, 1), date(2027, 1, 31))["id"] == "s_20270104"
    assert shown_event(weekly, TODAY, date(2026, 12, 8), date(2026, 12, 13)) is None  # no Monday in it
