"""Flights in the table: catalog reads, creation, and the seat counter the saga reserves from."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from pynamodb.exceptions import UpdateError
from pynamodb.transactions import TransactWrite

from resolvers.domain.errors import BookingSettled, NotFound, SeatNotReserved, SeatsUnavailable
from resolvers.domain.models import BookingStatus, Flight, FlightStatus, Page
from resolvers.store import keys
from resolvers.store.models import BookingItem, FlightItem, SeatHoldItem, TableItem
from resolvers.store.table import ensure_bound
from resolvers.store.transactions import ConditionFailed, transact_write

_ROUTE_KEYS = ("PK", "SK", "GSI1PK", "GSI1SK")


def _to_flight(item: FlightItem) -> Flight:
    return Flight(
        id=item.flight_id,
        flight_number=item.flight_number,
        departure_airport_code=item.departure_airport_code,
        departure_airport_name=item.departure_airport_name,
        departure_city=item.departure_city,
        departure_date_time=item.departure_date_time,
        arrival_airport_code=item.arrival_airport_code,
        arrival_airport_name=item.arrival_airport_name,
        arrival_city=item.arrival_city,
        arrival_date_time=item.arrival_date_time,
        ticket_price=int(item.ticket_price),
        ticket_currency=item.ticket_currency,
        seat_capacity=int(item.seat_capacity),
        seats_available=int(item.seats_available),
        status=FlightStatus(item.status),
        delay_minutes=int(item.delay_minutes or 0),
    )


def _to_item(flight: Flight) -> FlightItem:
    pk, sk = keys.flight(flight.id)
    return FlightItem(
        pk,
        sk,
        gsi1pk=keys.flight_route(flight.departure_airport_code, flight.arrival_airport_code),
        gsi1sk=keys.flight_departure(flight.departure_date_time, flight.id),
        flight_id=flight.id,
        flight_number=flight.flight_number,
        departure_airport_code=flight.departure_airport_code,
        departure_airport_name=flight.departure_airport_name,
        departure_city=flight.departure_city,
        departure_date_time=flight.departure_date_time,
        arrival_airport_code=flight.arrival_airport_code,
        arrival_airport_name=flight.arrival_airport_name,
        arrival_city=flight.arrival_city,
        arrival_date_time=flight.arrival_date_time,
        ticket_price=flight.ticket_price,
        ticket_currency=flight.ticket_currency,
        seat_capacity=flight.seat_capacity,
        seats_available=flight.seats_available,
        status=str(flight.status),
        delay_minutes=flight.delay_minutes,
    )


def get_flight(flight_id: str) -> Flight | None:
    ensure_bound()
    pk, sk = keys.flight(flight_id)
    try:
        return _to_flight(FlightItem.get(pk, sk))
    except FlightItem.DoesNotExist:
        return None


def require_flight(flight_id: str) -> Flight:
    flight = get_flight(flight_id)
    if flight is None:
        raise NotFound(f"Flight {flight_id} does not exist")
    return flight


def get_flights(flight_ids: list[str]) -> dict[str, Flight]:
    """The flights that exist among `flight_ids`, by id, in one BatchGetItem per 100 distinct ids."""
    ensure_bound()
    unique = list(dict.fromkeys(flight_ids))
    found = FlightItem.batch_get([keys.flight(flight_id) for flight_id in unique])
    return {item.flight_id: _to_flight(item) for item in found}


def put_flight(flight: Flight) -> None:
    """Create a flight; an existing id is never overwritten."""
    ensure_bound()
    _to_item(flight).save(condition=TableItem.pk.does_not_exist())


def put_flights(flights: list[Flight]) -> None:
    """Write many flights in batches (seeding); existing ones are replaced."""
    ensure_bound()
    with FlightItem.batch_write() as batch:
        for flight in flights:
            batch.save(_to_item(flight))


def search_route(
    departure: str,
    arrival: str,
    departure_date: date | None,
    limit: int,
    token: str | None,
    now: datetime | None = None,
) -> Page[Flight]:
    """Flights on a route, earliest first: on one day, or from `now` on. One Query on GSI1."""
    ensure_bound()
    route = keys.flight_route(departure, arrival)
    condition: Any
    if departure_date is not None:
        condition = TableItem.gsi1sk.startswith(keys.departure_day(departure_date))
        scope = f"listFlights:{route}:{departure_date.isoformat()}"
    else:
        # Later flights sort after `now`; the scope leaves the instant out so a token stays usable.
        condition = TableItem.gsi1sk >= keys.iso(now or datetime.now(UTC))
        scope = f"listFlights:{route}:upcoming"
    # Loaded by the first page read: the saga tasks and the reconciler read no pages.
    from resolvers.store import pagination

    items, next_token = pagination.read_page(
        TableItem.gsi1.query,
        route,
        key_attributes=_ROUTE_KEYS,
        limit=limit,
        token=token,
        scope=scope,
        range_key_condition=condition,
    )
    return Page(items=[_to_flight(item) for item in items if isinstance(item, FlightItem)], next_token=next_token)


def reserve_seats(flight_id: str, booking_id: str, seats: int, *, while_pending: bool = False) -> bool:
    """Take a booking's `seats` seats, all or none. True if taken now, False if this booking already holds them.

    One transaction: the booking's hold is created only if absent, and the counter goes down by `seats` only while
    at least that many are left, so concurrent or repeated calls never oversell, never take a booking's seats twice
    and never take some of them. With `while_pending`, the same transaction also checks that the booking is still
    PENDING and raises BookingSettled if it is not: a second run of a settled booking's saga (Express runs at least
    once) takes no seat. Raises Conflict (retryable) if concurrent transactions keep cancelling it.
    """
    ensure_bound()

    def build(transaction: TransactWrite) -> None:
        take_seats(transaction, flight_id, booking_id, seats, datetime.now(UTC))
        if while_pending:
            booking_pk, booking_sk = keys.booking(booking_id)
            transaction.condition_check(
                BookingItem, booking_pk, booking_sk, condition=BookingItem.status == str(BookingStatus.PENDING)
            )

    try:
        transact_write(build, what=f"Reserving {seats} seat(s) on flight {flight_id}")
    except ConditionFailed as failed:
        # PynamoDB sends a transaction's condition checks first, then deletes, puts and updates, whatever the order
        # they were added in: the cancellation reasons come in that order.
        first = 1 if while_pending else 0
        if while_pending and failed.at(0):
            raise BookingSettled(f"Booking {booking_id} is no longer PENDING") from failed
        if failed.at(first):
            return False
        if get_flight(flight_id) is None:
            raise NotFound(f"Flight {flight_id} does not exist") from failed
        raise SeatsUnavailable(f"Flight {flight_id} has fewer than {seats} seat(s) left") from failed
    return True


def take_seats(transaction: TransactWrite, flight_id: str, booking_id: str, seats: int, now: datetime) -> None:
    """Add to `transaction` what takes a booking's seats: its seat hold, only if absent, then the flight's counter
    down by `seats`, only while that many are left (a put, then an update, in PynamoDB's order of a transaction)."""
    hold_pk, hold_sk = keys.seat_hold(flight_id, booking_id)
    flight_pk, flight_sk = keys.flight(flight_id)
    hold = SeatHoldItem(hold_pk, hold_sk, booking_id=booking_id, seats=seats, created_at=now)
    transaction.save(hold, condition=TableItem.pk.does_not_exist())
    transaction.update(
        FlightItem(flight_pk, flight_sk),
        actions=[FlightItem.seats_available.add(-seats)],
        condition=TableItem.pk.exists() & (FlightItem.seats_available >= seats),
    )


def release_seats(flight_id: str, booking_id: str, seats: int) -> bool:
    """Give back the `seats` seats a booking holds. True if given back now, False if already given back.

    The hold records how many seats it took (none recorded: one, from before multi-passenger bookings); a release
    of another number gives nothing back and raises SeatNotReserved, so seats are never created or lost.
    """
    ensure_bound()
    flight_pk, flight_sk = keys.flight(flight_id)
    hold_pk, hold_sk = keys.seat_hold(flight_id, booking_id)
    held = SeatHoldItem.seats == seats
    if seats == 1:
        held = held | SeatHoldItem.seats.does_not_exist()

    def build(transaction: TransactWrite) -> None:
        transaction.delete(SeatHoldItem(hold_pk, hold_sk), condition=TableItem.pk.exists() & held)
        transaction.update(
            FlightItem(flight_pk, flight_sk),
            actions=[FlightItem.seats_available.add(seats)],
            condition=TableItem.pk.exists() & (FlightItem.seats_available < FlightItem.seat_capacity),
        )

    try:
        transact_write(build, what=f"Releasing {seats} seat(s) on flight {flight_id}")
    except ConditionFailed as failed:
        if failed.at(0):
            try:
                hold = SeatHoldItem.get(hold_pk, hold_sk, consistent_read=True)
            except SeatHoldItem.DoesNotExist:
                return False
            raise SeatNotReserved(
                f"Booking {booking_id} holds {int(hold.seats or 1)} seat(s) on flight {flight_id}, not {seats}"
            ) from failed
        raise SeatNotReserved(f"Flight {flight_id} has no seat taken to give back") from failed
    return True


class FlightChanged(Exception):
    """The flight changed since it was read (a concurrent delay): read it again and retry."""


def move_flight(flight: Flight, minutes: int) -> Flight:
    """Delay a flight by `minutes`: departure and arrival move, status DELAYED, delayMinutes grows.

    Conditional on the departure read before, so two concurrent delays never both apply to the same departure.
    """
    ensure_bound()
    pk, sk = keys.flight(flight.id)
    item = FlightItem(pk, sk)
    departs = flight.departure_date_time + timedelta(minutes=minutes)
    arrives = flight.arrival_date_time + timedelta(minutes=minutes)
    try:
        item.update(
            actions=[
                FlightItem.departure_date_time.set(departs),
                FlightItem.arrival_date_time.set(arrives),
                FlightItem.gsi1sk.set(keys.flight_departure(departs, flight.id)),
                FlightItem.status.set(str(FlightStatus.DELAYED)),
                FlightItem.delay_minutes.add(minutes),
            ],
            condition=TableItem.pk.exists() & (FlightItem.departure_date_time == flight.departure_date_time),
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise FlightChanged(flight.id) from exc
        raise
    return _to_flight(item)


def seat_holders(flight_id: str) -> list[str]:
    """The bookings holding a seat on a flight: one Query of the flight's partition."""
    ensure_bound()
    pk, _ = keys.flight(flight_id)
    return [
        item.booking_id
        for item in TableItem.query(pk, TableItem.sk.startswith(keys.SEAT))
        if isinstance(item, SeatHoldItem)
    ]


def holds_seat(flight_id: str, booking_id: str) -> bool:
    """Whether a booking holds a seat on a flight: one GetItem of its hold."""
    ensure_bound()
    pk, sk = keys.seat_hold(flight_id, booking_id)
    try:
        SeatHoldItem.get(pk, sk, consistent_read=True)
    except SeatHoldItem.DoesNotExist:
        return False
    return True
