"""Prometheus metrics of one process: HTTP requests, DynamoDB calls, Socket.IO sockets and broadcasts.

The metrics live in prometheus-client's default registry, one per process (gunicorn runs one
worker per process, see gunicorn.conf.py), and are safe to update from any thread or greenlet.
Label values are bounded: methods are the HTTP methods (anything else is "other", so invented
methods add no series), routes are URL rules, never raw paths (or one label for no rule), statuses
are the ones the app answers with; DynamoDB outcomes are "ok" or an error code or exception name.
"""
from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Gauge, Histogram, generate_latest

HTTP_REQUESTS = Counter(
    "calendar_http_requests_total", "HTTP requests answered, by method, route (URL rule) and status.",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "calendar_http_request_duration_seconds", "Time from the request's first hook to its answer, by route.",
    ["method", "route"],
)
DYNAMODB_CALLS = Counter(
    "calendar_dynamodb_calls_total",
    "DynamoDB API calls (after botocore's retries), by operation and outcome (ok, an error code, an exception).",
    ["operation", "outcome"],
)
DYNAMODB_LATENCY = Histogram(
    "calendar_dynamodb_call_duration_seconds", "Time of one DynamoDB API call, retries included, by operation.",
    ["operation"],
)
DYNAMODB_THROTTLED_ATTEMPTS = Counter(
    "calendar_dynamodb_throttled_attempts_total",
    "DynamoDB attempts refused by throttling, including those botocore then retried successfully.",
    ["operation"],
)
SOCKETS = Gauge("calendar_socketio_connected_sockets", "Authenticated Socket.IO clients connected to this process.")
ENGINE_SESSIONS = Gauge(
    "calendar_socketio_engine_connections",
    "Engine.IO connections open on this process, authenticated or not (what SOCKETIO_MAX_SOCKETS bounds).",
)
SOCKETS_REFUSED = Counter(
    "calendar_socketio_refused_total",
    "Socket.IO connections refused or closed by admission control, by reason "
    "(server_full, too_many_sockets, auth_timeout).", ["reason"],
)
BROADCASTS = Counter(
    "calendar_socketio_broadcasts_total", "Socket.IO broadcasts sent after stored writes, by event.", ["event"],
)
BROADCAST_FAILURES = Counter(
    "calendar_socketio_broadcast_failures_total",
    "Broadcasts that could not be sent (e.g. the message queue is down), by event.", ["event"],
)

_STARTED = "calendar_metrics_started"


def exposition() -> tuple[bytes, str]:
    """The current metrics in Prometheus' text format, and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


# RFC 9110's methods and PATCH; a client can send any token as a method.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"})
OTHER_METHOD = "other"


# (method, route, status) -> the two labelled children: prometheus-client's labels() validates and
# locks on every call, and every request would pay for it. Bounded like the labels themselves.
_request_children: dict[tuple[str, str, int], tuple[Any, Any]] = {}


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    method = method if method in KNOWN_METHODS else OTHER_METHOD
    children = _request_children.get((method, route, status))
    if children is None:
        children = (HTTP_REQUESTS.labels(method, route, str(status)), HTTP_LATENCY.labels(method, route))
        _request_children[(method, route, status)] = children
    children[0].inc()
    children[1].observe(seconds)


def count_sockets_with(count: Callable[[], int]) -> None:
    """Read the connected-sockets gauge from `count` at every scrape."""
    SOCKETS.set_function(count)


def count_engine_sessions_with(count: Callable[[], int]) -> None:
    """Read the Engine.IO connections gauge from `count` at every scrape."""
    ENGINE_SESSIONS.set_function(count)


def socket_refused(reason: str) -> None:
    SOCKETS_REFUSED.labels(reason).inc()


def broadcast_sent(event: str) -> None:
    BROADCASTS.labels(event).inc()


def broadcast_failed(event: str) -> None:
    BROADCAST_FAILURES.labels(event).inc()


def watch_dynamodb(client: Any, throttling_codes: frozenset[str]) -> None:
    """Count and time every API call of this boto3 DynamoDB client, and its throttled attempts (those
    answered with one of `throttling_codes`: storage.client's, so this module needs no storage)."""
    events = client.meta.events
    events.register("before-call.dynamodb", _call_started)
    events.register("after-call.dynamodb", _call_answered)
    events.register("after-call-error.dynamodb", _call_failed)
    events.register("needs-retry.dynamodb", functools.partial(_attempt_answered, throttling_codes))


def _call_started(context: dict[str, Any], **_kwargs: Any) -> None:
    context[_STARTED] = time.perf_counter()


# The labelled children of DYNAMODB_CALLS and DYNAMODB_LATENCY, by (operation, outcome).
_call_children: dict[tuple[str, str], tuple[Any, Any]] = {}


def _finish(operation: str, outcome: str, context: dict[str, Any]) -> None:
    children = _call_children.get((operation, outcome))
    if children is None:
        children = (DYNAMODB_CALLS.labels(operation, outcome), DYNAMODB_LATENCY.labels(operation))
        _call_children[(operation, outcome)] = children
    children[0].inc()
    started = context.get(_STARTED)
    if started is not None:
        children[1].observe(time.perf_counter() - started)


def _call_answered(http_response: Any, parsed: dict[str, Any], model: Any, context: dict[str, Any],
                   **_kwargs: Any) -> None:
    outcome = "ok" if http_response.status_code < 300 else parsed.get("Error", {}).get("Code") or "error"
    _finish(model.name, outcome, context)


def _call_failed(exception: BaseException, context: dict[str, Any], event_name: str, **_kwargs: Any) -> None:
    # "after-call-error.dynamodb.<Operation>": the call ended without an answer (connection error,
    # timeout, the request's stall budget...).
    _finish(event_name.rsplit(".", 1)[-1], type(exception).__name__, context)


def _attempt_answered(throttling_codes: frozenset[str], response: Any, operation: Any, **_kwargs: Any) -> None:
    # needs-retry runs after every attempt; `response` is (http, parsed) or None on an exception.
    if response is not None and response[1].get("Error", {}).get("Code") in throttling_codes:
        DYNAMODB_THROTTLED_ATTEMPTS.labels(operation.name).inc()
