"""REST API benchmark against DynamoDB Local: the service served as deployed, beside a minimal peer
app and raw boto3 making the same DynamoDB calls.

1. Throughput and server CPU: `GET /api/events/{dept}?from&to` (one month, 30 events) and
   `POST /api/events/{dept}` under wrk (Python threads when wrk can't be had), against the service
   under Werkzeug (`python backend/wsgi.py`, the built-in server) and under gunicorn gthread (`make run`,
   production), and the peer (bench/peer_app.py) under the same gunicorn settings; raw boto3
   from Python threads is the ceiling of the DynamoDB calls. Rounds interleave the sides.
   CPU per request is the server's whole process tree (user + system, from /proc).
2. Targets: the service's month GET under gunicorn at most 0.6x the peer's CPU per request, and
   no route of it costlier than the peer's.
3. Flatness: the month query's latency with 1,000 and with 100,000 events in the table (spread over
   100 departments), interleaved; a Query does not grow with the table. Must stay within 1.3x.

Exits 1 when a target is missed (unless --no-targets), 2 when a load run fails (non-2xx answers).
Usage: python bench/bench_api.py [--duration 4] [--rounds 5] [--connections 8] [--big 100000]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "backend"))
sys.path.insert(0, str(ROOT / "tests"))

from bench_common import add_measure_arguments, machine, percentile, serve_on_dynamodb_local  # noqa: E402
from config import Settings  # noqa: E402
from load_generator import LoadFailed, LoadResult, choose_generator, run_calls  # noqa: E402
from models import DynamoDBDatabase, to_item  # noqa: E402
from process_cpu import tree_cpu_seconds  # noqa: E402
from schema import AUDIT_FIELDS, DEPARTMENT_DATE_INDEX, EVENT_FIELDS, utc_now_iso  # noqa: E402
from support.live_helpers import ShellServer, start_app, start_shell_server, token_for  # noqa: E402

DEPARTMENTS = 100
DEPARTMENTS_CREATED = "2020-01-01T00:00:00.000Z"  # before every event the bench loads
MONTH = ("2024-03-01", "2024-03-31")
MONTH_EVENTS = 30
FLAT_LIMIT = 1.3
GET_CPU_LIMIT = 0.6  # target (a): service month GET CPU/request at most this times the peer's
ROUTE_CPU_LIMIT = 1.0  # target (b): no route of the service costlier than the peer's
AUTH_CPU_LIMIT = 1.05  # target (c): token checks cost at most 5% CPU per request (token mode / AUTH_MODE=off)
PEER_COMMAND = "gunicorn -c backend/gunicorn.conf.py --chdir bench peer_app:app"
POST_BODY = {"event_date": "2024-04-01", "title": "bench event"}  # outside MONTH: the month stays 30


@dataclass(frozen=True)
class TableSet:
    """One prefix's tables, loaded; `target` is the department holding the month's events."""

    settings: Settings
    db: DynamoDBDatabase
    target: str


@dataclass(frozen=True)
class Measurement:
    """One load run of one side: throughput, latency and CPU milliseconds per request."""

    rps: float
    p50: float
    p99: float
    cpu_ms: float

    @classmethod
    def of(cls, result: LoadResult, cpu_seconds: float) -> Measurement:
        return cls(result.rps, result.p50_ms, result.p99_ms, cpu_seconds * 1000 / result.requests)


# -- data -------------------------------------------------------------------------------------


def make_event(department_id: str, day: str, n: int, now: str) -> dict[str, Any]:
    """A complete event (every EVENT_FIELDS key), as put_events wants it."""
    return {"id": str(uuid.uuid4()), "department_id": department_id, "event_date": day,
            "title": f"event {n}", "description": "", "time": "오후 2:00", "url": "",
            "created_at": now, "last_modified": now, "version": 1}


def load_events(db: DynamoDBDatabase, total: int, stamp: str | None = None) -> list[str]:
    """100 departments; the first gets MONTH_EVENTS events in MONTH; the rest of `total` is spread
    over all departments outside that month. Every event is stamped `stamp` (created_at and
    last_modified; default now); the departments date from DEPARTMENTS_CREATED, as in a calendar in
    use for years (department_spans: a department without series is listed in one Query once it is
    an hour old). Returns the department ids."""
    departments = [db.create_department(f"bench-{i:03d}", created_at=DEPARTMENTS_CREATED,
                                        updated_at=DEPARTMENTS_CREATED)["id"] for i in range(DEPARTMENTS)]
    now = stamp or utc_now_iso()
    events = [make_event(departments[0], f"2024-03-{n % 31 + 1:02d}", n, now) for n in range(MONTH_EVENTS)]
    for n in range(total - MONTH_EVENTS):
        year = 2020 + n % 4  # 2020-2023: never in the queried month
        events.append(make_event(departments[n % DEPARTMENTS], f"{year}-{n % 12 + 1:02d}-{n % 28 + 1:02d}", n, now))
    chunks = [events[i : i + 2500] for i in range(0, len(events), 2500)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(db.put_events, chunks))
    return departments


def load_set(endpoint_url: str, label: str, total: int, stamp: str | None = None) -> TableSet:
    """Fresh tables under the prefix `bench_<label>_`, loaded with `total` events (stamped `stamp`)."""
    settings = Settings(dynamodb_endpoint_url=endpoint_url, table_prefix=f"bench_{label}_")
    db = DynamoDBDatabase(settings)
    db.create_tables()
    started = time.perf_counter()
    target = load_events(db, total, stamp)[0]
    print(f"loaded {total:,} events over {DEPARTMENTS} departments in {time.perf_counter() - started:.1f}s")
    return TableSet(settings, db, target)


# -- raw boto3: what the service asks of DynamoDB ---------------------------------------------


def raw_month_query(client, settings: Settings, department_id: str) -> int:
    """What GET /api/events/{dept}?from&to asks of DynamoDB, with boto3 directly; the item count."""
    client.get_item(TableName=settings.departments_table, Key={"id": {"S": department_id}}, ConsistentRead=True)
    kwargs = {
        "TableName": settings.events_table, "IndexName": DEPARTMENT_DATE_INDEX,
        "KeyConditionExpression": "#d = :d AND #date BETWEEN :s AND :e",
        "ExpressionAttributeNames": {"#d": "department_id", "#date": "event_date"},
        "ExpressionAttributeValues": {":d": {"S": department_id}, ":s": {"S": MONTH[0]}, ":e": {"S": MONTH[1]}},
    }
    count = 0
    while True:
        page = client.query(**kwargs)
        count += len(page["Items"])
        if "LastEvaluatedKey" not in page:
            return count
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def raw_create(client, settings: Settings, department_id: str) -> None:
    """What POST /api/events/{dept} asks of DynamoDB, with boto3 directly."""
    now = utc_now_iso()
    client.transact_write_items(TransactItems=[
        {"ConditionCheck": {
            "TableName": settings.departments_table, "Key": {"id": {"S": department_id}},
            "ConditionExpression": "attribute_exists(#n) AND attribute_not_exists(#x)",
            "ExpressionAttributeNames": {"#n": "name", "#x": "deleting"}}},
        {"Put": {
            "TableName": settings.events_table,
            "Item": to_item({**make_event(department_id, POST_BODY["event_date"], 0, now), "time": ""}),
            "ConditionExpression": "attribute_not_exists(#id)", "ExpressionAttributeNames": {"#id": "id"}}},
    ])


# -- the sides --------------------------------------------------------------------------------


class HttpSide:
    """An app server process; CPU per request is its process tree's, around each load run."""

    def __init__(self, key: str, label: str, server: ShellServer, target: str):
        self.key, self.label, self.server, self.target = key, label, server, target

    def url(self, route: str) -> str:
        base = f"{self.server.url}/api/events/{self.target}"
        return f"{base}?from={MONTH[0]}&to={MONTH[1]}" if route == "GET month" else base

    @property
    def headers(self) -> dict[str, str]:
        """The admin token of the server (none for the peer and AUTH_MODE=off: they check none)."""
        token = token_for(self.server.url)
        return {"Authorization": f"Bearer {token}"} if token and self.key in ("werkzeug", "gunicorn", "gevent", "small") else {}

    def measure(self, route: str, generator, seconds: float) -> Measurement:
        before = tree_cpu_seconds(self.server.process.pid)
        result = generator.run(self.url(route), POST_BODY if route == "POST event" else None, seconds, self.headers)
        return Measurement.of(result, tree_cpu_seconds(self.server.process.pid) - before)


