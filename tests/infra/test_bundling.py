"""The Lambda asset: resolvers/ plus the run-time dependencies the layer and the runtime do not bring."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from airline_infra import bundling
from airline_infra.bundling import COMPILE_COMMAND, LocalBundling, bundled_requirements, pip_command

ROOT = Path(__file__).resolve().parents[2]


def test_the_asset_bundles_pyproject_dependencies_except_powertools_and_boto3() -> None:
    names = {spec.split(">")[0].split("<")[0].split("=")[0].split("[")[0] for spec in bundled_requirements()}
    assert names == {"pynamodb", "python-ulid", "cryptography"}


def test_dependencies_are_installed_as_wheels_for_the_lambda_platform() -> None:
    command = pip_command("/out", ["pynamodb>=6.1,<7"])
    assert command[command.index("--platform") + 1] == "manylinux2014_aarch64"
    assert "--only-binary=:all:" in command
    # pip's bytecode would be this machine's interpreter's, not the runtime's
    assert "--no-compile" in command
    assert command[-1] == "pynamodb>=6.1,<7"


def test_local_bundling_without_dependencies_copies_the_resolvers_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a machine whose python is not the runtime's version
    monkeypatch.setattr(bundling, "PYTHON_VERSION", "3.0")
    # When bundled without dependencies (tests)
    assert LocalBundling(with_dependencies=False).try_bundle(str(tmp_path))
    # Then the handlers sit where the functions' handler paths point, and nothing else was installed
    assert (tmp_path / "resolvers" / "handlers" / "flights.py").is_file()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["resolvers"]
    # and no bytecode the runtime could not use
    assert not list(tmp_path.rglob("__pycache__"))


def test_the_asset_carries_bytecode_the_runtime_loads_without_reading_the_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a machine whose python is the runtime's version
    monkeypatch.setattr(bundling, "PYTHON_VERSION", f"{sys.version_info.major}.{sys.version_info.minor}")
    # When the asset is bundled
    assert LocalBundling(with_dependencies=False).try_bundle(str(tmp_path))
    # Then every module has its bytecode, marked to be loaded without checking the source (whose times the asset
    # does not keep, in a read-only /var/task)
    sources = sorted((tmp_path / "resolvers").rglob("*.py"))
    assert len(sources) > 40
    tag = sys.implementation.cache_tag
    for source in sources:
        compiled = source.parent / "__pycache__" / f"{source.stem}.{tag}.pyc"
        flags = int.from_bytes(compiled.read_bytes()[4:8], "little")
        assert flags == 0b01, f"{compiled} is not an unchecked-hash pyc"
    # And a handler is loaded from it: a source changed since (here broken) is not even read
    handler = tmp_path / "resolvers" / "handlers" / "flights.py"
    handler.write_text(handler.read_text() + "\nthis is not python\n")
    loaded = subprocess.run(
        [sys.executable, "-c", "import resolvers.handlers.flights as module; print(module.handler.__name__)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1", "AWS_REGION": "eu-west-1"},
    )
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == "handler"


def test_docker_bundling_compiles_with_the_runtime_image_interpreter() -> None:
    assert "--invalidation-mode unchecked-hash /asset-output" in COMPILE_COMMAND
    assert COMPILE_COMMAND.startswith("python -m compileall")


def test_the_readme_deploys_with_the_pinned_cdk_cli() -> None:
    readme = (ROOT / "README.md").read_text()
    deploy = readme.split("## Deploy to AWS", 1)[1].split("\n## ", 1)[0]
    assert "aws-cdk@2.1148.1" in deploy
    for output in ("GraphQLUrl", "RealtimeUrl", "UserPoolId", "UserPoolClientId", "ApiKey"):
        assert output in deploy
