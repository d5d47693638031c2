"""First step of every request: its id, and one log line plus metrics when it is answered.

A sane `X-Request-ID` from the client (or the load balancer) is kept, anything else replaced by
a fresh one; either way it is echoed on the response, errors and 503s included, and tags every
log line written while the request runs. The request's line names the method, the route (the
URL rule, never the raw path), the status and the latency; never the body or the query string,
which may carry credentials (`?token=`).
"""
from __future__ import annotations

import itertools
import logging
import os
import re
import secrets
import time

from flask import Flask, Response, g, request

from observability import logs, metrics

log = logging.getLogger(__name__)

HEADER = "X-Request-ID"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
UNMATCHED_ROUTE = "<unmatched>"  # no URL rule matched (404, or 405): one label, however many paths


class FreshIds:
    """New request ids, 32 hex digits: 16 drawn at random once per process, then a counter.

    Unique across processes and restarts like uuid4's, but minting one makes no system call:
    uuid4 reads the kernel's random source each time, one more point per request where the
    threads of a gthread worker hand the GIL over (bench/README.md).
    """

    def __init__(self) -> None:
        self._draw()
        os.register_at_fork(after_in_child=self._draw)  # a forked worker must not repeat its parent's

    def _draw(self) -> None:
        self._process = secrets.token_hex(8)
        self._count = itertools.count(1)

    def next(self) -> str:
        return f"{self._process}{next(self._count):016x}"


_fresh_ids = FreshIds()


def request_id_from(header: str | None) -> str:
    """The client's id when it is 1-128 characters of [A-Za-z0-9._:-], else a new one."""
    if header is not None and SANE_REQUEST_ID.fullmatch(header):
        return header
    return _fresh_ids.next()


def init_app(app: Flask) -> None:
    """Register the hooks; this must be the first before_request of the app (api.init_app)."""
    app.before_request(_start)
    app.after_request(_finish)
    app.teardown_request(_unbind)


# Each hook looks the request and g up once: every use of Flask's proxies is a context lookup.
def _start() -> None:
    started, here = time.perf_counter(), g._get_current_object()
    here.request_started = started
    here.request_id = request_id_from(request.headers.get(HEADER))
    here.request_log_token = logs.bind_request_id(here.request_id)


def _finish(response: Response) -> Response:
    # after_request hooks run in reverse order: this one, registered first, sees the final answer.
    here, asked = g._get_current_object(), request._get_current_object()
    response.headers[HEADER] = here.request_id
    seconds = time.perf_counter() - here.request_started
    route = asked.url_rule.rule if asked.url_rule is not None else UNMATCHED_ROUTE
    metrics.observe_request(asked.method, route, response.status_code, seconds)
    fields = {"method": asked.method, "route": route, "status": response.status_code,
              "latency_ms": round(seconds * 1000, 2)}
    log.log(logging.WARNING if response.status_code >= 500 else logging.INFO, "request", extra={"fields": fields})
    return response


def _unbind(_exc: BaseException | None) -> None:
    token = g.pop("request_log_token", None)
    if token is not None:
        logs.unbind_request_id(token)
