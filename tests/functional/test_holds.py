"""Pay-later holds on DynamoDB Local, through the bookings handler, the local hold timer (hold.asl.json's Wait) and
the booking saga: seats taken at once, nothing charged; expired by itself within a minute of holdExpiresAt; extended
up to the maximum; paid once however often payBooking is sent; cancelled with nothing to refund."""

from __future__ import annotations

import statistics
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from resolvers import config, events
from resolvers.domain.models import BookingStatus, PaymentStatus
from resolvers.handlers.bookings import handler
from resolvers.payments import provider as payment_provider
from resolvers.services import loyalty as loyalty_service
from resolvers.store import bookings as booking_store
from resolvers.store import flights as flight_store
from resolvers.store import keys
from resolvers.store.models import SeatHoldItem, TableItem
from tests.factories import a_customer, a_flight, cognito, context, error_of, mutation_event, passengers, seats_left

pytestmark = pytest.mark.dynamodb

CTX = context("bookings")


def _call(identity: dict[str, Any], field: str, arguments: dict[str, Any]) -> Any:
    return handler(mutation_event(field, arguments, identity), CTX)


def _hold(customer: str, flight_id: str, count: int = 1, key: str | None = None) -> Any:
    arguments = {
        "input": {
            "outboundFlightId": flight_id,
            "hold": True,
            "idempotencyKey": key or str(uuid.uuid4()),
            "passengers": passengers(count),
        }
    }
    return _call(cognito(customer), "initBooking", arguments)


def _pay(customer: str, booking_id: str, key: str | None = None, token: str = "tok_visa") -> Any:
    arguments = {"id": booking_id, "paymentToken": token, "idempotencyKey": key or str(uuid.uuid4())}
    return _call(cognito(customer), "payBooking", arguments)


def _extend(customer: str, booking_id: str) -> Any:
    return _call(cognito(customer), "extendHold", {"id": booking_id})


def _flight(capacity: int = 10) -> Any:
    flight = a_flight(seat_capacity=capacity, seats_available=capacity)
    flight_store.put_flight(flight)
    return flight


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _seat_holds(flight_id: str) -> dict[str, int]:
    pk, _ = keys.flight(flight_id)
    return {
        item.booking_id: int(item.seats or 1)
        for item in TableItem.query(pk, TableItem.sk.startswith(keys.SEAT))
        if isinstance(item, SeatHoldItem)
    }


