"""`airline user add` and `airline token`: users kept in the state dir, tokens the local AppSync verifies, the
user's sub on stderr; concurrent writers keep every user."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from appsync.local.cli import main
from appsync.local.cognito.pool import DEMO_PASSWORD, CognitoError, UserPool, password_matches
from appsync.local.graphql.auth import LocalCredentials, user_sub


def test_user_add_then_token_signs_the_users_groups_and_prints_its_sub(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an admin added from the command line
    assert main(["user", "add", "zoe", "--admin", "--state-dir", str(tmp_path)]) == 0
    capsys.readouterr()
    # When a token is printed for her (without --admin)
    assert main(["token", "zoe", "--state-dir", str(tmp_path)]) == 0
    printed = capsys.readouterr()
    # Then it is one line on stdout, her sub is on stderr, and the token carries the pool's groups
    claims = LocalCredentials(tmp_path).verify_token(printed.out.strip())
    assert printed.err.strip() == f"sub {user_sub('zoe')}"
    assert claims["sub"] == user_sub("zoe")
    assert claims["cognito:groups"] == ["Admins"]
    user = UserPool(tmp_path, LocalCredentials(tmp_path)).store.user("zoe")
    assert user is not None
    assert password_matches(user["password"], DEMO_PASSWORD)
    assert DEMO_PASSWORD not in (tmp_path / "cognito-users.json").read_text()


def test_user_add_refuses_an_existing_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["user", "add", "zoe", "--state-dir", str(tmp_path)]) == 0
    assert main(["user", "add", "zoe", "--state-dir", str(tmp_path)]) == 1
    assert "UsernameExistsException" in capsys.readouterr().err


def test_demo_users_keep_the_subs_tokens_had_before_the_pool(tmp_path: Path) -> None:
    pool = UserPool(tmp_path, LocalCredentials(tmp_path))
    pool.ensure_demo_users()
    pool.ensure_demo_users()
    users = pool.store.read()["users"]
    assert {name: user["sub"] for name, user in users.items()} == {n: user_sub(n) for n in ("alice", "bob", "ops")}
    assert users["ops"]["groups"] == ["Admins"]


def test_a_password_against_the_policy_is_refused(tmp_path: Path) -> None:
    pool = UserPool(tmp_path, LocalCredentials(tmp_path))
    for weak in ("Short#1a", "alllowercase#123", "ALLUPPERCASE#123", "NoDigitsHere#abc", "NoSymbols1234abc"):
        with pytest.raises(CognitoError) as refused:
            pool.add_user("weak", weak)
        assert refused.value.type == "InvalidPasswordException"


def test_concurrent_writers_in_threads_and_processes_keep_every_user(tmp_path: Path) -> None:
    # Given the server's threads and two `airline user add` processes writing the same file at once
    pool = UserPool(tmp_path, LocalCredentials(tmp_path))
    command = [sys.executable, "-m", "appsync.local.cli", "user", "add", "--state-dir", str(tmp_path)]
    processes = [subprocess.Popen([*command, f"cli-{n}"], stdout=subprocess.DEVNULL) for n in range(2)]
    with ThreadPoolExecutor(8) as threads:
        list(threads.map(lambda n: pool.add_user(f"thread-{n}", DEMO_PASSWORD), range(16)))
    assert [process.wait(timeout=60) for process in processes] == [0, 0]
    # Then every user is there
    names = set(pool.store.read()["users"])
    assert names == {f"thread-{n}" for n in range(16)} | {"cli-0", "cli-1"}
