"""`airline dev` as a developer runs it: it serves the API, and Ctrl-C stops it and the DynamoDB Local it started."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import boto3
import pytest
import requests
from gql import Client, GraphQLRequest, gql
from gql.transport.requests import RequestsHTTPTransport

from appsync.local.dynamodb.local import free_port
from resolvers import config

AIRLINE = Path(sys.prefix) / "bin" / "airline"
READY_WITHIN = 180  # seconds; a generous bound for a loaded machine, not a performance claim


def java_processes_using(path: Path) -> list[int]:
    """Ids of running java processes whose command line names `path` (DynamoDB Local's data folder)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "DynamoDBLocal.jar" in command and str(path) in command:
            pids.append(int(entry.name))
    return pids


def read_lines(process: subprocess.Popen[str], lines: queue.Queue[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.put(line)


def start_dev(
    state_dir: Path, port: int | None = None, tls_port: int | None = None, **environ: str
) -> tuple[subprocess.Popen[str], queue.Queue[str]]:
    """`airline dev` started as a developer starts it, in a shell environment without the test session's table and
    endpoint (plus `environ`); its output lines arrive on the queue, for wait_for."""
    env = {k: v for k, v in os.environ.items() if k not in {config.TABLE_NAME, config.DYNAMODB_ENDPOINT}}
    port, tls_port = port or free_port(), tls_port or free_port()
    process = subprocess.Popen(
        [str(AIRLINE), "dev", "--port", str(port), "--tls-port", str(tls_port), "--state-dir", str(state_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**env, **environ},
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=read_lines, args=(process, lines), daemon=True).start()
    return process, lines


def wait_for(lines: queue.Queue[str], pattern: str, output: list[str]) -> re.Match[str]:
    deadline = time.monotonic() + READY_WITHIN
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            continue
        output.append(line)
        match = re.search(pattern, line)
        if match:
            return match
    raise AssertionError(f"no line matching {pattern!r} in:\n{''.join(output)}")


def test_dev_serves_the_api_and_ctrl_c_stops_everything_it_started(tmp_path: Path) -> None:
    # Given a fresh state folder and a free port, and a shell environment without the test session's settings
    port, tls_port = free_port(), free_port()

    # When a developer runs `airline dev` and it says it is ready
    process, lines = start_dev(tmp_path, port, tls_port)
    output: list[str] = []
    try:
        web_app = wait_for(lines, r"Web app\s+(\S+)", output).group(1)
        url = wait_for(lines, rf"http://127\.0\.0\.1:{port}/graphql", output).group(0)
        tls_url = wait_for(lines, r"GraphQL \(TLS\)\s+(https://127\.0\.0\.1:\d+/graphql)", output).group(1)
        api_key = wait_for(lines, r"API key\s+(\S+)", output).group(1)
        sign_in_url = wait_for(lines, r"Sign-in\s+(\S+)", output).group(1)
        password = wait_for(lines, r"Users\s+alice, bob, ops \(Admins\)\s+password: (\S+)", output).group(1)
        java = java_processes_using(tmp_path / "dynamodb")

        # Then the printed URL answers a query with the printed API key, from flights it seeded
        client = Client(transport=RequestsHTTPTransport(url=url, headers={"x-api-key": api_key}, timeout=30))
        route = '{departureAirportCode: "LGW", arrivalAirportCode: "MAD"}'
        query = f"{{ listFlights(filter: {route}, limit: 3) {{ items {{ id }} }} }}"
        result = client.execute(GraphQLRequest(gql(query)))
        assert len(result["listFlights"]["items"]) == 3
        assert len(java) == 1

        # And the printed TLS URL answers the same query to a client that trusts the CA kept in the state folder
        assert tls_url == f"https://127.0.0.1:{tls_port}/graphql"
        answer = requests.post(
            tls_url,
            json={"query": query},
            headers={"x-api-key": api_key},
            verify=str(tmp_path / "tls" / "ca.pem"),
            timeout=30,
        )
        assert len(answer.json()["data"]["listFlights"]["items"]) == 3

        # And the Flight App is served at the printed TLS root (make test builds web/dist before the tests)
        assert web_app == f"https://127.0.0.1:{tls_port}/"
        page = requests.get(web_app, verify=str(tmp_path / "tls" / "ca.pem"), timeout=30)
        assert "<title>Flight App</title>" in page.text

        # And the demo admin signs in with the printed password at the printed sign-in URL, and so does
        # `airline token` in another shell: both tokens are the server's, for the sub it prints
        idp = boto3.client(
            "cognito-idp",
            endpoint_url=sign_in_url,
            verify=str(tmp_path / "tls" / "ca.pem"),
            region_name="eu-west-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
        parameters = {"USERNAME": "ops", "PASSWORD": password}
        signed_in = idp.initiate_auth(
            ClientId="airline-local", AuthFlow="USER_PASSWORD_AUTH", AuthParameters=parameters
        )
        printed = subprocess.run(
            [str(AIRLINE), "token", "ops", "--state-dir", str(tmp_path)], capture_output=True, text=True, check=True
        )
        admin_only = '{ getLoyalty(customer: "another-customer") { customer } }'
        for token in (signed_in["AuthenticationResult"]["IdToken"], printed.stdout.strip()):
            answer = requests.post(url, json={"query": query}, headers={"Authorization": token}, timeout=30)
            assert len(answer.json()["data"]["listFlights"]["items"]) == 3
            admin = requests.post(url, json={"query": admin_only}, headers={"Authorization": token}, timeout=30)
            assert admin.json()["data"]["getLoyalty"]["customer"] == "another-customer", admin.text
        sub = idp.get_user(AccessToken=signed_in["AuthenticationResult"]["AccessToken"])["UserAttributes"][0]["Value"]
        assert printed.stderr.strip() == f"sub {sub}"

        # And Ctrl-C stops the server and its DynamoDB Local, leaving no java process behind
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0
        assert java_processes_using(tmp_path / "dynamodb") == []
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def run_dev(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(AIRLINE), "dev", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=READY_WITHIN,
    )


@pytest.mark.parametrize(("option", "make_variable"), [("--port", "PORT"), ("--tls-port", "TLS_PORT")])
def test_a_busy_port_is_one_line_naming_the_option_that_changes_it(
    tmp_path: Path, option: str, make_variable: str
) -> None:
    # Given something already listening on the port airline dev is asked to use
    ports = {"--port": free_port(), "--tls-port": free_port()}
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", ports[option]))
        busy.listen()

        # When a developer runs airline dev
        done = run_dev(*(str(part) for pair in ports.items() for part in pair), "--state-dir", str(tmp_path))

    # Then it fails at once with one line saying what to do, and starts nothing
    assert done.returncode != 0
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    assert f"port {ports[option]} on 127.0.0.1 is in use" in done.stderr
    suggestion = re.search(rf"{option} (\d+) \(make dev {make_variable}=(\d+)\)", done.stderr)
    assert suggestion is not None, done.stderr
    assert suggestion.group(1) == suggestion.group(2)
    assert int(suggestion.group(1)) not in ports.values()
    assert not (tmp_path / "dynamodb").exists()


def test_missing_java_is_one_line_saying_what_to_install(tmp_path: Path) -> None:
    # Given a shell where java is not on PATH
    environ = {**os.environ, "PATH": str(tmp_path)}

    # When a developer runs airline dev
    done = run_dev(
        "--port", str(free_port()), "--tls-port", str(free_port()), "--state-dir", str(tmp_path), env=environ
    )

    # Then it fails with one line naming what is missing, and no traceback
    assert done.returncode != 0
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("airline dev: java is not on PATH: DynamoDB Local needs Java 17 or newer")
    assert "Traceback" not in done.stdout + done.stderr
