"""Tokens, roles and department scopes over REST: each role against each route, scoped and
unscoped, no/bad/revoked tokens, the one route that may take ?token=, audit fields, AUTH_MODE=off."""
from __future__ import annotations

import logging
import time
import uuid

import pytest

import auth
from app import create_app
from auth import TokenStore
from models import DynamoDBDatabase
from schema import EVENT_FIELDS

ROLES = ("viewer", "editor", "admin")
# (method, path, body, least role); {dep} and {event} are filled in per test.
ROUTES = [
    ("GET", "/api/departments", None, "viewer"),
    ("POST", "/api/departments", {"name": "new"}, "admin"),
    ("GET", "/api/departments/{dep}", None, "viewer"),
    ("DELETE", "/api/departments/{dep}", None, "admin"),
    ("GET", "/api/events/{dep}", None, "viewer"),
    ("POST", "/api/events/{dep}", {"event_date": "2024-03-05", "title": "new"}, "editor"),
    ("PUT", "/api/events/{event}", {"title": "changed"}, "editor"),
    ("DELETE", "/api/events/{event}", None, "editor"),
]
ROUTE_IDS = [f"{method} {path}" for method, path, *_ in ROUTES]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def tokens(db):
    store = TokenStore(db)

    def make(role: str, departments: list[str] | None = None, name: str | None = None) -> str:
        return store.create(name or f"{role}-{uuid.uuid4().hex[:6]}", role, departments)

    return make


@pytest.fixture
def anonymous(app):
    """A test client that sends no token unless told to."""
    return app.test_client()


@pytest.fixture
def world(make_department, make_event):
    """Two departments with one event each."""
    a, b = make_department("A"), make_department("B")
    return {"a": a, "b": b, "event_a": make_event(a["id"]), "event_b": make_event(b["id"])}


def _call(client, route, world, side: str = "a", token: str | None = None):
    method, path, body, _ = route
    url = path.format(dep=world[side]["id"], event=world[f"event_{side}"]["id"])
    headers = _bearer(token) if token else {}
    return client.open(url, method=method, json=body, headers=headers)


def _state(db, world) -> tuple:
    return (sorted(d["id"] for d in db.list_departments()),
            sorted((e["id"], e["version"]) for d in ("a", "b") for e in db.list_events(world[d]["id"])))


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_no_token_or_a_bad_one_is_401_with_www_authenticate_and_changes_nothing(route, anonymous, db, world):
    before = _state(db, world)
    for headers in ({}, {"Authorization": "Bearer cal_not-a-token"}, {"Authorization": "Basic dXNlcjpwYXNz"},
                    {"Authorization": "Bearer "}):
        method, path, body, _ = route
        url = path.format(dep=world["a"]["id"], event=world["event_a"]["id"])
        response = anonymous.open(url, method=method, json=body, headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.get_json()["error"] == "unauthorized"
    assert _state(db, world) == before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_each_role_against_each_route(route, role, anonymous, db, world, tokens):
    allowed = ROLES.index(role) >= ROLES.index(route[3])
    before = _state(db, world)
    response = _call(anonymous, route, world, token=tokens(role))
    if allowed:
        assert response.status_code in (200, 201, 204), response.get_json()
    else:
        assert response.status_code == 403
        assert response.get_json()["error"] == "forbidden"
        assert _state(db, world) == before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_a_scoped_token_is_refused_other_departments_and_changes_nothing(route, role, anonymous, db, world, tokens):
    token = tokens(role, [world["a"]["id"]])
    before = _state(db, world)
    if route[1] != "/api/departments":  # the list: see test_scoped_list_shows_only_its_departments
        response = _call(anonymous, route, world, side="b", token=token)
        assert response.status_code == 403, response.get_json()
        assert response.get_json()["error"] == "forbidden"
        assert _state(db, world) == before
    own = _call(anonymous, route, world, side="a", token=token)
    allowed = ROLES.index(role) >= ROLES.index(route[3]) and route[:2] != ("POST", "/api/departments")
    assert own.status_code in ((200, 201, 204) if allowed else (403,)), own.get_json()


def test_scoped_list_shows_only_its_departments_and_their_events(anonymous, world, tokens):
    token = tokens("viewer", [world["a"]["id"]])
    listed = anonymous.get("/api/departments", headers=_bearer(token)).get_json()
    assert [d["id"] for d in listed] == [world["a"]["id"]]
    events = anonymous.get(f"/api/events/{world['a']['id']}", headers=_bearer(token)).get_json()
    assert [e["id"] for e in events] == [world["event_a"]["id"]]
    assert anonymous.get(f"/api/events/{world['b']['id']}", headers=_bearer(token)).status_code == 403


def test_a_scoped_admin_cannot_create_departments(anonymous, db, world, tokens):
    response = anonymous.post("/api/departments", json={"name": "C"}, headers=_bearer(tokens("admin", [world["a"]["id"]])))
    assert response.status_code == 403
    assert [d["name"] for d in db.list_departments()] == ["A", "B"]


def test_health_probes_need_no_token(anonymous):
    assert anonymous.get("/healthz").status_code == 200
    assert anonymous.get("/readyz").status_code == 200


def test_every_route_declares_what_it_needs(app):
    undeclared = [
        rule.rule for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and rule.rule not in auth.http.PUBLIC_PATHS
        and getattr(app.view_functions[rule.endpoint], "auth_role", None) not in ROLES
    ]
    assert undeclared == []


def test_a_verified_token_costs_no_dynamodb_read_until_the_cache_expires(settings, db, tokens, world):
    short = settings.with_overrides(auth_cache_seconds=1.0)
    app_db = DynamoDBDatabase(short)
    client = create_app(short, app_db).test_client()
    calls = []
    app_db.client.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))
    token = tokens("viewer")
    for _ in range(5):
        assert client.get("/healthz").status_code == 200
        assert client.get("/api/departments", headers=_bearer(token)).status_code == 200
    assert calls.count("GetItem") == 1  # the token, once
    time.sleep(1.1)
    assert client.get("/api/departments", headers=_bearer(token)).status_code == 200
    assert calls.count("GetItem") == 2


