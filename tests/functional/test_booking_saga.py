"""initBooking and the booking saga on DynamoDB Local: every path ends in the right state with the right effects."""

from __future__ import annotations

import uuid

import pytest

from resolvers import events
from resolvers.domain.models import BookingStatus, PaymentStatus
from resolvers.handlers.bookings import handler
from resolvers.services import booking_saga
from resolvers.store import bookings as booking_store
from resolvers.store import flights as flight_store
from resolvers.store import loyalty as loyalty_store
from resolvers.store import payments as payment_store
from tests.factories import (
    a_booking,
    a_customer,
    a_flight,
    booking_input,
    cognito,
    context,
    error_of,
    iam,
    mutation_event,
    seats_left,
)

pytestmark = pytest.mark.dynamodb

CTX = context("bookings")
PRICE = 8900


def init_booking(customer: str, flight_id: str, token: str = "tok_visa", key: str | None = None, identity=None):
    arguments = {"input": booking_input(flight_id, token, key)}
    return handler(mutation_event("initBooking", arguments, identity or cognito(customer)), CTX)


def attempts(runtime, booking_id: str, state: str) -> int:
    """How many times the saga ran a task state (first try and retries)."""
    happened = runtime.runner.wait(booking_id).events(state)
    return sum(1 for what in happened if what == "succeeded" or what.startswith("failed"))


def flight_with(seats: int = 50, **fields):
    flight = a_flight(seat_capacity=max(seats, 1), seats_available=seats, ticket_price=PRICE, **fields)
    flight_store.put_flight(flight)
    return flight


def test_a_booking_answers_pending_at_once_then_the_saga_confirms_it(runtime):
    # Given a flight with seats
    customer, flight = a_customer(), flight_with(10)

    # When a customer books it with a good card
    answer = init_booking(customer, flight.id)

    # Then the answer is PENDING with a readable reference, and the saga confirms it
    assert answer["status"] == "PENDING"
    assert len(answer["bookingReference"]) == 6
    assert not set(answer["bookingReference"]) & set("01OIL")
    runtime.settle()
    booking = booking_store.get_booking(answer["id"])
    assert booking.status is BookingStatus.CONFIRMED
    assert seats_left(flight.id) == 9
    payment = payment_store.get_payment(answer["id"])
    assert (payment.status, payment.amount, payment.currency) == (PaymentStatus.CAPTURED, PRICE, "GBP")
    assert loyalty_store.get_points(customer) == PRICE
    assert [n.status for n in runtime.notifier.notices if n.id == answer["id"]] == [
        BookingStatus.PENDING,
        BookingStatus.CONFIRMED,
    ]
    types = [e.type for e in runtime.bus.published if e.detail.get("bookingId") == answer["id"]]
    assert types == [events.BOOKING_CREATED, events.PAYMENT_PROCESSED, events.BOOKING_CONFIRMED]
    assert list(runtime.dead_letters) == []


def _failed(runtime, booking_id: str):
    runtime.settle()
    booking = booking_store.get_booking(booking_id)
    assert booking.status is BookingStatus.FAILED
    letters = [letter for letter in runtime.dead_letters if letter["bookingId"] == booking_id]
    assert len(letters) == 1
    return booking, letters[0]


def test_sold_out_at_reserve_fails_the_booking_without_payment(runtime):
    # Given a pending booking for a flight whose last seat went in the meantime
    customer, flight = a_customer(), flight_with(0)
    booking = a_booking(customer, flight.id, BookingStatus.PENDING)
    booking_store.put_booking(booking)

    # When its saga runs
    runtime.runner.start(
        booking.id,
        {
            "bookingId": booking.id,
            "outboundFlightId": flight.id,
            "customer": customer,
            "paymentToken": "tok_visa",
            "seats": 1,
        },
    )

    # Then it fails for want of seats, no payment was attempted and no seat appeared
    failed, letter = _failed(runtime, booking.id)
    assert failed.status_reason == "No seats are left on this flight"
    assert letter["error"]["Error"] == "SeatsUnavailable"
    assert payment_store.get_payment(booking.id) is None
    assert seats_left(flight.id) == 0
    assert attempts(runtime, booking.id, "ReserveSeat") == 1


