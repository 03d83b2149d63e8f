"""The booking saga's steps: each idempotent, so a step Step Functions retries changes nothing twice."""

from __future__ import annotations

from typing import Any

from resolvers import events
from resolvers.domain.errors import Conflict, NotFound
from resolvers.domain.models import Booking, BookingStatus
from resolvers.notifications import notifier
from resolvers.payments import provider as payment_provider
from resolvers.services import catalog
from resolvers.store import bookings as booking_store
from resolvers.store import flights as flight_store

# What a customer reads in statusReason for the errors a saga may end with.
FAILURE_REASONS = {
    "SeatsUnavailable": "No seats are left on this flight",
    "CardDeclined": "The card was declined",
    "InsufficientFunds": "The card has insufficient funds",
    "PaymentDeclined": "The payment was declined",
    "TransientPaymentError": "The payment could not be processed; no money was taken",
    "PaymentTimeout": "The payment provider did not answer in time; no money was taken",
    "States.Timeout": "The booking took too long to complete; no money was taken",
}
DEFAULT_REASON = "The booking could not be completed; no money was taken"


def _booking(booking_id: str) -> Booking:
    booking = booking_store.get_booking(booking_id)
    if booking is None:
        raise NotFound(f"Booking {booking_id} does not exist")
    return booking


def reserve_seat(booking_id: str, flight_id: str) -> None:
    flight_store.reserve_seat(flight_id, booking_id)


def collect_payment(booking_id: str, flight_id: str, payment_token: str) -> dict[str, Any]:
    """Authorize and capture the flight's price, taken from the flight, never from the client."""
    booking = _booking(booking_id)
    if booking.status is not BookingStatus.PENDING:
        raise Conflict(f"Booking {booking_id} is {booking.status}; no payment is collected for it")
    flight = catalog.require_flight(flight_id)
    provider = payment_provider()
    provider.authorize(booking_id, payment_token, flight.ticket_price, flight.ticket_currency)
    payment = provider.capture(booking_id)
    events.publish(
        events.DomainEvent(
            events.PAYMENT_PROCESSED,
            {
                "bookingId": booking_id,
                "customer": booking.customer,
                "amount": payment.amount,
                "currency": payment.currency,
            },
            subject=booking_id,
        )
    )
    return {"amount": payment.amount, "currency": payment.currency}


def confirm_booking(booking_id: str, payment: dict[str, Any]) -> None:
    booking = _booking(booking_id)
    if booking.status is BookingStatus.PENDING:
        booking = booking_store.change_status(booking, {BookingStatus.PENDING}, BookingStatus.CONFIRMED)
    if booking.status is not BookingStatus.CONFIRMED:
        raise Conflict(f"Booking {booking_id} is {booking.status}; it cannot be confirmed")
    events.publish(
        events.DomainEvent(
            events.BOOKING_CONFIRMED,
            {
                "bookingId": booking.id,
                "customer": booking.customer,
                "outboundFlightId": booking.outbound_flight_id,
                "bookingReference": booking.booking_reference,
                "amount": payment["amount"],
                "currency": payment["currency"],
            },
            subject=booking.id,
        )
    )


def notify_booking(booking_id: str) -> None:
    notifier().booking_status(_booking(booking_id))


def refund_payment(booking_id: str) -> None:
    before = payment_provider().refund(booking_id)
    if before is not None:
        events.publish(
            events.DomainEvent(
                events.PAYMENT_REFUNDED,
                {"bookingId": booking_id, "amount": before.amount, "currency": before.currency},
                subject=booking_id,
            )
        )


def failure_reason(error: dict[str, Any] | None) -> str:
    """The customer-facing reason for the error a saga caught ({"Error", "Cause"} from Step Functions): only ever
    one of the known reasons; the Cause (an exception's text) stays in the execution's history and the log."""
    name = (error or {}).get("Error") if isinstance(error, dict) else None
    return FAILURE_REASONS.get(name, DEFAULT_REASON) if isinstance(name, str) else DEFAULT_REASON


def fail_booking(booking_id: str, error: dict[str, Any] | None) -> None:
    """Mark the booking FAILED with the reason; also a CONFIRMED one whose confirmation could not finish."""
    booking = _booking(booking_id)
    if booking.status is not BookingStatus.FAILED:
        try:
            booking = booking_store.change_status(
                booking, {BookingStatus.PENDING, BookingStatus.CONFIRMED}, BookingStatus.FAILED, failure_reason(error)
            )
        except booking_store.StatusConflict as conflict:
            if conflict.current is None or conflict.current.status is not BookingStatus.FAILED:
                raise
            booking = conflict.current
    events.publish(
        events.DomainEvent(
            events.BOOKING_FAILED,
            {"bookingId": booking.id, "customer": booking.customer, "statusReason": booking.status_reason},
            subject=booking.id,
        )
    )


def release_seat(booking_id: str, flight_id: str) -> None:
    flight_store.release_seat(flight_id, booking_id)