def test_a_revoked_token_stops_working_within_the_cache_time(settings, db, tokens):
    short = settings.with_overrides(auth_cache_seconds=1.0)
    client = create_app(short, DynamoDBDatabase(short)).test_client()
    token = tokens("viewer", name="leaving")
    assert client.get("/api/departments", headers=_bearer(token)).status_code == 200
    TokenStore(db).revoke("leaving")
    revoked_at = time.monotonic()
    while True:
        # When the request was sent, not when its answer came back: a loaded machine may take long to answer.
        sent_after = time.monotonic() - revoked_at
        if client.get("/api/departments", headers=_bearer(token)).status_code != 200:
            break
        assert sent_after < 1.2, "the revoked token still works past AUTH_CACHE_SECONDS"
        time.sleep(0.05)
    response = client.get("/api/departments", headers=_bearer(token))
    assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"


@pytest.fixture
def feed_client(app):
    """The app with a tiny route that accepts ?token= (as the iCalendar feed will)."""

    @auth.requires("viewer", query_token=True)
    def feed(department_id):
        auth.check_department(str(department_id))
        return {"feed": str(department_id), "who": auth.current_principal().name}

    app.add_url_rule("/test-feed/<uuid:department_id>", "test_feed", feed)
    return app.test_client()


def test_only_the_opted_in_route_takes_a_viewer_token_in_the_url(feed_client, world, tokens):
    viewer = tokens("viewer", [world["a"]["id"]], name="calendar-app")
    answer = feed_client.get(f"/test-feed/{world['a']['id']}?token={viewer}")
    assert answer.status_code == 200 and answer.get_json()["who"] == "calendar-app"
    assert feed_client.get(f"/test-feed/{world['b']['id']}?token={viewer}").status_code == 403
    assert feed_client.get(f"/test-feed/{world['a']['id']}?token=cal_wrong").status_code == 401
    assert feed_client.get(f"/test-feed/{world['a']['id']}").status_code == 401
    editor = feed_client.get(f"/test-feed/{world['a']['id']}?token={tokens('editor')}")
    assert editor.status_code == 403 and "URL" in editor.get_json()["message"]
    elsewhere = feed_client.get(f"/api/events/{world['a']['id']}?token={viewer}")
    assert elsewhere.status_code == 401


