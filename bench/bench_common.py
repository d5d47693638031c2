"""What every benchmark prints about the machine, and its percentile."""
from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path


def machine() -> str:
    """Cores, CPU model, Python and Java versions of this machine, on one line."""
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    except (OSError, IndexError):
        java = "no Java"
    return f"nproc {os.cpu_count()}, {cpu}, Python {platform.python_version()}, {java}"


def percentile(samples: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of the samples."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]
