"""Paging of GET /api/departments and GET /api/events/{department_id}: `limit`, `cursor`,
`X-Next-Cursor` and `Link: rel="next"`; cursors are signed and bound to their listing."""
from __future__ import annotations

import re
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest

from auth import TokenStore
from support.servers import api_client, authorized


def _next_link(response) -> str | None:
    """The path and query of the `Link: <...>; rel="next"` header, None without it."""
    link = response.headers.get("Link")
    if link is None:
        return None
    match = re.fullmatch(r'<([^>]+)>; rel="next"', link)
    assert match, link
    parts = urlsplit(match.group(1))
    return f"{parts.path}?{parts.query}"


def _walk(client, url: str) -> list[list[dict]]:
    """Every page, following the Link header from `url` until a page has none."""
    pages = []
    while url is not None:
        response = client.get(url)
        assert response.status_code == 200, response.get_json()
        pages.append(response.get_json())
        url = _next_link(response)
        assert (url is None) == ("X-Next-Cursor" not in response.headers)
        if url is not None:
            assert parse_qs(urlsplit(url).query)["cursor"] == [response.headers["X-Next-Cursor"]]
        assert len(pages) < 100, "paging does not end"
    return pages


def _add_events(db, department_id: str, count: int, **extra) -> list[dict]:
    return [
        db.create_event(department_id, {"event_date": f"2024-03-{n % 28 + 1:02d}", "title": f"e{n}", **extra})
        for n in range(count)
    ]


# -- departments ------------------------------------------------------------------------------

@pytest.mark.parametrize("limit, sizes", [(2, [2, 2, 2, 1]), (1, [1] * 7), (7, [7]), (1000, [7])])
def test_department_pages_hold_limit_departments_and_skip_none(client, make_department, limit, sizes):
    made = [make_department(f"부서 {n}") for n in range(7)]  # each also stores a name marker item
    pages = _walk(client, f"/api/departments?limit={limit}")
    assert [len(page) for page in pages] == sizes
    listed = [d for page in pages for d in page]
    assert sorted(listed, key=lambda d: d["id"]) == sorted(made, key=lambda d: d["id"])


def test_departments_without_limit_are_all_sorted_by_name_with_no_cursor(client, make_department):
    for name in ("b", "a", "c"):
        make_department(name)
    response = client.get("/api/departments")
    assert [d["name"] for d in response.get_json()] == ["a", "b", "c"]
    assert "X-Next-Cursor" not in response.headers and "Link" not in response.headers


def test_department_deleted_between_pages_skips_nothing_else(client, db, make_department):
    made = {make_department(f"d{n}")["id"] for n in range(6)}
    first = client.get("/api/departments?limit=3")
    page_one = first.get_json()
    db.delete_department(page_one[-1]["id"])  # the very item the cursor continues after
    rest = _walk(client, _next_link(first))
    listed = [d["id"] for d in page_one] + [d["id"] for page in rest for d in page]
    assert sorted(listed) == sorted(made)


@pytest.mark.parametrize("limit, sizes", [(2, [2, 2, 1]), (1, [1] * 5), (5, [5]), (1000, [5])])
def test_a_scoped_tokens_pages_are_full_and_hold_its_departments_only(app, db, make_department, limit, sizes):
    made = [make_department(f"부서 {n}") for n in range(9)]
    gone = made[1]
    db.delete_department(gone["id"])
    scope = [d["id"] for d in made[1:7]] + [str(uuid.uuid4())]  # a deleted and an unknown id as well
    scoped = authorized(app.test_client(), TokenStore(db).create("scoped", "viewer", scope))
    pages = _walk(scoped, f"/api/departments?limit={limit}")
    assert [len(page) for page in pages] == sizes
    listed = [d for page in pages for d in page]
    assert sorted(listed, key=lambda d: d["id"]) == sorted(made[2:7], key=lambda d: d["id"])
    everything = scoped.get("/api/departments")
    assert everything.get_json() == sorted(made[2:7], key=lambda d: d["name"])
    assert "Link" not in everything.headers


# -- events -----------------------------------------------------------------------------------

def test_event_pages_follow_dates_and_together_are_the_whole_list(client, db, make_department):
    department_id = make_department()["id"]
    _add_events(db, department_id, 25)
    everything = client.get(f"/api/events/{department_id}").get_json()

    pages = _walk(client, f"/api/events/{department_id}?limit=10")

    assert [len(page) for page in pages] == [10, 10, 5]
    listed = [e for page in pages for e in page]
    assert sorted(listed, key=lambda e: e["id"]) == sorted(everything, key=lambda e: e["id"])
    assert [e["event_date"] for e in listed] == sorted(e["event_date"] for e in listed)


def test_event_pages_with_from_and_to(client, db, make_department):
    department_id = make_department()["id"]
    _add_events(db, department_id, 28)  # one a day, 2024-03-01 .. 2024-03-28
    pages = _walk(client, f"/api/events/{department_id}?from=2024-03-05&to=2024-03-16&limit=5")
    assert [[e["event_date"][-2:] for e in page] for page in pages] == [
        ["05", "06", "07", "08", "09"], ["10", "11", "12", "13", "14"], ["15", "16"]]


def test_a_page_over_dynamodbs_one_megabyte_answer_still_holds_limit_events(client, db, make_department):
    department_id = make_department()["id"]
    _add_events(db, department_id, 120, description="가" * 4000)  # 12 kB each: 1.4 MB in all
    pages = _walk(client, f"/api/events/{department_id}?limit=100")
    assert [len(page) for page in pages] == [100, 20]
    assert len({e["id"] for page in pages for e in page}) == 120


