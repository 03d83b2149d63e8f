"""Every key of the single table, built in one place with its entity prefix."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from resolvers.domain.models import BookingStatus

FLIGHT = "FLIGHT#"
BOOKING = "BOOKING#"
CUSTOMER = "CUSTOMER#"
ROUTE = "ROUTE#"
SEAT = "SEAT#"
# A seat of the flight's seat map given to a passenger at check-in (not a prefix of SEAT#: its queries miss them).
SEAT_MAP = "SEATMAP#"
# The seat a booking's passenger was given, under the booking: one per passenger, so no passenger gets two.
PASSENGER_SEAT = "CHECKIN#"
REFERENCE = "REFERENCE#"
IDEMPOTENCY = "IDEMPOTENCY#"
PAYMENT = "PAYMENT"
LOYALTY = "LOYALTY"
LOYALTY_ENTRY = "LOYALTY#"
STATUS = "STATUS#"


def iso(moment: datetime) -> str:
    """UTC timestamps as sortable text: 2026-01-31T09:30:00Z."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def flight(flight_id: str) -> tuple[str, str]:
    return f"{FLIGHT}{flight_id}", f"{FLIGHT}{flight_id}"


def flight_route(departure: str, arrival: str) -> str:
    return f"{ROUTE}{departure}#{arrival}"


def flight_departure(departs: datetime, flight_id: str) -> str:
    return f"{iso(departs)}#{flight_id}"


def departure_day(day: date) -> str:
    return day.isoformat()


def seat_hold(flight_id: str, booking_id: str) -> tuple[str, str]:
    return f"{FLIGHT}{flight_id}", f"{SEAT}{booking_id}"


def assigned_seat(flight_id: str, seat: str) -> tuple[str, str]:
    return f"{FLIGHT}{flight_id}", f"{SEAT_MAP}{seat}"


def passenger_seat(booking_id: str, passenger: int) -> tuple[str, str]:
    return f"{BOOKING}{booking_id}", f"{PASSENGER_SEAT}{passenger}"


def booking(booking_id: str) -> tuple[str, str]:
    return f"{BOOKING}{booking_id}", f"{BOOKING}{booking_id}"


def customer(customer_id: str) -> str:
    return f"{CUSTOMER}{customer_id}"


def customer_status(customer_id: str, status: BookingStatus) -> str:
    return f"{CUSTOMER}{customer_id}#STATUS#{status}"


def status(status: BookingStatus) -> str:
    return f"{STATUS}{status}"


def status_change(changed_at: datetime, booking_id: str) -> str:
    """Sorts a status's bookings by when they last changed; ISO text, so a time compares as a prefix."""
    return f"{iso(changed_at)}#{booking_id}"


def customer_booking(booking_id: str) -> str:
    return f"{BOOKING}{booking_id}"


def loyalty_summary(customer_id: str) -> tuple[str, str]:
    return customer(customer_id), LOYALTY


def loyalty_entry(customer_id: str, booking_id: str) -> tuple[str, str]:
    return customer(customer_id), f"{LOYALTY_ENTRY}{booking_id}"


def idempotency(customer_id: str, key: str) -> tuple[str, str]:
    return customer(customer_id), f"{IDEMPOTENCY}{key}"


def reference(booking_reference: str) -> tuple[str, str]:
    return f"{REFERENCE}{booking_reference}", f"{REFERENCE}{booking_reference}"


def payment(booking_id: str) -> tuple[str, str]:
    return f"{BOOKING}{booking_id}", PAYMENT
