"""Where an app process spends its CPU per request: the service's (or the peer's) WSGI callable,
called as gunicorn calls it, one request at a time, against DynamoDB Local.

Prints CPU ms per request without the profiler, cProfile's top entries (in CPU time) by cumulative
and by own time, then the CPU of a few layers (timed by wrapping them, which costs little).
gunicorn's own HTTP parsing and access log are not in it (the same for both apps).
With --compare-auth: the service built twice in this process, in token mode and with
AUTH_MODE=off, batches of the route interleaved; prints each one's CPU ms per request and the ratio
(what checking a cached token costs, without the noise of separate server processes).
With --compare-peer: the service as deployed (request log at INFO, into /dev/null) and the peer in
this process, batches interleaved the same way, for one route or both; prints each one's CPU ms
per request and the ratio (tests/test_bench.py holds the ratios to their limits); with
--split-calls also each side's CPU inside its DynamoDB calls and outside them.
With --compare-signing: the SigV4 signature of a transaction by botocore and by the one pass of
storage/lean_calls.py, on copies of one request, batches interleaved.
With --compare-session: one app with sign-in configured, the route's batches with a cached bearer
token interleaved with batches carrying a signed-in person's session cookie (what a session costs).
Usage: python bench/profile_api.py [--app service|peer] [--route get|post|both] [--requests 2000]
       [--compare-auth | --compare-peer [--split-calls] | --compare-session | --compare-signing]
"""
from __future__ import annotations

import argparse
import cProfile
import functools
import gc
import importlib
import io
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import botocore.client
import botocore.endpoint
import botocore.parsers
import botocore.signers
import flask.json.provider
from werkzeug.test import EnvironBuilder

from bench_api import BENCH_RATE_LIMIT, MONTH, POST_BODY, load_set
from local.dynamodb_local import start_dynamodb_local

ROUTES = ("get", "post")


def build_app(name: str, endpoint_url: str, prefix: str) -> Callable:
    """The WSGI app gunicorn would serve: the service as wsgi.py builds it, or the peer."""
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.update(DYNAMODB_ENDPOINT_URL=endpoint_url, TABLE_PREFIX=prefix,
                      AWS_ACCESS_KEY_ID="local", AWS_SECRET_ACCESS_KEY="local", RATE_LIMIT=BENCH_RATE_LIMIT)
    if name == "peer":
        return importlib.import_module("peer_app").app
    from app import create_configured_app

    if os.environ["LOG_LEVEL"] != "INFO":
        return create_configured_app()
    # As deployed: one JSON line per request, written (to /dev/null here, not over the report).
    stderr, sys.stderr = sys.stderr, open(os.devnull, "w")  # noqa: SIM115 (the log handler keeps it)
    try:
        return create_configured_app()
    finally:
        sys.stderr = stderr


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def environs(route: str, department_id: str, count: int, headers: dict[str, str]) -> list[dict]:
    """`count` fresh WSGI environs of the route (with the credentials in `headers`; the peer ignores
    them), built before the clock starts."""
    path = f"/api/events/{department_id}"
    if route == "get":
        builder = EnvironBuilder(path=path, query_string={"from": MONTH[0], "to": MONTH[1]}, headers=headers)
        return [builder.get_environ() for _ in range(count)]
    return [EnvironBuilder(path=path, method="POST", json=POST_BODY, headers=headers).get_environ()
            for _ in range(count)]


def serve(app: Callable, environ: dict) -> bytes:
    """One request through the WSGI callable; raises if it is not a 2xx."""
    statuses = []
    body_iter = app(environ, lambda status, headers, exc_info=None: statuses.append(status))
    body = b"".join(body_iter)
    getattr(body_iter, "close", lambda: None)()
    if not statuses[0].startswith("2"):
        raise RuntimeError(f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}: {statuses[0]} {body[:200]!r}")
    return body


def print_top(profile: cProfile.Profile, key: str, count: int) -> None:
    out = io.StringIO()
    pstats.Stats(profile, stream=out).strip_dirs().sort_stats(key).print_stats(count)
    print(out.getvalue().split("\n", 6)[-1].rstrip())  # drop pstats' preamble lines


