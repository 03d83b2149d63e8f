"""Cold start: import time of every Lambda of the stack beside its floor, measured in the same run.

Every function the CDK app deploys: the AppSync resolvers (appsync/fields.py FUNCTIONS), each task of the booking
saga and of the hold timer (resolvers/saga/definition.py TASKS, HOLD_TASKS), the event consumers and the scheduled
reconciler. Each is timed as a fresh interpreter importing its handler's module and looking the handler up (what a
Lambda cold start pays before the first call; CPU time of the process, so that other load on the machine counts
less), alternating with the others and with two floors, so that disk-cache and CPU noise hit all of them alike:

- the floor of a saga task, a consumer or the reconciler: botocore + PynamoDB + Powertools' Logger, what any function
  here needs;
- the floor of a resolver: that + Powertools' AppSync event handler.

"x floor" is the function's median over its floor's median: 1.00 means our own code costs nothing at import.

`--instructions` counts instead the instructions each import executes (valgrind's cachegrind, less an interpreter
that imports nothing; PYTHONHASHSEED fixed): the same count on every run whatever else the machine is doing, so a
change is measured in one run of each. Our own modules are compiled from source in both modes, as on Lambda (the
asset ships no bytecode, see README: Benchmarks).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from contextlib import suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from appsync.fields import FUNCTIONS  # noqa: E402
from resolvers.consumers.loyalty import __name__ as LOYALTY_CONSUMER  # noqa: E402
from resolvers.handlers.reconciler import __name__ as RECONCILER  # noqa: E402
from resolvers.saga.definition import HOLD_TASKS, TASKS  # noqa: E402

FLOOR = "floor: botocore + PynamoDB + Logger"
RESOLVER_FLOOR = "floor: + AppSync event handler"
BOTO3 = "import boto3"
# What each floor imports: the libraries a function of that kind cannot do without.
_FLOOR = "import pynamodb.models, pynamodb.attributes, pynamodb.transactions; from aws_lambda_powertools import Logger"
FLOOR_CODE = {
    FLOOR: _FLOOR,
    RESOLVER_FLOOR: (
        f"{_FLOOR}; from aws_lambda_powertools.event_handler import AppSyncResolver; "
        "from aws_lambda_powertools.event_handler.appsync import Router; "
        "from aws_lambda_powertools.utilities.data_classes import AppSyncResolverEvent"
    ),
    BOTO3: "import boto3",
}
# CPU time of the import (the process's own, not the wall clock): on a machine shared with other work, waiting for a
# core is not import cost, and on Lambda an import is CPU-bound.
PROBE = "import time; t = time.process_time(); {code}; print(time.process_time() - t)"


def functions() -> dict[str, tuple[str, str]]:
    """Every function of the stack: name -> (handler path, its floor)."""
    found: dict[str, tuple[str, str]] = {}
    for name, handler in sorted(FUNCTIONS.items()):
        found[f"resolver {name}"] = (handler, RESOLVER_FLOOR)
    for task in TASKS + HOLD_TASKS:
        found[f"saga {task.placeholder.removesuffix('FunctionArn')}"] = (task.handler, FLOOR)
    found["consumer loyalty"] = (f"{LOYALTY_CONSUMER}.handler", FLOOR)
    found["reconciler"] = (f"{RECONCILER}.handler", FLOOR)
    return found


def import_code(handler: str) -> str:
    module, _, attribute = handler.rpartition(".")
    return f"import importlib; getattr(importlib.import_module({module!r}), {attribute!r})"


def measure(code: str, env: dict[str, str], root: Path = ROOT) -> float:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(code=code)],
        capture_output=True,
        text=True,
        check=True,
        env={**env, "PYTHONPATH": str(root)},
        cwd=root,
    )
    return float(out.stdout.strip().splitlines()[-1])


def count_instructions(code: str, env: dict[str, str], root: Path = ROOT) -> int:
    """Instructions a fresh interpreter executes running `code`, counted by valgrind's cachegrind."""
    out = subprocess.run(
        [
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
            sys.executable,
            "-c",
            code,
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**env, "PYTHONPATH": str(root), "PYTHONHASHSEED": "0"},
        cwd=root,
    )
    found = re.search(r"I\s+refs:\s+([\d,]+)", out.stderr)
    if found is None:
        raise RuntimeError(f"valgrind printed no instruction count: {out.stderr[-500:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another checkout of this repository (e.g. `git archive <commit>` unpacked): its handlers are timed in "
        "the same alternation and shown as x floor before",
    )
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count the instructions of each import once (valgrind) instead of timing it --runs times",
    )
    parser.add_argument(
        "--bytecode",
        action="store_true",
        help="load our modules from bytecode, compiled as the CDK app compiles the asset when the machine's python "
        "is the runtime's version (infra/airline_infra/bundling.py)",
    )
    args = parser.parse_args()
    if args.instructions and shutil.which("valgrind") is None:
        parser.error("--instructions needs valgrind (apt-get install valgrind)")
    # As on AWS: tracing on, a service name, no DynamoDB endpoint override.
    env = {
        **os.environ,
        "POWERTOOLS_TRACE_DISABLED": "false",
        "POWERTOOLS_SERVICE_NAME": "airline",
        "AWS_REGION": "eu-west-1",
        # Our code compiled from source at every import, as from the asset; the libraries keep their bytecode.
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.pop("DYNAMODB_ENDPOINT", None)
    root = ROOT
    if args.bytecode:
        sys.path.insert(0, str(ROOT / "infra"))
        os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20,21")  # the CDK's warning, not ours
        from airline_infra.bundling import write_bytecode

        root = Path(tempfile.mkdtemp(prefix="asset-"))
        shutil.copytree(ROOT / "resolvers", root / "resolvers", ignore=shutil.ignore_patterns("__pycache__"))
        write_bytecode(root)
    targets = functions()
    # Functions running the same handler module import the same code: timed once, shown for each.
    modules: dict[str, str] = {}
    for handler, _ in targets.values():
        # The module's first handler (an older baseline may lack the later ones).
        modules.setdefault(handler.rpartition(".")[0], handler)
    probes = dict(FLOOR_CODE) | {module: import_code(handler) for module, handler in modules.items()}
    samples: dict[str, list[float]] = {name: [] for name in probes}
    before: dict[str, list[float]] = {module: [] for module in modules} if args.baseline else {}
    if args.instructions:
        # Instructions less those of an interpreter that imports nothing, in billions: the table prints x 1000, as it
        # prints seconds in ms.
        start_up = count_instructions("pass", env)
        for name, code in probes.items():
            samples[name].append((count_instructions(code, env, root) - start_up) / 1e9)
            if name in before:
                with suppress(subprocess.CalledProcessError):  # an older checkout may predate a function
                    before[name].append((count_instructions(code, env, args.baseline.resolve()) - start_up) / 1e9)
    else:
        for _ in range(args.runs):
            for name, code in probes.items():
                samples[name].append(measure(code, env, root))
                if name in before:
                    with suppress(subprocess.CalledProcessError):
                        before[name].append(measure(code, env, args.baseline.resolve()))
    median = {name: statistics.median(values) for name, values in samples.items()}
    before_median = {name: statistics.median(values) for name, values in before.items() if values}
    median |= {name: median[handler.rpartition(".")[0]] for name, (handler, _) in targets.items()}
    loaded = ", our modules from bytecode" if args.bytecode else ""
    what = (
        "Instructions of the import (valgrind), millions"
        if args.instructions
        else f"Import CPU time, median of {args.runs} alternating fresh interpreters"
    )
    print(f"{what}{loaded}, Python {sys.version.split()[0]}, {platform.machine()}, {os.cpu_count()} CPUs\n")
    extra = " x floor before |" if before else ""
    unit = "M instructions" if args.instructions else "median ms"
    print(f"| function | handler | {unit} | floor | x floor | x `import boto3` |{extra}")
    print("|---|---|---:|---:|---:|---:|" + ("---:|" if before else ""))
    for name in (BOTO3, FLOOR, RESOLVER_FLOOR):
        blank = " |" if before else ""
        print(f"| {name} | | {median[name] * 1000:.0f} | | | {median[name] / median[BOTO3]:.2f} |{blank}")
    for name, (handler, floor) in targets.items():
        ms, floor_ms = median[name] * 1000, median[floor] * 1000
        module = handler.rpartition(".")[0]
        then = f" {before_median[module] * 1000 / floor_ms:.2f} |" if module in before_median else ""
        if before and module not in before_median:
            then = " n/a |"
        print(
            f"| {name} | `{handler}` | {ms:.0f} | {floor_ms:.0f} | {ms / floor_ms:.2f} | "
            f"{median[name] / median[BOTO3]:.2f} |{then}"
        )


if __name__ == "__main__":
    main()
