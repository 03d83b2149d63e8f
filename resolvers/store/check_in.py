"""Check-in in the table: the flight's check-in sequence numbers, the seat map's assignments (an item per given
seat under the flight, and one per passenger under the booking, written together, each only where none exists: no
seat is given twice and no passenger gets two) and the booking's passengers with their boarding passes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import NamedTuple

from pynamodb.exceptions import DeleteError, UpdateError
from pynamodb.transactions import TransactWrite

from resolvers.domain.models import Booking, BookingStatus, Passenger
from resolvers.store import keys
from resolvers.store.bookings import StatusConflict, get_booking, passenger_attribute, to_booking
from resolvers.store.models import BookingItem, FlightItem, PassengerSeatItem, SeatAssignmentItem, TableItem
from resolvers.store.table import ensure_bound
from resolvers.store.transactions import ConditionFailed, transact_write

_CONDITION_FAILED = "ConditionalCheckFailedException"


class Assignment(NamedTuple):
    seat: str
    sequence_number: int


def take_sequence_numbers(flight_id: str, count: int) -> int:
    """Reserve `count` consecutive check-in sequence numbers on the flight (one atomic ADD); answers the first."""
    ensure_bound()
    item = FlightItem(*keys.flight(flight_id))
    item.update(actions=[FlightItem.check_in_count.add(count)], condition=TableItem.pk.exists())
    return int(item.check_in_count or 0) - count + 1


def claim_seat(flight_id: str, seat: str, booking_id: str, passenger: int, sequence_number: int) -> Assignment | None:
    """Give `seat` to the booking's passenger, in one transaction with the passenger's own record, both only where
    none exists: answers the passenger's seat (this one, or the one a concurrent or earlier call gave them), or
    None if someone else has this seat."""
    ensure_bound()
    now = datetime.now(UTC)
    assignment = SeatAssignmentItem(
        *keys.assigned_seat(flight_id, seat), booking_id=booking_id, passenger=passenger, created_at=now
    )
    record = PassengerSeatItem(
        *keys.passenger_seat(booking_id, passenger), seat=seat, sequence_number=sequence_number, created_at=now
    )

    def build(transaction: TransactWrite) -> None:
        transaction.save(assignment, condition=TableItem.pk.does_not_exist())
        transaction.save(record, condition=TableItem.pk.does_not_exist())

    try:
        transact_write(build, what="Check-in")
    except ConditionFailed as failed:
        if failed.at(1):
            held = PassengerSeatItem.get(*keys.passenger_seat(booking_id, passenger), consistent_read=True)
            return Assignment(held.seat, int(held.sequence_number))
        return None
    return Assignment(seat, sequence_number)


def assignments(booking_id: str) -> dict[int, Assignment]:
    """The seats the booking's passengers were given (an interrupted check-in's too), by passenger: one Query of
    the booking's partition."""
    ensure_bound()
    pk, _ = keys.booking(booking_id)
    return {
        int(item.sk.removeprefix(keys.PASSENGER_SEAT)): Assignment(item.seat, int(item.sequence_number))
        for item in TableItem.query(pk, TableItem.sk.startswith(keys.PASSENGER_SEAT), consistent_read=True)
        if isinstance(item, PassengerSeatItem)
    }


def release_seats(flight_id: str, booking_id: str, seats: Iterable[str]) -> None:
    """Give the seats back to the seat map; a seat another booking has since been given stays theirs."""
    ensure_bound()
    for seat in seats:
        try:
            SeatAssignmentItem(*keys.assigned_seat(flight_id, seat)).delete(
                condition=SeatAssignmentItem.booking_id == booking_id
            )
        except DeleteError as exc:
            if exc.cause_response_code != _CONDITION_FAILED:
                raise


def record_check_in(booking_id: str, passengers: list[Passenger]) -> Booking:
    """The passengers with their seats and boarding passes, and checkedIn, in one conditional UpdateItem: only a
    CONFIRMED booking not checked in yet. Raises StatusConflict with the booking as it is otherwise."""
    ensure_bound()
    item = BookingItem(*keys.booking(booking_id))
    try:
        item.update(
            actions=[
                BookingItem.passengers.set([passenger_attribute(passenger) for passenger in passengers]),
                BookingItem.checked_in.set(True),
                BookingItem.updated_at.set(datetime.now(UTC)),
            ],
            condition=TableItem.pk.exists()
            & (BookingItem.status == str(BookingStatus.CONFIRMED))
            & (BookingItem.checked_in == False),  # noqa: E712 (a DynamoDB condition, not a comparison)
        )
    except UpdateError as exc:
        if exc.cause_response_code == _CONDITION_FAILED:
            raise StatusConflict(get_booking(booking_id)) from exc
        raise
    return to_booking(item)
