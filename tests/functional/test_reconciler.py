"""The reconciler on DynamoDB Local: bookings a crash left PENDING settle, money and seats come back, lost points
are credited, each exactly once."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from appsync.local.events.runtime import LocalRuntime
from resolvers import events
from resolvers.config import ReconcilerSettings
from resolvers.domain.errors import SeatsUnavailable
from resolvers.domain.models import BookingStatus, PaymentStatus
from resolvers.saga import starter
from resolvers.services import booking_saga, loyalty, reconciler
from resolvers.store import bookings as booking_store
from resolvers.store import flights as flight_store
from resolvers.store import loyalty as loyalty_store
from resolvers.store import payments as payment_store
from tests.factories import a_booking, a_customer, a_flight

pytestmark = pytest.mark.dynamodb

PRICE = 7300
SEATS = 20
CUSTOMERS = 40
SETTINGS = ReconcilerSettings(settle_after=timedelta(seconds=1), lookback=timedelta(hours=1))


class LostEvents:
    """The in-memory bus of a process that is about to die: what it holds never reaches a consumer."""

    def publish(self, batch: list[events.DomainEvent]) -> None:
        pass


class DeadProcess:
    """Sagas started by the process that dies: none of them runs."""

    def start(self, name: str, execution_input: dict) -> bool:
        return True

    def is_running(self, name: str) -> bool:
        return False


@dataclass
class Crash:
    flight_id: str
    bookings: dict[str, str]  # booking id -> customer
    # How far each booking's saga got before the crash.
    reached: dict[str, str]

    @property
    def stages(self) -> Counter[str]:
        return Counter(self.reached.values())


# How far a booking's saga got when the process died; "failing": its compensation had only marked it FAILED.
STAGES = ("written", "seat", "captured", "failing", "confirmed", "credited")


def crash_mid_load(
    customers: int = CUSTOMERS, seats: int = SEATS, seed: int = 0, stages: tuple[str, ...] = STAGES
) -> Crash:
    """40 customers booking a 20-seat flight when the process dies: each booking stops at a random step of its
    saga, as a killed server leaves them (its events, in memory, lost with it)."""
    flight = a_flight(seat_capacity=seats, seats_available=seats, ticket_price=PRICE)
    flight_store.put_flight(flight)
    chance = random.Random(seed)
    crash = Crash(flight.id, {}, {})
    previous = (events.use_bus(LostEvents()), starter.use_starter(DeadProcess()))
    try:
        for _ in range(customers):
            customer = a_customer()
            booking = a_booking(customer, flight.id, BookingStatus.PENDING)
            booking_store.put_booking(booking)
            crash.bookings[booking.id] = customer
            stage = chance.choice(stages)
            crash.reached[booking.id] = "written"
            if stage == "written":
                continue
            try:
                booking_saga.reserve_seats(booking.id, flight.id, booking.seats)
            except SeatsUnavailable:
                continue  # died before compensating: PENDING without a seat
            crash.reached[booking.id] = "seat"
            if stage == "seat":
                continue
            price = {"amount": PRICE, "currency": "GBP"}
            payment = booking_saga.collect_payment(booking.id, flight.id, "tok_visa", price)
            crash.reached[booking.id] = "captured"
            if stage == "captured":
                continue
            if stage == "failing":
                booking_saga.fail_booking(booking.id, {"Error": "Conflict"}, customer)
                crash.reached[booking.id] = "failing"
                continue
            booking_saga.confirm_booking(booking.id, payment, customer)
            crash.reached[booking.id] = "confirmed"
            if stage == "credited":
                loyalty.credit_booking(customer, booking.id, PRICE)
                crash.reached[booking.id] = "credited"
    finally:
        events.use_bus(previous[0])
        starter.use_starter(previous[1])
    return crash


def assert_invariants(crash: Crash) -> dict[str, int]:
    """No booking PENDING; every seat either free or held by a CONFIRMED booking; money captured only for CONFIRMED
    bookings, at the price; each customer's points equal to what they paid."""
    statuses: dict[str, BookingStatus] = {}
    for booking_id in crash.bookings:
        booking = booking_store.get_booking(booking_id)
        assert booking is not None
        statuses[booking_id] = booking.status
    confirmed = {booking_id for booking_id, status in statuses.items() if status is BookingStatus.CONFIRMED}
    assert BookingStatus.PENDING not in statuses.values()

    flight = flight_store.get_flight(crash.flight_id)
    assert flight is not None
    holders = set(flight_store.seat_holders(crash.flight_id))
    assert holders == confirmed
    assert flight.seats_available + len(holders) == flight.seat_capacity

    captured: dict[str, int] = {}
    for booking_id in crash.bookings:
        payment = payment_store.get_payment(booking_id)
        if payment is not None and payment.status is PaymentStatus.CAPTURED:
            captured[booking_id] = payment.amount
    assert set(captured) == confirmed
    assert sum(captured.values()) == len(confirmed) * PRICE
    for booking_id, customer in crash.bookings.items():
        assert loyalty_store.get_points(customer) == captured.get(booking_id, 0)
    return {"confirmed": len(confirmed), "failed": len(crash.bookings) - len(confirmed), "held": len(holders)}


