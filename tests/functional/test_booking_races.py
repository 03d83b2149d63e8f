"""Concurrency on DynamoDB Local: no double booking, no double charge, no double-counted points."""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest

from resolvers.domain.models import BookingStatus, PaymentStatus
from resolvers.handlers.bookings import handler
from resolvers.store import bookings as booking_store
from resolvers.store import flights as flight_store
from resolvers.store import loyalty as loyalty_store
from resolvers.store import payments as payment_store
from tests.factories import a_customer, a_flight, booking_input, cognito, context, mutation_event

pytestmark = pytest.mark.dynamodb

CTX = context("bookings")


def _call(identity, field: str, arguments: dict):
    return handler(mutation_event(field, arguments, identity), CTX)


def _book(customer: str, flight_id: str, token: str, key: str | None = None):
    return _call(
        cognito(customer),
        "initBooking",
        {"input": booking_input(flight_id, token, key)},
    )


def _all_at_once(calls: list) -> list:
    barrier = Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def test_200_customers_booking_50_seats_at_once_confirm_exactly_50_and_charge_exactly_50(runtime):
    # Given a flight with 50 seats
    flight = a_flight(seat_capacity=50, seats_available=50, ticket_price=8900)
    flight_store.put_flight(flight)

    # When 200 customers book it at the same moment
    crowd = [a_customer() for _ in range(200)]
    answers = _all_at_once([lambda c=c: _book(c, flight.id, "tok_visa") for c in crowd])
    runtime.settle(timeout=180)

    # Then exactly 50 bookings are confirmed, the others failed or were refused at once, and no seat is left
    made = [answer for answer in answers if "__error" not in answer]
    refused = [answer["__error"]["errorType"] for answer in answers if "__error" in answer]
    assert set(refused) <= {"SeatsUnavailable"}
    statuses = {answer["id"]: booking_store.get_booking(answer["id"]).status for answer in made}
    confirmed = [booking_id for booking_id, status in statuses.items() if status is BookingStatus.CONFIRMED]
    assert len(confirmed) == 50
    assert set(statuses.values()) <= {BookingStatus.CONFIRMED, BookingStatus.FAILED}
    assert flight_store.get_flight(flight.id).seats_available == 0

    # And exactly 50 tickets were charged; every failed booking holds no money
    payments = {booking_id: payment_store.get_payment(booking_id) for booking_id in statuses}
    captured = [p for p in payments.values() if p is not None and p.status is PaymentStatus.CAPTURED]
    assert sum(p.amount for p in captured) == 50 * 8900
    for booking_id, status in statuses.items():
        if status is BookingStatus.FAILED and payments[booking_id] is not None:
            assert payments[booking_id].status in {PaymentStatus.VOIDED, PaymentStatus.REFUNDED}


def test_the_same_key_20_times_at_once_makes_one_booking_and_one_capture(runtime):
    customer = a_customer()
    flight = a_flight(seat_capacity=10, seats_available=10)
    flight_store.put_flight(flight)
    key = str(uuid.uuid4())

    answers = _all_at_once([lambda: _book(customer, flight.id, "tok_visa", key) for _ in range(20)])
    runtime.settle()

    assert all("__error" not in answer for answer in answers), answers
    assert len({answer["id"] for answer in answers}) == 1
    assert len(runtime.runner.wait_all()) == 1
    assert flight_store.get_flight(flight.id).seats_available == 9
    assert payment_store.get_payment(answers[0]["id"]).status is PaymentStatus.CAPTURED
    assert loyalty_store.get_points(customer) == flight.ticket_price


def test_invariants_hold_after_a_mixed_run_with_cancellations(runtime):
    # Given three small flights and a crowd with a mix of cards
    rng = random.Random(7)
    flights = [a_flight(seat_capacity=8, seats_available=8, ticket_price=1000 * (i + 1)) for i in range(3)]
    for flight in flights:
        flight_store.put_flight(flight)
    customers = [a_customer() for _ in range(12)]
    tokens = ["tok_visa", "tok_visa", "tok_mastercard", "tok_declined", "tok_insufficient_funds", "tok_transient"]
    requests = [(rng.choice(customers), rng.choice(flights), rng.choice(tokens)) for _ in range(40)]

    # When they all book at once, and then some confirmed bookings are cancelled (some twice)
    answers = _all_at_once([lambda c=c, f=f, t=t: (c, f, _book(c, f.id, t)) for c, f, t in requests])
    runtime.settle(timeout=180)
    made = [(c, f, answer["id"]) for c, f, answer in answers if "__error" not in answer]
    confirmed = [m for m in made if booking_store.get_booking(m[2]).status is BookingStatus.CONFIRMED]
    to_cancel = confirmed[: len(confirmed) // 3]
    for customer, _, booking_id in to_cancel + to_cancel[:2]:
        _call(cognito(customer), "cancelBooking", {"id": booking_id})
    runtime.settle()

    # Then for every flight, seats left + confirmed bookings = capacity
    final = {booking_id: booking_store.get_booking(booking_id) for _, _, booking_id in made}
    for flight in flights:
        held = sum(
            1 for b in final.values() if b.outbound_flight_id == flight.id and b.status is BookingStatus.CONFIRMED
        )
        assert flight_store.get_flight(flight.id).seats_available + held == flight.seat_capacity
    # And every customer's points = the sum paid for their confirmed bookings
    price = {flight.id: flight.ticket_price for flight in flights}
    owed: dict[str, int] = defaultdict(int)
    for booking in final.values():
        if booking.status is BookingStatus.CONFIRMED:
            owed[booking.customer] += price[booking.outbound_flight_id]
    for customer in customers:
        assert loyalty_store.get_points(customer) == owed[customer], customer
    # And money kept (captures - refunds) = the sum over confirmed bookings
    kept = sum(
        p.amount
        for p in (payment_store.get_payment(booking_id) for booking_id in final)
        if p is not None and p.status is PaymentStatus.CAPTURED
    )
    assert kept == sum(owed.values())
    assert any(b.status is BookingStatus.CANCELLED for b in final.values())
    assert any(b.status is BookingStatus.FAILED for b in final.values())
