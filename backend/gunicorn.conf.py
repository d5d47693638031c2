"""gunicorn settings: one worker per process, the worker class that fits SOCKETIO_ASYNC_MODE.

    gunicorn -c backend/gunicorn.conf.py wsgi:app

Socket.IO needs every request of a client on the same process, and gunicorn's own balancing
has no sticky sessions, so each process runs one worker; scale out with more processes behind
a load balancer with sticky sessions, sharing broadcasts through SOCKETIO_MESSAGE_QUEUE.
Anything here can be overridden through GUNICORN_CMD_ARGS (e.g. "--threads 500").
"""
from __future__ import annotations

import os
import resource
import sys

BACKEND_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BACKEND_DIR)


from config import Settings  # noqa: E402  (standard library and python-dotenv only)

_settings = Settings.from_env()
# Connections a gevent worker keeps for REST beyond the sockets it admits.
REST_CONNECTIONS = 1000

chdir = BACKEND_DIR
bind = [f"{_settings.host}:{_settings.port}"]
workers = 1
# A WebSocket never ends by itself, so a graceful stop always waits this long; REST requests
# take well under a second and Socket.IO clients reconnect (to another process behind the LB).
graceful_timeout = 5
# The app's own hard limit (REQUEST_HARD_TIMEOUT_SECONDS, serving.hard_limit) answers 503 and
# recycles the worker first; gunicorn's kill of a silent worker only backs it up, for a gevent
# worker stuck inside one C call (a gthread worker's heartbeat never stops).
timeout = int(_settings.request_hard_timeout_seconds) + 30
# No control socket: gunicorn 25+ opens one at ~/.gunicorn/gunicorn.ctl (or $XDG_RUNTIME_DIR),
# shared by every instance of the user, the newest taking it over from the others.
control_socket_disable = True
# No access log: the app writes one line per request (api/request_log.py) with its request id and
# route, and without the query string that gunicorn's access line would print (`?token=`).
accesslog = None
loglevel = _settings.log_level.lower()
if _settings.log_format == "json":
    # gunicorn's own lines (start, stop, worker timeouts) in the app's JSON format too.
    _level = _settings.log_level.upper()
    logconfig_dict = {
        "root": {"level": _level, "handlers": ["console"]},
        "loggers": {"gunicorn.error": {"level": _level, "handlers": ["error_console"], "propagate": False}},
        "formatters": {"generic": {"()": "observability.logs.JsonFormatter"}},
    }

if _settings.socketio_async_mode == "threading":
    # Each WebSocket holds one thread for its whole life: SOCKETIO_MAX_SOCKETS (150 by default in
    # this mode) of the threads, the other 50 at least stay for REST.
    # gthread with a bound on slow clients (REQUEST_READ_TIMEOUT) and JSON for gunicorn's own errors.
    worker_class = "serving.worker.ThreadWorker"
    threads = max(200, _settings.socketio_max_sockets + 50)
elif _settings.socketio_async_mode == "gevent":
    # gevent's worker with the read deadline and JSON errors of threading mode (serving/worker.py).
    worker_class = "serving.worker.GeventWorker"
    # Past SOCKETIO_MAX_SOCKETS new sockets are refused by the app (realtime/admission.py), at once;
    # the connections above that stay for REST, so open pages never make a request wait to be accepted.
    worker_connections = _settings.socketio_max_sockets + REST_CONNECTIONS
    # Each connection is a file descriptor: up to the hard limit (ulimit -Hn), as far as needed.
    _soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    _wanted = worker_connections + 100
    if _soft < _wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (_wanted if _hard == resource.RLIM_INFINITY else min(_hard, _wanted),
                                                    _hard))
else:
    raise SystemExit(
        "SOCKETIO_ASYNC_MODE=eventlet: this gunicorn has no eventlet worker; "
        "run `python backend/wsgi.py` (eventlet's own WSGI server) instead."
    )