def layers(app_name: str) -> list[tuple[Any, str, str]]:
    """(owner, attribute, label) of the layers to time: botocore's, and the service's own."""
    found = [
        (botocore.client.BaseClient, "_make_api_call", "boto3 API calls, in all"),
        (botocore.parsers.ResponseParser, "parse", "botocore: parse responses"),
        (botocore.endpoint.Endpoint, "_send", "botocore: HTTP send + receive (urllib3)"),
        (botocore.signers.RequestSigner, "sign", "botocore: SigV4 signing"),
        (botocore.client.BaseClient, "_convert_to_request_dict", "botocore: serialize requests"),
        (flask.json.provider.DefaultJSONProvider, "response", "Flask: jsonify"),
    ]
    if app_name == "service":
        import api.events
        import realtime
        from storage import departments

        found += [(departments, "department_from_wire", "storage: department_from_wire"),
                  (departments, "public_department", "storage: public_department"),
                  (departments.Departments, "get_department", "storage: get_department (GetItem)"),
                  (api.events, "validate_date_range", "validation: date range"),
                  (api.events, "validate_new_event", "validation: new event"),
                  (realtime, "event_created", "realtime: Socket.IO emit")]
    return found


def _timed(original: Callable, label: str, totals: dict[str, float]) -> Callable:
    @functools.wraps(original)
    def timed(*args, **kwargs):
        started = time.thread_time()
        try:
            return original(*args, **kwargs)
        finally:
            totals[label] = totals.get(label, 0.0) + time.thread_time() - started

    return timed


def timed_layers(app_name: str) -> dict[str, float]:
    """Wrap each layer to add its thread CPU time (seconds) to the returned dict."""
    totals: dict[str, float] = {}
    for owner, name, label in layers(app_name):
        setattr(owner, name, _timed(getattr(owner, name), label, totals))
    return totals


def cpu_ms_per_request(app: Callable, batch: list[dict]) -> float:
    """Thread CPU ms per request of the batch, with the garbage collector held off (as timeit does):
    a collection would land on whichever batch happens to run, whichever app made the garbage."""
    gc.collect()
    gc.disable()
    try:
        started = time.thread_time()
        for environ in batch:
            serve(app, environ)
        return (time.thread_time() - started) * 1000 / len(batch)
    finally:
        gc.enable()


def report(args: argparse.Namespace, app: Callable, department_id: str) -> None:
    """CPU per request, then cProfile's top entries, then the CPU per layer."""
    def batch() -> list[dict]:
        return environs(args.route, department_id, args.requests, bearer(args.token))

    plain_ms = cpu_ms_per_request(app, batch())
    print(f"{args.app} {args.route}: {plain_ms:.2f} CPU ms per request (no profiler, {args.requests} requests)")
    # CPU time, not wall time: on this shared machine a thread waits for a core now and then.
    profile = cProfile.Profile(time.thread_time)
    profiled = batch()
    profile.runcall(lambda: [serve(app, environ) for environ in profiled])
    for key in ("cumulative", "tottime"):
        print(f"\ntop {args.top} by {key} ({args.requests} requests, under cProfile):")
        print_top(profile, key, args.top)
    totals = timed_layers(args.app)  # last: the wrappers stay
    print(f"\nper layer, CPU ms per request (whole request {cpu_ms_per_request(app, batch()):.2f}):")
    for label, seconds in sorted(totals.items(), key=lambda item: -item[1]):
        print(f"  {label:44}{seconds * 1000 / args.requests:7.2f}")


