"""Measures what 100 subscriptions on one real-time connection that never reads cost the local AppSync: its
resident memory and what Python objects hold, before they subscribe, after 500 flight delays reach them, and after
the client is gone (server and client in one process: the client is a plain socket, so the growth is the server's).
One delay goes over HTTP; the other 499 are its result with a new delayMinutes, handed to the subscription broker as
delayFlight hands it, 2 ms apart: fast enough to measure the backlog before uvicorn's WebSocket ping (20 s, then
20 s for the pong) drops a client that reads nothing. Also says whether the server dropped the connection."""

from __future__ import annotations

import gc
import json
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
sys.path.insert(0, str(ROOT))

from gql import Client, GraphQLRequest, gql  # noqa: E402
from gql.transport.requests import RequestsHTTPTransport  # noqa: E402

from appsync.local import environment  # noqa: E402
from appsync.local.dynamodb.local import DynamoDBLocal  # noqa: E402
from appsync.local.graphql.limits import Limits  # noqa: E402
from appsync.local.server import LocalAppSync, serve_in_thread  # noqa: E402
from tests.integration.never_reading import NeverReadingClient  # noqa: E402

SUBSCRIPTIONS = 100
EVENTS = 500
ON_DELAY = "subscription($flightId: ID) { onFlightDelayed(flightId: $flightId) { flightId delayMinutes reason } }"
DELAY = "mutation($input: DelayFlightInput!) { delayFlight(input: $input) { flightId delayMinutes } }"
FLIGHTS = '{ listFlights(filter: {departureAirportCode: "LGW", arrivalAirportCode: "MAD"}, limit: 1) { items { id } } }'


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def settle() -> tuple[float, float]:
    """Resident memory, and what Python objects still hold (freed memory may stay resident), in MiB."""
    gc.collect()
    time.sleep(1)
    gc.collect()
    return rss_mib(), tracemalloc.get_traced_memory()[0] / 2**20


def main() -> None:
    with tempfile.TemporaryDirectory() as state, DynamoDBLocal() as dynamodb:
        environment.configure(dynamodb.endpoint, Path(state))
        from appsync.local.dynamodb.seed import seed
        from resolvers.store.table import create_table_if_missing

        create_table_if_missing()
        seed(days=3)
        appsync = LocalAppSync(Path(state), limits=Limits())
        with serve_in_thread(appsync) as url:
            key = {"x-api-key": appsync.credentials.api_key}
            admin = {"Authorization": appsync.credentials.issue_token("ops", admin=True)}
            reader = Client(transport=RequestsHTTPTransport(url=url, headers=key, timeout=30))
            writer = Client(transport=RequestsHTTPTransport(url=url, headers=admin, timeout=30))
            flight_id = reader.execute(GraphQLRequest(gql(FLIGHTS)))["listFlights"]["items"][0]["id"]
            variables = {"input": {"flightId": flight_id, "delayMinutes": 1, "reason": "Late crew"}}
            for _ in range(20):  # warm up: the same requests, nobody subscribed
                writer.execute(GraphQLRequest(gql(DELAY), variable_values=variables))
            tracemalloc.start()
            before = settle()

            client = NeverReadingClient(url.replace("http://", "ws://") + "/realtime", key)
            client.send({"type": "connection_init"})
            client.read_until("connection_ack")
            data = json.dumps({"query": ON_DELAY, "variables": {"flightId": flight_id}})
            for index in range(SUBSCRIPTIONS):
                client.send(
                    {"id": str(index), "type": "start", "payload": {"data": data, "extensions": {"authorization": key}}}
                )
            client.read_until("start_ack", SUBSCRIPTIONS)
            subscribed = settle()

            connections = getattr(getattr(appsync, "realtime", None), "connections", None)
            dropped = "no"
            delayed = writer.execute(GraphQLRequest(gql(DELAY), variable_values=variables))["delayFlight"]
            for sent in range(2, EVENTS + 1):
                appsync.subscriptions.publish("delayFlight", {**delayed, "delayMinutes": sent, "reason": "Late crew"})
                time.sleep(0.002)
                if dropped == "no" and connections is not None and not connections:
                    dropped = f"after {sent} delays"
            after_events = settle()
            left = len(appsync.subscriptions)

            client.sock.close()
            deadline = time.monotonic() + 30
            while len(appsync.subscriptions) and time.monotonic() < deadline:
                time.sleep(0.1)
            after_close = settle()
        appsync.close()

    print(f"| {SUBSCRIPTIONS} subscriptions that never read, {EVENTS} delays | RSS MiB | vs before | held by Python |")
    print("|---|---:|---:|---:|")
    for label, value in [
        ("before subscribing", before),
        ("subscribed", subscribed),
        (f"after {EVENTS} delays (dropped by the server: {dropped}; subscriptions left: {left})", after_events),
        ("after the client closed its socket", after_close),
    ]:
        print(f"| {label} | {value[0]:.1f} | {value[0] - before[0]:+.1f} | {value[1] - before[1]:+.1f} |")


if __name__ == "__main__":
    main()