@pytest.mark.parametrize(
    ("token", "error", "reason", "payment_status"),
    [
        ("tok_declined", "CardDeclined", "The card was declined", PaymentStatus.DECLINED),
        ("tok_insufficient_funds", "InsufficientFunds", "The card has insufficient funds", PaymentStatus.DECLINED),
        (
            "tok_timeout",
            "PaymentTimeout",
            "The payment provider did not answer in time; no money was taken",
            None,
        ),
    ],
)
def test_a_refused_payment_fails_the_booking_and_gives_the_seat_back(runtime, token, error, reason, payment_status):
    customer, flight = a_customer(), flight_with(5)

    answer = init_booking(customer, flight.id, token)

    booking, letter = _failed(runtime, answer["id"])
    assert booking.status_reason == reason
    assert letter["error"]["Error"] == error
    assert token not in str(letter), "a dead letter never carries the payment token"
    assert seats_left(flight.id) == 5
    payment = payment_store.get_payment(answer["id"])
    assert (payment.status if payment else None) == payment_status
    assert loyalty_store.get_points(customer) == 0
    assert [n.status for n in runtime.notifier.notices if n.id == answer["id"]] == [
        BookingStatus.PENDING,
        BookingStatus.FAILED,
    ]
    tries = attempts(runtime, answer["id"], "CollectPayment")
    # A first try and MaxAttempts (3) retries for a transient error; none for a final refusal.
    assert tries == (4 if error == "PaymentTimeout" else 1), "only transient errors are retried"


def test_a_transient_payment_failure_is_retried_and_the_booking_confirmed_with_one_capture(runtime):
    customer, flight = a_customer(), flight_with(5)

    answer = init_booking(customer, flight.id, "tok_transient")

    runtime.settle()
    assert booking_store.get_booking(answer["id"]).status is BookingStatus.CONFIRMED
    payment = payment_store.get_payment(answer["id"])
    assert payment.status is PaymentStatus.CAPTURED
    assert payment.attempts == 3
    assert loyalty_store.get_points(customer) == PRICE
    assert attempts(runtime, answer["id"], "CollectPayment") == 3


def test_a_failure_at_confirmation_refunds_the_payment_and_fails_the_booking(runtime, monkeypatch):
    def broken(booking_id, payment, customer=None):
        raise RuntimeError("confirmation store unavailable")

    monkeypatch.setattr(booking_saga, "confirm_booking", broken)
    customer, flight = a_customer(), flight_with(5)

    answer = init_booking(customer, flight.id)

    _, letter = _failed(runtime, answer["id"])
    assert payment_store.get_payment(answer["id"]).status is PaymentStatus.REFUNDED
    assert seats_left(flight.id) == 5
    assert letter["error"]["Error"] == "RuntimeError"
    assert loyalty_store.get_points(customer) == 0
    published = [e.type for e in runtime.bus.published if e.detail.get("bookingId") == answer["id"]]
    assert events.PAYMENT_REFUNDED in published


def test_a_failure_to_notify_keeps_the_confirmed_booking_and_records_a_dead_letter(runtime, monkeypatch):
    def broken(booking_id, booking=None):
        raise RuntimeError("notification channel down")

    monkeypatch.setattr(booking_saga, "notify_booking", broken)
    customer, flight = a_customer(), flight_with(5)

    answer = init_booking(customer, flight.id)

    runtime.settle()
    assert booking_store.get_booking(answer["id"]).status is BookingStatus.CONFIRMED
    assert payment_store.get_payment(answer["id"]).status is PaymentStatus.CAPTURED
    assert runtime.runner.wait(answer["id"]).status == "SUCCEEDED"
    letters = [letter for letter in runtime.dead_letters if letter["bookingId"] == answer["id"]]
    assert [letter["error"]["Error"] for letter in letters] == ["RuntimeError"]


def test_the_same_key_and_input_answer_the_same_booking_and_start_nothing_new(runtime):
    customer, flight = a_customer(), flight_with(5)
    key = str(uuid.uuid4())

    first = init_booking(customer, flight.id, key=key)
    runtime.settle()
    again = init_booking(customer, flight.id, key=key)

    assert again["id"] == first["id"]
    assert again["status"] == "CONFIRMED"
    assert seats_left(flight.id) == 4
    assert len(runtime.runner.wait_all()) == 1