@pytest.fixture
def restarted(dynamodb: str) -> Iterator[LocalRuntime]:
    """The process started again after the crash: its saga runner knows no execution of the dead one."""
    local = LocalRuntime(max_sagas=4, retry_interval_scale=0.001).start()
    yield local
    local.stop()


def test_a_crash_mid_load_settles_every_booking_and_keeps_every_invariant(restarted):
    # Given 40 bookings of a 20-seat flight stopped at random steps of their sagas by a crash
    crash = crash_mid_load(seed=13)
    assert {booking.status for booking in map(booking_store.get_booking, crash.bookings)} >= {BookingStatus.PENDING}

    # When the reconciler runs after they have been left alone long enough
    report = reconciler.reconcile(SETTINGS, now=datetime.now(UTC) + timedelta(seconds=5))
    restarted.settle()

    # Then no booking is PENDING, seats, money and points all agree
    outcome = assert_invariants(crash)
    assert outcome["confirmed"] == crash.stages["confirmed"] + crash.stages["credited"]
    mine = set(crash.bookings)
    failing = {b for b, stage in crash.reached.items() if stage == "failing"}
    assert failing
    assert set(report.failed) & mine == {
        b for b, s in _statuses(crash).items() if s is BookingStatus.FAILED and b not in failing
    }
    # the bookings whose compensation was cut short got their seat and money back
    assert set(report.compensated) & mine == failing
    # and only the confirmed bookings whose event was lost were credited now
    assert len(set(report.credited) & mine) == crash.stages["confirmed"]
    assert set(report.errors) & mine == set()


def _statuses(crash: Crash) -> dict[str, BookingStatus]:
    return {b: booking_store.get_booking(b).status for b in crash.bookings}  # type: ignore[union-attr]


def test_an_abandoned_booking_fails_with_a_known_reason_and_its_customer_is_told(restarted):
    # Given a booking whose saga captured the payment and then died
    crash = crash_mid_load(customers=1, seats=5, stages=("captured",))
    (booking_id,) = crash.bookings

    # When the reconciler settles it
    reconciler.reconcile(SETTINGS, now=datetime.now(UTC) + timedelta(seconds=5))
    restarted.settle()

    # Then it is FAILED with the reconciler's reason, refunded, its seat back, and subscribers heard FAILED
    booking = booking_store.get_booking(booking_id)
    assert booking is not None
    assert (booking.status, booking.status_reason) == (
        BookingStatus.FAILED,
        booking_saga.FAILURE_REASONS[reconciler.ABANDONED],
    )
    assert payment_store.get_payment(booking_id).status is PaymentStatus.REFUNDED  # type: ignore[union-attr]
    assert flight_store.get_flight(crash.flight_id).seats_available == 5  # type: ignore[union-attr]
    assert [n.status for n in restarted.notifier.notices if n.id == booking_id] == [BookingStatus.FAILED]
    types = [e.type for e in restarted.bus.published if e.subject == booking_id]
    assert types == [events.PAYMENT_REFUNDED, events.BOOKING_FAILED]


def test_a_booking_whose_saga_still_runs_is_left_to_it(restarted):
    # Given an old PENDING booking whose execution is still running
    customer, flight = a_customer(), a_flight(seat_capacity=3, seats_available=3)
    flight_store.put_flight(flight)
    booking = a_booking(customer, flight.id, BookingStatus.PENDING)
    booking_store.put_booking(booking)

    class Running(DeadProcess):
        def is_running(self, name: str) -> bool:
            return name == booking.id

    starter.use_starter(Running())
    try:
        # When the reconciler runs
        report = reconciler.reconcile(SETTINGS, now=datetime.now(UTC) + timedelta(seconds=5))
    finally:
        starter.use_starter(restarted.runner)

    # Then it leaves the booking alone
    assert booking.id in report.running
    assert booking.id not in report.failed
    assert booking_store.get_booking(booking.id).status is BookingStatus.PENDING  # type: ignore[union-attr]


def test_a_young_pending_booking_is_not_touched(restarted):
    # Given a booking that went PENDING just now (its saga may yet start)
    customer, flight = a_customer(), a_flight()
    flight_store.put_flight(flight)
    booking = a_booking(customer, flight.id, BookingStatus.PENDING)
    booking_store.put_booking(booking)

    # When the reconciler runs with a 10-minute threshold
    report = reconciler.reconcile(ReconcilerSettings(settle_after=timedelta(minutes=10)))

    # Then the booking stays PENDING
    assert booking.id not in report.failed
    assert booking_store.get_booking(booking.id).status is BookingStatus.PENDING  # type: ignore[union-attr]


