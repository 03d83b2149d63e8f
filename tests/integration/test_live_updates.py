"""Live updates through the local AppSync: real WebSocket clients (gql, graphql-transport-ws) subscribed to
onBookingStatusChanged and onFlightDelayed, fed by the mutations their @aws_subscribe lists."""

from __future__ import annotations

import asyncio
import gc
import json
import time
import tracemalloc
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from gql import Client, GraphQLRequest, gql
from gql.transport.exceptions import TransportConnectionFailed, TransportQueryError
from gql.transport.requests import RequestsHTTPTransport
from gql.transport.websockets import WebsocketsTransport
from ulid import ULID
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from appsync.local.graphql.auth import user_sub
from appsync.local.graphql.limits import Limits
from appsync.local.server import LocalAppSync, serve_in_thread
from resolvers.store import flights as flight_store
from tests.factories import a_flight, booking_input
from tests.integration.conftest import ClientFor
from tests.integration.test_local_appsync import error_types, run

ON_STATUS = """
subscription OnStatus($customer: ID!, $bookingId: ID) {
  onBookingStatusChanged(customer: $customer, bookingId: $bookingId) { bookingId customer status statusReason }
}
"""
ON_DELAY = """
subscription OnDelay($flightId: ID, $departureAirportCode: String) {
  onFlightDelayed(flightId: $flightId, departureAirportCode: $departureAirportCode) { flightId delayMinutes reason }
}
"""
INIT = "mutation Book($input: InitBookingInput!) { initBooking(input: $input) { id status } }"
DELAY = "mutation Delay($input: DelayFlightInput!) { delayFlight(input: $input) { flightId delayMinutes } }"
PUBLISH = """
mutation Publish($input: PublishBookingStatusInput!) { publishBookingStatus(input: $input) { bookingId status } }
"""
# How long a test waits for something that should happen at once; a hang fails instead of blocking the run.
PATIENCE = 30.0
# Memory the server may keep after 1,000 dropped connections; a leak of 1 KiB each would be more.
LEAK_BYTES = 1_000_000


@pytest.fixture(scope="module")
def live(dynamodb: str, sample_flights: int, state_dir: Path) -> Iterator[LiveServer]:
    """A server of its own: its runtime (saga, notifier) is the process's while this module runs."""
    local = LocalAppSync(state_dir, limits=Limits())
    with serve_in_thread(local) as url:
        yield LiveServer(local, url)
    local.close()


@pytest.fixture(autouse=True)
def settled(live: LiveServer) -> Iterator[None]:
    """Each test ends with its sagas ended: no late notice of one test reaches the next one's subscribers."""
    yield
    live.appsync.runtime.settle()


@pytest.fixture
def client_for(live: LiveServer) -> ClientFor:
    """A gql HTTP client of this module's server: its mutations feed its subscriptions."""
    return lambda headers: Client(
        transport=RequestsHTTPTransport(url=live.http_url, headers=headers, timeout=30, retries=0)
    )


@dataclass
class LiveServer:
    appsync: LocalAppSync
    http_url: str

    @property
    def ws_url(self) -> str:
        return self.http_url.replace("http://", "ws://")

    async def until(self, condition: Callable[[], bool]) -> None:
        """Waits for the server to reach a state (subscriptions registered or gone)."""
        async with asyncio.timeout(PATIENCE):
            while not condition():
                await asyncio.sleep(0.01)


@dataclass
class Subscribed:
    """One WebSocket client's subscription: what it received, in order, and its error if it was refused."""

    results: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    error: asyncio.Future[TransportQueryError] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )

    async def next(self) -> dict[str, Any]:
        async with asyncio.timeout(PATIENCE):
            return await self.results.get()

    async def refusal(self) -> TransportQueryError:
        async with asyncio.timeout(PATIENCE):
            return await self.error


@asynccontextmanager
async def subscribed(
    server: LiveServer, credentials: dict[str, str], document: str, variables: dict[str, Any]
) -> AsyncIterator[Subscribed]:
    """A gql WebSocket client sending `credentials` in connection_init, subscribed to `document`."""
    transport = WebsocketsTransport(
        url=server.ws_url, init_payload=credentials, subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL]
    )
    subscription = Subscribed()
    async with Client(transport=transport) as session:

        async def consume() -> None:
            try:
                async for result in session.subscribe(GraphQLRequest(gql(document), variable_values=variables)):
                    subscription.results.put_nowait(result)
            except TransportQueryError as error:
                subscription.error.set_result(error)

        task = asyncio.create_task(consume())
        try:
            yield subscription
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


