"""list_flights and list_bookings follow nextToken to the end: 250 flights on one route in pages of 100."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from resolvers.store import flights as flight_store
from tests.client.conftest import Connect
from tests.factories import a_flight

FLIGHTS = 250


def test_list_flights_follows_next_token_over_250_flights(connect: Connect, new_airport: Callable[[], str]) -> None:
    # Given 250 flights on a fresh route, one every hour from tomorrow
    departure, arrival = new_airport(), new_airport()
    first = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    stored = [a_flight(departure, arrival, departs=first + timedelta(hours=hour)) for hour in range(FLIGHTS)]
    for flight in stored:
        flight_store.put_flight(flight)
    client = connect("api_key")

    # When a partner iterates the route's flights in pages of 100
    flights = list(client.list_flights(departure, arrival, page_size=100))
    first_page = client.list_flights_page(departure, arrival, limit=100)

    # Then every flight comes once, in departure order, over three pages
    assert [flight.id for flight in flights] == [flight.id for flight in stored]
    assert len(first_page.items) == 100
    assert first_page.next_token is not None
    last_page = client.list_flights_page(departure, arrival, limit=100, next_token=first_page.next_token)
    last_page = client.list_flights_page(departure, arrival, limit=100, next_token=last_page.next_token)
    assert (len(last_page.items), last_page.next_token) == (50, None)