def test_a_confirmed_booking_missing_its_points_is_credited_once_however_often_it_runs(restarted):
    # Given a confirmed, paid booking whose booking.confirmed event was lost
    crash = crash_mid_load(customers=1, seats=5, stages=("confirmed",))
    ((booking_id, customer),) = crash.bookings.items()
    assert loyalty_store.get_points(customer) == 0

    # When the reconciler runs twice
    later = datetime.now(UTC) + timedelta(seconds=5)
    first = reconciler.reconcile(SETTINGS, now=later)
    second = reconciler.reconcile(SETTINGS, now=later)

    # Then the points were credited once
    assert booking_id in first.credited
    assert booking_id not in second.credited
    assert loyalty_store.get_points(customer) == PRICE


def test_stuck_bookings_settle_within_the_local_interval_after_a_restart_over_three_crashes(dynamodb):
    """Three crash rounds, each followed by a restart whose runtime reconciles at start and every interval."""
    settings = ReconcilerSettings(settle_after=timedelta(seconds=2), interval=timedelta(seconds=1))
    # A generous bound on a loaded machine, not a performance claim
    bound = settings.settle_after + 2 * settings.interval + timedelta(seconds=60)
    for round_ in range(3):
        crash = crash_mid_load(seed=100 + round_)
        stuck = {b for b, s in _statuses(crash).items() if s is BookingStatus.PENDING}
        crashed_at = time.monotonic()
        local = LocalRuntime(max_sagas=4, retry_interval_scale=0.001, reconcile=settings).start()
        try:
            while True:
                if all(booking_store.get_booking(b).status is not BookingStatus.PENDING for b in stuck):  # type: ignore[union-attr]
                    break
                assert time.monotonic() - crashed_at < bound.total_seconds(), "stuck bookings did not settle"
                time.sleep(0.1)
            settled_in = time.monotonic() - crashed_at
            # the lost points of confirmed bookings are credited by the same runs
            while True:
                try:
                    outcome = assert_invariants(crash)
                    break
                except AssertionError:
                    if time.monotonic() - crashed_at > bound.total_seconds():
                        raise
                    time.sleep(0.1)
                    local.bus.drain()
        finally:
            local.stop()
        print(f"round {round_ + 1}: {len(stuck)} stuck of {CUSTOMERS} settled in {settled_in:.1f} s; {outcome}")


def test_the_scheduled_lambda_fails_a_booking_abandoned_longer_than_its_threshold(restarted):
    from resolvers.handlers.reconciler import SETTINGS, handler
    from tests.factories import context

    # Given a booking left PENDING longer than the deployed threshold, and one left for less
    flight = a_flight(seat_capacity=2, seats_available=2)
    flight_store.put_flight(flight)
    now = datetime.now(UTC)
    old = a_booking(
        a_customer(), flight.id, BookingStatus.PENDING, updated_at=now - SETTINGS.settle_after - timedelta(minutes=1)
    )
    young = a_booking(a_customer(), flight.id, BookingStatus.PENDING, updated_at=now - SETTINGS.settle_after / 2)
    booking_store.put_booking(old)
    booking_store.put_booking(young)

    # When the schedule invokes the reconciler's function
    answer = handler({"source": "aws.events", "detail-type": "Scheduled Event"}, context("reconciler"))

    # Then only the old one was failed
    assert old.id in answer["failed"]
    assert young.id not in answer["failed"]
    assert booking_store.get_booking(old.id).status is BookingStatus.FAILED  # type: ignore[union-attr]
    assert booking_store.get_booking(young.id).status is BookingStatus.PENDING  # type: ignore[union-attr]


def test_a_cancellation_cut_short_by_a_crash_gives_back_seat_money_and_points(restarted):
    # Given a confirmed, credited booking whose cancelBooking died right after marking it CANCELLED
    crash = crash_mid_load(customers=1, seats=5, stages=("credited",))
    ((booking_id, customer),) = crash.bookings.items()
    booking = booking_store.get_booking(booking_id)
    assert booking is not None
    booking_store.change_status(booking, BookingStatus.CANCELLED, "Cancelled by the customer")
    assert loyalty_store.get_points(customer) == PRICE

    # When the reconciler runs, twice
    later = datetime.now(UTC) + timedelta(seconds=5)
    first = reconciler.reconcile(SETTINGS, now=later)
    second = reconciler.reconcile(SETTINGS, now=later)
    restarted.settle()

    # Then the money, the seat and the points are back, once
    assert booking_id in first.compensated
    assert booking_id not in second.compensated
    assert payment_store.get_payment(booking_id).status is PaymentStatus.REFUNDED  # type: ignore[union-attr]
    assert flight_store.get_flight(crash.flight_id).seats_available == 5  # type: ignore[union-attr]
    assert loyalty_store.get_points(customer) == 0