async def subscribe_all(
    stack: AsyncExitStack, server: LiveServer, field_name: str, subscriptions: list[tuple[dict[str, str], str, Any]]
) -> list[Subscribed]:
    """Subscribes every (credentials, document, variables) and waits until the server has them all."""
    before = server.appsync.subscriptions.count(field_name)
    subscribed_ = list(
        await asyncio.gather(*(stack.enter_async_context(subscribed(server, *each)) for each in subscriptions))
    )
    await server.until(lambda: server.appsync.subscriptions.count(field_name) == before + len(subscriptions))
    return subscribed_


def in_thread(function: Callable[..., Any], *args: Any) -> Awaitable[Any]:
    # The HTTP clients block: the subscribers' event loop must keep reading meanwhile.
    return asyncio.to_thread(function, *args)


def book(client: Any, flight_id: str, token: str) -> dict[str, Any]:
    data, errors = run(client, INIT, {"input": booking_input(flight_id, token)})
    assert errors == []
    booking: dict[str, Any] = data["initBooking"]
    return booking


def delay(client: Any, flight_id: str, minutes: int = 15) -> tuple[Any, list[dict[str, Any]]]:
    return run(client, DELAY, {"input": {"flightId": flight_id, "delayMinutes": minutes, "reason": "Late crew"}})


def a_flight_in_the_catalog(**fields: Any) -> str:
    flight = a_flight(**fields)
    flight_store.put_flight(flight)
    return flight.id


@pytest.mark.parametrize(("token", "outcome"), [("tok_visa", "CONFIRMED"), ("tok_declined", "FAILED")])
def test_a_customer_receives_their_bookings_status_changes_in_order(
    live: LiveServer, client_for: ClientFor, callers: dict[str, dict[str, str]], token: str, outcome: str
) -> None:
    async def scenario() -> None:
        # Given Alice subscribed to her own bookings over a WebSocket
        alice = user_sub("alice")
        async with AsyncExitStack() as stack:
            (mine,) = await subscribe_all(
                stack, live, "onBookingStatusChanged", [(callers["alice"], ON_STATUS, {"customer": alice})]
            )

            # When she books a flight
            flight_id = a_flight_in_the_catalog()
            booking = await in_thread(book, client_for(callers["alice"]), flight_id, token)

            # Then she receives PENDING, then the saga's outcome, for that booking
            first, second = await mine.next(), await mine.next()
        statuses = [event["onBookingStatusChanged"] for event in (first, second)]
        assert [event["status"] for event in statuses] == ["PENDING", outcome]
        assert {event["bookingId"] for event in statuses} == {booking["id"]}
        assert {event["customer"] for event in statuses} == {alice}
        assert (statuses[1]["statusReason"] is None) == (outcome == "CONFIRMED")

    asyncio.run(scenario())


def test_a_customer_never_receives_another_customers_bookings(
    live: LiveServer, client_for: ClientFor, callers: dict[str, dict[str, str]]
) -> None:
    async def scenario() -> None:
        alice, bob = user_sub("alice"), user_sub("bob")
        async with AsyncExitStack() as stack:
            # Given Bob subscribed with his own id, and Alice with hers
            bobs, alices = await subscribe_all(
                stack,
                live,
                "onBookingStatusChanged",
                [(callers["bob"], ON_STATUS, {"customer": bob}), (callers["alice"], ON_STATUS, {"customer": alice})],
            )

            # When Alice books, and Alice's booking is confirmed
            flight_id = a_flight_in_the_catalog()
            alices_booking = await in_thread(book, client_for(callers["alice"]), flight_id, "tok_visa")
            assert [(await alices.next())["onBookingStatusChanged"]["status"] for _ in range(2)] == [
                "PENDING",
                "CONFIRMED",
            ]
            # and then Bob books
            bobs_booking = await in_thread(book, client_for(callers["bob"]), flight_id, "tok_visa")

            # Then the first thing Bob receives is his own booking: nothing of Alice's came before it
            first = (await bobs.next())["onBookingStatusChanged"]
        assert first["bookingId"] == bobs_booking["id"] != alices_booking["id"]
        assert first["customer"] == bob

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("caller", "customer"),
    [("bob", "alice"), ("api_key", "alice")],
    ids=["another customer's id", "an API key"],
)
def test_subscribing_to_someone_elses_bookings_is_refused_at_subscribe_time(
    live: LiveServer, callers: dict[str, dict[str, str]], caller: str, customer: str
) -> None:
    async def scenario() -> TransportQueryError:
        async with subscribed(live, callers[caller], ON_STATUS, {"customer": user_sub(customer)}) as refused:
            return await refused.refusal()

    error = asyncio.run(scenario())

    assert error_types(list(error.errors or [])) == ["Unauthorized"]
    assert error.errors is not None
    assert error.errors[0]["message"] == "Not Authorized to access onBookingStatusChanged on type Subscription"
    assert live.appsync.subscriptions.count("onBookingStatusChanged") == 0


