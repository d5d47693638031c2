"""`GET /metrics` of a live gunicorn process (as AWS_DEPLOYMENT_CONFIG.md serves it): after real
requests, sockets and broadcasts, the counters moved exactly as an operator would expect."""
from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from prometheus_client.parser import text_string_to_metric_families

from config import Settings
from support.faults import throttling_hook
from support.live_helpers import SocketClient, http, start_app
from support.servers import api_client

# The engine does not matter to what is counted: moto is quick.
pytestmark = pytest.mark.parametrize("dynamodb_server", ["moto"], indirect=True)
live = pytest.mark.live


@pytest.fixture
def gunicorn(settings, db, tmp_path):
    server = start_app("threading", settings, tmp_path / "app.log")
    yield server
    server.stop()


class Scrape:
    """One reading of /metrics: sample values by name and labels."""

    def __init__(self, url: str | None = None, client=None):
        response = client.get("/metrics") if client is not None else http.get(url + "/metrics", timeout=10)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=")
        text = response.get_data(as_text=True) if client is not None else response.text
        self.samples = {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples
        }

    def value(self, name: str, **labels: str) -> float:
        return self.samples.get((name, tuple(sorted(labels.items()))), 0.0)


def moved(before: Scrape, after: Scrape, name: str, **labels: str) -> float:
    return after.value(name, **labels) - before.value(name, **labels)


@live
def test_http_requests_are_counted_by_route_and_status_with_latency(gunicorn):
    url = gunicorn.url
    before = Scrape(url)
    department = http.post(f"{url}/api/departments", json={"name": "영업부"}, timeout=10).json()
    assert http.post(f"{url}/api/departments", json={"name": "영업부"}, timeout=10).status_code == 409
    # Many requests at once from several client threads, served by gunicorn's threads.
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: http.get(f"{url}/api/events/{department['id']}", timeout=30)
                                 .status_code, range(40)))
    assert statuses == [200] * 40
    assert http.get(f"{url}/api/events/{uuid.uuid4()}", timeout=10).status_code == 404
    assert http.get(f"{url}/api/no/such/{uuid.uuid4()}", timeout=10).status_code == 404
    after = Scrape(url)

    events_route = {"method": "GET", "route": "/api/events/<uuid:department_id>"}
    assert moved(before, after, "calendar_http_requests_total", **events_route, status="200") == 40
    assert moved(before, after, "calendar_http_requests_total", **events_route, status="404") == 1
    assert moved(before, after, "calendar_http_requests_total", method="POST", route="/api/departments",
                 status="201") == 1
    assert moved(before, after, "calendar_http_requests_total", method="POST", route="/api/departments",
                 status="409") == 1
    assert moved(before, after, "calendar_http_requests_total", method="GET", route="<unmatched>",
                 status="404") == 1
    assert moved(before, after, "calendar_http_request_duration_seconds_count", **events_route) == 41
    assert moved(before, after, "calendar_http_request_duration_seconds_sum", **events_route) > 0
    # Every one of the 41 took under 10 s: they all sit in the 10 s bucket.
    assert moved(before, after, "calendar_http_request_duration_seconds_bucket", **events_route, le="10.0") == 41
    # No series per raw path: the ids never become label values.
    assert department["id"] not in str(after.samples)


@live
def test_dynamodb_calls_are_counted_by_operation_and_outcome(gunicorn):
    url = gunicorn.url
    department = http.post(f"{url}/api/departments", json={"name": "총무부"}, timeout=10).json()
    event = http.post(f"{url}/api/events/{department['id']}", json={"event_date": "2024-01-20", "title": "회의"},
                          timeout=10).json()
    before = Scrape(url)
    assert http.get(f"{url}/api/departments", timeout=10).status_code == 200
    assert http.post(f"{url}/api/events/{department['id']}", json={"event_date": "2024-01-21", "title": "t"},
                         timeout=10).status_code == 201
    stale = http.put(f"{url}/api/events/{event['id']}", json={"title": "x"}, headers={"If-Match": '"7"'},
                         timeout=10)
    assert stale.status_code == 412
    taken = http.post(f"{url}/api/departments", json={"name": "총무부"}, timeout=10)
    assert taken.status_code == 409
    assert http.get(f"{url}/readyz", timeout=10).status_code == 200
    after = Scrape(url)

    calls = "calendar_dynamodb_calls_total"
    assert moved(before, after, calls, operation="Scan", outcome="ok") == 1
    assert moved(before, after, calls, operation="TransactWriteItems", outcome="ok") == 1
    # The name taken: DynamoDB refused the transaction, and that is what is counted.
    assert moved(before, after, calls, operation="TransactWriteItems", outcome="TransactionCanceledException") == 1
    # The stale If-Match is refused on the version read: nothing is written.
    assert moved(before, after, calls, operation="UpdateItem", outcome="ok") == 0
    assert moved(before, after, calls, operation="Query", outcome="ok") >= 1  # the read that refused it
    assert moved(before, after, calls, operation="DescribeTable", outcome="ok") == len(Settings().table_names)  # /readyz
    assert moved(before, after, "calendar_dynamodb_call_duration_seconds_count", operation="Scan") == 1
    assert after.value("calendar_dynamodb_throttled_attempts_total", operation="Scan") == 0