class Boto3Side:
    """Raw boto3 from Python threads in this process; its CPU is this (client) process's."""

    key, label = "boto3", "raw boto3, Python threads"

    def __init__(self, tables: TableSet, clients: int):
        self.tables, self.clients = tables, clients

    def call(self, route: str) -> Callable[[], bool]:
        client, settings, target = self.tables.db.client, self.tables.settings, self.tables.target
        if route == "GET month":
            return lambda: raw_month_query(client, settings, target) == MONTH_EVENTS
        return lambda: raw_create(client, settings, target) is None

    def measure(self, route: str, generator, seconds: float) -> Measurement:
        before = time.process_time()
        result = run_calls(self.call(route), seconds, self.clients)
        return Measurement.of(result, time.process_time() - before)


SERVED = (  # the HTTP sides: key, label
    ("werkzeug", "service under Werkzeug (wsgi.py)"),
    ("gunicorn", "service under gunicorn gthread"),
    ("auth-off", "service under gunicorn, AUTH_MODE=off"),
    ("peer", "peer under gunicorn gthread"),
    ("gevent", "service under gunicorn gevent"),
    ("peer-gevent", "peer under gunicorn gevent"),
)
# Each service side under gunicorn and the peer it is judged against (the same worker class).
SERVING_PAIRS = (("gunicorn", "peer"), ("gevent", "peer-gevent"))
ROUTES = ("GET month", "POST event")
# The bench saturates the service from one address on purpose: far above what it can serve, so
# the rate limit is checked (and costs what it costs) on every request but never refuses one.
BENCH_RATE_LIMIT = "10000000 per minute"
# The service sides as production runs them, but for that limit: the request log at INFO (one JSON
# line per request, into the server's log file), metrics, tokens.
AS_DEPLOYED = {"RATE_LIMIT": BENCH_RATE_LIMIT, "LOG_LEVEL": "INFO"}


