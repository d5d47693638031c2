"""Requests the server refuses before the app sees them (a garbage request line, a huge URL,
huge or too many headers) are answered in the app's JSON error shape, not an HTML page: on
gunicorn (`make run`, production) and on Werkzeug (`python backend/wsgi.py`)."""
from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

import pytest

from local.dynamodb_local import start_moto_server
from support.live_helpers import MAKE_RUN_SERVER, SERVER_COMMANDS, raw_head, read_until_closed, start_shell_server
from support.servers import make_settings

SERVERS = {"gunicorn": MAKE_RUN_SERVER, "gunicorn gevent": SERVER_COMMANDS["gevent"],
           "werkzeug": "python backend/wsgi.py"}
LONG = 70_000  # over both servers' limits (gunicorn: 4094-byte line, 8190-byte header; Werkzeug: 64 KiB)

REFUSED = {
    "garbage request line": (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 garbage\r\n\r\n", 400, "bad_request"),
    "long URL": (raw_head("GET", "/api/departments?" + "a" * LONG), 414, None),
    "huge header": (raw_head("GET", "/api/departments", {"X-Huge": "h" * LONG}), 431,
                    "request_header_fields_too_large"),
    "too many headers": (raw_head("GET", "/api/departments", {f"X-Many-{i}": "1" for i in range(150)}), 431,
                         "request_header_fields_too_large"),
}


@pytest.fixture(scope="module")
def moto(tmp_path_factory):
    server = start_moto_server(log_file=tmp_path_factory.mktemp("moto") / "moto.log")
    yield server
    server.stop()


@pytest.fixture(scope="module", params=list(SERVERS))
def server(request, moto, tmp_path_factory):
    served = start_shell_server(SERVERS[request.param], make_settings(moto.endpoint_url),
                                tmp_path_factory.mktemp("app") / "app.log", SOCKETIO_ASYNC_MODE="threading")
    yield served
    served.stop()


@pytest.mark.parametrize("case", list(REFUSED))
def test_refused_requests_get_json_errors(server, case):
    request, status, code = REFUSED[case]
    address = urlsplit(server.url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as conn:
        conn.sendall(request)
        answer = read_until_closed(conn)
    head, _, body = answer.partition(b"\r\n\r\n")
    headers = head.decode("latin-1").lower()

    assert head.split(b" ", 2)[1] == str(status).encode()
    assert "content-type: application/json" in headers
    error = json.loads(body)
    assert set(error) == {"error", "message"} and error["message"]
    assert error["error"] == (code or error["error"]) and error["error"].isidentifier()
