"""The benchmarks still run end to end (tiny sizes; their targets are not judged here)."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from config import PROJECT_DIR

sys.path.insert(0, str(PROJECT_DIR / "bench"))

from load_generator import LoadFailed, parse_wrk_output  # noqa: E402

RUNS = {
    "bench_caldav.py": (["--small", "100", "--big", "400", "--latency-samples", "10", "--no-targets"],
                        ["sync-collection REPORT, service under gunicorn", "no changes: 100 events p50",
                         "30 changes: 100 events p50", "PROPFIND of the home with 100 departments: p50",
                         "targets: not judged (--no-targets)"]),
    "bench_capacity.py": (["--levels", "0,50", "--rounds", "1", "--room-size", "20", "--latency-samples", "10",
                           "--no-targets"],
                          ["service  |     50 |", "peer     |     50 |", "fan-out, 20 sockets in one room: p50"]),
    "bench_migration.py": (["--sizes", "300", "--rounds", "1", "--naive-sample", "100"],
                           ["batch_writer", "medians of 1 interleaved rounds"]),
    # 160 sockets: more than threading mode admits by default (150), as the bench's own sizes are.
    "bench_fanout.py": (["--sizes", "1,160", "--rounds", "2", "--modes", "threading"],
                        [" 160 | threading |"]),
    "bench_search.py": (["--small", "200", "--big", "600", "--department", "100", "--latency-samples", "10",
                          "--no-targets"],
                         ["search, 100 events in the department: table of 200 p50", "ratio 600 / 200: ",
                          "department of 1,000 events: p50", "POST CPU with the text / without: ",
                          "targets: not judged (--no-targets)"]),
    "bench_series.py": (["--events", "300", "--series", "12", "--latency-samples", "10", "--no-targets"],
                        ["month query, service under gunicorn", "with 12 series: ", "(40 items listed, 30 today)",
                         "ratio with series / today: ", "(not judged: --no-targets)"]),
    "bench_sync.py": (["--small", "100", "--big", "400", "--latency-samples", "10", "--no-targets"],
                      ["each sync answers 30 items", "changed_since sync, service under gunicorn",
                       "ratio 400 / 100: ", "targets: not judged (--no-targets)"]),
}
API_ARGS = ["--duration", "1", "--rounds", "1", "--connections", "4", "--small", "100", "--big", "400",
            "--latency-samples", "10", "--no-targets"]
SIDES = ("service under Werkzeug (wsgi.py)", "service under gunicorn gthread",
         "service under gunicorn, AUTH_MODE=off", "peer under gunicorn gthread",
         "service under gunicorn gevent", "peer under gunicorn gevent", "raw boto3, Python threads")
# A side's row: req/s, p50 ms, p99 ms, CPU ms per request.
ROW = re.compile(r"^(" + "|".join(re.escape(side) for side in SIDES) + r")\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)",
                 re.MULTILINE)


def run_bench(script: str, args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(PROJECT_DIR / "bench" / script), *args],
                          capture_output=True, text=True, timeout=600, cwd=PROJECT_DIR)


@pytest.mark.parametrize("script", sorted(RUNS))
def test_benchmark_runs_and_prints_its_ratios(script, request):
    if script != "bench_fanout.py":  # the others measure against DynamoDB Local
        request.getfixturevalue("needs_dynamodb_local")
    args, expected = RUNS[script]
    result = run_bench(script, args)
    assert result.stdout.startswith("machine: nproc"), result.stdout + result.stderr
    for line in expected:
        assert line in result.stdout, result.stdout + result.stderr


@pytest.mark.parametrize("generator", ["auto", "python"])
def test_api_bench_measures_every_side(generator, needs_dynamodb_local):
    result = run_bench("bench_api.py", [*API_ARGS, "--generator", generator,
                                        "--warmup", "1" if generator == "auto" else "0"])
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert result.stdout.startswith("machine: nproc"), out
    assert re.search(r"^load generator: (wrk|Python threads)", result.stdout, re.MULTILINE), out
    assert "answers: every side sends the same month JSON (30 events" in result.stdout, out
    rows = ROW.findall(result.stdout)
    assert sorted(side for side, *_ in rows) == sorted(SIDES * 2), out  # GET month and POST event
    for side, rps, p50, p99, cpu_ms in rows:
        assert float(rps) > 0 and float(cpu_ms) > 0 and 0 < float(p50) <= float(p99), f"{side}\n{out}"
    for route in ("GET month", "POST event"):
        for side in (*SIDES[:2], "service under gunicorn gevent"):
            assert f"{route}: {side} / raw boto3: req/s " in result.stdout, out
            assert re.search(rf"^{route}: {re.escape(side)} / its peer: req/s [\d.]+x, CPU/request [\d.]+x$",
                             result.stdout, re.MULTILINE), out
    for route in ("GET month", "POST event"):
        assert re.search(rf"^{route}: auth cost, service under gunicorn token mode / AUTH_MODE=off: "
                         r"CPU/request [\d.]+x, req/s [\d.]+x$", result.stdout, re.MULTILINE), out
    for verdict in ("target (c) GET month: the service under gunicorn gthread uses ",
                    "target (c) POST event: the service under gunicorn gthread uses ",
                    *(f"target ({name}) {route}: the service under gunicorn {serving} uses "
                      for serving in ("gthread", "gevent")
                      for name, route in (("a", "GET month"), ("b", "GET month"), ("b", "POST event"))),
                    "ratio 400 / 100: ", "targets: not judged (--no-targets)"):
        assert verdict in result.stdout, out


@pytest.mark.parametrize("app", ["service", "peer"])
def test_profile_shows_where_an_apps_cpu_goes(app, needs_dynamodb_local):
    result = run_bench("profile_api.py", ["--app", app, "--requests", "20", "--top", "3"])
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    cpu = re.search(rf"^{app} get: ([\d.]+) CPU ms per request", result.stdout, re.MULTILINE)
    assert cpu and float(cpu.group(1)) > 0, out
    assert "top 3 by tottime" in result.stdout and "per layer, CPU ms per request" in result.stdout, out


WRK_OUTPUT = """Running 1s test @ http://127.0.0.1:5000/api/events/x
  2 threads and 4 connections
  120 requests in 1.00s, 30.00KB read
  Non-2xx or 3xx responses: 7
