"""A real-time client that subscribes and then never reads: once its unread events pass the backlog limit it is
disconnected, its subscriptions leave the registry and the server keeps nothing of its connection."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from appsync.local.graphql.limits import Limits
from appsync.local.realtime.appsync_protocol import SLOW_CONSUMER_CLOSE_CODE
from appsync.local.server import LocalAppSync, serve_in_thread
from tests.integration.never_reading import NeverReadingClient
from tests.integration.test_live_updates import DELAY, ON_DELAY, PATIENCE, a_flight_in_the_catalog

SUBSCRIPTIONS = 100
# A generous bound on the delays it takes to fill the kernel's buffers and then the backlog.
MAX_DELAYS = 100_000


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

    (connection,) = local.realtime.connections

    # When it stops reading, and the flight is delayed over HTTP, and its delays keep coming (the results a
    # delayFlight hands to its subscribers, published in the test's thread: fast enough to fill the kernel's buffers
    # and the backlog before the server's WebSocket ping times out, which would drop the connection for another
    # reason)
    delayed = requests.post(
        url,
        json={"query": DELAY, "variables": {"input": {"flightId": flight_id, "delayMinutes": 5, "reason": "Crew"}}},
        headers=callers["admin"],
        timeout=30,
    ).json()["data"]["delayFlight"]
    delays = 1
    while len(local.subscriptions) > before and delays < MAX_DELAYS:
        delays += 1
        event = {**delayed, "delayMinutes": delays, "reason": "Late crew " * 20}
        # Each delay reaches the client's subscriptions (fewer while the dropped connection's are being removed)
        assert 0 <= local.subscriptions.publish("delayFlight", event) <= SUBSCRIPTIONS
        time.sleep(0.001)

    # Then the server dropped the connection and its subscriptions, keeping nothing of them
    assert len(local.subscriptions) == before, f"still subscribed after {delays} delays"
    assert connection.outbox.overflowed
    deadline = time.monotonic() + PATIENCE
    while local.realtime.connections and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not local.realtime.connections

    # And when the client reads again it finds the end of the connection after a part of the events only
    received = [message for message in client.read_to_the_end() if message["type"] == "data"]
    assert len(received) < delays * SUBSCRIPTIONS
    assert client.closed_with in (None, SLOW_CONSUMER_CLOSE_CODE)
    client.sock.close()


def test_a_subscriber_that_never_reads_holds_up_no_one_who_shares_its_answers(
    served: tuple[LocalAppSync, str], callers: dict[str, dict[str, str]]
) -> None:
    local, url = served
    host = url.removeprefix("http://").split("/")[0]
    api_key = {"host": host, **callers["api_key"]}
    realtime = url.replace("http://", "ws://") + "/realtime"
    flight_id = a_flight_in_the_catalog()
    before = len(local.subscriptions)
    data = json.dumps({"query": ON_DELAY, "variables": {"flightId": flight_id}})
    start = {"data": data, "extensions": {"authorization": api_key}}

    # Given a client that will stop reading, with 100 subscriptions to a flight's delays, and a client that reads,
    # subscribed to the same flight with the same document and credentials: each delay's answer is executed once
    # for all of them and written to each
    stalled, reader = NeverReadingClient(realtime, api_key), NeverReadingClient(realtime, api_key)
    for client, count in ((stalled, SUBSCRIPTIONS), (reader, 1)):
        client.send({"type": "connection_init"})
        client.read_until("connection_ack")
        for index in range(count):
            client.send({"id": str(index), "type": "start", "payload": start})
        client.read_until("start_ack", count)
    assert len(local.subscriptions) == before + SUBSCRIPTIONS + 1
    received: list[int] = []

    def read() -> None:
        while not reader.ended:
            received.extend(
                m["payload"]["data"]["onFlightDelayed"]["delayMinutes"] for m in reader.read() if m["type"] == "data"
            )

    reading = threading.Thread(target=read, daemon=True)

    # When the flight's delays keep coming until the stalled client is dropped, the reader reading all along
    delayed = requests.post(
        url,
        json={"query": DELAY, "variables": {"input": {"flightId": flight_id, "delayMinutes": 5, "reason": "Crew"}}},
        headers=callers["admin"],
        timeout=30,
    ).json()["data"]["delayFlight"]
    reading.start()
    delays = 1
    while len(local.subscriptions) > before + 1 and delays < MAX_DELAYS:
        delays += 1
        local.subscriptions.publish("delayFlight", {**delayed, "delayMinutes": delays, "reason": "Late crew " * 20})
        time.sleep(0.001)
    assert len(local.subscriptions) == before + 1, f"still subscribed after {delays} delays"
    stalled.sock.close()

    # Then the reader received every delay, in the order they were published
    deadline = time.monotonic() + PATIENCE
    while len(received) < delays and time.monotonic() < deadline:
        time.sleep(0.01)
    reader.sock.shutdown(socket.SHUT_RDWR)
    reading.join(PATIENCE)
    reader.sock.close()
    assert received == [5, *range(2, delays + 1)]
