"""Benchmarks live updates through the local AppSync: mutation to event for one WebSocket subscriber per protocol
(delayFlight over HTTP, and the saga's publishBookingStatus in process), and a delay reaching all 200 subscribers of
a flight while 50 others listen to another. Real gql WebSocket clients over both protocols (graphql-transport-ws at
/graphql, AppSync's real-time protocol at /graphql/realtime), DynamoDB Local. Prints a table. The fan-out at scale
(1,000 subscribers, the server in a process of its own) is bench/fanout.py."""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

from measure import percentile  # bench/measure.py

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from gql import Client, GraphQLRequest, gql  # noqa: E402
from gql.transport.appsync_auth import (  # noqa: E402
    AppSyncApiKeyAuthentication,
    AppSyncAuthentication,
    AppSyncJWTAuthentication,
)
from gql.transport.appsync_websockets import AppSyncWebsocketsTransport  # noqa: E402
from gql.transport.common.base import SubscriptionTransportBase  # noqa: E402
from gql.transport.websockets import WebsocketsTransport  # noqa: E402

from appsync.local import environment  # noqa: E402
from appsync.local.dynamodb.local import DynamoDBLocal  # noqa: E402
from appsync.local.graphql.auth import user_sub  # noqa: E402
from appsync.local.graphql.limits import Limits  # noqa: E402
from appsync.local.server import LocalAppSync, serve_in_thread  # noqa: E402

ON_DELAY = "subscription($flightId: ID) { onFlightDelayed(flightId: $flightId) { flightId delayMinutes occurredAt } }"
ON_STATUS = "subscription($customer: ID!) { onBookingStatusChanged(customer: $customer) { bookingId status } }"
DELAY = "mutation($input: DelayFlightInput!) { delayFlight(input: $input) { flightId delayMinutes } }"
# The two WebSocket protocols the local AppSync speaks.
TRANSPORT_WS = "graphql-transport-ws"
APPSYNC = "AppSync real-time"
PUBLISH = """mutation($input: PublishBookingStatusInput!) {
  publishBookingStatus(input: $input) { bookingId customer status bookingReference statusReason occurredAt } }"""


class Bench:
    def __init__(self, appsync: LocalAppSync, url: str) -> None:
        self.appsync = appsync
        self.url = url
        self.ws_url = url.replace("http://", "ws://")
        self.http = requests.Session()
        self.admin = {"Authorization": appsync.credentials.issue_token("ops", admin=True)}
        self.api_key = {"x-api-key": appsync.credentials.api_key}

    def delay(self, flight_id: str) -> None:
        variables = {"input": {"flightId": flight_id, "delayMinutes": 1, "reason": "Late crew"}}
        answer = self.http.post(self.url, json={"query": DELAY, "variables": variables}, headers=self.admin, timeout=30)
        answer.raise_for_status()
        assert "errors" not in answer.json(), answer.json()

    def publish(self, customer: str, n: int) -> None:
        # As the saga does: from a thread of its own, through the in-process IAM principal.
        status = {
            "bookingId": f"01J{n:023d}",
            "customer": customer,
            "status": "CONFIRMED",
            "bookingReference": "ABC234",
            "occurredAt": "2030-01-01T00:00:00Z",
        }
        result = asyncio.run(self.appsync.execute_in_process(PUBLISH, {"input": status}))
        assert result.errors is None, result.errors

    def transport(self, protocol: str, credentials: dict[str, str]) -> SubscriptionTransportBase:
        if protocol == TRANSPORT_WS:
            return WebsocketsTransport(
                url=self.ws_url, init_payload=credentials, subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL]
            )
        host = self.url.split("/")[2]
        auth: AppSyncAuthentication
        if "x-api-key" in credentials:
            auth = AppSyncApiKeyAuthentication(host=host, api_key=credentials["x-api-key"])
        else:
            auth = AppSyncJWTAuthentication(host=host, jwt=credentials["Authorization"])
        return AppSyncWebsocketsTransport(url=self.ws_url + "/realtime", auth=auth)

    @asynccontextmanager
    async def subscriber(
        self, credentials: dict[str, str], document: str, variables: dict[str, Any], protocol: str = TRANSPORT_WS
    ) -> Any:
        """A gql WebSocket client; yields a queue of the (arrival time, result) it receives."""
        transport = self.transport(protocol, credentials)
        received: asyncio.Queue[tuple[float, dict[str, Any]]] = asyncio.Queue()
        async with Client(transport=transport) as session:

            async def consume() -> None:
                async for result in session.subscribe(GraphQLRequest(gql(document), variable_values=variables)):
                    received.put_nowait((time.perf_counter(), result))

            task = asyncio.create_task(consume())
            try:
                yield received
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)

    async def registered(self, count: int) -> None:
        while len(self.appsync.subscriptions) != count:
            await asyncio.sleep(0.005)


def new_flight() -> str:
    from resolvers.store import flights as flight_store
    from tests.factories import a_flight

    flight = a_flight()
    flight_store.put_flight(flight)
    return flight.id


