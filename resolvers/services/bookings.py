"""Bookings: reading them, starting one (initBooking) and cancelling one (cancelBooking).

A customer reads and changes their own bookings; Admins and IAM any customer's.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from resolvers import events
from resolvers.domain.errors import (
    BookingNotCancellable,
    Conflict,
    DomainError,
    IdempotencyConflict,
    NotFound,
    SeatsUnavailable,
    Unauthorized,
    ValidationError,
)
from resolvers.domain.identity import AuthMode, Caller
from resolvers.domain.inputs import BookingSearch, NewBooking, PageRequest
from resolvers.domain.models import (
    BOOKING_TRANSITIONS,
    Booking,
    BookingStatus,
    BookingStatusEvent,
    Flight,
    FlightStatus,
    Page,
    PaymentStatus,
)
from resolvers.notifications import notifier
from resolvers.payments import provider as payment_provider
from resolvers.store import bookings as booking_store

# How long an idempotency key is remembered: well past any client's retry window.
IDEMPOTENCY_TTL = timedelta(hours=24)
_REFERENCE_ATTEMPTS = 5


def get_booking(caller: Caller, booking_id: str) -> Booking | None:
    booking = booking_store.get_booking(booking_id)
    if booking is None:
        return None
    if not caller.may_read_customer(booking.customer):
        raise Unauthorized("Not authorized to read this booking")
    return booking


def list_bookings(caller: Caller, search: BookingSearch, page: PageRequest) -> Page[Booking]:
    customer = caller.customer_to_act_for(search.customer)
    return booking_store.list_customer_bookings(customer, search.status, page.limit, page.next_token)


def _booking_customer(caller: Caller, requested: str | None) -> str:
    if caller.mode is AuthMode.COGNITO:
        if requested is not None and requested != caller.customer:
            raise Unauthorized("Customers book for themselves only")
        assert caller.customer is not None
        return caller.customer
    if caller.mode is AuthMode.IAM:
        if requested is None:
            raise ValidationError("input.customer", "is required when booking as an IAM principal")
        return requested
    raise Unauthorized("Sign in to book")


def _request_hash(customer: str, new: NewBooking) -> str:
    import hashlib  # initBooking only, like the rest of the write path: kept off the cold start of reads

    request: dict[str, object] = {
        "customer": customer,
        "flight": new.outbound_flight_id,
        "token": new.payment_token,
        "passengers": [[p.first_name, p.last_name] for p in new.passengers],
    }
    if new.hold:
        request["hold"] = True
    return hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()


def _replay(booking_id: str, request_hash: str, expected_hash: str, payment_token: str | None) -> Booking:
    """The answer to a repeated request: the same booking, and its saga (or hold timer) started (once) if still
    pending (or held)."""
    if request_hash != expected_hash:
        raise IdempotencyConflict("This idempotencyKey was used for a different booking request")
    booking = booking_store.get_booking(booking_id)
    if booking is None:
        raise Conflict("The booking for this idempotencyKey is being written; try again")
    # A first call may have stopped after writing the booking: finish its work, which is idempotent. (A hold paid
    # since is PENDING too, but its saga is payBooking's: a repeated hold request has no token to start it with.)
    if booking.status is BookingStatus.PENDING and payment_token is not None:
        _announce(booking, payment_token)
    elif booking.status is BookingStatus.HELD:
        _announce_hold(booking)
    return booking


def _refusal(flight: Flight | None, flight_id: str, seats: int, now: datetime) -> DomainError | None:
    """Why a new booking of `seats` seats on this flight is refused now, if it is."""
    if flight is None:
        return NotFound(f"Flight {flight_id} does not exist")
    if flight.status is FlightStatus.CANCELLED:
        return ValidationError("input.outboundFlightId", "this flight is cancelled")
    if flight.departure_date_time <= now:
        return ValidationError("input.outboundFlightId", "this flight has departed")
    if flight.seats_available <= 0:
        return SeatsUnavailable(f"Flight {flight.id} has no seats left")
    if flight.seats_available < seats:
        return SeatsUnavailable(f"Flight {flight.id} has only {flight.seats_available} seat(s) left, not {seats}")
    return None


def _announce(booking: Booking, payment_token: str) -> None:
    events.publish(events.booking_created(booking))
    from resolvers.saga.starter import start_booking_saga

    # PENDING reaches subscribers before the saga can publish what follows it.
    notifier().booking_status(booking)
    start_booking_saga(booking, payment_token)


def _announce_hold(booking: Booking) -> None:
    from resolvers.services import holds

    events.publish(events.booking_held(booking))
    notifier().booking_status(booking)
    holds.start_timer(booking)


def init_booking(caller: Caller, new: NewBooking) -> Booking:
    """Write a PENDING booking and start its saga; the same key and request answer the same booking.

    The idempotency record is not read first: the transaction that writes it is conditional on its absence, and a
    repeated request is answered from the record when that condition (or a check of the flight) refuses it.
    """
    customer = _booking_customer(caller, new.customer)
    request_hash = _request_hash(customer, new)
    from resolvers.store import flights as flight_store  # writes only: kept off the cold start of reads

    flight = flight_store.get_flight(new.outbound_flight_id)
    now = datetime.now(UTC)
    refusal = _refusal(flight, new.outbound_flight_id, len(new.passengers), now)
    if refusal is not None:
        # A repeat of a request that booked (the flight may since have filled up, with its own booking): the same
        # answer as the first time.
        found = booking_store.find_idempotent(customer, new.idempotency_key)
        if found is not None:
            return _replay(*found, request_hash, new.payment_token)
        raise refusal
    assert flight is not None

    from resolvers.domain.references import new_reference

    hold_expires_at = None
    if new.hold:
        from resolvers.services.holds import hold_expiry

        hold_expires_at = hold_expiry(now)
    for _ in range(_REFERENCE_ATTEMPTS):
        booking = Booking(
            id=_new_id(),
            booking_reference=new_reference(),
            status=BookingStatus.HELD if new.hold else BookingStatus.PENDING,
            customer=customer,
            outbound_flight_id=flight.id,
            passengers=new.passengers,
            total_price=flight.ticket_price * len(new.passengers),
            currency=flight.ticket_currency,
            created_at=now,
            updated_at=now,
            hold_expires_at=hold_expires_at,
        )
        try:
            booking_store.create_booking(booking, new.idempotency_key, request_hash, now + IDEMPOTENCY_TTL)
        except booking_store.ReferenceTaken:
            continue
        except booking_store.DuplicateRequest as twin:
            return _replay(twin.booking_id, twin.request_hash, request_hash, new.payment_token)
        if new.payment_token is None:
            _announce_hold(booking)
        else:
            _announce(booking, new.payment_token)
        return booking
    raise Conflict("Could not allot a booking reference; try again")


def _new_id() -> str:
    from ulid import ULID  # only writes need it: kept off the cold start of reads

    return str(ULID())


def cancel_booking(caller: Caller, booking_id: str) -> Booking:
    """Cancel a CONFIRMED booking: status CANCELLED, then refund of the total, every seat back and (through the
    event) points back. A HELD booking the same way: nothing was charged, so nothing is refunded.

    Every step after the status change is idempotent and runs on every call, so cancelling again answers the
    same booking and finishes whatever an interrupted call left undone.
    """
    booking = booking_store.get_booking(booking_id)
    if booking is None:
        raise NotFound(f"Booking {booking_id} does not exist")
    if not caller.may_read_customer(booking.customer):
        raise Unauthorized("Not authorized to cancel this booking")
    if booking.status in BOOKING_TRANSITIONS[BookingStatus.CANCELLED]:
        reason = "Cancelled by an administrator" if caller.customer != booking.customer else "Cancelled by the customer"
        try:
            booking = booking_store.change_status(booking, BookingStatus.CANCELLED, reason)
        except booking_store.StatusConflict as conflict:
            if conflict.current is None or conflict.current.status is not BookingStatus.CANCELLED:
                raise
            booking = conflict.current
    if booking.status is not BookingStatus.CANCELLED:
        raise BookingNotCancellable(f"Only a CONFIRMED or HELD booking can be cancelled; this one is {booking.status}")

    payment = payment_provider().refund(booking.id)
    from resolvers.store import flights as flight_store

    flight_store.release_seats(booking.outbound_flight_id, booking.id, booking.seats)
    # A checked-in booking also gives its seats back to the seat map (check-in's store: loaded by a cancellation).
    from resolvers.store import check_in as check_in_store

    check_in_store.release_seats(
        booking.outbound_flight_id, booking.id, [passenger.seat for passenger in booking.passengers if passenger.seat]
    )
    cancelled = events.booking_cancelled(booking)
    if payment is not None and payment.status in (PaymentStatus.REFUNDED, PaymentStatus.VOIDED):
        events.publish(events.payment_refunded(booking.id, payment.amount, payment.currency), cancelled)
    else:
        events.publish(cancelled)
    notifier().booking_status(booking)
    return booking


def publish_status(caller: Caller, event: BookingStatusEvent) -> BookingStatusEvent:
    """publishBookingStatus: only the saga and the API's own functions (IAM) may speak for a booking."""
    if caller.mode is not AuthMode.IAM:
        raise Unauthorized("Only IAM principals may publish booking status")
    return event
