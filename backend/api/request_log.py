"""First step of every request: its id, and one log line plus metrics when it is answered.

A sane `X-Request-ID` from the client (or the load balancer) is kept, anything else replaced by
a fresh one; either way it is echoed on the response, errors and 503s included, and tags every
log line written while the request runs. The request's line names the method, the route (the
URL rule, never the raw path), the status and the latency; never the body or the query string,
which may carry credentials (`?token=`).
"""
from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, request

from observability import logs, metrics

log = logging.getLogger(__name__)

HEADER = "X-Request-ID"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
UNMATCHED_ROUTE = "<unmatched>"  # no URL rule matched (404, or 405): one label, however many paths


def request_id_from(header: str | None) -> str:
    """The client's id when it is 1-128 characters of [A-Za-z0-9._:-], else a new one."""
    if header is not None and SANE_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def init_app(app: Flask) -> None:
    """Register the hooks; this must be the first before_request of the app (api.init_app)."""
    app.before_request(_start)
    app.after_request(_finish)
    app.teardown_request(_unbind)


def _start() -> None:
    g.request_started = time.perf_counter()
    g.request_id = request_id_from(request.headers.get(HEADER))
    g.request_log_token = logs.bind_request_id(g.request_id)


def _finish(response: Response) -> Response:
    # after_request hooks run in reverse order: this one, registered first, sees the final answer.
    response.headers[HEADER] = g.request_id
    seconds = time.perf_counter() - g.request_started
    route = request.url_rule.rule if request.url_rule is not None else UNMATCHED_ROUTE
    metrics.observe_request(request.method, route, response.status_code, seconds)
    fields = {"method": request.method, "route": route, "status": response.status_code,
              "latency_ms": round(seconds * 1000, 2)}
    log.log(logging.WARNING if response.status_code >= 500 else logging.INFO, "request", extra={"fields": fields})
    return response


def _unbind(_exc: BaseException | None) -> None:
    token = g.pop("request_log_token", None)
    if token is not None:
        logs.unbind_request_id(token)