def start_server(key: str, settings: Settings, log_path: Path) -> ShellServer:
    """The service on Werkzeug (`python backend/wsgi.py`, "werkzeug"), as `make run` and production
    serve it ("gunicorn"), or the peer under production's gunicorn settings ("peer")."""
    if key == "werkzeug":
        return start_shell_server("python backend/wsgi.py", settings, log_path, SOCKETIO_ASYNC_MODE="threading",
                                  DYNAMODB_MAX_ATTEMPTS=str(settings.dynamodb_max_attempts), **AS_DEPLOYED)
    if key == "gunicorn":
        return start_app("threading", settings, log_path, **AS_DEPLOYED)
    if key == "auth-off":  # the same server, checking no token: what authentication costs
        return start_app("threading", settings, log_path, AUTH_MODE="off", **AS_DEPLOYED)
    if key == "gevent":  # make run's and production's default serving
        return start_app("gevent", settings, log_path, **AS_DEPLOYED)
    mode = "gevent" if key == "peer-gevent" else "threading"
    return start_shell_server(PEER_COMMAND, settings, log_path, SOCKETIO_ASYNC_MODE=mode,
                              AWS_ACCESS_KEY_ID="local", AWS_SECRET_ACCESS_KEY="local")


def check_same_answers(sides: list[HttpSide]) -> None:
    """Every side answers the month GET with the same bytes (30 events) and POST with the same
    JSON but for the id and timestamps; raises LoadFailed otherwise."""
    months, posts = {}, {}
    for side in sides:
        month = requests.get(side.url("GET month"), headers=side.headers, timeout=30)
        created = requests.post(side.url("POST event"), json=POST_BODY, headers=side.headers, timeout=30)
        if month.status_code != 200 or len(month.json()) != MONTH_EVENTS or created.status_code != 201:
            raise LoadFailed(f"{side.label}: GET month answered {month.status_code}, POST {created.status_code}")
        months[side.label] = month.content
        # Ids and times differ, and so do the audit fields: the token's name, "anonymous", the peer's.
        posts[side.label] = {k: v if k not in ("id", "created_at", "last_modified", *AUDIT_FIELDS) else len(v) > 0
                             for k, v in created.json().items()}
    if len(set(months.values())) != 1 or any(post != posts[sides[0].label] for post in posts.values()):
        raise LoadFailed(f"the sides answer differently: {posts}\n{months}")
    if sorted(posts[sides[0].label]) != sorted(EVENT_FIELDS):
        raise LoadFailed(f"POST answered the fields {sorted(posts[sides[0].label])}")
    print(f"answers: every side sends the same month JSON ({MONTH_EVENTS} events, "
          f"{len(months[sides[0].label]):,} bytes) and the same POST fields")


# -- measuring and reporting ------------------------------------------------------------------