def test_an_exactly_full_last_page_gives_no_cursor(client, db, make_department):
    department_id = make_department()["id"]
    _add_events(db, department_id, 4)
    response = client.get(f"/api/events/{department_id}?limit=4")
    assert len(response.get_json()) == 4
    assert "X-Next-Cursor" not in response.headers and "Link" not in response.headers


def test_paging_an_unknown_department_is_404(client):
    response = client.get(f"/api/events/{uuid.uuid4()}?limit=5")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


# -- bad input --------------------------------------------------------------------------------

@pytest.mark.parametrize("limit", ["0", "1001", "-1", "abc", "", "1.5", "٣", "10000", " 5"])
@pytest.mark.parametrize("route", ["departments", "events"])
def test_bad_limit_is_400(client, make_department, route, limit):
    path = "/api/departments" if route == "departments" else f"/api/events/{make_department()['id']}"
    response = client.get(path, query_string={"limit": limit})
    assert response.status_code == 400
    assert response.get_json()["error"] == "validation_error"
    assert "limit" in response.get_json()["fields"]


def _first_cursor(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.headers["X-Next-Cursor"]


def _tampered(cursor: str) -> str:
    payload, signature = cursor.rsplit(".", 1)
    return f"{payload[:-2]}{'A' if payload[-2] != 'A' else 'B'}{payload[-1]}.{signature}"


@pytest.fixture
def two_departments(db, make_department):
    first, second = make_department()["id"], make_department()["id"]
    for department_id in (first, second):
        _add_events(db, department_id, 3)
    return first, second


def test_garbage_tampered_and_foreign_cursors_are_400_json(client, two_departments):
    first, second = two_departments
    cursor = _first_cursor(client, f"/api/events/{first}?limit=1")
    department_cursor = _first_cursor(client, "/api/departments?limit=1")
    cases = [
        (f"/api/events/{first}", "garbage"),
        (f"/api/events/{first}", _tampered(cursor)),
        (f"/api/events/{first}", cursor + "x"),
        (f"/api/events/{first}", "x" * 5000),
        (f"/api/events/{first}", ""),
        (f"/api/events/{second}", cursor),  # another department's
        (f"/api/events/{first}?from=2024-03-01", cursor),  # another date range's
        (f"/api/events/{first}", department_cursor),  # another route's
        ("/api/departments", cursor),
    ]
    for path, bad in cases:
        route, _, query = path.partition("?")
        args = {name: values[0] for name, values in parse_qs(query).items()}
        response = client.get(route, query_string={**args, "limit": 1, "cursor": bad})
        assert response.status_code == 400, (path, bad)
        assert response.get_json()["error"] == "validation_error"
        assert "cursor" in response.get_json()["fields"]


def test_cursor_without_limit_is_400(client, two_departments):
    first, _ = two_departments
    cursor = _first_cursor(client, f"/api/events/{first}?limit=1")
    response = client.get(f"/api/events/{first}", query_string={"cursor": cursor})
    assert response.status_code == 400
    assert response.get_json()["fields"] == {"cursor": "needs limit"}


def test_cursor_works_on_an_instance_sharing_secret_key_only(settings, db, two_departments):
    first, _ = two_departments
    shared = settings.with_overrides(secret_key="one key for every instance")
    a = api_client(shared, db)
    b = api_client(shared, db)
    stranger = api_client(settings.with_overrides(secret_key="another key"), db)
    cursor = _first_cursor(a, f"/api/events/{first}?limit=1")

    assert len(b.get(f"/api/events/{first}", query_string={"limit": 1, "cursor": cursor}).get_json()) == 1
    refused = stranger.get(f"/api/events/{first}", query_string={"limit": 1, "cursor": cursor})
    assert refused.status_code == 400 and refused.get_json()["error"] == "validation_error"


def test_a_department_cursor_works_only_for_the_scope_it_was_given_to(app, db, make_department):
    """Issue 20, item 9: a scoped token's cursor replayed by an unscoped token was a 500, and the
    reverse a 200 []."""
    made = [make_department(f"부서 {n}")["id"] for n in range(4)]
    tokens = TokenStore(db)
    scoped = authorized(app.test_client(), tokens.create("two", "viewer", made[:2]))
    other_scope = authorized(app.test_client(), tokens.create("two others", "viewer", made[2:]))
    same_scope = authorized(app.test_client(), tokens.create("the same two", "viewer", list(reversed(made[:2]))))
    unscoped = authorized(app.test_client(), tokens.create("everyone", "viewer"))
    scoped_cursor = _first_cursor(scoped, "/api/departments?limit=1")
    unscoped_cursor = _first_cursor(unscoped, "/api/departments?limit=1")

    for client, cursor in ((unscoped, scoped_cursor), (scoped, unscoped_cursor), (other_scope, scoped_cursor)):
        response = client.get("/api/departments", query_string={"limit": 1, "cursor": cursor})
        assert response.status_code == 400
        assert response.get_json()["error"] == "validation_error"
        assert response.get_json()["fields"] == {"cursor": "belongs to another listing"}
    rest = same_scope.get("/api/departments", query_string={"limit": 5, "cursor": scoped_cursor})
    assert rest.status_code == 200 and len(rest.get_json()) == 1
