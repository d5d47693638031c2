"""Several gunicorn instances of one user, run as users run them, side by side without touching
each other: none creates gunicorn's control socket (gunicorn 25+ would share
~/.gunicorn/gunicorn.ctl, the newest instance taking it over from the others), and none serves
the test-only routes of TEST_HOOKS."""
from __future__ import annotations

import pytest

from support.live_helpers import http, stop_all
from support.servers import moto_tables, start_live_server

pytestmark = [pytest.mark.live, pytest.mark.xdist_group("gunicorn_instances")]


@pytest.mark.parametrize("mode", ["gevent", "threading"])
def test_two_instances_share_no_control_socket(tmp_path, mode):
    home = tmp_path / "home"
    home.mkdir()
    with moto_tables(tmp_path) as settings:
        instances = [start_live_server(settings, tmp_path / f"{name}.log", SOCKETIO_ASYNC_MODE=mode,
                                       HOME=str(home), XDG_RUNTIME_DIR="") for name in ("a", "b")]
        try:
            assert [http.get(server.url + "/healthz", timeout=5).status_code for server in instances] == [200, 200]
            assert [path.name for path in home.rglob("*")] == []
            assert [http.get(server.url + "/_test/worker", timeout=5).status_code for server in instances] == [404] * 2
        finally:
            stop_all(instances)
