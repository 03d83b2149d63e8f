"""The reconciler: settles bookings a crash left PENDING, and credits confirmed bookings whose points event was lost.

A booking stays PENDING only while its saga runs. When the process running it dies (a Lambda, the local server,
DynamoDB Local under it), nothing would move it again unless the client retried: the reconciler, run on a schedule,
fails every PENDING booking unchanged for `settle_after` whose saga is not running, after giving back what it holds
(the payment refunded or voided, the seat released), with the known reason `BookingAbandoned`. It does not resume
the saga: that would need the customer's payment token, which is kept nowhere but in the execution's input.

Every step is idempotent and the booking leaves PENDING last, so a reconciler that itself dies half-way leaves the
booking for its next run. FAILED and CANCELLED bookings of the last `lookback` that still hold a seat or money (a
compensation a crash cut short, or a saga that raced this reconciler), or points whose reversal was lost, give them
back. It also
credits CONFIRMED bookings of the last `lookback` with no loyalty ledger entry (their booking.confirmed event was
lost): the ledger is keyed by booking, so a late delivery adds nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

from resolvers.config import ReconcilerSettings
from resolvers.domain.models import Booking, BookingStatus, PaymentStatus
from resolvers.payments import provider as payment_provider
from resolvers.saga import starter
from resolvers.services import booking_saga, holds, loyalty
from resolvers.store import bookings as booking_store
from resolvers.store import check_in as check_in_store
from resolvers.store import flights as flight_store
from resolvers.store import loyalty as loyalty_store

log = logging.getLogger(__name__)

ABANDONED = "BookingAbandoned"


@dataclass
class Report:
    """What one run did, by booking id."""

    failed: list[str] = field(default_factory=list)
    # HELD past holdExpiresAt by more than `settle_after`: their timer was lost (a crash), so expired here.
    expired: list[str] = field(default_factory=list)
    # PENDING past `settle_after` whose saga is still running: left to it.
    running: list[str] = field(default_factory=list)
    credited: list[str] = field(default_factory=list)
    # FAILED or CANCELLED bookings that still held a seat, money or points (their compensation was cut short).
    compensated: list[str] = field(default_factory=list)
    # Bookings a step failed on (logged with the stack): left for the next run.
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, list[str]]:
        return {
            "failed": self.failed,
            "expired": self.expired,
            "running": self.running,
            "credited": self.credited,
            "compensated": self.compensated,
            "errors": self.errors,
        }


def reconcile(settings: ReconcilerSettings, now: datetime | None = None) -> Report:
    now = now or datetime.now(UTC)
    report = Report()
    settle_abandoned(now - settings.settle_after, report)
    expire_overdue_holds(now - settings.settle_after, now, report)
    finish_compensation(now - settings.lookback, now - settings.settle_after, report)
    # Bookings confirmed within the last `settle_after` may still have their event on the way.
    credit_missing_points(now - settings.lookback, now - settings.settle_after, report)
    return report


def settle_abandoned(before: datetime, report: Report) -> None:
    """Fail each PENDING booking unchanged since before `before` that no saga execution is working on."""
    for booking in booking_store.bookings_changed(BookingStatus.PENDING, before):
        try:
            if starter.starter().is_running(booking.id):
                report.running.append(booking.id)
                continue
            fail_abandoned(booking)
        except Exception:
            # One booking that cannot be settled now (its flight unreadable, a dependency down) holds up no other.
            log.exception("Could not settle abandoned booking %s; the next run tries again", booking.id)
            report.errors.append(booking.id)
            continue
        report.failed.append(booking.id)


def fail_abandoned(booking: Booking) -> None:
    """Give back the payment and the seat, then fail the booking and tell its subscribers (the saga's compensation,
    in its order). The seat is released once more after the status change: a saga started by a client's retry in
    between (its ReserveSeat checks the booking is PENDING) may have taken one."""
    booking_saga.refund_payment(booking.id)
    booking_saga.release_seats(booking.id, booking.outbound_flight_id, booking.seats)
    booking_saga.fail_booking(booking.id, {"Error": ABANDONED}, booking.customer)
    booking_saga.release_seats(booking.id, booking.outbound_flight_id, booking.seats)
    booking_saga.notify_booking(booking.id)
    log.warning("Failed booking %s: its saga stopped before settling it", booking.id)


def expire_overdue_holds(before: datetime, now: datetime, report: Report) -> None:
    """Expire each HELD booking whose holdExpiresAt is before `before`: its hold timer should have done it by then,
    so it is not running (the local server stopped; on AWS, an execution that failed, which also raises an alarm).
    A hold changes (updatedAt) no later than its expiry, so GSI3 finds them all by their last change."""
    for booking in booking_store.bookings_changed(BookingStatus.HELD, before):
        if booking.hold_expires_at is None or booking.hold_expires_at >= before:
            continue
        try:
            outcome = holds.expire(booking.id, now)
        except Exception:
            log.exception("Could not expire hold %s; the next run tries again", booking.id)
            report.errors.append(booking.id)
            continue
        if outcome["outcome"] == holds.EXPIRED:
            log.warning("Expired hold %s: its timer did not", booking.id)
            report.expired.append(booking.id)


# What a FAILED, CANCELLED or EXPIRED booking may not keep.
KEPT_MONEY = frozenset({PaymentStatus.AUTHORIZED, PaymentStatus.CAPTURED})


def finish_compensation(since: datetime, before: datetime, report: Report) -> None:
    """Give back the seat and the money FAILED and CANCELLED bookings changed in [since, before) still hold: what a
    compensation cut short by a crash left (the saga's RefundPayment, CancelBooking, ReleaseSeat; cancelBooking's
    refund and release), or a saga's capture that landed after this reconciler failed its booking. Two reads a
    booking; writes only where something is left."""
    for status in (BookingStatus.FAILED, BookingStatus.CANCELLED, BookingStatus.EXPIRED):
        settled = booking_store.bookings_changed(status, before, since)
        entries = loyalty_store.ledger_entries([(booking.customer, booking.id) for booking in settled])
        for booking in settled:
            try:
                payment = payment_provider().payment(booking.id)
                money = payment is not None and payment.status in KEPT_MONEY
                held = flight_store.holds_seat(booking.outbound_flight_id, booking.id)
                # Points credited (booking.confirmed delivered) and never taken back (booking.failed or .cancelled lost)
                points = entries.get(booking.id) is False
                if money:
                    booking_saga.refund_payment(booking.id)
                if held:
                    booking_saga.release_seats(booking.id, booking.outbound_flight_id, booking.seats)
                if points:
                    loyalty.reverse_booking(booking.customer, booking.id)
                # A checked-in booking's seats on the seat map (idempotent deletes; none read)
                seats = [passenger.seat for passenger in booking.passengers if passenger.seat]
                if seats:
                    check_in_store.release_seats(booking.outbound_flight_id, booking.id, seats)
            except Exception:
                log.exception("Could not finish booking %s's compensation; the next run tries again", booking.id)
                report.errors.append(booking.id)
                continue
            if money or held or points:
                log.warning("Gave back what %s booking %s still held", status, booking.id)
                report.compensated.append(booking.id)


def credit_missing_points(since: datetime, before: datetime, report: Report) -> None:
    """Credit the CONFIRMED bookings changed in [since, before) that have no ledger entry: the amount captured."""
    confirmed = booking_store.bookings_changed(BookingStatus.CONFIRMED, before, since)
    entries = loyalty_store.ledger_entries([(booking.customer, booking.id) for booking in confirmed])
    for booking in confirmed:
        if booking.id in entries:
            continue
        try:
            payment = payment_provider().payment(booking.id)
            if payment is None or payment.status is not PaymentStatus.CAPTURED:
                log.error("Confirmed booking %s has no captured payment to credit points for", booking.id)
                report.errors.append(booking.id)
                continue
            credited = loyalty.credit_booking(booking.customer, booking.id, payment.amount)
        except Exception:
            log.exception("Could not credit booking %s's points; the next run tries again", booking.id)
            report.errors.append(booking.id)
            continue
        if credited:
            log.warning("Credited booking %s's points: its booking.confirmed event was lost", booking.id)
            report.credited.append(booking.id)
