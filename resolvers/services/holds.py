"""Pay-later holds: paying a HELD booking (payBooking), prolonging it (extendHold) and expiring it unpaid.

initBooking with `hold` takes the seats and writes the booking HELD in one transaction (services/bookings.py) and
starts the hold timer (saga/hold.asl.json), whose Wait state ends at holdExpiresAt and calls `expire`. Every change
of a hold is one conditional write on its status and holdExpiresAt, so a payment, an extension and the expiry that
race each other never both win: a hold is paid only before holdExpiresAt, expired only after it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from datetime import UTC, datetime, timedelta
from typing import Any

from resolvers import config, events
from resolvers.domain.errors import (
    BookingNotPayable,
    Conflict,
    HoldExpired,
    HoldNotExtendable,
    IdempotencyConflict,
    NotFound,
    Unauthorized,
)
from resolvers.domain.identity import Caller
from resolvers.domain.models import Booking, BookingStatus
from resolvers.notifications import notifier
from resolvers.store import bookings as booking_store
from resolvers.store import flights as flight_store

log = logging.getLogger(__name__)

# What the hold timer's Choice state reads in `outcome`.
EXTENDED = "EXTENDED"
EXPIRED = "EXPIRED"
ENDED = "ENDED"


def hold_expiry(now: datetime) -> datetime:
    duration, _ = config.hold_durations()
    return now + duration


def timer_timestamp(expires_at: datetime) -> str:
    """holdExpiresAt as the hold timer's Wait state reads it: RFC 3339 in UTC, rounded up to the whole second (the
    Wait never ends before the hold does)."""
    seconds = math.ceil(expires_at.timestamp())
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def start_timer(booking: Booking) -> None:
    """Start the hold timer of a HELD booking (once: the execution is named after the booking)."""
    assert booking.hold_expires_at is not None
    from resolvers.saga.starter import start_hold_timer

    start_hold_timer(booking.id, timer_timestamp(booking.hold_expires_at))


def _own_booking(caller: Caller, booking_id: str, action: str) -> Booking:
    booking = booking_store.get_booking(booking_id)
    if booking is None:
        raise NotFound(f"Booking {booking_id} does not exist")
    if not caller.may_read_customer(booking.customer):
        raise Unauthorized(f"Not authorized to {action} this booking")
    return booking


def _expired(booking: Booking) -> HoldExpired:
    assert booking.hold_expires_at is not None
    return HoldExpired(
        f"The hold on booking {booking.booking_reference} expired at {booking.hold_expires_at.isoformat()}",
        holdExpiresAt=booking.hold_expires_at.isoformat(),
    )


def _payment_hash(booking_id: str, payment_token: str) -> str:
    return hashlib.sha256(json.dumps([booking_id, payment_token]).encode()).hexdigest()


def pay_booking(caller: Caller, booking_id: str, payment_token: str, idempotency_key: str) -> Booking:
    """HELD to PENDING before holdExpiresAt, then the booking saga as for any booking: its ReserveSeat finds the
    seats already held (and takes none more), CollectPayment charges totalPrice once.

    The same key and token answer the same booking (and start its saga once more, which Step Functions and the
    local runner run once per name): a retried payBooking never charges twice."""
    booking = _own_booking(caller, booking_id, "pay")
    request_hash = _payment_hash(booking_id, payment_token)
    now = datetime.now(UTC)
    if booking.status is BookingStatus.HELD:
        if booking.hold_expires_at is None or booking.hold_expires_at <= now:
            raise _expired(booking)
        try:
            booking = booking_store.start_payment(booking, idempotency_key, request_hash, now)
        except booking_store.StatusConflict as conflict:
            if conflict.current is None:
                raise NotFound(f"Booking {booking_id} does not exist") from conflict
            booking = conflict.current
            if booking.status is BookingStatus.HELD:
                # Still HELD, so the hold ran out between the read and the write (or was being extended).
                raise _expired(booking) from conflict
            return _replay_payment(booking, idempotency_key, request_hash, payment_token)
        # PENDING reaches subscribers before the saga can publish what follows it.
        notifier().booking_status(booking)
        _start_saga(booking, payment_token)
        return booking
    return _replay_payment(booking, idempotency_key, request_hash, payment_token)


def _replay_payment(booking: Booking, idempotency_key: str, request_hash: str, payment_token: str) -> Booking:
    """The answer to a payBooking of a booking no longer HELD: the same booking for the same request."""
    if booking.status is BookingStatus.EXPIRED:
        raise _expired(booking)
    recorded = booking_store.payment_request(booking.id)
    if recorded is None or recorded[0] != idempotency_key:
        raise BookingNotPayable(
            f"Only a HELD booking can be paid; booking {booking.booking_reference} is {booking.status}",
            status=str(booking.status),
        )
    if recorded[1] != request_hash:
        raise IdempotencyConflict("This idempotencyKey was used to pay with another paymentToken")
    if booking.status is BookingStatus.PENDING:
        # A first call may have stopped before starting the saga: start it (once per booking, by name).
        _start_saga(booking, payment_token)
    return booking


def _start_saga(booking: Booking, payment_token: str) -> None:
    from resolvers.saga.starter import start_booking_saga  # payBooking only: kept off the timer's cold start

    start_booking_saga(booking, payment_token)


def extend_hold(caller: Caller, booking_id: str) -> Booking:
    """holdExpiresAt later by the hold duration, up to the maximum total hold from the booking's creation. The
    timer, waking at the old time, finds the hold extended and waits again."""
    booking = _own_booking(caller, booking_id, "extend")
    now = datetime.now(UTC)
    if booking.status is BookingStatus.EXPIRED:
        raise _expired(booking)
    if booking.status is not BookingStatus.HELD or booking.hold_expires_at is None:
        raise BookingNotPayable(
            f"Only a HELD booking can be extended; booking {booking.booking_reference} is {booking.status}",
            status=str(booking.status),
        )
    if booking.hold_expires_at <= now:
        raise _expired(booking)
    duration, longest = config.hold_durations()
    latest = booking.created_at + longest
    until = min(booking.hold_expires_at + duration, latest)
    if until <= booking.hold_expires_at:
        raise HoldNotExtendable(
            f"The hold on booking {booking.booking_reference} is at its longest: it ends at "
            f"{booking.hold_expires_at.isoformat()}, {_hours(longest)} after the booking was made",
            holdExpiresAt=booking.hold_expires_at.isoformat(),
        )
    try:
        return booking_store.extend_hold(booking, until, now)
    except booking_store.StatusConflict as conflict:
        current = conflict.current
        if current is not None and current.status is BookingStatus.HELD and current.hold_expires_at == until:
            return current  # a concurrent extension did the same
        if current is not None and current.status is BookingStatus.HELD:
            if current.hold_expires_at is not None and current.hold_expires_at <= datetime.now(UTC):
                raise _expired(current) from conflict
            raise Conflict("The hold changed while it was being extended; try again") from conflict
        if current is not None and current.status is BookingStatus.EXPIRED:
            raise _expired(current) from conflict
        raise BookingNotPayable(
            f"Only a HELD booking can be extended; this one is {current.status if current else 'gone'}"
        ) from conflict


def _hours(span: timedelta) -> str:
    hours = span / timedelta(hours=1)
    return f"{hours:g} hour(s)"


def expire(booking_id: str, now: datetime | None = None) -> dict[str, Any]:
    """The hold timer's task: EXPIRED (seats back, subscribers told) if the hold is past its holdExpiresAt,
    EXTENDED with the new time if it was extended, ENDED if it was paid, cancelled or expired already.

    Idempotent: a retried call after a crash between the status change and the release finds the booking EXPIRED
    and releases (once: the seat hold is deleted with the count) whatever is still held."""
    now = now or datetime.now(UTC)
    booking = booking_store.get_booking(booking_id)
    if booking is None:
        return {"bookingId": booking_id, "outcome": ENDED}
    if booking.status is BookingStatus.HELD and booking.hold_expires_at is not None:
        if booking.hold_expires_at > now:
            return {
                "bookingId": booking_id,
                "outcome": EXTENDED,
                "holdExpiresAt": timer_timestamp(booking.hold_expires_at),
            }
        try:
            booking = booking_store.expire_hold(booking, now)
        except booking_store.StatusConflict as conflict:
            # Paid, cancelled, extended or expired since the read: the next call (the timer's loop) decides.
            if conflict.current is None or conflict.current.status is not BookingStatus.EXPIRED:
                if conflict.current is None:
                    return {"bookingId": booking_id, "outcome": ENDED}
                return expire(booking_id, now)
            booking = conflict.current
        released = flight_store.release_seats(booking.outbound_flight_id, booking.id, booking.seats)
        events.publish(events.booking_expired(booking))
        notifier().booking_status(booking)
        log.info("Hold of booking %s expired; %d seat(s) back: %s", booking.id, booking.seats, released)
        return {"bookingId": booking_id, "outcome": EXPIRED}
    if booking.status is BookingStatus.EXPIRED:
        # A call cut short after the status change: finish it (the release is idempotent; the event's id is the
        # booking's, so a consumer drops a second delivery).
        flight_store.release_seats(booking.outbound_flight_id, booking.id, booking.seats)
        events.publish(events.booking_expired(booking))
        notifier().booking_status(booking)
        return {"bookingId": booking_id, "outcome": EXPIRED}
    return {"bookingId": booking_id, "outcome": ENDED}
