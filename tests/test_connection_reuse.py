"""A client's pooled connection survives a refused request: after a body over MAX_CONTENT_LENGTH
(413), the next request on the same `requests.Session` is answered, on gunicorn in gevent and
threading mode."""
from __future__ import annotations

import json
import time
from http.client import HTTPConnection
from urllib.parse import urlsplit

import pytest
import requests

from support.live_helpers import auth_headers, http
from support.servers import served_on_moto

pytestmark = [pytest.mark.live, pytest.mark.xdist_group("connection_reuse")]


@pytest.fixture(scope="module", params=["gevent", "threading"])
def server(request, tmp_path_factory):
    with served_on_moto(tmp_path_factory.mktemp(request.param), request.param) as served:
        served.mode = request.param
        yield served


@pytest.fixture
def session(server):
    with requests.Session() as pooled:
        pooled.headers.update(auth_headers(server.url))
        yield pooled


@pytest.fixture(scope="module")
def department(server):
    return http.post(server.url + "/api/departments", json={"name": f"reuse {server.url}"}, timeout=10).json()


BODIES = {
    "2 MiB": lambda: b"x" * (2 * 1024 * 1024),
    "64 MiB": lambda: b"x" * (64 * 1024 * 1024),  # past what the server discards: it closes, gently
    "2 MiB chunked": lambda: iter([b"x" * 65536] * 32),
}


@pytest.mark.parametrize("body", list(BODIES))
def test_the_request_after_a_413_on_the_same_connection_is_answered(server, session, department, body):
    url = f"{server.url}/api/events/{department['id']}"
    for _ in range(3 if body == "64 MiB" else 10):  # the failure it guards against is a race: try often
        refused = session.post(url, data=BODIES[body](), headers={"Content-Type": "application/json"}, timeout=30)
        assert refused.status_code == 413 and refused.json()["error"] == "payload_too_large"

        listed = session.get(url, timeout=10)
        assert listed.status_code == 200, listed.text


@pytest.mark.parametrize("body", ["2 MiB", "2 MiB chunked"])
def test_a_connection_kept_alive_after_a_413_carries_the_next_request(server, department, body):
    # http.client reuses a connection its answer kept alive without checking whether the server
    # closed it since (requests does check, so there the failure is a race): a pause, then reuse.
    address = urlsplit(server.url)
    conn = HTTPConnection(address.hostname, address.port, timeout=10)
    path = f"/api/events/{department['id']}"
    headers = {"Content-Type": "application/json", **auth_headers(server.url)}
    try:
        conn.request("POST", path, body=BODIES[body](), headers=headers, encode_chunked=body.endswith("chunked"))
        refused = conn.getresponse()
        assert refused.status == 413 and json.loads(refused.read())["error"] == "payload_too_large"
        time.sleep(0.5)
        conn.request("GET", path, headers=headers)
        assert conn.getresponse().status == 200
    finally:
        conn.close()
