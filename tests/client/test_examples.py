"""Each example under clients/examples/ runs against the local AppSync, configured as a partner would be (the
AIRLINE_* environment variables), and exits 0."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from airline_client import AirlineClient

from appsync.local.graphql.auth import LocalCredentials
from appsync.local.server import LocalAppSync
from resolvers.store import flights as flight_store
from tests.factories import a_flight

EXAMPLES = Path(__file__).parents[2] / "clients" / "examples"
PATIENCE = 60.0


def run_env(api_url: str, **credentials: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("AIRLINE_")}
    return {**env, "AIRLINE_API_URL": api_url, **credentials}


def example(name: str, *args: str) -> list[str]:
    return [sys.executable, str(EXAMPLES / name), *args]


def test_search_and_book_books_a_flight_and_waits_for_confirmation(api_url: str, credentials: LocalCredentials) -> None:
    env = run_env(api_url, AIRLINE_TOKEN=credentials.issue_token("olivia"))

    done = subprocess.run(
        example(
            "search_and_book.py",
            "--from",
            "LGW",
            "--to",
            "MAD",
            "--passenger",
            "Zoë",
            "O'Brien",
            "--passenger",
            "Li",
            "Wei",
        ),
        env=env,
        capture_output=True,
        text=True,
        timeout=PATIENCE,
    )

    assert done.returncode == 0, done.stderr
    assert "is CONFIRMED" in done.stdout
    assert "Zoë O'Brien, Li Wei: " in done.stdout


def test_hold_and_pay_holds_extends_pays_and_waits_for_confirmation(
    api_url: str, credentials: LocalCredentials
) -> None:
    env = run_env(api_url, AIRLINE_TOKEN=credentials.issue_token("olivia"))

    done = subprocess.run(
        example("hold_and_pay.py", "--from", "LGW", "--to", "MAD", "--passenger", "Li", "Wei"),
        env=env,
        capture_output=True,
        text=True,
        timeout=PATIENCE,
    )

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert " is HELD until " in lines[0]
    assert lines[1].startswith("Extended: held until ")
    assert "is CONFIRMED" in lines[-1]


def test_my_bookings_lists_bookings_and_loyalty(api_url: str, credentials: LocalCredentials) -> None:
    env = run_env(api_url, AIRLINE_TOKEN=credentials.issue_token("olivia"))

    done = subprocess.run(example("my_bookings.py"), env=env, capture_output=True, text=True, timeout=PATIENCE)

    assert done.returncode == 0, done.stderr
    assert "bookings" in done.stdout
    assert "Loyalty:" in done.stdout


def _until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline, "the example never subscribed"
        time.sleep(0.05)


def test_watch_delays_prints_a_delay_on_the_route(
    api_url: str, credentials: LocalCredentials, appsync: LocalAppSync, new_airport: Callable[[], str]
) -> None:
    # Given a flight on a fresh route and the example watching that route
    departure, arrival = new_airport(), new_airport()
    flight = a_flight(departure, arrival, flight_number="AW7007")
    flight_store.put_flight(flight)
    before = appsync.subscriptions.count("onFlightDelayed")
    env = run_env(api_url, AIRLINE_API_KEY=credentials.api_key)
    args = ("--from", departure, "--to", arrival, "--count", "1", "--timeout", str(PATIENCE))
    watcher = subprocess.Popen(example("watch_delays.py", *args), env=env, stdout=subprocess.PIPE, text=True)
    try:
        _until(lambda: appsync.subscriptions.count("onFlightDelayed") > before or watcher.poll() is not None)

        # When an admin delays the flight
        with AirlineClient(api_url, token=credentials.issue_token("ops", admin=True)) as admin:
            admin.delay_flight(flight.id, 40, "crew rest")
        out, _ = watcher.communicate(timeout=PATIENCE)
    finally:
        if watcher.poll() is None:
            watcher.kill()

    # Then the example printed it and ended
    assert watcher.returncode == 0
    assert f"AW7007 {departure}→{arrival} delayed 40 min (crew rest)" in out


def _readme_snippet() -> str:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme.split("## Partner client", 1)[1]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


def test_the_readme_snippet_books_a_flight_in_under_15_lines(api_url: str, credentials: LocalCredentials) -> None:
    snippet = _readme_snippet()
    env = run_env(api_url, AIRLINE_TOKEN=credentials.issue_token("olivia"))

    done = subprocess.run(
        [sys.executable, "-c", snippet.replace("http://127.0.0.1:4000/graphql", api_url)],
        env=env,
        capture_output=True,
        text=True,
        timeout=PATIENCE,
    )

    assert len(snippet.strip().splitlines()) < 15
    assert done.returncode == 0, done.stderr
    assert " CONFIRMED " in done.stdout


def test_the_distribution_ships_its_operations_and_needs_nothing_of_the_server(tmp_path: Path) -> None:
    import shutil
    import tarfile

    # Given a copy of clients/ (so the build leaves nothing in the tree), When its source distribution is built
    source = shutil.copytree(EXAMPLES.parent, tmp_path / "clients", ignore=shutil.ignore_patterns("*.egg-info"))
    build = f"from setuptools import build_meta; print(build_meta.build_sdist({str(tmp_path)!r}))"
    built = subprocess.run([sys.executable, "-c", build], cwd=source, capture_output=True, text=True, timeout=PATIENCE)

    # Then it holds the package with its operations and type marker, and no server code
    assert built.returncode == 0, built.stderr
    (sdist,) = tmp_path.glob("airline?client-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"airline_client/operations.graphql", "airline_client/py.typed", "airline_client/aio.py"} <= names
    assert not [name for name in names if name.startswith(("appsync/", "resolvers/"))]
    package = EXAMPLES.parent / "airline_client"
    imports_server = [
        p.name for p in package.glob("*.py") if "from appsync" in p.read_text() or "resolvers" in p.read_text()
    ]
    assert imports_server == []
