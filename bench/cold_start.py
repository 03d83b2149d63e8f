"""Cold start: import time of each Lambda handler module beside a bare `import boto3`, median of alternating runs.

Each measurement is a fresh interpreter (what a Lambda cold start pays for imports), run in turn with the
others so that disk-cache and CPU noise hit all of them alike. Target: no handler above 1.3x `import boto3`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from appsync.fields import FUNCTIONS  # noqa: E402

TARGET = 1.3
PROBE = "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"


def measure(module: str, env: dict[str, str]) -> float:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=ROOT,
    )
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    # As on AWS: tracing on (Powertools patches botocore at import), no DynamoDB endpoint override.
    env = {**os.environ, "POWERTOOLS_TRACE_DISABLED": "false", "AWS_REGION": "eu-west-1"}
    modules = {"boto3 (baseline)": "boto3"} | {
        name: path.rpartition(".")[0] for name, path in sorted(FUNCTIONS.items())
    }
    samples: dict[str, list[float]] = {name: [] for name in modules}
    for _ in range(args.runs):
        for name, module in modules.items():
            samples[name].append(measure(module, env))
    baseline = statistics.median(samples["boto3 (baseline)"])
    print(f"Import time, median of {args.runs} alternating runs, Python {sys.version.split()[0]}\n")
    print("| module | median ms | p90 ms | x import boto3 | within 1.3x |")
    print("|---|---:|---:|---:|---|")
    for name, module in modules.items():
        values = sorted(samples[name])
        median = statistics.median(values)
        p90 = values[int(0.9 * (len(values) - 1))]
        ratio = median / baseline
        ok = "baseline" if module == "boto3" else ("yes" if ratio <= TARGET else "NO")
        print(f"| {name} (`{module}`) | {median * 1000:.0f} | {p90 * 1000:.0f} | {ratio:.2f} | {ok} |")


if __name__ == "__main__":
    main()
