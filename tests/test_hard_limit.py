"""Nothing hangs a worker: a request running past REQUEST_HARD_TIMEOUT_SECONDS is answered 503
JSON, its worker is replaced by a fresh one, and the service answers again right after; on
gunicorn in gevent mode (the default) and threading mode, through the test-only routes that
TEST_HOOKS=1 serves (serving.test_hooks)."""
from __future__ import annotations

import time

import pytest

from config import Settings
from support.live_helpers import assert_socket_still_hears, http
from support.servers import served_on_moto

pytestmark = [pytest.mark.live, pytest.mark.xdist_group("hard_limit")]

LIMIT = 2.0
MARGIN = 1.5  # the watchdog looks every 0.25 s; the answer is written at once


@pytest.fixture(scope="module", params=["gevent", "threading"])
def server(request, tmp_path_factory):
    with served_on_moto(tmp_path_factory.mktemp(request.param), request.param,
                        REQUEST_HARD_TIMEOUT_SECONDS=str(LIMIT), TEST_HOOKS="1", LOG_LEVEL="INFO") as served:
        served.mode = request.param
        yield served


def worker_pid(url: str) -> int:
    return http.get(url + "/_test/worker", timeout=10).json()["pid"]


def replaced(url: str, old_pid: int, within: float = 20.0) -> float:
    """Seconds until a worker other than `old_pid` answers."""
    started = time.monotonic()
    while time.monotonic() - started < within:
        try:
            if worker_pid(url) != old_pid:
                return time.monotonic() - started
        except OSError:  # between the old worker's exit and the new one's start
            pass
        time.sleep(0.1)
    pytest.fail(f"worker {old_pid} still served {within:.0f}s after the 503")


def stopped_after(url: str, route: str, seconds: float, stopped_at: float) -> None:
    """`route` asked to run `seconds` is answered 503 `stopped_at` seconds in; another worker follows."""
    before = worker_pid(url)
    started = time.monotonic()
    answer = http.get(f"{url}/_test/{route}?seconds={seconds}", timeout=30)
    took = time.monotonic() - started

    assert answer.status_code == 503, answer.text
    assert answer.json()["error"] == "request_time_limit" and f"{LIMIT:g} s" in answer.json()["message"]
    assert stopped_at <= took < stopped_at + MARGIN
    replaced(url, before)
    assert http.get(url + "/healthz", timeout=5).status_code == 200


def test_a_request_spinning_on_the_cpu_is_503_and_its_worker_replaced(server):
    stopped_after(server.url, "spin", 60, stopped_at=LIMIT)
    assert "ran past the hard limit" in server.log_path.read_text()


def test_a_request_waiting_past_the_limit_is_503_and_its_worker_replaced(server):
    # A greenlet waiting is stopped at the limit; a thread blocked inside one C call (time.sleep
    # here, a socket read in the service) is stopped as soon as that call returns.
    blocked_for = LIMIT + 1.5
    stopped_after(server.url, "wait", blocked_for, stopped_at=LIMIT if server.mode == "gevent" else blocked_for)


def test_a_request_within_the_limit_is_served_by_the_same_worker(server):
    before = worker_pid(server.url)
    answer = http.get(f"{server.url}/_test/spin?seconds={LIMIT / 4}", timeout=10)

    assert answer.status_code == 200
    assert worker_pid(server.url) == before


def test_a_websocket_outlives_the_hard_limit(server):
    department = http.post(server.url + "/api/departments", json={"name": f"ws {time.monotonic_ns()}"},
                           timeout=10).json()
    assert_socket_still_hears(server.url, department["id"], LIMIT + 1)


def test_test_hooks_are_announced_in_the_log(server):
    assert "TEST_HOOKS=1: test-only routes" in server.log_path.read_text()


def test_test_hooks_are_refused_without_a_local_dynamodb(monkeypatch):
    monkeypatch.setenv("TEST_HOOKS", "1")
    monkeypatch.setenv("DYNAMODB_ENDPOINT_URL", "")
    with pytest.raises(ValueError, match="never set it in production"):
        Settings.from_env()
