"""Online check-in (checkIn): a seat for every passenger of a CONFIRMED booking, from the flight's seat map, and
a boarding pass with its BCBP barcode; from 24 hours until 1 hour before departure.

Seats are unique on the flight whatever runs at the same time: each is one conditional put (no read decides who
gets a seat). Checking in again answers the same seats; an interrupted check-in's seats are found and reused.
"""

from __future__ import annotations

from datetime import UTC, datetime

from resolvers import events
from resolvers.domain import boarding
from resolvers.domain.errors import CheckInNotAvailable, NotFound, Unauthorized
from resolvers.domain.identity import Caller
from resolvers.domain.models import BoardingPass, Booking, BookingStatus, Flight, Passenger
from resolvers.store import bookings as booking_store
from resolvers.store import check_in as check_in_store
from resolvers.store import flights as flight_store
from resolvers.store.check_in import Assignment


def check_in(caller: Caller, booking_id: str, now: datetime | None = None) -> Booking:
    booking = booking_store.get_booking(booking_id)
    if booking is None:
        raise NotFound(f"Booking {booking_id} does not exist")
    if not caller.may_read_customer(booking.customer):
        raise Unauthorized("Not authorized to check in this booking")
    if booking.checked_in:
        return booking
    if booking.status is not BookingStatus.CONFIRMED:
        raise CheckInNotAvailable(f"Only a CONFIRMED booking can be checked in; this one is {booking.status}")
    if not booking.passengers:
        raise CheckInNotAvailable("This booking names no passenger; an agent checks it in at the airport")
    flight = flight_store.require_flight(booking.outbound_flight_id)
    moment = now or datetime.now(UTC)
    boarding.check_in_window(flight.departure_date_time, moment)

    seats = _seats(flight, booking)
    passengers = [
        _checked_in(passenger, seats[index], booking, flight, moment)
        for index, passenger in enumerate(booking.passengers)
    ]
    try:
        checked_in = check_in_store.record_check_in(booking.id, passengers)
    except booking_store.StatusConflict as conflict:
        current = conflict.current
        if current is not None and current.checked_in:
            # A concurrent call checked the booking in first, with the very same seats (one per passenger).
            return current
        check_in_store.release_seats(flight.id, booking.id, [assignment.seat for assignment in seats.values()])
        status = current.status if current is not None else "gone"
        raise CheckInNotAvailable(f"Only a CONFIRMED booking can be checked in; this one is {status}") from conflict
    events.publish(events.booking_checked_in(checked_in))
    return checked_in


def _seats(flight: Flight, booking: Booking) -> dict[int, Assignment]:
    """A seat for each passenger: those an interrupted or concurrent check-in already gave, then new ones."""
    seats = check_in_store.assignments(booking.id)
    missing = [index for index in range(len(booking.passengers)) if index not in seats]
    if not missing:
        return seats
    seat_map = boarding.seat_map(flight.seat_capacity)
    first = check_in_store.take_sequence_numbers(flight.id, len(missing))
    for offset, index in enumerate(missing):
        sequence_number = first + offset
        # Start where the sequence number points, so that concurrent check-ins try different seats first.
        start = (sequence_number - 1) % len(seat_map)
        for seat in seat_map[start:] + seat_map[:start]:
            given = check_in_store.claim_seat(flight.id, seat, booking.id, index, sequence_number)
            if given is not None:
                seats[index] = given
                break
        else:
            raise CheckInNotAvailable("No seat is left on the flight's seat map; an agent checks you in at the airport")
    return seats


def _checked_in(passenger: Passenger, seat: Assignment, booking: Booking, flight: Flight, now: datetime) -> Passenger:
    data = boarding.BoardingPassData(
        first_name=passenger.first_name,
        last_name=passenger.last_name,
        booking_reference=booking.booking_reference,
        departure_airport=flight.departure_airport_code,
        arrival_airport=flight.arrival_airport_code,
        flight_number=flight.flight_number,
        departs=flight.departure_date_time,
        seat=seat.seat,
        sequence_number=seat.sequence_number,
        issued=now,
    )
    boarding_pass = BoardingPass(
        passenger_name=f"{passenger.last_name.upper()}/{passenger.first_name.upper()}",
        flight_number=flight.flight_number,
        seat=seat.seat,
        boarding_group=boarding.boarding_group(seat.seat, flight.seat_capacity),
        sequence_number=seat.sequence_number,
        barcode=boarding.bcbp(data),
    )
    return Passenger(passenger.first_name, passenger.last_name, seat=seat.seat, boarding_pass=boarding_pass)
