"""The flight catalog: search, read, create, and flights for a batch of bookings."""

from __future__ import annotations

from dataclasses import asdict

from resolvers.domain.errors import NotFound
from resolvers.domain.identity import Caller
from resolvers.domain.inputs import FlightSearch, NewFlight, PageRequest
from resolvers.domain.models import Flight, FlightStatus, Page
from resolvers.store import flights as flight_store


def list_flights(search: FlightSearch, page: PageRequest) -> Page[Flight]:
    return flight_store.search_route(
        search.departure_airport_code,
        search.arrival_airport_code,
        search.departure_date,
        page.limit,
        page.next_token,
    )


def get_flight(flight_id: str) -> Flight | None:
    return flight_store.get_flight(flight_id)


def require_flight(flight_id: str) -> Flight:
    flight = flight_store.get_flight(flight_id)
    if flight is None:
        raise NotFound(f"Flight {flight_id} does not exist")
    return flight


def get_flights(flight_ids: list[str]) -> list[Flight | None]:
    """Flights for many ids at once, in the order asked (None where there is none): one BatchGetItem."""
    found = flight_store.get_flights(flight_ids)
    return [found.get(flight_id) for flight_id in flight_ids]


def create_flight(caller: Caller, new: NewFlight) -> Flight:
    caller.require_admin()
    from ulid import ULID  # only creations need it: kept off the cold start of every read

    flight = Flight(
        id=str(ULID()),
        seats_available=new.seat_capacity,
        status=FlightStatus.SCHEDULED,
        delay_minutes=0,
        **asdict(new),
    )
    flight_store.put_flight(flight)
    return flight