def test_the_same_key_with_another_input_is_an_idempotency_conflict(runtime):
    customer, flight = a_customer(), flight_with(5)
    key = str(uuid.uuid4())
    init_booking(customer, flight.id, key=key)

    error = error_of(init_booking(customer, flight.id, token="tok_mastercard", key=key))

    assert error["errorType"] == "IdempotencyConflict"


def test_keys_are_per_customer(runtime):
    flight, key = flight_with(5), str(uuid.uuid4())

    first = init_booking(a_customer(), flight.id, key=key)
    second = init_booking(a_customer(), flight.id, key=key)

    assert first["id"] != second["id"]


@pytest.mark.parametrize(
    ("change", "error_type", "field"),
    [
        ({"paymentToken": "x"}, "ValidationError", "input.paymentToken"),
        ({"idempotencyKey": "short"}, "ValidationError", "input.idempotencyKey"),
        ({"outboundFlightId": "nope"}, "ValidationError", "input.outboundFlightId"),
    ],
)
def test_bad_input_is_refused_at_once_and_nothing_is_written(runtime, dynamodb_calls, change, error_type, field):
    flight = flight_with(5)
    arguments = {"input": booking_input(flight.id)}
    arguments["input"].update(change)
    dynamodb_calls.reset()

    error = error_of(handler(mutation_event("initBooking", arguments, cognito(a_customer())), CTX))

    assert (error["errorType"], error["errorInfo"]["field"]) == (error_type, field)
    assert dynamodb_calls.operations == []


def test_an_unknown_flight_is_not_found_and_a_full_one_is_refused_at_once(runtime):
    assert error_of(init_booking(a_customer(), a_flight().id))["errorType"] == "NotFound"
    full = flight_with(0)
    assert error_of(init_booking(a_customer(), full.id))["errorType"] == "SeatsUnavailable"
    assert runtime.runner.wait_all() == {}


def test_a_cancelled_or_departed_flight_cannot_be_booked(runtime):
    from datetime import UTC, datetime, timedelta

    from resolvers.domain.models import FlightStatus

    cancelled = flight_with(5, status=FlightStatus.CANCELLED)
    departed = flight_with(5, departs=datetime.now(UTC) - timedelta(hours=1))

    assert error_of(init_booking(a_customer(), cancelled.id))["errorType"] == "ValidationError"
    assert error_of(init_booking(a_customer(), departed.id))["errorType"] == "ValidationError"


def test_iam_books_for_a_named_customer_and_must_name_one(runtime):
    flight, customer = flight_with(5), a_customer()
    arguments = {"input": booking_input(flight.id)}

    unnamed = error_of(handler(mutation_event("initBooking", arguments, iam()), CTX))
    arguments["input"]["customer"] = customer
    named = handler(mutation_event("initBooking", arguments, iam()), CTX)

    assert unnamed["errorInfo"]["field"] == "input.customer"
    assert named["customer"] == customer


def test_a_customer_cannot_book_for_someone_else(runtime):
    flight = flight_with(5)
    arguments = {"input": {**booking_input(flight.id), "customer": a_customer()}}

    error = error_of(
        handler(
            mutation_event("initBooking", arguments, cognito(a_customer())),
            CTX,
        )
    )

    assert error["errorType"] == "Unauthorized"


def test_a_booking_whose_saga_could_not_start_is_finished_by_a_retry_with_the_same_key(runtime):
    # Given the saga's starter refuses once (a full backlog, Step Functions throttling)
    from resolvers.domain.errors import Throttled
    from resolvers.saga import starter

    class RefusingOnce:
        def __init__(self) -> None:
            self.refused = False

        def start(self, name, execution_input):
            if not self.refused:
                self.refused = True
                raise Throttled("busy")
            return runtime.runner.start(name, execution_input)

    starter.use_starter(RefusingOnce())
    customer, flight, key = a_customer(), flight_with(5), str(uuid.uuid4())

    # When the first call is refused and the client retries with the same key
    refused = error_of(init_booking(customer, flight.id, key=key))
    retried = init_booking(customer, flight.id, key=key)

    # Then the first answer says to retry, and the retry completes the one booking
    assert (refused["errorType"], refused["errorInfo"]["retryable"]) == ("Throttled", True)
    runtime.settle()
    assert booking_store.get_booking(retried["id"]).status is BookingStatus.CONFIRMED
    assert len(runtime.runner.wait_all()) == 1
    assert seats_left(flight.id) == 4
