"""Synthesizes the CDK app once per session, the way a user does (`python infra/app.py`), without dependencies
bundled (fast, offline); the tests read the template, the cdk-nag report and the assembly's annotations."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
STACK = "Airline"

# The infra package is an app directory, not an installed package: make it importable for unit-level tests.
sys.path.insert(0, str(INFRA))
# jsii warns on every start when Node is older than it likes; the warning is not what these tests are about.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20,21")


@dataclass(frozen=True)
class Synthesized:
    outdir: Path
    seconds: float
    template: dict[str, Any]
    manifest: dict[str, Any]
    nag_report: list[dict[str, str]]

    def resources(self, type_name: str) -> dict[str, dict[str, Any]]:
        return {key: res for key, res in self.template["Resources"].items() if res["Type"] == type_name}

    def one(self, type_name: str) -> dict[str, Any]:
        found = list(self.resources(type_name).values())
        assert len(found) == 1, f"expected one {type_name}, found {len(found)}"
        return found[0]["Properties"]

    def annotations(self, kind: str) -> list[tuple[str, str]]:
        """(construct path, message) of every `aws:cdk:<kind>` annotation (error, warning, info) in the assembly."""
        found = []
        for artifact in self.manifest["artifacts"].values():
            for path, entries in (artifact.get("metadata") or {}).items():
                found += [(path, str(entry["data"])) for entry in entries if entry["type"] == f"aws:cdk:{kind}"]
        return found


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    return synthesize(tmp_path_factory, {})


@pytest.fixture(scope="session")
def synthesized_express(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """The app synthesized with `-c sagaWorkflow=EXPRESS` (and hold durations of 10 minutes, at most 2 hours)."""
    return synthesize(
        tmp_path_factory, {"sagaWorkflow": "EXPRESS", "holdDurationSeconds": "600", "holdMaxSeconds": 7200}
    )


def synthesize(tmp_path_factory: pytest.TempPathFactory, context: dict[str, Any]) -> Synthesized:
    outdir = tmp_path_factory.mktemp("cdk.out")
    env = {
        **os.environ,
        "CDK_OUTDIR": str(outdir),
        # What `cdk synth -c bundleDependencies=false` passes: the asset holds resolvers/ only, no pip install.
        "CDK_CONTEXT_JSON": json.dumps({"bundleDependencies": False, **context}),
    }
    started = time.perf_counter()
    subprocess.run([sys.executable, str(INFRA / "app.py")], cwd=ROOT, env=env, check=True, capture_output=True)
    seconds = time.perf_counter() - started
    with next(outdir.glob("AwsSolutions-*NagReport.csv")).open() as report:
        nag_report = list(csv.DictReader(report))
    return Synthesized(
        outdir=outdir,
        seconds=seconds,
        template=json.loads((outdir / f"{STACK}.template.json").read_text()),
        manifest=json.loads((outdir / "manifest.json").read_text()),
        nag_report=nag_report,
    )


@pytest.fixture(scope="session")
def template(synthesized: Synthesized) -> dict[str, Any]:
    return synthesized.template


def function_by_handler(synthesized: Synthesized, handler: str) -> tuple[str, dict[str, Any]]:
    """(logical id, properties) of the one function running `handler`."""
    (found,) = [
        (key, res["Properties"])
        for key, res in synthesized.resources("AWS::Lambda::Function").items()
        if res["Properties"].get("Handler") == handler
    ]
    return found


def policy_statements(synthesized: Synthesized, role_key: str) -> list[dict[str, Any]]:
    statements = []
    for policy in synthesized.resources("AWS::IAM::Policy").values():
        if {"Ref": role_key} in policy["Properties"]["Roles"]:
            statements += policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


def actions_of(statement: dict[str, Any]) -> list[str]:
    actions = statement["Action"]
    return [actions] if isinstance(actions, str) else actions


def granted(synthesized: Synthesized, role_key: str) -> dict[str, list[Any]]:
    """Action -> the resources it is granted on, over every policy of the role."""
    found: dict[str, list[Any]] = {}
    for statement in policy_statements(synthesized, role_key):
        assert statement["Effect"] == "Allow"
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        for action in actions_of(statement):
            found.setdefault(action, []).extend(resources)
    return found


def alarms(synthesized: Synthesized) -> list[dict[str, Any]]:
    return [alarm["Properties"] for alarm in synthesized.resources("AWS::CloudWatch::Alarm").values()]


def metric_names(alarm: dict[str, Any]) -> set[str]:
    if "MetricName" in alarm:
        return {alarm["MetricName"]}
    return {query["MetricStat"]["Metric"]["MetricName"] for query in alarm["Metrics"] if "MetricStat" in query}


def alarm_dimensions(alarm: dict[str, Any]) -> list[dict[str, Any]]:
    return alarm.get("Dimensions") or [
        d for q in alarm.get("Metrics", []) if "MetricStat" in q for d in q["MetricStat"]["Metric"]["Dimensions"]
    ]
