"""The benchmarks still run end to end (tiny sizes; their figures are not judged here)."""
from __future__ import annotations

import subprocess
import sys

import pytest

from config import PROJECT_DIR

RUNS = {
    "bench_api.py": (["--clients", "2", "--requests", "20", "--rounds", "1", "--small", "100", "--big", "400",
                      "--latency-samples", "10"],
                     ["GET month API / ceiling", "POST event API / ceiling", "ratio 400 / 100:"]),
    "bench_migration.py": (["--sizes", "300", "--rounds", "1", "--naive-sample", "100"],
                           ["batch_writer", "medians of 1 interleaved rounds"]),
    "bench_fanout.py": (["--sizes", "1,5", "--rounds", "2", "--modes", "threading"],
                        ["   5 | threading |"]),
}


@pytest.mark.parametrize("script", sorted(RUNS))
def test_benchmark_runs_and_prints_its_ratios(script, request):
    if script != "bench_fanout.py":  # the others measure against DynamoDB Local
        request.getfixturevalue("needs_dynamodb_local")
    args, expected = RUNS[script]
    result = subprocess.run([sys.executable, str(PROJECT_DIR / "bench" / script), *args],
                            capture_output=True, text=True, timeout=600, cwd=PROJECT_DIR)
    assert result.stdout.startswith("machine: nproc"), result.stdout + result.stderr
    for line in expected:
        assert line in result.stdout, result.stdout + result.stderr
