"""The flight catalog: search, read, create, delay, and flights for a batch of bookings."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

from resolvers import events
from resolvers.domain.delays import FlightDelay
from resolvers.domain.errors import Conflict, ValidationError
from resolvers.domain.identity import Caller
from resolvers.domain.inputs import MAX_DELAY_MINUTES, FlightDelayRequest, FlightSearch, NewFlight, PageRequest
from resolvers.domain.models import BookingStatus, Flight, FlightStatus, Page
from resolvers.store import bookings as booking_store
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
    return flight_store.require_flight(flight_id)


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


_DELAY_RETRIES = 3


def delay_flight(caller: Caller, request: FlightDelayRequest) -> FlightDelay:
    """Move a flight by the delay, mark it DELAYED, count its confirmed bookings and emit flight.delayed."""
    caller.require_admin()
    for _ in range(_DELAY_RETRIES):
        flight = require_flight(request.flight_id)
        if flight.status is FlightStatus.CANCELLED:
            raise ValidationError("input.flightId", "this flight is cancelled")
        if flight.departure_date_time <= datetime.now(UTC):
            raise ValidationError("input.flightId", "this flight has departed")
        if flight.delay_minutes + request.delay_minutes > MAX_DELAY_MINUTES:
            raise ValidationError("input.delayMinutes", f"would delay the flight more than {MAX_DELAY_MINUTES} minutes")
        try:
            moved = flight_store.move_flight(flight, request.delay_minutes)
        except flight_store.FlightChanged:
            continue
        break
    else:
        raise Conflict(f"Flight {request.flight_id} changed while being delayed; try again")
    holders = booking_store.get_bookings(flight_store.seat_holders(moved.id))
    delay = FlightDelay(
        flight_id=moved.id,
        flight_number=moved.flight_number,
        departure_airport_code=moved.departure_airport_code,
        arrival_airport_code=moved.arrival_airport_code,
        delay_minutes=moved.delay_minutes,
        reason=request.reason,
        departure_date_time=moved.departure_date_time,
        arrival_date_time=moved.arrival_date_time,
        affected_bookings=sum(1 for booking in holders if booking.status is BookingStatus.CONFIRMED),
        occurred_at=datetime.now(UTC),
    )
    events.publish(events.flight_delayed(delay))
    return delay
