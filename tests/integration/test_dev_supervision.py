"""`airline dev` watching its DynamoDB Local: killed, it is started again on the same port and data and the API
recovers by itself (answering a retryable error meanwhile); dying more often than allowed stops the dev server
with one line saying why."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from appsync.local.dynamodb.local import MAX_RESTARTS_ENV
from tests.integration.test_dev_command import AIRLINE, java_processes_using, start_dev, wait_for
from tests.integration.test_local_appsync import CREATE_FLIGHT, a_new_flight

# Generous bounds for a loaded 2-core machine (a JVM start takes seconds there), not performance claims.
RECOVERS_WITHIN = 90.0
STOPS_WITHIN = 90.0
GET_FLIGHT = "query($id: ID!) { getFlight(id: $id) { id flightNumber seatCapacity } }"


@dataclass
class DevServer:
    process: subprocess.Popen[str]
    lines: queue.Queue[str]
    output: list[str]
    url: str
    api_key: str
    state_dir: Path

    def java(self) -> list[int]:
        return java_processes_using(self.state_dir / "dynamodb")

    def post(self, query: str, variables: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        answer: dict[str, Any] = requests.post(
            self.url, json={"query": query, "variables": variables}, headers=headers, timeout=30
        ).json()
        return answer

    def kill_dynamodb_local(self) -> int:
        (pid,) = self.java()
        os.kill(pid, signal.SIGKILL)
        return pid


@contextmanager
def airline_dev(state_dir: Path, **environ: str) -> Iterator[DevServer]:
    process, lines = start_dev(state_dir, **environ)
    output: list[str] = []
    try:
        url = wait_for(lines, r"GraphQL\s+(http://127\.0\.0\.1:\d+/graphql)", output).group(1)
        api_key = wait_for(lines, r"API key\s+(\S+)", output).group(1)
        yield DevServer(process, lines, output, url, api_key, state_dir)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def admin_token(state_dir: Path) -> str:
    printed = subprocess.run(
        [str(AIRLINE), "token", "ops", "--state-dir", str(state_dir)], capture_output=True, text=True, check=True
    )
    return printed.stdout.strip()


def test_a_killed_dynamodb_local_is_restarted_on_the_same_data_and_the_api_recovers(tmp_path: Path) -> None:
    with airline_dev(tmp_path) as dev:
        # Given a flight an admin created through the API
        admin = {"Authorization": admin_token(tmp_path)}
        created = dev.post(CREATE_FLIGHT, {"input": a_new_flight()}, admin)
        flight_id = created["data"]["createFlight"]["id"]

        # When DynamoDB Local is killed
        killed = dev.kill_dynamodb_local()

        # Then every answer is the flight or a retryable error that says nothing of the failure's insides, and
        # the flight answers again within the bound, without anyone restarting anything
        api_key = {"x-api-key": dev.api_key}
        deadline = time.monotonic() + RECOVERS_WITHIN
        errors: list[dict[str, Any]] = []
        while True:
            answer = dev.post(GET_FLIGHT, {"id": flight_id}, api_key)
            if answer.get("data") and answer["data"]["getFlight"]:
                break
            errors.extend(answer["errors"])
            assert time.monotonic() < deadline, f"no answer within {RECOVERS_WITHIN} s: {errors[-3:]}"
            time.sleep(0.5)
        assert answer["data"]["getFlight"] == {"id": flight_id, "flightNumber": "AW9000", "seatCapacity": 100}
        # (a JVM takes seconds to start: the first query, sent at once, meets no DynamoDB Local)
        assert errors, "no query met the outage"
        for error in errors:
            assert error["errorType"] == "InternalFailure", error
            assert error["errorInfo"]["retryable"] is True, error
            assert "127.0.0.1" not in error["message"], error
            assert "onnect" not in error["message"], error

        # And the dev server said so on one line, and runs one new DynamoDB Local on the same data
        restarted = wait_for(
            dev.lines, r"airline dev: DynamoDB Local exited \((.*)\); started it again on (.*)", dev.output
        )
        assert restarted.group(1).startswith("exit code -9")
        assert str(tmp_path / "dynamodb") in restarted.group(2)
        (java,) = dev.java()
        assert java != killed

        # And Ctrl-C still stops it all
        dev.process.send_signal(signal.SIGINT)
        assert dev.process.wait(timeout=60) == 0
        assert dev.java() == []


def test_a_dynamodb_local_that_keeps_dying_stops_the_dev_server_with_one_line(tmp_path: Path) -> None:
    # Given airline dev allowed one restart of DynamoDB Local
    with airline_dev(tmp_path, **{MAX_RESTARTS_ENV: "1"}) as dev:
        # When DynamoDB Local is killed, restarted, and killed again
        dev.kill_dynamodb_local()
        wait_for(dev.lines, r"airline dev: DynamoDB Local exited .* started it again", dev.output)
        dev.kill_dynamodb_local()

        # Then the dev server stops by itself with one line saying why, and leaves no java process behind
        reason = wait_for(dev.lines, r"airline dev: (DynamoDB Local keeps exiting .*)", dev.output).group(1)
        assert "already restarted 1 time in the last 300 s" in reason
        assert dev.process.wait(timeout=STOPS_WITHIN) == 1
        assert dev.java() == []
        time.sleep(1)  # the reader thread hands over the last lines
        while not dev.lines.empty():
            dev.output.append(dev.lines.get_nowait())
        everything = "".join(dev.output)
        assert everything.count("keeps exiting") == 1
        assert "Traceback" not in everything