@pytest.mark.parametrize("caller", ["admin", "iam"])
def test_admins_and_iam_may_subscribe_to_any_customer(
    live: LiveServer, client_for: ClientFor, callers: dict[str, dict[str, str]], caller: str
) -> None:
    async def scenario() -> dict[str, Any]:
        async with AsyncExitStack() as stack:
            (watching,) = await subscribe_all(
                stack, live, "onBookingStatusChanged", [(callers[caller], ON_STATUS, {"customer": user_sub("alice")})]
            )
            booking = await in_thread(book, client_for(callers["alice"]), a_flight_in_the_catalog(), "tok_visa")
            event: dict[str, Any] = (await watching.next())["onBookingStatusChanged"]
            assert event["bookingId"] == booking["id"]
            return event

    assert asyncio.run(scenario())["status"] == "PENDING"


def test_a_connection_without_valid_credentials_is_refused(live: LiveServer) -> None:
    async def scenario() -> None:
        transport = WebsocketsTransport(
            url=live.ws_url,
            init_payload={"x-api-key": "da2-not-the-key"},
            subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
        )
        with pytest.raises(TransportConnectionFailed) as refused:
            async with Client(transport=transport):
                pass
        # graphql-transport-ws's close code for a connection_init the server refuses.
        assert isinstance(refused.value.__cause__, ConnectionClosed)
        assert refused.value.__cause__.rcvd is not None
        assert refused.value.__cause__.rcvd.code == 4403

    asyncio.run(scenario())
    assert len(live.appsync.subscriptions) == 0


def test_a_delay_reaches_exactly_the_subscribers_of_that_flight_once_each(
    live: LiveServer, client_for: ClientFor, callers: dict[str, dict[str, str]]
) -> None:
    first_flight, second_flight = a_flight_in_the_catalog(), a_flight_in_the_catalog()
    admin = client_for(callers["admin"])

    async def scenario() -> None:
        async with AsyncExitStack() as stack:
            # Given 200 subscribers to one flight and 50 to another
            first = await subscribe_all(
                stack, live, "onFlightDelayed", [(callers["api_key"], ON_DELAY, {"flightId": first_flight})] * 200
            )
            second = await subscribe_all(
                stack, live, "onFlightDelayed", [(callers["alice"], ON_DELAY, {"flightId": second_flight})] * 50
            )

            # When an Admin delays the first flight
            data, errors = await in_thread(delay, admin, first_flight, 15)
            assert errors == []
            assert data["delayFlight"]["delayMinutes"] == 15

            # Then each of its 200 subscribers receives the delay
            received = await asyncio.gather(*(subscriber.next() for subscriber in first))
            assert {r["onFlightDelayed"]["flightId"] for r in received} == {first_flight}
            assert {r["onFlightDelayed"]["delayMinutes"] for r in received} == {15}

            # And none of the other 50 did: the first thing they receive is a delay of their own flight
            await in_thread(delay, admin, second_flight, 5)
            received = await asyncio.gather(*(subscriber.next() for subscriber in second))
            assert {r["onFlightDelayed"]["flightId"] for r in received} == {second_flight}

            # And the first 200 received it once: the next thing each receives is the next delay
            await in_thread(delay, admin, first_flight, 10)
            received = await asyncio.gather(*(subscriber.next() for subscriber in first))
            assert {r["onFlightDelayed"]["delayMinutes"] for r in received} == {25}
            assert all(subscriber.results.empty() for subscriber in first + second)

    asyncio.run(scenario())
    asyncio.run(live.until(lambda: len(live.appsync.subscriptions) == 0))


