"""The Lambda code asset: the resolvers/ package plus its run-time dependencies, bundled without Docker.

The asset carries bytecode when it can: compiled by an interpreter of the runtime's version (this machine's python
when it is that version, else the Docker bundling image), with unchecked hashes, so that a cold start loads it from
read-only `/var/task` instead of compiling every module (about half of our code's import cost, README: Benchmarks).
Bytecode of another version would only be dead weight: none is shipped then, and the functions compile as before.
"""

from __future__ import annotations

import compileall
import py_compile
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import jsii
from aws_cdk import AssetHashType, BundlingOptions, ILocalBundling
from aws_cdk import aws_lambda as lambda_
from packaging.requirements import Requirement

from .settings import (
    PIP_PLATFORM,
    PROVIDED_DEPENDENCIES,
    PYPROJECT,
    PYTHON_VERSION,
    RESOLVERS_DIR,
    RUNTIME,
)

_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc")


def bundled_requirements(pyproject: Path = PYPROJECT) -> list[str]:
    """The project's run-time dependencies (pyproject.toml), less those the layer and the runtime provide."""
    declared = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    return [spec for spec in declared if Requirement(spec).name not in PROVIDED_DEPENDENCIES]


def pip_command(target: str, requirements: list[str]) -> list[str]:
    # --no-deps: pynamodb's only dependency, botocore, is in the runtime; python-ulid has none. --no-compile: the
    # bytecode pip would write is this machine's interpreter's; compile_bytecode writes the runtime's, when it can.
    return [
        "pip",
        "install",
        "--quiet",
        "--no-deps",
        "--no-compile",
        "--target",
        target,
        "--platform",
        PIP_PLATFORM,
        "--implementation",
        "cp",
        "--python-version",
        PYTHON_VERSION,
        "--only-binary=:all:",
        *requirements,
    ]


def write_bytecode(directory: Path) -> None:
    """Compile every module under `directory` with this interpreter, to bytecode loaded without checking the source
    (the asset does not keep its files' times, and /var/task is read-only)."""
    if not compileall.compile_dir(directory, quiet=1, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH):
        raise RuntimeError(f"Could not compile the Lambda asset in {directory}")


def compile_bytecode(directory: Path) -> bool:
    """The asset's bytecode, when this interpreter is of the runtime's version; False (and none) when it is not:
    the runtime could not use it."""
    if f"{sys.version_info.major}.{sys.version_info.minor}" != PYTHON_VERSION:
        return False
    write_bytecode(directory)
    return True


# The same in the Docker bundling image (the runtime's own interpreter).
COMPILE_COMMAND = "python -m compileall -q --invalidation-mode unchecked-hash /asset-output"


@jsii.implements(ILocalBundling)
class LocalBundling:
    """Bundles on this machine: copies resolvers/ and, when `with_dependencies`, pip-installs the wheels
    built for the Lambda platform (so any machine produces the same arm64 asset); then compiles it all to bytecode
    when this machine's python is the runtime's version."""

    def __init__(self, with_dependencies: bool) -> None:
        self.with_dependencies = with_dependencies

    def try_bundle(self, output_dir: str, *_args: object, **_options: object) -> bool:
        shutil.copytree(RESOLVERS_DIR, Path(output_dir) / RESOLVERS_DIR.name, ignore=_IGNORED, dirs_exist_ok=True)
        if self.with_dependencies:
            command = pip_command(output_dir, bundled_requirements())
            subprocess.run([sys.executable, "-m", *command], check=True)  # noqa: S603 (our own fixed arguments)
        compile_bytecode(Path(output_dir))
        return True


def lambda_code(with_dependencies: bool) -> lambda_.Code:
    """The one asset every function runs. Docker bundling is only the fallback where local bundling fails."""
    return lambda_.Code.from_asset(
        str(RESOLVERS_DIR),
        exclude=["**/__pycache__", "*.pyc"],
        # Hash what was bundled, so an asset staged without dependencies is never reused by a real deploy.
        asset_hash_type=AssetHashType.OUTPUT,
        bundling=BundlingOptions(
            image=RUNTIME.bundling_image,
            local=LocalBundling(with_dependencies),
            command=[
                "bash",
                "-c",
                shlex.join(pip_command("/asset-output", bundled_requirements()))
                + " && cp -r . /asset-output/resolvers && "
                + COMPILE_COMMAND,
            ],
        ),
    )
