"""Benchmarks the local AppSync: how long `airline dev` takes to be ready (fresh state, then again), and the
listFlights round trip through the server (HTTP, auth, schema, handler, DynamoDB Local). Prints a table."""

from __future__ import annotations

import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from measure import percentile  # bench/measure.py

from appsync.local import environment
from appsync.local.dynamodb.local import DynamoDBLocal, free_port
from appsync.local.graphql.limits import Limits
from appsync.local.server import LocalAppSync, serve_in_thread
from resolvers import config

AIRLINE = Path(sys.prefix) / "bin" / "airline"
REQUESTS = 200
QUERY = """query($filter: FlightFilter!) { listFlights(filter: $filter, limit: 5) {
  items { id flightNumber departureDateTime ticketPrice ticketCurrency seatsAvailable } nextToken } }"""


def dev_ready_seconds(state_dir: Path) -> float:
    """Seconds from starting `airline dev` to the URL answering a query; then stops it with SIGINT."""
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if k not in {config.TABLE_NAME, config.DYNAMODB_ENDPOINT}}
    started = time.monotonic()
    process = subprocess.Popen(
        [str(AIRLINE), "dev", "--port", str(port), "--state-dir", str(state_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=environ,
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            match = re.search(r"API key\s+(\S+)", line)
            if match:
                answer = requests.post(
                    f"http://127.0.0.1:{port}/graphql",
                    json={
                        "query": QUERY,
                        "variables": {"filter": {"departureAirportCode": "LGW", "arrivalAirportCode": "MAD"}},
                    },
                    headers={"x-api-key": match.group(1)},
                    timeout=30,
                )
                answer.raise_for_status()
                return time.monotonic() - started
        raise RuntimeError("airline dev stopped before it was ready")
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)


def round_trips(count: int) -> list[float]:
    """Milliseconds of `count` listFlights requests, one after another over one keep-alive connection."""
    with tempfile.TemporaryDirectory() as state, DynamoDBLocal() as dynamodb:
        environment.configure(dynamodb.endpoint, Path(state))
        from appsync.local.dynamodb.seed import seed
        from resolvers.store.table import create_table_if_missing

        create_table_if_missing()
        seed()
        appsync = LocalAppSync(Path(state), limits=Limits())
        tomorrow = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()
        body = {
            "query": QUERY,
            "variables": {
                "filter": {"departureAirportCode": "LGW", "arrivalAirportCode": "MAD", "departureDate": tomorrow}
            },
        }
        with serve_in_thread(appsync) as url, requests.Session() as session:
            session.headers["x-api-key"] = appsync.credentials.api_key
            for _ in range(20):  # warm-up: imports, connections, the JVM's JIT
                session.post(url, json=body, timeout=30).raise_for_status()
            samples = []
            for _ in range(count):
                started = time.perf_counter()
                answer = session.post(url, json=body, timeout=30)
                samples.append((time.perf_counter() - started) * 1000)
                answer.raise_for_status()
                if "errors" in answer.json():
                    raise RuntimeError(answer.text)
        appsync.close()
        return samples


def main() -> None:
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    with tempfile.TemporaryDirectory() as state:
        cold = dev_ready_seconds(Path(state))
        warm = dev_ready_seconds(Path(state))
    samples = round_trips(REQUESTS)
    rows = [
        ("airline dev ready, fresh state (cold)", f"{cold:.1f} s"),
        ("airline dev ready, again (warm)", f"{warm:.1f} s"),
        (f"listFlights round trip, median of {REQUESTS}", f"{statistics.median(samples):.1f} ms"),
        ("listFlights round trip, p90", f"{percentile(samples, 0.90):.1f} ms"),
        ("listFlights round trip, p99", f"{percentile(samples, 0.99):.1f} ms"),
        ("listFlights round trip, min / max", f"{min(samples):.1f} / {max(samples):.1f} ms"),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  value")
    print(f"{'-' * width}  --------")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
