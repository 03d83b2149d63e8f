"""The client's subscriptions against the local AppSync over a real WebSocket (AppSync's real-time protocol): flight
delays, booking status events, and wait_for_booking, also when its socket is cut mid-wait."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import pytest
from airline_client import (
    AirlineClient,
    AsyncAirlineClient,
    BookingStatus,
    BookingStatusEvent,
    FlightDelay,
    NotAuthenticated,
    Unauthorized,
)
from gql import Client, GraphQLRequest, gql
from gql.transport.requests import RequestsHTTPTransport

from appsync.local.graphql.auth import LocalCredentials, iam_headers, user_sub
from appsync.local.server import LocalAppSync
from resolvers.domain.models import Booking as StoredBooking
from resolvers.domain.models import BookingStatus as StoredStatus
from resolvers.notifications import PUBLISH_BOOKING_STATUS, publish_input
from resolvers.store import bookings as booking_store
from resolvers.store import flights as flight_store
from tests.client.conftest import QUICK, Connect
from tests.client.fakes import ADA, CuttableProxy
from tests.factories import a_booking, a_flight

# How long a test waits for what should happen at once: a hang fails the test instead of blocking the run.
PATIENCE = 30.0


def until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the server never reached the expected state")
        time.sleep(0.01)


async def until_async(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(PATIENCE):
        while not condition():
            await asyncio.sleep(0.01)


def subscribed(appsync: LocalAppSync, field: str) -> Callable[[], bool]:
    """True once the server holds one more `field` subscription than now."""
    before = appsync.subscriptions.count(field)
    return lambda: appsync.subscriptions.count(field) > before


def a_stored_flight() -> str:
    flight = a_flight()
    flight_store.put_flight(flight)
    return flight.id


def a_pending_booking(customer: str) -> StoredBooking:
    """A PENDING booking with no saga behind it: it changes only when the test says so."""
    booking = a_booking(customer, a_stored_flight(), status=StoredStatus.PENDING)
    booking_store.put_booking(booking)
    return booking


def confirm(booking: StoredBooking, api_url: str | None = None) -> None:
    """Moves the booking to CONFIRMED; with `api_url`, also tells subscribers (publishBookingStatus as IAM)."""
    confirmed = booking_store.change_status(booking, StoredStatus.CONFIRMED)
    if api_url is not None:
        iam = Client(transport=RequestsHTTPTransport(url=api_url, headers=iam_headers(), timeout=30))
        iam.execute(GraphQLRequest(gql(PUBLISH_BOOKING_STATUS), variable_values={"input": publish_input(confirmed)}))


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=2) as executor:
        yield executor


def test_a_flight_delay_reaches_a_sync_subscriber_typed(
    api_url: str, credentials: LocalCredentials, appsync: LocalAppSync, pool: ThreadPoolExecutor
) -> None:
    # Given a partner watching one flight's delays with the API key
    flight_id = a_stored_flight()
    ready = subscribed(appsync, "onFlightDelayed")
    with AirlineClient(api_url, api_key=credentials.api_key) as watcher:
        delays = watcher.subscribe_flight_delays(flight_id=flight_id)
        first = pool.submit(next, delays)
        until(ready)

        # When an admin delays it
        with AirlineClient(api_url, token=credentials.issue_token("ops", admin=True)) as admin:
            admin.delay_flight(flight_id, 25, "air traffic control")

        # Then the watcher gets the delay as a FlightDelay
        delay = first.result(timeout=PATIENCE)
        delays.close()
    assert isinstance(delay, FlightDelay)
    assert (delay.flight_id, delay.delay_minutes, delay.reason) == (flight_id, 25, "air traffic control")
    assert delay.occurred_at.tzinfo is not None


def test_a_subscriber_of_several_flights_gets_their_delays_and_no_other(
    api_url: str, credentials: LocalCredentials, appsync: LocalAppSync, pool: ThreadPoolExecutor
) -> None:
    # Given a partner watching two flights (flight_ids: the server filters with AppSync's `in`)
    watched, other = [a_stored_flight(), a_stored_flight()], a_stored_flight()
    ready = subscribed(appsync, "onFlightDelayed")
    with AirlineClient(api_url, api_key=credentials.api_key) as watcher:
        delays = watcher.subscribe_flight_delays(flight_ids=watched)
        first = pool.submit(lambda: [next(delays), next(delays)])
        until(ready)

        # When an admin delays the other flight, then both watched ones
        with AirlineClient(api_url, token=credentials.issue_token("ops", admin=True)) as admin:
            for flight_id in (other, *watched):
                admin.delay_flight(flight_id, 20, "crew")

        # Then the watcher gets exactly the watched flights' delays, in order
        received = first.result(timeout=PATIENCE)
        delays.close()
    assert [delay.flight_id for delay in received] == watched


def test_a_flight_delay_reaches_an_async_subscriber_by_departure_airport(
    api_url: str, credentials: LocalCredentials, appsync: LocalAppSync
) -> None:
    flight = a_flight()
    flight_store.put_flight(flight)

    async def scenario() -> FlightDelay:
        async with (
            AsyncAirlineClient(api_url, api_key=credentials.api_key) as watcher,
            AsyncAirlineClient(api_url, headers=iam_headers()) as operations,
        ):
            ready = subscribed(appsync, "onFlightDelayed")
            delays = watcher.subscribe_flight_delays(departure_airport_code=flight.departure_airport_code)
            first = asyncio.ensure_future(anext(delays))
            await until_async(ready)
            await operations.delay_flight(flight.id, 10, "de-icing")
            delay: FlightDelay = await asyncio.wait_for(first, PATIENCE)
            await delays.aclose()
            return delay

    delay = asyncio.run(scenario())

    assert (delay.flight_id, delay.departure_airport_code, delay.delay_minutes) == (flight.id, "ZZX", 10)


def test_a_customer_follows_her_booking_from_pending_to_confirmed(
    api_url: str, credentials: LocalCredentials, appsync: LocalAppSync
) -> None:
    flight_id = a_stored_flight()

    async def scenario() -> tuple[list[BookingStatusEvent], str]:
        async with AsyncAirlineClient(api_url, token=credentials.issue_token("judy"), backoff=QUICK) as judy:
            ready = subscribed(appsync, "onBookingStatusChanged")
            # Her own bookings: the customer comes from her token.
            events = judy.subscribe_booking_status()
            received: list[BookingStatusEvent] = []

            async def collect() -> None:
                async for event in events:
                    received.append(event)
                    if event.status.is_final:
                        return

            collecting = asyncio.ensure_future(collect())
            await until_async(ready)
            booking = await judy.init_booking(flight_id, "tok_visa", passengers=ADA)
            await asyncio.wait_for(collecting, PATIENCE)
            await events.aclose()
            return received, booking.id

    received, booking_id = asyncio.run(scenario())

    assert all(isinstance(event, BookingStatusEvent) for event in received)
    assert {event.booking_id for event in received} == {booking_id}
    assert received[-1].status is BookingStatus.CONFIRMED
    assert received[-1].customer == user_sub("judy")


@pytest.mark.parametrize("face", ["sync", "async"])
def test_subscribing_to_another_customers_bookings_is_unauthorized(
    api_url: str, credentials: LocalCredentials, face: str
) -> None:
    arguments: dict[str, Any] = {"token": credentials.issue_token("mallory")}

    if face == "sync":
        with AirlineClient(api_url, **arguments) as mallory, pytest.raises(Unauthorized):
            next(mallory.subscribe_booking_status(customer=user_sub("judy")))
    else:

        async def scenario() -> None:
            async with AsyncAirlineClient(api_url, **arguments) as mallory:
                await anext(mallory.subscribe_booking_status(customer=user_sub("judy")))

        with pytest.raises(Unauthorized):
            asyncio.run(scenario())


def test_a_subscription_with_a_wrong_api_key_is_not_authenticated(api_url: str) -> None:
    # The real-time handshake is refused with AppSync's connection_error: a transport-level refusal, as over HTTP.
    with AirlineClient(api_url, api_key="da2-not-the-key", backoff=QUICK) as stranger, pytest.raises(NotAuthenticated):
        next(stranger.subscribe_flight_delays())


def test_wait_for_booking_gets_the_final_state_from_the_subscription(
    connect: Connect, api_url: str, appsync: LocalAppSync, pool: ThreadPoolExecutor
) -> None:
    # Given a PENDING booking of Kate's that nothing else will move, and Kate waiting for it (no periodic reads)
    booking = a_pending_booking(user_sub("kate"))
    kate = connect("kate")
    ready = subscribed(appsync, "onBookingStatusChanged")
    waiting = pool.submit(kate.wait_for_booking, booking.id, PATIENCE, recheck=3600)
    until(ready)

    # When the booking is confirmed and subscribers are told
    confirm(booking, api_url)

    # Then the wait ends with the confirmed booking
    assert waiting.result(timeout=PATIENCE).status is BookingStatus.CONFIRMED


def test_wait_for_booking_still_gets_the_final_state_when_its_socket_is_cut(
    connect: Connect, api_url: str, appsync: LocalAppSync, pool: ThreadPoolExecutor
) -> None:
    # Given Kate waiting for a PENDING booking, her WebSocket going through a proxy
    proxy = CuttableProxy(("127.0.0.1", urlsplit(api_url).port or 80))
    booking = a_pending_booking(user_sub("kate"))
    kate = connect("kate", realtime_url=f"ws://127.0.0.1:{proxy.port}/graphql/realtime")
    ready = subscribed(appsync, "onBookingStatusChanged")
    waiting = pool.submit(kate.wait_for_booking, booking.id, PATIENCE, recheck=3600)
    until(ready)

    # When the socket is cut mid-wait, and the booking is confirmed with no event to tell anyone
    proxy.cut()
    confirm(booking)

    # Then the wait still ends with the confirmed booking (it fell back to reading it)
    try:
        assert waiting.result(timeout=PATIENCE).status is BookingStatus.CONFIRMED
        assert proxy.connections == 1
    finally:
        proxy.close()