def measure_all(sides: list, generator, args: argparse.Namespace) -> dict[tuple[str, str], list[Measurement]]:
    """A warm-up run of each side and route, then interleaved rounds (the side order rotating)."""
    if args.warmup:
        for route in ROUTES:
            for side in sides:
                side.measure(route, generator, args.warmup)
    results: dict[tuple[str, str], list[Measurement]] = {(r, s.key): [] for r in ROUTES for s in sides}
    for n in range(args.rounds):
        order = sides[n % len(sides) :] + sides[: n % len(sides)]
        for route in ROUTES:
            for side in order:
                results[(route, side.key)].append(side.measure(route, generator, args.duration))
        print(f"round {n + 1}/{args.rounds} done", flush=True)
    return results


def median_of(runs: list[Measurement]) -> Measurement:
    """Each figure's median over the rounds."""
    return Measurement(*(statistics.median(getattr(run, f) for run in runs) for f in ("rps", "p50", "p99", "cpu_ms")))


def print_route(route: str, sides: list, medians: dict[tuple[str, str], Measurement]) -> None:
    """The route's table (one row per side), then its ratios to raw boto3 and to the peer."""
    print(f"\n{route}")
    print(f"{'side':36}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'CPU ms/req':>12}")
    for side in sides:
        m = medians[(route, side.key)]
        note = "  (the client process)" if side.key == "boto3" else ""
        print(f"{side.label:36}{m.rps:9.0f}{m.p50:9.1f}{m.p99:9.1f}{m.cpu_ms:12.2f}{note}")
    raw = medians[(route, "boto3")]
    token, off = medians[(route, "gunicorn")], medians[(route, "auth-off")]
    print(f"{route}: auth cost, service under gunicorn token mode / AUTH_MODE=off: CPU/request "
          f"{token.cpu_ms / off.cpu_ms:.3f}x, req/s {token.rps / off.rps:.2f}x")
    for side in sides[:-1]:
        m = medians[(route, side.key)]
        print(f"{route}: {side.label} / raw boto3: req/s {m.rps / raw.rps:.2f}x")
        if not side.key.startswith("peer"):
            peer = medians[(route, "peer-gevent" if side.key == "gevent" else "peer")]
            print(f"{route}: {side.label} / its peer: req/s {m.rps / peer.rps:.2f}x, "
                  f"CPU/request {m.cpu_ms / peer.cpu_ms:.2f}x")


def judge_targets(results: dict[tuple[str, str], list[Measurement]], judged: bool) -> list[str]:
    """Print the verdicts of targets (a) and (b), judged on the medians of the rounds, with each
    round's own ratio beside; returns the missed ones (none when not judged)."""
    missed = []
    judged_pairs = [*(("(a)", "GET month", GET_CPU_LIMIT, side, peer) for side, peer in SERVING_PAIRS),
                    *(("(b)", route, ROUTE_CPU_LIMIT, side, peer) for side, peer in SERVING_PAIRS for route in ROUTES),
                    *(("(c)", route, AUTH_CPU_LIMIT, "gunicorn", "auth-off") for route in ROUTES)]
    for name, route, limit, side, other in judged_pairs:
        service, peer = results[(route, side)], results[(route, other)]
        ratio = median_of(service).cpu_ms / median_of(peer).cpu_ms
        rounds = ", ".join(f"{s.cpu_ms / p.cpu_ms:.2f}x" for s, p in zip(service, peer, strict=True))
        verdict = "met" if ratio <= limit else "MISSED"
        whose = "the peer's" if other.startswith("peer") else "its own with AUTH_MODE=off"
        print(f"target {name} {route}: the service under gunicorn {'gevent' if side == 'gevent' else 'gthread'} "
              f"uses {ratio:.2f}x {whose} CPU per "
              f"request (at most {limit:.2f}x; rounds {rounds}) -> {verdict}"
              f"{'' if judged else ' (not judged: --no-targets)'}")
        if ratio > limit:
            missed.append(f"{name} {route} ({side})")
    return missed if judged else []


def interleaved_latencies(urls: dict[str, str], samples: int, expect: int = MONTH_EVENTS) -> dict[str, list[float]]:
    """One client, a GET of each URL in turn, `samples` times (after 30 warm-up GETs each); each
    answer must be 200 with `expect` items."""
    session = requests.Session()
    latency: dict[str, list[float]] = {label: [] for label in urls}
    for n in range(30 + samples):
        for label, url in urls.items():
            start = time.perf_counter()
            response = session.get(url, headers={"Authorization": f"Bearer {token_for(url)}"}, timeout=30)
            if n >= 30:
                latency[label].append((time.perf_counter() - start) * 1000)
            if response.status_code != 200 or len(response.json()) != expect:
                raise LoadFailed(f"GET {url} answered {response.status_code}")
    return latency


