"""Domain types the services speak: flights, bookings, payments and pages of results.

Loyalty's types are in `domain/loyalty.py` and a flight's delay in `domain/delays.py`: each frozen dataclass costs
every function that imports its module about a millisecond to define, and the saga tasks need neither.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Generic, TypeVar

T = TypeVar("T")


class FlightStatus(StrEnum):
    SCHEDULED = "SCHEDULED"
    DELAYED = "DELAYED"
    CANCELLED = "CANCELLED"


class BookingStatus(StrEnum):
    # Seats taken, nothing charged, until the hold expires (initBooking with hold).
    HELD = "HELD"
    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    # A hold not paid in time: seats back, nothing charged.
    EXPIRED = "EXPIRED"


# The booking's lifecycle, written down once: for each status, the statuses a booking may move to it from. Every
# status change is one conditional write on this (resolvers/store/bookings.py).
BOOKING_TRANSITIONS: Mapping[BookingStatus, frozenset[BookingStatus]] = MappingProxyType(
    {
        # payBooking, before the hold expires; the saga then pays it as any booking.
        BookingStatus.PENDING: frozenset({BookingStatus.HELD}),
        # The saga's ConfirmBooking.
        BookingStatus.CONFIRMED: frozenset({BookingStatus.PENDING}),
        # The saga's compensation (also after a confirmation that could not finish), and the reconciler.
        BookingStatus.FAILED: frozenset({BookingStatus.PENDING, BookingStatus.CONFIRMED}),
        # cancelBooking.
        BookingStatus.CANCELLED: frozenset({BookingStatus.CONFIRMED, BookingStatus.HELD}),
        # The hold timer (and the reconciler), once holdExpiresAt has passed.
        BookingStatus.EXPIRED: frozenset({BookingStatus.HELD}),
    }
)


class PaymentStatus(StrEnum):
    # Attempts were made, none authorized yet (transient failures).
    ATTEMPTED = "ATTEMPTED"
    AUTHORIZED = "AUTHORIZED"
    CAPTURED = "CAPTURED"
    DECLINED = "DECLINED"
    # An authorization released without capture.
    VOIDED = "VOIDED"
    REFUNDED = "REFUNDED"


@dataclass(frozen=True)
class Flight:
    """A scheduled flight with its route, times, ticket price and the seats left to book."""

    id: str
    flight_number: str
    departure_airport_code: str
    departure_airport_name: str
    departure_city: str
    departure_date_time: datetime
    arrival_airport_code: str
    arrival_airport_name: str
    arrival_city: str
    arrival_date_time: datetime
    ticket_price: int
    ticket_currency: str
    seat_capacity: int
    seats_available: int
    status: FlightStatus = FlightStatus.SCHEDULED
    delay_minutes: int = 0


@dataclass(frozen=True)
class BoardingPass:
    """What check-in gives each passenger (none is issued yet: the contract is fixed ahead of check-in)."""

    passenger_name: str
    flight_number: str
    seat: str
    boarding_group: str
    sequence_number: int
    barcode: str


@dataclass(frozen=True)
class Passenger:
    """A named traveller on a booking; `seat` and `boarding_pass` are set at check-in."""

    first_name: str
    last_name: str
    seat: str | None = None
    boarding_pass: BoardingPass | None = None


@dataclass(frozen=True)
class Booking:
    """A customer's booking of seats on one flight, and where it stands."""

    id: str
    booking_reference: str
    status: BookingStatus
    customer: str
    outbound_flight_id: str
    # Empty only for a booking stored before passengers were named: it holds one seat.
    passengers: tuple[Passenger, ...]
    # The flight's ticket price times the seats, in minor units of `currency`: what the saga charges.
    total_price: int
    currency: str
    created_at: datetime
    updated_at: datetime
    status_reason: str | None = None
    checked_in: bool = False
    # Until when a HELD booking keeps its seats unpaid; kept after the hold ends (paid, expired or cancelled).
    hold_expires_at: datetime | None = None

    @property
    def seats(self) -> int:
        """Seats the booking takes: one per passenger (one for a booking from before passengers were named)."""
        return max(1, len(self.passengers))


@dataclass(frozen=True)
class Payment:
    """A booking's payment as the provider holds it."""

    booking_id: str
    status: PaymentStatus
    # Minor units of `currency`: the booking's total price.
    amount: int
    currency: str
    attempts: int = 0


@dataclass(frozen=True)
class BookingStatusEvent:
    """A booking's status as subscribers of onBookingStatusChanged receive it."""

    booking_id: str
    customer: str
    status: BookingStatus
    booking_reference: str
    occurred_at: datetime
    status_reason: str | None = None

    @classmethod
    def of(cls, booking: Booking) -> BookingStatusEvent:
        return cls(
            booking_id=booking.id,
            customer=booking.customer,
            status=booking.status,
            booking_reference=booking.booking_reference,
            status_reason=booking.status_reason,
            occurred_at=booking.updated_at,
        )


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results, and the token to the next one (None on the last page)."""

    items: list[T]
    next_token: str | None