def _wait_for(condition: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture
def short_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Holds of 2 s, up to 5 s in all: what a demo or a test configures."""
    monkeypatch.setenv(config.HOLD_DURATION_SECONDS, "2")
    monkeypatch.setenv(config.HOLD_MAX_SECONDS, "5")


def test_a_hold_takes_every_seat_at_once_and_charges_nothing(runtime):
    # Given a flight with 10 seats
    customer = a_customer()
    flight = _flight(10)

    # When a customer holds 2 seats
    before = datetime.now(UTC)
    held = _hold(customer, flight.id, count=2)

    # Then the answer is HELD until the configured duration (30 minutes by default), with twice the ticket price
    assert held["status"] == "HELD"
    expires = _parse(held["holdExpiresAt"])
    assert before + timedelta(minutes=30) <= expires <= datetime.now(UTC) + timedelta(minutes=30)
    assert held["totalPrice"] == 2 * flight.ticket_price
    # And both seats are taken already, by one seat hold, and nothing is charged
    assert seats_left(flight.id) == 8
    assert _seat_holds(flight.id) == {held["id"]: 2}
    assert payment_provider().payment(held["id"]) is None
    # And the bus hears booking.held, and subscribers see HELD
    runtime.bus.drain()
    assert [e.detail["bookingId"] for e in runtime.bus.published if e.type == events.BOOKING_HELD] == [held["id"]]
    assert [n.status for n in runtime.notifier.notices if n.id == held["id"]] == [BookingStatus.HELD]


def test_a_hold_expires_by_itself_within_a_minute_and_gives_its_seats_back(runtime, short_holds):
    # Given 3 holds of 2 seconds on one flight
    customer = a_customer()
    flight = _flight(10)
    holds = [_hold(customer, flight.id, count=2) for _ in range(3)]
    assert seats_left(flight.id) == 4
    expired_at: dict[str, float] = {}

    def listen(booking: Any) -> None:
        if booking.status is BookingStatus.EXPIRED:
            expired_at.setdefault(booking.id, time.time())

    runtime.notifier.listeners.append(listen)

    # When nobody pays them: the hold timer's Wait ends at holdExpiresAt
    _wait_for(lambda: len(expired_at) == 3, timeout=60)

    # Then each became EXPIRED within a minute of its holdExpiresAt, never before it
    lags = [expired_at[h["id"]] - _parse(h["holdExpiresAt"]).timestamp() for h in holds]
    assert all(0 <= lag < 60 for lag in lags), lags
    print(f"expiry lag: median {statistics.median(lags):.3f} s, max {max(lags):.3f} s")
    # And every seat is back, nothing was charged, and the bus heard booking.expired once each
    for held in holds:
        stored = booking_store.get_booking(held["id"])
        assert stored is not None
        assert stored.status is BookingStatus.EXPIRED
        assert payment_provider().payment(held["id"]) is None
    assert seats_left(flight.id) == 10
    assert _seat_holds(flight.id) == {}
    runtime.bus.drain()
    expired = sorted(e.detail["bookingId"] for e in runtime.bus.published if e.type == events.BOOKING_EXPIRED)
    assert expired == sorted(h["id"] for h in holds)
    # And the timers ended (nothing left waiting)
    timers = runtime.hold_runner.wait_all(10)
    assert {timers[h["id"]].status for h in holds} == {"SUCCEEDED"}


def test_extend_then_pay_twice_with_one_key_confirms_with_one_capture(runtime, short_holds):
    # Given a 2-passenger hold
    customer = a_customer()
    flight = _flight(10)
    held = _hold(customer, flight.id, count=2)

    # When the customer extends it, then sends payBooking twice at once with one key
    extended = _extend(customer, held["id"])
    assert extended["status"] == "HELD"
    assert _parse(extended["holdExpiresAt"]) == _parse(held["holdExpiresAt"]) + timedelta(seconds=2)
    key = str(uuid.uuid4())
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: _pay(customer, held["id"], key), range(2)))
    runtime.settle()

    # Then both answers are the same booking, no error, and it is CONFIRMED once the saga ran
    assert [a["id"] for a in answers] == [held["id"]] * 2, answers
    assert {a["status"] for a in answers} <= {"PENDING", "CONFIRMED"}
    stored = booking_store.get_booking(held["id"])
    assert stored is not None
    assert stored.status is BookingStatus.CONFIRMED
    # And the total was captured once, the seats were not taken twice, and the points equal the capture
    payment = payment_provider().payment(held["id"])
    assert payment is not None
    assert payment.status is PaymentStatus.CAPTURED
    assert payment.amount == 2 * flight.ticket_price
    runtime.bus.drain()
    captured = [e for e in runtime.bus.published if e.type == events.PAYMENT_PROCESSED and e.subject == held["id"]]
    assert len(captured) == 1
    assert seats_left(flight.id) == 8
    assert _seat_holds(flight.id) == {held["id"]: 2}
    assert loyalty_service.get_loyalty(_caller(customer), None).points == 2 * flight.ticket_price

    # And the timer, waking at the old time, found the hold paid and ended without expiring it
    timer = runtime.hold_runner.wait(held["id"], 30)
    assert timer.status == "SUCCEEDED"
    assert stored.status is BookingStatus.CONFIRMED


def _caller(customer: str) -> Any:
    from resolvers.domain.identity import Caller

    return Caller.from_identity(cognito(customer))


def test_paying_an_expired_hold_is_refused_and_charges_nothing(runtime, short_holds):
    customer = a_customer()
    flight = _flight(10)
    held = _hold(customer, flight.id)
    _wait_for(lambda: booking_store.get_booking(held["id"]).status is BookingStatus.EXPIRED)

    error = error_of(_pay(customer, held["id"]))

    assert error["errorType"] == "HoldExpired"
    assert "expired" in error["message"]
    assert payment_provider().payment(held["id"]) is None
    assert error_of(_extend(customer, held["id"]))["errorType"] == "HoldExpired"


def test_a_hold_extends_up_to_its_maximum_then_is_not_extendable(runtime, monkeypatch):
    # Given holds of 60 s, at most 150 s in all
    monkeypatch.setenv(config.HOLD_DURATION_SECONDS, "60")
    monkeypatch.setenv(config.HOLD_MAX_SECONDS, "150")
    customer = a_customer()
    held = _hold(customer, _flight(5).id)
    created = _parse(held["createdAt"])

    # When it is extended three times
    first = _extend(customer, held["id"])
    second = _extend(customer, held["id"])
    third = _extend(customer, held["id"])

    # Then the first moves it by 60 s, the second stops at the maximum, the third is refused saying so
    assert _parse(first["holdExpiresAt"]) == _parse(held["holdExpiresAt"]) + timedelta(seconds=60)
    assert abs((_parse(second["holdExpiresAt"]) - created).total_seconds() - 150) < 0.002
    error = error_of(third)
    assert error["errorType"] == "HoldNotExtendable"
    assert "longest" in error["message"]


def test_cancelling_a_hold_gives_its_seats_back_with_nothing_to_refund(runtime):
    customer = a_customer()
    flight = _flight(6)
    held = _hold(customer, flight.id, count=3)
    assert seats_left(flight.id) == 3

    cancelled = _call(cognito(customer), "cancelBooking", {"id": held["id"]})

    assert cancelled["status"] == "CANCELLED"
    assert seats_left(flight.id) == 6
    assert _seat_holds(flight.id) == {}
    runtime.bus.drain()
    about_it = [e.type for e in runtime.bus.published if e.detail.get("bookingId") == held["id"]]
    assert about_it == [events.BOOKING_HELD, events.BOOKING_CANCELLED]
    # And a cancelled hold cannot be paid
    assert error_of(_pay(customer, held["id"]))["errorType"] == "BookingNotPayable"


def test_paid_once_another_key_is_not_payable_and_the_same_key_with_another_card_conflicts(runtime):
    customer = a_customer()
    held = _hold(customer, _flight(5).id)
    key = str(uuid.uuid4())
    assert _pay(customer, held["id"], key)["status"] == "PENDING"
    runtime.settle()

    assert error_of(_pay(customer, held["id"]))["errorType"] == "BookingNotPayable"
    assert error_of(_pay(customer, held["id"], key, token="tok_mastercard"))["errorType"] == "IdempotencyConflict"
    again = _pay(customer, held["id"], key)
    assert again["status"] == "CONFIRMED"


def test_a_declined_card_fails_the_hold_and_gives_its_seats_back(runtime):
    customer = a_customer()
    flight = _flight(5)
    held = _hold(customer, flight.id, count=2)

    _pay(customer, held["id"], token="tok_declined")
    runtime.settle()

    stored = booking_store.get_booking(held["id"])
    assert stored is not None
    assert stored.status is BookingStatus.FAILED
    assert stored.status_reason == "The card was declined"
    assert seats_left(flight.id) == 5


def test_a_hold_asks_for_no_more_seats_than_are_left_and_writes_nothing_when_refused(runtime):
    customer = a_customer()
    flight = _flight(2)

    error = error_of(_hold(customer, flight.id, count=3))

    assert error["errorType"] == "SeatsUnavailable"
    assert seats_left(flight.id) == 2
    assert _seat_holds(flight.id) == {}


def test_the_same_hold_request_again_answers_the_same_booking_and_holds_nothing_more(runtime):
    customer = a_customer()
    flight = _flight(5)
    key = str(uuid.uuid4())

    first = _hold(customer, flight.id, count=2, key=key)
    second = _hold(customer, flight.id, count=2, key=key)

    assert second["id"] == first["id"]
    assert seats_left(flight.id) == 3


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"paymentToken": "tok_visa"}, "input.paymentToken"),
        ({"hold": "yes"}, "input.hold"),
        ({"hold": False}, "input.paymentToken"),
    ],
)
def test_a_hold_request_is_validated(runtime, change, field):
    flight = _flight(5)
    arguments = {
        "input": {
            "outboundFlightId": flight.id,
            "hold": True,
            "idempotencyKey": str(uuid.uuid4()),
            "passengers": passengers(1),
            **change,
        }
    }

    error = error_of(_call(cognito(a_customer()), "initBooking", arguments))

    assert error["errorType"] == "ValidationError"
    assert error["message"].startswith(field)
    assert seats_left(flight.id) == 5


def test_only_the_owner_or_an_admin_pays_or_extends_a_hold(runtime):
    owner = a_customer()
    held = _hold(owner, _flight(5).id)

    assert error_of(_pay(a_customer(), held["id"]))["errorType"] == "Unauthorized"
    assert error_of(_extend(a_customer(), held["id"]))["errorType"] == "Unauthorized"


def test_holds_payments_expiries_and_cancellations_racing_keep_every_invariant(runtime, short_holds):
    """16 customers on a 12-seat flight at once: holds (some paid, some left to expire, some cancelled) and
    direct bookings. Afterwards: seats left + seats held = capacity, captures = confirmed totals, points =
    captures - refunds."""
    flight = _flight(12)
    customers = [a_customer() for _ in range(16)]
    barrier = threading.Barrier(16)

    def act(index: int) -> None:
        customer = customers[index]
        barrier.wait()
        if index % 4 == 0:
            _call(
                cognito(customer),
                "initBooking",
                {
                    "input": {
                        "outboundFlightId": flight.id,
                        "paymentToken": "tok_visa",
                        "idempotencyKey": str(uuid.uuid4()),
                        "passengers": passengers(1),
                    }
                },
            )
            return
        held = _hold(customer, flight.id, count=1 + index % 2)
        if "__error" in held:
            return
        if index % 4 == 1:
            _pay(customer, held["id"])
        elif index % 4 == 2:
            _call(cognito(customer), "cancelBooking", {"id": held["id"]})
        # index % 4 == 3: left to expire

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(act, range(16)))
    runtime.settle()
    # Every hold left unpaid expires within seconds (2 s holds)
    bookings = [b for c in customers for b in booking_store.list_customer_bookings(c, None, 10, None).items]
    _wait_for(lambda: all(booking_store.get_booking(b.id).status is not BookingStatus.HELD for b in bookings))
    runtime.settle()
    runtime.bus.drain()

    bookings = [booking_store.get_booking(b.id) for b in bookings]
    holds = _seat_holds(flight.id)
    # Seats: what is left plus what bookings hold is the capacity; only CONFIRMED bookings still hold seats
    assert seats_left(flight.id) + sum(holds.values()) == 12
    confirmed = [b for b in bookings if b.status is BookingStatus.CONFIRMED]
    assert holds == {b.id: b.seats for b in confirmed}
    assert {b.status for b in bookings} <= {
        BookingStatus.CONFIRMED,
        BookingStatus.CANCELLED,
        BookingStatus.EXPIRED,
        BookingStatus.FAILED,
    }
    # Money: captured exactly the confirmed bookings' totals; nothing captured for the others
    for booking in bookings:
        payment = payment_provider().payment(booking.id)
        captured = payment is not None and payment.status is PaymentStatus.CAPTURED
        assert captured == (booking.status is BookingStatus.CONFIRMED), booking
        if captured:
            assert payment.amount == booking.total_price
    # Points: each customer's points are what was captured for them
    for customer in customers:
        mine = [b for b in confirmed if b.customer == customer]
        assert loyalty_service.get_loyalty(_caller(customer), None).points == sum(b.total_price for b in mine)


def test_a_hold_whose_timer_was_lost_is_expired_by_the_reconciler(runtime, short_holds):
    # Given a hold made while its timer could not start (the process died before it: DeadProcess starts nothing)
    from resolvers.config import ReconcilerSettings
    from resolvers.saga import starter
    from resolvers.services import reconciler

    class DeadProcess:
        def start(self, name: str, execution_input: dict[str, Any]) -> bool:
            return True

        def is_running(self, name: str) -> bool:
            return False

    previous = starter.use_hold_starter(DeadProcess())
    try:
        customer = a_customer()
        flight = _flight(5)
        held = _hold(customer, flight.id, count=2)
    finally:
        starter.use_hold_starter(previous)
    expires = _parse(held["holdExpiresAt"])
    settings = ReconcilerSettings(settle_after=timedelta(seconds=1), lookback=timedelta(hours=1))

    # When the reconciler runs before its holdExpiresAt plus settle_after, then after
    early = reconciler.reconcile(settings, now=expires)
    late = reconciler.reconcile(settings, now=expires + timedelta(seconds=2))
    again = reconciler.reconcile(settings, now=expires + timedelta(seconds=3))

    # Then only the late run expires it, the seats come back once, and nothing is charged
    assert held["id"] not in early.expired
    assert held["id"] in late.expired
    assert held["id"] not in again.expired
    assert held["id"] not in again.compensated
    stored = booking_store.get_booking(held["id"])
    assert stored is not None
    assert stored.status is BookingStatus.EXPIRED
    assert seats_left(flight.id) == 5
    assert payment_provider().payment(held["id"]) is None