def interleaved_cpu(sides: dict[str, tuple[Callable, dict[str, str]]], route: str, department_id: str,
                    requests: int, batches: int = 10) -> dict[str, list[float]]:
    """CPU ms per request of each side (an app, and the credential headers its requests carry), in
    `batches` batches of the route interleaved side by side (after a warm-up of each: the
    credential's one DynamoDB read, lazily built objects)."""
    for app, headers in sides.values():
        for environ in environs(route, department_id, 100, headers):
            serve(app, environ)
    cpu: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(batches):
        for name, (app, headers) in sides.items():
            cpu[name].append(cpu_ms_per_request(app, environs(route, department_id, max(1, requests // batches), headers)))
    return cpu


def compare_auth(args: argparse.Namespace, endpoint_url: str, prefix: str, department_id: str) -> None:
    """Token mode against AUTH_MODE=off, same process and tables, batches interleaved."""
    apps = {"token": build_app("service", endpoint_url, prefix)}
    os.environ["AUTH_MODE"] = "off"
    apps["off"] = build_app("service", endpoint_url, prefix)
    os.environ["AUTH_MODE"] = "token"
    cpu = interleaved_cpu({mode: (app, bearer(args.token)) for mode, app in apps.items()}, args.route, department_id,
                          args.requests)
    token, off = (statistics.median(cpu[mode]) for mode in ("token", "off"))
    print(f"auth cost, service {args.route}: token mode {token:.3f} CPU ms per request, AUTH_MODE=off {off:.3f} "
          f"(medians of 10 interleaved batches of {args.requests // 10}): {token / off:.3f}x")


def compare_peer(args: argparse.Namespace, endpoint_url: str, prefix: str, department_id: str) -> None:
    """The service (token mode, rate limit, request log at INFO, metrics: as deployed) against the
    peer, same process and tables, batches of each route interleaved."""
    os.environ["LOG_LEVEL"] = "INFO"
    apps = {"service": build_app("service", endpoint_url, prefix), "peer": build_app("peer", endpoint_url, prefix)}
    calls = CallCpu(apps) if args.split_calls else None
    sides = calls.apps if calls else apps
    for route in ROUTES if args.route == "both" else (args.route,):
        if calls:
            calls.reset()
        cpu = interleaved_cpu({name: (app, bearer(args.token)) for name, app in sides.items()}, route, department_id,
                              args.requests)
        service, peer = (statistics.median(cpu[name]) for name in ("service", "peer"))
        ratios = [s / p for s, p in zip(cpu["service"], cpu["peer"], strict=True)]
        print(f"service / peer, {route}: service {service:.3f} CPU ms per request, peer {peer:.3f} "
              f"(medians of 10 interleaved batches of {args.requests // 10}): {service / peer:.3f}x "
              f"(batches {min(ratios):.2f}-{max(ratios):.2f}x)", flush=True)
        if calls:
            calls.report(route)


class CallCpu:
    """Each side's CPU inside boto3 API calls (botocore's `_make_api_call`, network included) and
    outside them, per request, over every request served (warm-up included, GC on)."""

    def __init__(self, apps: dict[str, Callable]):
        self.apps = {name: self._tracked(name, app) for name, app in apps.items()}
        self.reset()
        original = botocore.client.BaseClient._make_api_call
        calls = self

        def timed(client, *args, **kwargs):
            started = time.thread_time()
            try:
                return original(client, *args, **kwargs)
            finally:
                calls.inside[calls.side] += time.thread_time() - started

        self.side = next(iter(apps))
        botocore.client.BaseClient._make_api_call = timed

    def reset(self) -> None:
        """Count from zero (for the next route)."""
        self.inside = dict.fromkeys(self.apps, 0.0)
        self.whole = dict.fromkeys(self.apps, 0.0)
        self.requests = dict.fromkeys(self.apps, 0)

    def _tracked(self, name: str, app: Callable) -> Callable:
        def tracked(environ: dict, start_response: Callable) -> Any:
            self.side = name
            started = time.thread_time()
            answer = app(environ, start_response)
            try:
                body = b"".join(answer)
            finally:
                getattr(answer, "close", lambda: None)()
            self.whole[name] += time.thread_time() - started
            self.requests[name] += 1
            return [body]
        return tracked

    def report(self, route: str) -> None:
        for name, count in self.requests.items():
            inside, whole = self.inside[name] * 1000 / count, self.whole[name] * 1000 / count
            print(f"  {name}, {route}: {inside:.3f} CPU ms per request in DynamoDB calls, {whole - inside:.3f} outside them")


def compare_signing(args: argparse.Namespace, endpoint_url: str, prefix: str, department_id: str) -> None:
    """The SigV4 signature of the POST's own transaction, by botocore's SigV4Auth and by
    storage/lean_calls.py's one pass, on copies of the request the service made."""
    import copy

    from config import Settings
    from storage.client import make_client
    from storage.items import to_item

    build_app("service", endpoint_url, prefix)  # the environment the service reads
    settings = Settings.from_env()
    client = make_client(settings)
    made = []

    def keep(request, **_kwargs):
        made.append(copy.deepcopy(request))

    client.meta.events.register("before-sign.dynamodb.TransactWriteItems", keep)
    client.transact_write_items(TransactItems=[{"Put": {"TableName": settings.events_table, "Item": to_item(
        {"id": "signing-probe", "department_id": department_id, "title": POST_BODY["title"]})}}])
    client.meta.events.unregister("before-sign.dynamodb.TransactWriteItems", keep)
    signer = client._request_signer
    sides = {"botocore": signer.get_auth_instance._botocore, "one pass": signer.get_auth_instance}
    micros: dict[str, list[float]] = {side: [] for side in sides}
    for _ in range(5):
        for side, get_auth in sides.items():
            requests = [copy.deepcopy(made[0]) for _ in range(args.requests)]
            signer.get_auth_instance = get_auth
            started = time.thread_time()
            for request in requests:
                signer.sign("TransactWriteItems", request)
            micros[side].append((time.thread_time() - started) * 1e6 / args.requests)
    botocore_us, lean_us = (statistics.median(micros[side]) for side in sides)
    print(f"signature of a transaction: botocore {botocore_us:.1f} us of CPU, one pass {lean_us:.1f} us "
          f"(medians of 5 interleaved batches of {args.requests})")


def compare_session(args: argparse.Namespace, endpoint_url: str, prefix: str, department_id: str) -> None:
    """One app with sign-in configured (as deployed otherwise): the route with a cached bearer token
    against the same route with a signed-in person's session cookie, batches interleaved."""
    os.environ.update(LOG_LEVEL="INFO", OIDC_ISSUER="http://127.0.0.1:9/not-asked", OIDC_CLIENT_ID="bench",
                      OIDC_CLIENT_SECRET="bench")  # the provider is asked only when someone signs in
    app = build_app("service", endpoint_url, prefix)
    from auth.sessions import COOKIE_NAME, SessionStore
    from config import Settings
    from models import DynamoDBDatabase

    settings = Settings.from_env()
    person = {"name": "벤치 사용자", "email": "bench@example.com", "role": "admin", "departments": None,
              "issuer": os.environ["OIDC_ISSUER"], "subject": "bench"}
    secret = SessionStore(DynamoDBDatabase(settings), settings).create(person)
    # A page's request: the cookie, and (for a change) the page's own origin, as the CSRF check asks.
    session = {"Cookie": f"{COOKIE_NAME}={secret}", "Origin": "http://localhost"}
    cpu = interleaved_cpu({"token": (app, bearer(args.token)), "session": (app, session)}, args.route,
                          department_id, args.requests)
    token, cookie = (statistics.median(cpu[side]) for side in ("token", "session"))
    print(f"session cost, service {args.route}: session cookie {cookie:.3f} CPU ms per request, bearer token "
          f"{token:.3f} (medians of 10 interleaved batches of {args.requests // 10}): {cookie / token:.3f}x")


def main(argv: list[str] | None = None) -> int:
    """Profile one app and route against a throwaway DynamoDB Local."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", choices=("service", "peer"), default="service")
    parser.add_argument("--route", choices=(*ROUTES, "both"), default="get", help="both: only with --compare-peer")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--compare-auth", action="store_true", help="token mode against AUTH_MODE=off")
    parser.add_argument("--compare-peer", action="store_true", help="the service against the peer, in one process")
    parser.add_argument("--split-calls", action="store_true",
                        help="with --compare-peer: each side's CPU inside its DynamoDB calls and outside them")
    parser.add_argument("--compare-signing", action="store_true",
                        help="botocore's SigV4 signature of a transaction against storage/lean_calls.py's")
    parser.add_argument("--compare-session", action="store_true",
                        help="a signed-in person's session cookie against a bearer token, in one app")
    args = parser.parse_args(argv)
    if args.route == "both" and not args.compare_peer:
        parser.error("--route both goes with --compare-peer")
    dynamodb = start_dynamodb_local()
    try:
        tables = load_set(dynamodb.endpoint_url, "profile", 1000)
        from auth import TokenStore  # backend/ is on sys.path once bench_api is imported

        args.token = TokenStore(tables.db).create("profile", "admin")
        if args.compare_signing:
            compare_signing(args, dynamodb.endpoint_url, tables.settings.table_prefix, tables.target)
            return 0
        if args.compare_auth or args.compare_peer or args.compare_session:
            compare = compare_auth if args.compare_auth else compare_peer if args.compare_peer else compare_session
            compare(args, dynamodb.endpoint_url, tables.settings.table_prefix, tables.target)
            return 0
        app = build_app(args.app, dynamodb.endpoint_url, tables.settings.table_prefix)
        for environ in environs(args.route, tables.target, 200, bearer(args.token)):  # warm-up
            serve(app, environ)
        report(args, app, tables.target)
    finally:
        dynamodb.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
