"""The booking saga's steps: each idempotent, so a step Step Functions retries changes nothing twice, and a second
run of a whole execution (Express workflows run at least once) books, charges and credits nothing twice.

What the execution input carries (the customer, the flight's price read by initBooking) is not read again, and
the booking ConfirmBooking wrote is handed to NotifyConfirmed: one conditional write per step where one will do.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from resolvers import events
from resolvers.domain.errors import BookingSettled, Conflict, NotFound
from resolvers.domain.models import Booking, BookingStatus, Passenger, PaymentStatus
from resolvers.notifications import notifier
from resolvers.payments import provider as payment_provider
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
    # Set by the reconciler (services/reconciler.py) on a booking whose saga stopped (a crash) before settling it.
    "BookingAbandoned": "The booking was interrupted before it could complete; any payment taken was refunded",
}
DEFAULT_REASON = "The booking could not be completed; no money was taken"


def _booking(booking_id: str) -> Booking:
    booking = booking_store.get_booking(booking_id)
    if booking is None:
        raise NotFound(f"Booking {booking_id} does not exist")
    return booking


def booking_state(booking: Booking) -> dict[str, Any]:
    """A booking as JSON, to travel in the execution's state from one task to the next."""
    return {
        "id": booking.id,
        "bookingReference": booking.booking_reference,
        "status": str(booking.status),
        "customer": booking.customer,
        "outboundFlightId": booking.outbound_flight_id,
        "passengers": [
            {"firstName": p.first_name, "lastName": p.last_name, "seat": p.seat} for p in booking.passengers
        ],
        "totalPrice": booking.total_price,
        "currency": booking.currency,
        "createdAt": booking.created_at.isoformat(),
        "updatedAt": booking.updated_at.isoformat(),
        "statusReason": booking.status_reason,
        "checkedIn": booking.checked_in,
    }


def booking_of_state(state: dict[str, Any]) -> Booking:
    return Booking(
        id=state["id"],
        booking_reference=state["bookingReference"],
        status=BookingStatus(state["status"]),
        customer=state["customer"],
        outbound_flight_id=state["outboundFlightId"],
        passengers=tuple(
            Passenger(first_name=p["firstName"], last_name=p["lastName"], seat=p.get("seat"))
            for p in state.get("passengers") or []
        ),
        total_price=int(state.get("totalPrice") or 0),
        currency=str(state.get("currency") or ""),
        created_at=datetime.fromisoformat(state["createdAt"]),
        updated_at=datetime.fromisoformat(state["updatedAt"]),
        status_reason=state.get("statusReason"),
        checked_in=bool(state.get("checkedIn")),
    )


def reserve_seats(booking_id: str, flight_id: str, seats: int) -> None:
    """Take the booking's seats (one per passenger, all or none), in a transaction that also checks the booking is
    still PENDING: a second run of a settled booking's execution ends here (BookingSettled) without taking any."""
    flight_store.reserve_seats(flight_id, booking_id, seats, while_pending=True)


def collect_payment(
    booking_id: str, flight_id: str, payment_token: str, price: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Authorize and capture the booking's total price: the one initBooking computed from the flight's ticket price
    and the passengers and put in the execution input (`price`: amount, currency), or the stored booking's when an
    input has none; never the client's."""
    booking = _booking(booking_id)
    if booking.status is not BookingStatus.PENDING:
        # Settled by another run of this booking's saga: that run owns the outcome; this one takes no money.
        raise BookingSettled(f"Booking {booking_id} is {booking.status}; no payment is collected for it")
    if price is None:
        price = {"amount": booking.total_price, "currency": booking.currency}
    provider = payment_provider()
    provider.authorize(booking_id, payment_token, int(price["amount"]), str(price["currency"]))
    payment = provider.capture(booking_id)
    events.publish(events.payment_processed(booking_id, booking.customer, payment.amount, payment.currency))
    return {"amount": payment.amount, "currency": payment.currency}


def confirm_booking(booking_id: str, payment: dict[str, Any], customer: str | None = None) -> dict[str, Any]:
    """PENDING to CONFIRMED in one conditional write (`customer` from the execution input); answers the booking
    as confirmed, which NotifyConfirmed tells the customer without reading it again."""
    try:
        if customer is None:
            customer = _booking(booking_id).customer
        booking = booking_store.set_status(booking_id, customer, BookingStatus.CONFIRMED)
    except booking_store.StatusConflict as conflict:
        if conflict.current is None:
            raise NotFound(f"Booking {booking_id} does not exist") from conflict
        booking = conflict.current
    if booking.status is not BookingStatus.CONFIRMED:
        raise Conflict(f"Booking {booking_id} is {booking.status}; it cannot be confirmed")
    events.publish(events.booking_confirmed(booking, payment["amount"], payment["currency"]))
    return booking_state(booking)


def notify_booking(booking_id: str, booking: dict[str, Any] | None = None) -> None:
    """Tell subscribers the booking's status: the booking the previous task handed over, else as stored now."""
    notifier().booking_status(booking_of_state(booking) if booking else _booking(booking_id))


# Payment statuses after a refund call in which money was given back (or a hold on it released).
GIVEN_BACK = frozenset({PaymentStatus.REFUNDED, PaymentStatus.VOIDED})


def refund_payment(booking_id: str) -> None:
    payment = payment_provider().refund(booking_id)
    # A declined card or no payment at all: nothing was refunded, so no payment.refunded.
    if payment is not None and payment.status in GIVEN_BACK:
        events.publish(events.payment_refunded(booking_id, payment.amount, payment.currency))


def failure_reason(error: dict[str, Any] | None) -> str:
    """The customer-facing reason for the error a saga caught ({"Error", "Cause"} from Step Functions): only ever
    one of the known reasons; the Cause (an exception's text) stays in the execution's history and the log."""
    name = (error or {}).get("Error") if isinstance(error, dict) else None
    return FAILURE_REASONS.get(name, DEFAULT_REASON) if isinstance(name, str) else DEFAULT_REASON


def fail_booking(booking_id: str, error: dict[str, Any] | None, customer: str | None = None) -> None:
    """Mark the booking FAILED with the reason; also a CONFIRMED one whose confirmation could not finish.
    One conditional write when the execution input names the `customer`."""
    try:
        if customer is None:
            customer = _booking(booking_id).customer
        booking = booking_store.set_status(booking_id, customer, BookingStatus.FAILED, failure_reason(error))
    except booking_store.StatusConflict as conflict:
        if conflict.current is None or conflict.current.status is not BookingStatus.FAILED:
            raise
        booking = conflict.current
    events.publish(events.booking_failed(booking))


def release_seats(booking_id: str, flight_id: str, seats: int) -> None:
    flight_store.release_seats(flight_id, booking_id, seats)
