"""The Lambda asset: resolvers/ plus the run-time dependencies the layer and the runtime do not bring."""

from __future__ import annotations

from pathlib import Path

from airline_infra.bundling import LocalBundling, bundled_requirements, pip_command

ROOT = Path(__file__).resolve().parents[2]


def test_the_asset_bundles_pyproject_dependencies_except_powertools_and_boto3() -> None:
    names = {spec.split(">")[0].split("<")[0].split("=")[0].split("[")[0] for spec in bundled_requirements()}
    assert names == {"pynamodb", "python-ulid", "cryptography"}


def test_dependencies_are_installed_as_wheels_for_the_lambda_platform() -> None:
    command = pip_command("/out", ["pynamodb>=6.1,<7"])
    assert command[command.index("--platform") + 1] == "manylinux2014_aarch64"
    assert "--only-binary=:all:" in command
    assert command[-1] == "pynamodb>=6.1,<7"


def test_local_bundling_without_dependencies_copies_the_resolvers_package(tmp_path: Path) -> None:
    # When bundled without dependencies (tests)
    assert LocalBundling(with_dependencies=False).try_bundle(str(tmp_path))
    # Then the handlers sit where the functions' handler paths point, and nothing else was installed
    assert (tmp_path / "resolvers" / "handlers" / "flights.py").is_file()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["resolvers"]
    assert not list(tmp_path.rglob("__pycache__"))


def test_the_readme_deploys_with_the_pinned_cdk_cli() -> None:
    readme = (ROOT / "README.md").read_text()
    deploy = readme.split("## Deploy to AWS", 1)[1].split("\n## ", 1)[0]
    assert "aws-cdk@2.1148.1" in deploy
    for output in ("GraphQLUrl", "RealtimeUrl", "UserPoolId", "UserPoolClientId", "ApiKey"):
        assert output in deploy
