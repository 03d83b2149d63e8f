"""What the benchmarks share: a percentile of samples, and a process's CPU time read from /proc."""

from __future__ import annotations

import os
from pathlib import Path


def percentile(values: list[float], share: float) -> float:
    """The sample at `share` (0 to 1) of the sorted values, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