async def one_subscriber(bench: Bench, rounds: int) -> dict[str, list[float]]:
    """One subscriber per protocol to the same flight and customer: each mutation reaches both, so both protocols
    are measured on the very same events."""
    flight_id = new_flight()
    customer = user_sub("bench")
    token = {"Authorization": bench.appsync.credentials.issue_token("bench")}
    samples: dict[str, list[float]] = {"answer": []}
    async with AsyncExitStack() as stack:
        delays, statuses = {}, {}
        for protocol in (TRANSPORT_WS, APPSYNC):
            delays[protocol] = await stack.enter_async_context(
                bench.subscriber(bench.api_key, ON_DELAY, {"flightId": flight_id}, protocol)
            )
            statuses[protocol] = await stack.enter_async_context(
                bench.subscriber(token, ON_STATUS, {"customer": customer}, protocol)
            )
        await bench.registered(4)
        for n in range(rounds):
            started = time.perf_counter()
            await asyncio.to_thread(bench.delay, flight_id)
            samples["answer"].append((time.perf_counter() - started) * 1000)
            arrivals = {}
            for protocol, queue in delays.items():
                arrivals[protocol], _ = await queue.get()
                samples.setdefault(f"delay {protocol}", []).append((arrivals[protocol] - started) * 1000)
            # The same event on both sockets: what the protocol itself adds.
            samples.setdefault("gap", []).append((arrivals[APPSYNC] - arrivals[TRANSPORT_WS]) * 1000)

            started = time.perf_counter()
            await asyncio.to_thread(bench.publish, customer, n)
            for protocol, queue in statuses.items():
                arrived, _ = await queue.get()
                samples.setdefault(f"publish {protocol}", []).append((arrived - started) * 1000)
    return samples


async def fan_out(
    bench: Bench, rounds: int, protocol: str = TRANSPORT_WS, first: int = 200, second: int = 50
) -> list[float]:
    delayed, other = new_flight(), new_flight()
    samples = []
    async with AsyncExitStack() as stack:

        async def connect(flight_id: str, count: int) -> list[asyncio.Queue[tuple[float, dict[str, Any]]]]:
            # In batches of 100: a thousand handshakes at once on a busy machine outlast the clients' timeouts.
            queues: list[asyncio.Queue[tuple[float, dict[str, Any]]]] = []
            for batch in range(0, count, 100):
                queues += await asyncio.gather(
                    *(
                        stack.enter_async_context(
                            bench.subscriber(bench.api_key, ON_DELAY, {"flightId": flight_id}, protocol)
                        )
                        for _ in range(min(100, count - batch))
                    )
                )
            return queues

        subscribers = await connect(delayed, first)
        others = await connect(other, second)
        await bench.registered(first + second)
        for _ in range(rounds):
            started = time.perf_counter()
            await asyncio.to_thread(bench.delay, delayed)
            arrivals = await asyncio.gather(*(queue.get() for queue in subscribers))
            samples.append((max(arrived for arrived, _ in arrivals) - started) * 1000)
        # The other flight's subscribers received nothing.
        assert all(queue.empty() for queue in others)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200, help="mutations measured for one subscriber")
    parser.add_argument("--fan-out-rounds", type=int, default=20, help="delays measured with 250 subscribers")
    args = parser.parse_args()
    with DynamoDBLocal() as local:
        state_dir = Path(tempfile.mkdtemp())
        environment.configure(local.endpoint, state_dir)
        from resolvers.store.table import create_table_if_missing

        create_table_if_missing()
        appsync = LocalAppSync(state_dir, limits=Limits())
        try:
            with serve_in_thread(appsync) as url:
                bench = Bench(appsync, url)
                single = asyncio.run(one_subscriber(bench, args.rounds))
                spread = {
                    protocol: asyncio.run(fan_out(bench, args.fan_out_rounds, protocol))
                    for protocol in (TRANSPORT_WS, APPSYNC)
                }
        finally:
            appsync.close()
    print(
        f"Live updates through the local AppSync ({os.cpu_count()} cores; server, clients and DynamoDB Local on "
        f"this machine; gql WebSocket clients over both protocols)\n"
    )
    print("| measure | rounds | median ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|")
    rows = [("delayFlight's own answer over HTTP (for comparison)", single["answer"])]
    for protocol in (TRANSPORT_WS, APPSYNC):
        rows += [
            (f"delayFlight (HTTP, Admin) to the event, 1 subscriber, {protocol}", single[f"delay {protocol}"]),
            (
                f"publishBookingStatus (in process, IAM) to the event, 1 subscriber, {protocol}",
                single[f"publish {protocol}"],
            ),
            (f"delayFlight to the last of 200 subscribers (50 others on another flight), {protocol}", spread[protocol]),
        ]
    rows.append(("the same delay at the AppSync subscriber minus at the graphql-transport-ws one", single["gap"]))
    for name, samples in rows:
        print(
            f"| {name} | {len(samples)} | {statistics.median(samples):.1f} | {percentile(samples, 0.99):.1f} "
            f"| {max(samples):.1f} |"
        )


if __name__ == "__main__":
    main()
