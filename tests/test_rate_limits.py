"""Rate limits: one RATE_LIMIT budget per token, or per address before authentication; 429
`rate_limited` with `Retry-After`; health probes exempt; one budget across instances through Redis."""
from __future__ import annotations

import socket
import time
import uuid

import pytest

from app import create_app
from auth import TokenStore
from config import Settings
from models import DynamoDBDatabase
from support.live_helpers import RedisServer, api_request, require_redis_server
from support.servers import api_client, start_live_server

LOW = "3 per minute"


def limited_client(settings, db, **overrides):
    """A client with the admin token of an app allowing LOW."""
    return api_client(settings.with_overrides(rate_limit=LOW, **overrides), db)


def anonymous_client(settings, db, **overrides):
    """A client of an app allowing LOW without authentication (AUTH_MODE=off): keyed by address."""
    return create_app(settings.with_overrides(rate_limit=LOW, auth_mode="off", **overrides), db).test_client()


def from_address(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


def assert_rate_limited(response, period_seconds: int = 60) -> None:
    assert response.status_code == 429
    body = response.get_json() if hasattr(response, "get_json") else response.json()
    assert body["error"] == "rate_limited"
    assert "3 per 1 minute" in body["message"]
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= period_seconds
    assert body["retry_after"] == retry_after


def test_over_the_limit_is_429_with_retry_after_and_changes_nothing(settings, db):
    client = limited_client(settings, db)
    names = [f"dept-{uuid.uuid4().hex[:8]}" for _ in range(4)]

    answers = [client.post("/api/departments", json={"name": name}) for name in names]

    assert [a.status_code for a in answers] == [201, 201, 201, 429]
    assert_rate_limited(answers[3])
    assert sorted(d["name"] for d in db.list_departments()) == sorted(names[:3])
    assert client.get("/api/departments").status_code == 429  # one budget for every route


def test_health_probes_and_preflights_are_exempt(settings, db):
    client = limited_client(settings, db, cors_allowed_origins=("https://calendar.example",))
    for _ in range(3):
        assert client.get("/api/departments").status_code == 200
    assert client.get("/api/departments").status_code == 429

    assert all(client.get("/healthz").status_code == 200 for _ in range(10))
    assert all(client.get("/readyz").status_code == 200 for _ in range(5))
    preflight = client.options("/api/departments", headers={
        "Origin": "https://calendar.example", "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 204


def _counting_get_items(settings):
    """An app allowing LOW and the list of DynamoDB operations its client makes."""
    app_db = DynamoDBDatabase(settings)
    calls: list[str] = []
    app_db.client.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))
    return create_app(settings.with_overrides(rate_limit=LOW), app_db).test_client(), calls


def test_options_and_made_up_tokens_are_counted_before_any_dynamodb_read(settings, db):
    """Issue 20, item 8: OPTIONS was never counted, and every made-up token cost a GetItem, 429 or not."""
    client, calls = _counting_get_items(settings)
    statuses = [client.open("/api/departments", method=method, headers={"Authorization": f"Bearer cal_{method}{n}"},
                            **from_address("10.0.0.1")).status_code
                for n in range(10) for method in ("OPTIONS", "GET")]

    assert statuses[:3] == [401, 401, 401]
    assert set(statuses[3:]) == {429}
    assert calls.count("GetItem") == 3  # only the tokens of the requests within the budget were read
    assert client.get("/api/departments", headers={"Authorization": "Bearer cal_x"},
                      **from_address("10.0.0.2")).status_code == 401  # another address, its own budget


def test_a_token_over_its_budget_costs_no_dynamodb_read(settings, db):
    client, calls = _counting_get_items(settings.with_overrides(auth_cache_seconds=0.5))
    token = {"Authorization": f"Bearer {TokenStore(db).create('busy', 'viewer')}"}
    statuses = [client.get("/api/departments", headers=token, **from_address(f"10.0.0.{n}")).status_code
                for n in range(6)]
    reads = calls.count("GetItem")
    time.sleep(0.6)  # the verified token leaves the cache: the next request would read it again
    late = [client.get("/api/departments", headers=token, **from_address("10.0.0.1")).status_code
            for _ in range(5)]

    assert statuses == [200, 200, 200, 429, 429, 429]
    assert reads == 1
    # One read once the cache let the token go (counted on the address, which still had budget);
    # the token is cached again, so the rest are refused from the cache.
    assert late == [429] * 5
    assert calls.count("GetItem") == 2


def test_requests_refused_for_want_of_a_token_spend_their_address_budget(settings, db):
    client = create_app(settings.with_overrides(rate_limit=LOW), db).test_client()
    answers = [client.get("/api/departments", **from_address("10.0.0.1")).status_code for _ in range(3)]

    assert answers == [401, 401, 401]
    assert_rate_limited(client.get("/api/departments", headers={"Authorization": "Bearer cal_guess"},
                                   **from_address("10.0.0.1")))
    assert client.get("/api/departments", **from_address("10.0.0.2")).status_code == 401


def test_each_address_has_its_own_budget_and_x_forwarded_for_is_ignored_by_default(settings, db):
    client = anonymous_client(settings, db)
    for _ in range(3):
        assert client.get("/api/departments", **from_address("10.0.0.1")).status_code == 200

    # Anyone can send X-Forwarded-For: without TRUSTED_PROXY_COUNT it buys no fresh budget.
    spoofed = client.get("/api/departments", headers={"X-Forwarded-For": "192.0.2.77"}, **from_address("10.0.0.1"))
    assert_rate_limited(spoofed)
    assert client.get("/api/departments", **from_address("10.0.0.2")).status_code == 200


def test_behind_a_trusted_proxy_the_forwarded_client_address_is_the_key(settings, db):
    client = anonymous_client(settings, db, trusted_proxy_count=1)
    alb = from_address("10.0.0.9")  # every request comes from the load balancer
    for _ in range(3):
        assert client.get("/api/departments", headers={"X-Forwarded-For": "198.51.100.1"}, **alb).status_code == 200

    assert client.get("/api/departments", headers={"X-Forwarded-For": "198.51.100.1"}, **alb).status_code == 429
    # A client cannot pick its address: the proxy appends the real one, and only that one is read.
    forged = {"X-Forwarded-For": "198.51.100.2, 198.51.100.1"}
    assert client.get("/api/departments", headers=forged, **alb).status_code == 429
    assert client.get("/api/departments", headers={"X-Forwarded-For": "198.51.100.2"}, **alb).status_code == 200


def test_the_authenticated_token_is_the_key_not_the_address(settings, db):
    client = create_app(settings.with_overrides(rate_limit=LOW), db).test_client()
    tokens = TokenStore(db)
    alice = {"headers": {"Authorization": f"Bearer {tokens.create('alice', 'viewer')}"}}
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        assert client.get("/api/departments", **alice, **from_address(address)).status_code == 200

    assert_rate_limited(client.get("/api/departments", **alice, **from_address("10.0.0.4")))
    bob = {"headers": {"Authorization": f"Bearer {tokens.create('bob', 'viewer')}"}}
    assert client.get("/api/departments", **bob, **from_address("10.0.0.1")).status_code == 200
    assert client.get("/api/departments", **from_address("10.0.0.1")).status_code == 401  # the address's own


def test_the_default_limit_allows_six_thousand_a_minute_and_refuses_the_next():
    client = create_app(Settings()).test_client()  # RATE_LIMIT's default; DynamoDB is never asked
    assert Settings().rate_limit == "6000 per minute"

    # Requests without a token are cheap (no DynamoDB) and count like any other request.
    statuses = {client.get("/api/nothing-here").status_code for _ in range(6000)}

    assert statuses == {401}
    refused = client.get("/api/departments")
    assert refused.status_code == 429 and refused.get_json()["error"] == "rate_limited"


def test_an_unreachable_rate_limit_store_costs_precision_not_availability(settings, db, caplog):
    with socket.socket() as closed:  # a port where nothing listens: connection refused at once
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    client = anonymous_client(settings, db, rate_limit_storage_uri=f"redis://127.0.0.1:{port}/0")

    answers = [client.get("/api/departments").status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]  # counted in this process's memory meanwhile
    assert "falling back to in-memory storage" in caplog.text


def test_a_bad_rate_limit_setting_stops_the_start_naming_the_variable(settings, db):
    with pytest.raises(ValueError, match="RATE_LIMIT"):
        create_app(settings.with_overrides(rate_limit="lots"), db)


# -- several instances, one budget ---------------------------------------------------------------

@pytest.fixture
def redis_server(tmp_path):
    require_redis_server()
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


@pytest.mark.live
@pytest.mark.parametrize("dynamodb_server", ["moto"], indirect=True)
@pytest.mark.parametrize("shared_through", ["SOCKETIO_MESSAGE_QUEUE", "RATE_LIMIT_STORAGE_URI"])
def test_two_instances_sharing_redis_count_one_budget(settings, db, redis_server, tmp_path, shared_through):
    env = {"RATE_LIMIT": "5 per minute", shared_through: redis_server.url}
    a = start_live_server(settings, tmp_path / "a.log", **env)
    b = start_live_server(settings, tmp_path / "b.log", **env)
    try:
        url = "/api/departments"
        spent = [api_request("GET", server.url + url).status_code for server in (a, b, a, b, a)]
        assert spent == [200] * 5

        for server in (a, b):
            refused = api_request("GET", server.url + url)
            assert refused.status_code == 429, server.url
            assert refused.json()["error"] == "rate_limited"
            assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert api_request("GET", a.url + "/healthz").status_code == 200
        # The budget is in Redis, under this deployment's TABLE_PREFIX (environments count apart).
        assert any(f"/calendar:{settings.table_prefix}/token:".encode() in key
                   for key in redis_server.client().keys("*"))
    finally:
        a.stop()
        b.stop()


@pytest.mark.live
@pytest.mark.parametrize("dynamodb_server", ["moto"], indirect=True)
def test_instances_without_redis_count_apart(settings, db, tmp_path):
    a = start_live_server(settings, tmp_path / "a.log", RATE_LIMIT="2 per minute")
    b = start_live_server(settings, tmp_path / "b.log", RATE_LIMIT="2 per minute")
    try:
        for server in (a, b):
            statuses = [api_request("GET", server.url + "/api/departments").status_code for _ in range(3)]
            assert statuses == [200, 200, 429]
    finally:
        a.stop()
        b.stop()