@live
def test_connected_sockets_and_broadcasts(gunicorn):
    url = gunicorn.url
    department = http.post(f"{url}/api/departments", json={"name": "개발부"}, timeout=10).json()
    before = Scrape(url)
    assert before.value("calendar_socketio_connected_sockets") == 0
    sockets = [SocketClient(url).connect() for _ in range(3)]
    try:
        assert Scrape(url).value("calendar_socketio_connected_sockets") == 3
        for socket in sockets:
            assert socket.join(department["id"])["ok"] is True
        created = http.post(f"{url}/api/events/{department['id']}",
                                json={"event_date": "2024-02-01", "title": "주간 회의"}, timeout=10).json()
        assert all(socket.next_event() == ("event_created", created) for socket in sockets)
        after = Scrape(url)
        # One broadcast to the room, however many sockets it reached.
        assert moved(before, after, "calendar_socketio_broadcasts_total", event="event_created") == 1
        sockets.pop().close()
        sockets.pop().close()
        assert _eventually_sockets(url, 1)
    finally:
        for socket in sockets:
            socket.close()
    assert _eventually_sockets(url, 0)


def test_throttled_attempts_are_counted_even_when_a_retry_gets_through(settings, db):
    """Fault injection at botocore's HTTP layer: DynamoDB answers with throttling errors."""
    client = api_client(settings, db)
    attempts = db.client.meta.config.retries["total_max_attempts"]  # what botocore makes of the settings
    assert client.get("/api/departments").status_code == 200  # the token is verified (and cached) first
    for throttled_attempts, status in ((1, 200), (100, 503)):
        hook, _ = throttling_hook(throttled_attempts)
        db.client.meta.events.register("before-send.dynamodb", hook)
        before = Scrape(client=client)
        try:
            assert client.get("/api/departments").status_code == status
        finally:
            db.client.meta.events.unregister("before-send.dynamodb", hook)
        after = Scrape(client=client)
        assert moved(before, after, "calendar_dynamodb_throttled_attempts_total", operation="Scan") == min(
            throttled_attempts, attempts)
        outcome = "ok" if status == 200 else "ProvisionedThroughputExceededException"
        assert moved(before, after, "calendar_dynamodb_calls_total", operation="Scan", outcome=outcome) == 1
        assert moved(before, after, "calendar_http_requests_total", method="GET", route="/api/departments",
                     status=str(status)) == 1


def _eventually_sockets(url: str, count: int, attempts: int = 50) -> bool:
    for _ in range(attempts):
        if Scrape(url).value("calendar_socketio_connected_sockets") == count:
            return True
        time.sleep(0.1)
    return False


def test_invented_methods_share_one_label_so_series_stay_bounded(settings, db):
    """`curl -X ZZ$RANDOM .../api/departments`: each invented method used to add ~20 series."""
    client = api_client(settings, db)
    assert client.open("/api/departments", method="ZZ1").status_code == 405
    Scrape(client=client)  # the scrape's own series exist from the next one on
    before = Scrape(client=client)
    for n in range(2, 12):
        assert client.open("/api/departments", method=f"ZZ{n}").status_code == 405
    after = Scrape(client=client)

    assert len(after.samples) == len(before.samples)
    assert moved(before, after, "calendar_http_requests_total", method="other", route="<unmatched>",
                 status="405") == 10
    assert "ZZ" not in str(after.samples)