def test_audit_fields_name_the_tokens_that_created_and_changed(anonymous, db, tokens):
    admin, editor = tokens("admin", name="alice"), tokens("editor", name="bob")
    department = anonymous.post("/api/departments", json={"name": "감사"}, headers=_bearer(admin)).get_json()
    assert (department["created_by"], department["updated_by"]) == ("alice", "alice")
    assert anonymous.get(f"/api/departments/{department['id']}", headers=_bearer(admin)).get_json() == department
    event = anonymous.post(f"/api/events/{department['id']}", json={"event_date": "2024-03-05", "title": "t"},
                           headers=_bearer(admin)).get_json()
    assert set(event) == set(EVENT_FIELDS) and (event["created_by"], event["updated_by"]) == ("alice", "alice")
    changed = anonymous.put(f"/api/events/{event['id']}", json={"title": "t2"}, headers=_bearer(editor)).get_json()
    assert (changed["created_by"], changed["updated_by"]) == ("alice", "bob")
    assert db.list_events(department["id"]) == [changed]
    refused = anonymous.post(f"/api/events/{department['id']}", headers=_bearer(admin),
                             json={"event_date": "2024-03-05", "title": "t", "created_by": "mallory"})
    assert refused.status_code == 400


def test_auth_off_needs_no_token_records_anonymous_and_warns_at_start(settings, db, caplog):
    with caplog.at_level(logging.WARNING, logger="auth"):
        client = create_app(settings.with_overrides(auth_mode="off"), db).test_client()
    assert any("AUTH_MODE=off" in r.getMessage() for r in caplog.records)
    department = client.post("/api/departments", json={"name": "open"}).get_json()
    assert department["created_by"] == "anonymous"


def test_a_token_is_stored_only_as_its_hash(db, tokens):
    token = tokens("admin", name="hashed")
    items = db.client.scan(TableName=db.settings.tokens_table)["Items"]
    assert token not in str(items)
    assert len(token) >= 43 and token.startswith("cal_")  # 32 random bytes, URL-safe base64
    assert auth.tokens.token_hash(token) in str(items)


def test_listing_tokens_shows_names_and_roles_never_a_secret(db, tokens):
    token = tokens("viewer", name="listed")

    listed = auth.TokenStore(db).list()

    assert [(t["name"], t["role"]) for t in listed if t["name"] == "listed"] == [("listed", "viewer")]
    assert token not in str(listed) and auth.tokens.token_hash(token) not in str(listed)


@pytest.mark.parametrize("method, body", [("PUT", {"title": "changed"}), ("DELETE", None)])
def test_a_scoped_token_cannot_tell_another_departments_event_from_a_missing_one(method, body, anonymous, db,
                                                                                 world, tokens):
    """Issue 20, item 11: another department's event id was a 403 naming its department, a missing one 404."""
    scoped = _bearer(tokens("editor", [world["a"]["id"]]))
    before = _state(db, world)
    answers = {}
    for which, event_id in (("other", world["event_b"]["id"]), ("missing", str(uuid.uuid4()))):
        response = anonymous.open(f"/api/events/{event_id}", method=method, json=body, headers=scoped)
        answers[which] = (response.status_code, response.get_json()["error"],
                          response.get_json()["message"].replace(event_id, "<id>"))

    assert answers["other"] == answers["missing"]
    assert answers["other"][:2] == (403, "forbidden")
    assert world["b"]["id"] not in str(answers)
    assert _state(db, world) == before
    unscoped = _bearer(tokens("editor"))
    missing = anonymous.open(f"/api/events/{uuid.uuid4()}", method=method, json=body, headers=unscoped)
    assert missing.status_code == 404  # a token that may see everything is told what is missing


def test_a_scoped_admin_renaming_to_a_taken_name_learns_only_that_the_name_is_taken(anonymous, db, world, tokens):
    """Names are unique company-wide: the 409 is kept (README, Auth), but tells nothing else."""
    scoped = _bearer(tokens("admin", [world["a"]["id"]]))
    response = anonymous.patch(f"/api/departments/{world['a']['id']}", json={"name": "B"}, headers=scoped)

    assert response.status_code == 409
    assert response.get_json() == {"error": "conflict", "message": "a department named 'B' already exists"}
    assert db.get_department(world["a"]["id"])["name"] == "A"
