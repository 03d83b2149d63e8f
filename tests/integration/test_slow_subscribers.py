"""A real-time client that subscribes and then never reads: once its unread events pass the backlog limit it is
disconnected, its subscriptions leave the registry and the server keeps nothing of its connection."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from appsync.local.graphql.limits import Limits
from appsync.local.realtime.appsync_protocol import SLOW_CONSUMER_CLOSE_CODE
from appsync.local.server import LocalAppSync, serve_in_thread
from tests.integration.never_reading import NeverReadingClient
from tests.integration.test_live_updates import DELAY, ON_DELAY, PATIENCE, a_flight_in_the_catalog
from tests.integration.test_local_appsync import run

SUBSCRIPTIONS = 100
# A generous bound on the delays it takes to fill the kernel's buffers and then the backlog (a flight may be delayed
# by 1,440 minutes in all, one minute at a time); not a timing claim.
MAX_DELAYS = 1400


@pytest.fixture(scope="module")
def served(dynamodb: str, sample_flights: int, state_dir: Path) -> Iterator[tuple[LocalAppSync, str]]:
    local = LocalAppSync(state_dir, limits=Limits())
    with serve_in_thread(local) as url:
        yield local, url
    local.close()


def test_a_subscriber_that_never_reads_is_disconnected_and_leaves_nothing_behind(
    served: tuple[LocalAppSync, str], callers: dict[str, dict[str, str]]
) -> None:
    local, url = served
    host = url.removeprefix("http://").split("/")[0]
    api_key = {"host": host, **callers["api_key"]}
    flight_id = a_flight_in_the_catalog()
    before = len(local.subscriptions)

    # Given a client with 100 subscriptions to one flight's delays, acknowledged
    client = NeverReadingClient(url.replace("http://", "ws://") + "/realtime", api_key)
    client.send({"type": "connection_init"})
    client.read_until("connection_ack")
    data = json.dumps({"query": ON_DELAY, "variables": {"flightId": flight_id}})
    for index in range(SUBSCRIPTIONS):
        start = {"data": data, "extensions": {"authorization": api_key}}
        client.send({"id": str(index), "type": "start", "payload": start})
    client.read_until("start_ack", SUBSCRIPTIONS)
    assert len(local.subscriptions) == before + SUBSCRIPTIONS
    assert len(local.realtime.connections) == 1

    # When it stops reading and the flight is delayed again and again
    from gql import Client
    from gql.transport.requests import RequestsHTTPTransport

    admin = Client(transport=RequestsHTTPTransport(url=url, headers=callers["admin"], timeout=30, retries=0))
    delays = 0
    while local.realtime.connections and delays < MAX_DELAYS:
        _, errors = run(admin, DELAY, {"input": {"flightId": flight_id, "delayMinutes": 1, "reason": "Late crew"}})
        assert errors == []
        delays += 1

    # Then the server dropped the connection and its subscriptions, keeping nothing of them
    assert not local.realtime.connections, f"still connected after {delays} delays"
    deadline = time.monotonic() + PATIENCE
    while len(local.subscriptions) != before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(local.subscriptions) == before

    # And when the client reads again it finds the end of the connection after a part of the events only
    received = [message for message in client.read_to_the_end() if message["type"] == "data"]
    assert len(received) < delays * SUBSCRIPTIONS
    assert client.closed_with in (None, SLOW_CONSUMER_CLOSE_CODE)
    client.sock.close()