Requests/sec:    119.80
BENCH_REPORT requests=120 duration_us=1001000 non2xx={non2xx} connect=0 read=0 write=0 timeout=0 p50_us=8000.0 p99_us=30000.0
"""


def test_wrk_report_is_parsed_and_non_2xx_answers_fail_the_run():
    without_wrk_count = WRK_OUTPUT.replace("  Non-2xx or 3xx responses: 7\n", "")
    result = parse_wrk_output(without_wrk_count.format(non2xx=0))
    assert (result.requests, round(result.rps), result.p50_ms, result.p99_ms) == (120, 120, 8.0, 30.0)
    # Counted by wrk (status > 399), or only by the script (any status outside 2xx).
    for output in (WRK_OUTPUT.format(non2xx=0), without_wrk_count.format(non2xx=7)):
        with pytest.raises(LoadFailed, match="7 non-2xx responses of 120"):
            parse_wrk_output(output)


# bench/README.md's in-process comparisons of one app with itself: what a cached token check costs
# (--compare-auth), and what a signed-in person's session cookie costs (--compare-session).
ONE_APP_COMPARISONS = {
    "--compare-auth": r"auth cost, service {route}: token mode [\d.]+ CPU ms per request, AUTH_MODE=off [\d.]+ ",
    "--compare-session": r"session cost, service {route}: session cookie [\d.]+ CPU ms per request, bearer token "
                         r"[\d.]+ ",
}


@pytest.mark.parametrize("route", ["get", "post"])
@pytest.mark.parametrize("comparison", sorted(ONE_APP_COMPARISONS))
def test_profile_compares_one_app_two_ways(comparison, route, needs_dynamodb_local):
    result = run_bench("profile_api.py", [comparison, "--route", route, "--requests", "40"])
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    line = ONE_APP_COMPARISONS[comparison].format(route=route) + r"\(medians of 10 interleaved batches of 4\): [\d.]+x$"
    assert re.search("^" + line, result.stdout, re.MULTILINE), out


def test_profile_splits_each_sides_cpu_at_its_dynamodb_calls(needs_dynamodb_local):
    result = run_bench("profile_api.py", ["--compare-peer", "--split-calls", "--route", "both", "--requests", "40"])
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    for side in ("service", "peer"):
        for route in ("get", "post"):
            split = re.search(rf"^  {side}, {route}: ([\d.]+) CPU ms per request in DynamoDB calls, ([\d.]+) outside "
                              "them$", result.stdout, re.MULTILINE)
            assert split and float(split.group(1)) > 0 and float(split.group(2)) > 0, out


def test_profile_compares_the_two_signatures(needs_dynamodb_local):
    result = run_bench("profile_api.py", ["--compare-signing", "--requests", "50"])
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert re.search(r"^signature of a transaction: botocore [\d.]+ us of CPU, one pass [\d.]+ us "
                     r"\(medians of 5 interleaved batches of 50\)$", result.stdout, re.MULTILINE), out


# The request path's cost against the peer's, measured as bench/README.md's in-process comparison
# does (`profile_api.py --compare-peer`: both apps in this one process on the same tables, ten
# interleaved batches per route, CPU time of the thread), so a change that makes every request
# dearer fails here rather than in the next run of bench_api.py.
# get: bench_api.py's target (a) is 0.6x and is met (five runs of 2026-12-06 at this size read
# 0.50-0.56x, median 0.53x, range 0.06); the limit is the target plus 0.02: today's runs stay 0.06
# under it (their range), and the month list with its second DynamoDB Query back (0.67-0.88x in four runs)
# is over it.
# post: target (b), at most 1.0x, is not met in one process (runs 0.97-1.17x, median 1.12x); the
# limit is that median plus the runs' range, rounded to 0.05 as before (1.30x). Checked: 0.5 ms of
# CPU added to every request takes post to 1.38x and fails; this machine's noise hides less than
# about 0.3 ms. Since each create also writes its history entry in its transaction, runs read
# 1.07-1.30x (median 1.24x, bench/README.md): the best of three stays under the limit, kept as it was.
# Since DynamoDB calls skip botocore's serialization and endpoint resolution (storage/lean_calls.py)
# five runs read 0.97-1.12x (median 1.09x, range 0.15): the limit was again median plus range, 1.25x.
# Since the HTTP exchange is framed in one pass (storage/lean_transport.py) target (b) is met in one
# process too: five runs of 2026-12-07 read 0.71-0.88x (median 0.80x, range 0.18), so the limit is
# the target plus 0.05, as for get; the worst of those runs stays 0.17 (their range) under it. Checked:
# 0.3 ms of CPU added to every request (a `before_request` spinning, not committed) read 1.05x, 0.5 ms
# 1.17x. get's runs read 0.31-0.35x.
PEER_RATIO_LIMITS = {"get": 0.62, "post": 1.05}
PEER_RATIO = re.compile(r"^service / peer, (get|post): service ([\d.]+) CPU ms per request, peer ([\d.]+) .*: "
                        r"([\d.]+)x \(batches", re.MULTILINE)


def measured_peer_ratios() -> tuple[dict[str, float], str]:
    result = run_bench("profile_api.py", ["--compare-peer", "--route", "both", "--requests", "600"])
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    ratios = {route: float(ratio) for route, _service, _peer, ratio in PEER_RATIO.findall(result.stdout)}
    assert sorted(ratios) == ["get", "post"], out
    return ratios, out


# Inside `make test` the comparison shares two cores with two other workers' tests: one measurement
# over its limit is measured again, up to PEER_RATIO_ATTEMPTS in all, and a route fails only when
# every measurement of it is over (a dearer request path is dearer in each; the noise is not).
PEER_RATIO_ATTEMPTS = 3


def test_request_path_costs_stay_within_their_ratio_of_the_peers(needs_dynamodb_local):
    best: dict[str, float] = {}
    outputs = []
    for _attempt in range(PEER_RATIO_ATTEMPTS):
        ratios, out = measured_peer_ratios()
        outputs.append(out)
        best = {route: min(ratio, best.get(route, ratio)) for route, ratio in ratios.items()}
        if all(best[route] <= limit for route, limit in PEER_RATIO_LIMITS.items()):
            break
    for route, limit in PEER_RATIO_LIMITS.items():
        assert best[route] <= limit, f"{route}: the service costs at best {best[route]}x the peer's CPU per " \
                                     f"request over {len(outputs)} measurements (limit {limit}x)\n" + "\n".join(outputs)