def test_delays_are_filtered_by_the_arguments_given_and_none_means_every_delay(
    live: LiveServer, client_for: ClientFor, callers: dict[str, dict[str, str]]
) -> None:
    from_zzq = a_flight_in_the_catalog(departure="ZZQ")
    from_zzx = a_flight_in_the_catalog()
    admin = client_for(callers["admin"])

    async def scenario() -> None:
        async with AsyncExitStack() as stack:
            every, from_airport = await subscribe_all(
                stack,
                live,
                "onFlightDelayed",
                [(callers["iam"], ON_DELAY, {}), (callers["bob"], ON_DELAY, {"departureAirportCode": "ZZQ"})],
            )
            await in_thread(delay, admin, from_zzx, 5)
            await in_thread(delay, admin, from_zzq, 5)
            assert (await every.next())["onFlightDelayed"]["flightId"] == from_zzx
            assert (await every.next())["onFlightDelayed"]["flightId"] == from_zzq
            assert (await from_airport.next())["onFlightDelayed"]["flightId"] == from_zzq

    asyncio.run(scenario())


@pytest.mark.parametrize("mutation", ["delayFlight", "publishBookingStatus"])
def test_a_customer_cannot_delay_flights_or_publish_booking_status(
    client_for: ClientFor, callers: dict[str, dict[str, str]], mutation: str
) -> None:
    alice = client_for(callers["alice"])
    if mutation == "delayFlight":
        data, errors = delay(alice, a_flight_in_the_catalog())
    else:
        status = {
            "bookingId": str(ULID()),
            "customer": user_sub("bob"),
            "status": "CONFIRMED",
            "bookingReference": "ABC234",
            "occurredAt": "2030-01-01T00:00:00Z",
        }
        data, errors = run(alice, PUBLISH, {"input": status})

    assert data is None
    assert error_types(errors) == ["Unauthorized"]


def test_iam_publishes_booking_status_to_the_customers_subscribers(
    live: LiveServer, callers: dict[str, dict[str, str]]
) -> None:
    bob = user_sub("bob")
    status = {
        "bookingId": str(ULID()),
        "customer": bob,
        "status": "CANCELLED",
        "bookingReference": "ABC234",
        "statusReason": "Cancelled by an administrator",
        "occurredAt": "2030-01-01T00:00:00Z",
    }

    async def scenario() -> dict[str, Any]:
        async with AsyncExitStack() as stack:
            (bobs,) = await subscribe_all(
                stack,
                live,
                "onBookingStatusChanged",
                [(callers["bob"], ON_STATUS, {"customer": bob, "bookingId": status["bookingId"]})],
            )
            result = await live.appsync.execute_in_process(PUBLISH, {"input": status})
            assert result.errors is None
            event: dict[str, Any] = (await bobs.next())["onBookingStatusChanged"]
            return event

    assert asyncio.run(scenario()) == {
        "bookingId": status["bookingId"],
        "customer": bob,
        "status": "CANCELLED",
        "statusReason": "Cancelled by an administrator",
    }


async def subscribed_raw(server: LiveServer, api_key: str, flight_id: str) -> ClientConnection:
    """A bare graphql-transport-ws client: connection_init, connection_ack, subscribe; nothing else."""
    socket = await connect(server.ws_url, subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL])  # type: ignore[list-item]
    await socket.send(json.dumps({"type": "connection_init", "payload": {"x-api-key": api_key}}))
    assert json.loads(await socket.recv())["type"] == "connection_ack"
    subscribe = {"query": ON_DELAY, "variables": {"flightId": flight_id}}
    await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": subscribe}))
    return socket


def test_connections_dropped_abruptly_leave_no_subscription_and_no_memory_behind(
    live: LiveServer, callers: dict[str, dict[str, str]]
) -> None:
    api_key = callers["api_key"]["x-api-key"]
    flight_id = a_flight_in_the_catalog()
    registry = live.appsync.subscriptions

    async def connect_and_drop(batches: int, size: int = 100) -> None:
        for _ in range(batches):
            sockets = await asyncio.gather(*(subscribed_raw(live, api_key, flight_id) for _ in range(size)))
            await live.until(lambda: len(registry) == size)
            for socket in sockets:
                # Cut the TCP connection: no complete, no close frame, as when a phone loses its network.
                socket.transport.abort()
            await live.until(lambda: len(registry) == 0)

    def memory_growth(start: int) -> int:
        """How far the traced memory is above `start`, once the server has let go of the dropped connections (the
        sockets' protocol objects outlive their subscriptions by a moment); waits up to PATIENCE for that."""
        deadline = time.monotonic() + PATIENCE
        while True:
            gc.collect()
            grown = tracemalloc.get_traced_memory()[0] - start
            if grown < LEAK_BYTES or time.monotonic() > deadline:
                return grown
            time.sleep(0.25)

    # Given a server that has already served a first batch (its caches and pools warmed up)
    tracemalloc.start()
    try:
        asyncio.run(connect_and_drop(batches=1))
        gc.collect()
        start = tracemalloc.get_traced_memory()[0]

        # When 1,000 clients subscribe and then drop their connections without a word
        asyncio.run(connect_and_drop(batches=10))

        # Then no subscription is left in the registry, and the memory goes back near where it was
        assert len(registry) == 0
        grown = memory_growth(start)
    finally:
        tracemalloc.stop()
    assert grown < LEAK_BYTES, f"{grown} bytes still held after 1,000 dropped connections"


