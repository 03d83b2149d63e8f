"""Express workflows run an execution at least once: every booking saga run twice, one after the other or at the
same time, books, charges and credits exactly what one run does. Through the local runner and the real handlers on
DynamoDB Local."""

from __future__ import annotations

import threading

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
PRICE = 6100
SEATS = 5


def book(customer: str, flight_id: str, token: str) -> str:
    arguments = {"input": booking_input(flight_id, token)}
    answer = handler(mutation_event("initBooking", arguments, cognito(customer)), CTX)
    return str(answer["id"])


def state(booking_id: str, customer: str, flight_id: str) -> tuple:
    booking = booking_store.get_booking(booking_id)
    payment = payment_store.get_payment(booking_id)
    flight = flight_store.get_flight(flight_id)
    return (
        booking.status,
        payment.status if payment else None,
        flight.seats_available,
        flight_store.seat_holders(flight_id),
        loyalty_store.get_points(customer),
    )


@pytest.mark.parametrize(
    ("token", "cancel", "expected"),
    [
        ("tok_visa", False, (BookingStatus.CONFIRMED, PaymentStatus.CAPTURED, SEATS - 1, 1, PRICE)),
        ("tok_declined", False, (BookingStatus.FAILED, PaymentStatus.DECLINED, SEATS, 0, 0)),
        ("tok_visa", True, (BookingStatus.CANCELLED, PaymentStatus.REFUNDED, SEATS, 0, 0)),
    ],
    ids=["confirmed", "declined", "confirmed-then-cancelled"],
)
def test_a_settled_bookings_saga_run_again_changes_nothing(runtime, token, cancel, expected):
    # Given a booking whose saga has run (and, for one, that was then cancelled)
    customer = a_customer()
    flight = a_flight(seat_capacity=SEATS, seats_available=SEATS, ticket_price=PRICE)
    flight_store.put_flight(flight)
    booking_id = book(customer, flight.id, token)
    runtime.settle()
    if cancel:
        handler(mutation_event("cancelBooking", {"id": booking_id}, cognito(customer)), CTX)
        runtime.settle()
    before = state(booking_id, customer, flight.id)
    status, payment, seats, holders, points = before
    assert (status, payment, seats, len(holders), points) == expected

    # When Express delivers the same execution again
    again = runtime.runner.run_again(booking_id)
    runtime.settle()

    # Then it ends at once as already settled: no seat, no charge, no credit, no compensation
    assert again.status == "SUCCEEDED"
    assert again.states_entered == ["ReserveSeat", "AlreadySettled"]
    assert state(booking_id, customer, flight.id) == before
    letters = [letter for letter in runtime.dead_letters if letter["bookingId"] == booking_id]
    assert len(letters) == (0 if token == "tok_visa" else 1)


def test_two_runs_of_one_booking_at_the_same_time_book_charge_and_credit_once(runtime):
    # Given a booking whose saga has started
    customer = a_customer()
    flight = a_flight(seat_capacity=SEATS, seats_available=SEATS, ticket_price=PRICE)
    flight_store.put_flight(flight)
    booking_id = book(customer, flight.id, "tok_visa")

    # When a twin run of the same execution runs alongside it (several twins, to overlap at different steps)
    twins = [threading.Thread(target=runtime.runner.run_again, args=(booking_id,)) for _ in range(3)]
    for twin in twins:
        twin.start()
    for twin in twins:
        twin.join(timeout=60)
    runtime.settle()

    # Then one seat, one capture, one credit
    assert not any(twin.is_alive() for twin in twins)
    status, payment, seats, holders, points = state(booking_id, customer, flight.id)
    assert (status, payment, seats, holders, points) == (
        BookingStatus.CONFIRMED,
        PaymentStatus.CAPTURED,
        SEATS - 1,
        [booking_id],
        PRICE,
    )