def check_flatness(urls: dict[str, str], sizes: dict[str, int], samples: int, judged: bool,
                   what: str = "month query", expect: int = MONTH_EVENTS) -> bool:
    """Print the latency of `what` at both table sizes; True when within FLAT_LIMIT or not judged."""
    latency = interleaved_latencies(urls, samples, expect)
    p50 = {label: percentile(samples_, 50) for label, samples_ in latency.items()}
    print(f"\n{what}, service under gunicorn, one client, {samples} interleaved samples each")
    for label in ("small", "big"):
        print(f"{sizes[label]:>9,} events: p50 {p50[label]:.1f} ms, p99 {percentile(latency[label], 99):.1f} ms")
    ratio = p50["big"] / p50["small"]
    verdict = "flat (Query, not Scan)" if ratio <= FLAT_LIMIT else f"NOT flat (limit {FLAT_LIMIT}x)"
    print(f"ratio {sizes['big']:,} / {sizes['small']:,}: {ratio:.2f}x -> {verdict}"
          f"{'' if judged else ' (not judged: --no-targets)'}")
    return ratio <= FLAT_LIMIT or not judged


# -- main -------------------------------------------------------------------------------------


def start_sides(big: TableSet, log_dir: Path, servers: list[ShellServer]) -> list[HttpSide]:
    """The HTTP sides on the big table set; each server joins `servers` as soon as it runs."""
    sides = []
    for key, label in SERVED:
        servers.append(start_server(key, big.settings, log_dir / f"{key}.log"))
        sides.append(HttpSide(key, label, servers[-1], big.target))
    return sides


def run(args: argparse.Namespace, generator, endpoint_url: str, log_dir: Path, servers: list[ShellServer]) -> int:
    """Load both table sets, serve them, measure and report; 1 when a judged target is missed."""
    small, big = load_set(endpoint_url, "small", args.small), load_set(endpoint_url, "big", args.big)
    http_sides = start_sides(big, log_dir, servers)
    servers.append(start_app("threading", small.settings, log_dir / "small.log"))
    small_side = HttpSide("small", "service on the small set", servers[-1], small.target)
    check_same_answers(http_sides)
    sides = [*http_sides, Boto3Side(big, args.connections)]
    print(f"\nthroughput: {args.duration} s per run, {args.rounds} interleaved rounds after a {args.warmup} s "
          f"warm-up (medians of the rounds), {args.big:,} events in the table; "
          f"GET month = {MONTH_EVENTS} events of {MONTH[0][:7]}")
    results = measure_all(sides, generator, args)
    medians = {key: median_of(runs) for key, runs in results.items()}
    for route in ROUTES:
        print_route(route, sides, medians)
    print()
    missed = judge_targets(results, judged=not args.no_targets)
    urls = {"small": small_side.url("GET month"), "big": http_sides[1].url("GET month")}
    if not check_flatness(urls, {"small": args.small, "big": args.big}, args.latency_samples, not args.no_targets):
        missed.append("flatness")
    if args.no_targets:
        print("\ntargets: not judged (--no-targets)")
    else:
        print(f"\n{'targets missed: ' + ', '.join(missed) if missed else 'targets: all met'}")
    return 1 if missed else 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=4, help="seconds per load run (default 4)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per side and route; 0: none")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=8, help="wrk connections, or client threads")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--generator", choices=("auto", "wrk", "python"), default="auto",
                        help="auto: wrk (apt-get installs it when missing and root), else Python threads")
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--big", type=int, default=100_000)
    add_measure_arguments(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 when every target is met (or not judged), 1 when one is missed, 2 on a failed run."""
    args = parse_args(argv)
    print(f"machine: {machine()}", flush=True)
    try:
        generator = choose_generator(args.generator, args.threads, args.connections)
        print(f"load generator: {generator.description}", flush=True)
        return serve_on_dynamodb_local("bench-api-", lambda endpoint_url, log_dir, servers: run(
            args, generator, endpoint_url, log_dir, servers))
    except LoadFailed as exc:
        print(f"\nLOAD FAILED: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