HOLD = """
mutation Hold($input: InitBookingInput!) { initBooking(input: $input) { id status holdExpiresAt totalPrice } }
"""
EXTEND = "mutation Extend($id: ID!) { extendHold(id: $id) { id status holdExpiresAt } }"
PAY = """
mutation Pay($id: ID!, $token: String!, $key: String!) {
  payBooking(id: $id, paymentToken: $token, idempotencyKey: $key) { id status }
}
"""
CHECK_IN = """
mutation CheckIn($id: ID!) {
  checkIn(bookingId: $id) { status checkedIn passengers { firstName seat boardingPass { seat barcode } } }
}
"""


def test_a_hold_over_http_is_extended_paid_and_checked_in_while_another_expires_live(
    live: LiveServer, client_for: ClientFor, callers: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two-passenger hold → extend → pay → check-in through the local AppSync, and a hold left unpaid expiring by
    itself; the subscriber sees HELD, PENDING, CONFIRMED for one and HELD, EXPIRED for the other."""
    monkeypatch.setenv("HOLD_DURATION_SECONDS", "3")
    monkeypatch.setenv("HOLD_MAX_SECONDS", "60")
    from datetime import UTC, datetime, timedelta

    departs = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=3)
    flight_id = a_flight_in_the_catalog(departs=departs, seat_capacity=6, seats_available=6)
    people = [{"firstName": "Ada", "lastName": "Lovelace"}, {"firstName": "Grace", "lastName": "Hopper"}]

    def hold(client: Any) -> dict[str, Any]:
        variables = {"input": {**booking_input(flight_id, people=people), "hold": True}}
        del variables["input"]["paymentToken"]
        data, errors = run(client, HOLD, variables)
        assert errors == []
        return dict(data["initBooking"])

    async def scenario() -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, Any], dict[str, Any]]:
        alice = user_sub("alice")
        async with AsyncExitStack() as stack:
            (mine,) = await subscribe_all(
                stack, live, "onBookingStatusChanged", [(callers["alice"], ON_STATUS, {"customer": alice})]
            )
            client = client_for(callers["alice"])
            kept = await in_thread(hold, client)
            lapsed = await in_thread(hold, client)
            extended = (await in_thread(run, client, EXTEND, {"id": kept["id"]}))[0]["extendHold"]
            key = str(ULID())
            paid = [
                await in_thread(run, client, PAY, {"id": kept["id"], "token": "tok_visa", "key": key}) for _ in range(2)
            ]
            assert [errors for _, errors in paid] == [[], []]
            received = [(await mine.next())["onBookingStatusChanged"] for _ in range(5)]
            checked = (await in_thread(run, client, CHECK_IN, {"id": kept["id"]}))[0]["checkIn"]
            return received, kept, extended, {"lapsed": lapsed, "checked": checked}

    received, kept, extended, rest = asyncio.run(scenario())
    by_booking: dict[str, list[str]] = {}
    for event in received:
        by_booking.setdefault(event["bookingId"], []).append(event["status"])
    assert kept["status"] == "HELD"
    assert kept["totalPrice"] > 0
    assert extended["holdExpiresAt"] > kept["holdExpiresAt"]
    assert by_booking[kept["id"]] == ["HELD", "PENDING", "CONFIRMED"]
    assert by_booking[rest["lapsed"]["id"]] == ["HELD", "EXPIRED"]
    checked = rest["checked"]
    assert checked["status"] == "CONFIRMED"
    assert checked["checkedIn"] is True
    seats = [p["seat"] for p in checked["passengers"]]
    assert len(set(seats)) == 2
    barcodes = [p["boardingPass"]["barcode"] for p in checked["passengers"]]
    assert barcodes[0].startswith("M1LOVELACE/ADA")
    print("BCBP:", *barcodes, sep="\n  ")
    # Two seats taken by the paid hold, none by the expired one
    assert flight_store.get_flight(flight_id).seats_available == 4
