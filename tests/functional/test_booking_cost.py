"""What one booking costs, counted on DynamoDB Local: calls by operation for a confirmed booking, a declined one and
a cancellation, one task invocation per state, and no event nobody needs. bench/booking_cost.py prices the same
counts; these pin the cuts (re-reads the saga input carries, reads before conditional writes) so they stay cut."""

from __future__ import annotations

from collections import Counter

import pytest

from resolvers import events
from resolvers.domain.models import BookingStatus, PaymentStatus
from resolvers.handlers.bookings import handler
from resolvers.store import bookings as booking_store
from resolvers.store import flights as flight_store
from resolvers.store import payments as payment_store
from tests.factories import a_customer, a_flight, booking_input, cognito, context

pytestmark = pytest.mark.dynamodb

CTX = context("bookings")
PRICE = 7300


def mutation(field: str, arguments: dict, customer: str) -> dict:
    from tests.factories import mutation_event

    return handler(mutation_event(field, arguments, cognito(customer)), CTX)


def book(customer: str, flight_id: str, token: str = "tok_visa") -> dict:
    arguments = {"input": booking_input(flight_id, token)}
    return mutation("initBooking", arguments, customer)


def a_flight_with(seats: int = 10):
    flight = a_flight(seat_capacity=seats, seats_available=seats, ticket_price=PRICE)
    flight_store.put_flight(flight)
    return flight


def task_attempts(execution) -> Counter[str]:
    return Counter(state for state, what in execution.history if what == "succeeded" or what.startswith("failed"))


def test_a_confirmed_booking_makes_8_dynamodb_calls_and_one_invocation_per_state(runtime, dynamodb_calls):
    customer, flight = a_customer(), a_flight_with()
    dynamodb_calls.reset()

    answer = book(customer, flight.id)
    runtime.settle()

    # initBooking: the flight, then one transaction (no idempotency read before it). ReserveSeat: one transaction.
    # CollectPayment: the booking, authorize and capture as one update each (price from the input, no ledger
    # reads). ConfirmBooking: one update (customer from the input). NotifyConfirmed: nothing (the booking is handed
    # over). The loyalty consumer: one transaction. Was 15 calls (9 GetItem).
    assert Counter(dynamodb_calls.operations) == {"GetItem": 2, "TransactWriteItems": 3, "UpdateItem": 3}
    execution = runtime.runner.wait(answer["id"])
    assert task_attempts(execution) == {
        state: 1 for state in ("ReserveSeat", "CollectPayment", "ConfirmBooking", "NotifyConfirmed")
    }
    published = [e.type for e in runtime.bus.published if e.detail.get("bookingId") == answer["id"]]
    assert published == [events.BOOKING_CREATED, events.PAYMENT_PROCESSED, events.BOOKING_CONFIRMED]
    assert booking_store.get_booking(answer["id"]).status is BookingStatus.CONFIRMED


def test_a_declined_booking_makes_11_dynamodb_calls_and_publishes_no_refund(runtime, dynamodb_calls):
    customer, flight = a_customer(), a_flight_with()
    dynamodb_calls.reset()

    answer = book(customer, flight.id, "tok_declined")
    runtime.settle()

    # Was 15 (9 GetItem): no idempotency read, no flight re-read, no ledger read before recording the decline,
    # CancelBooking writes without reading. NotifyFailed still reads the booking (FAILED by another task).
    assert Counter(dynamodb_calls.operations) == {"GetItem": 5, "PutItem": 1, "TransactWriteItems": 3, "UpdateItem": 2}
    published = [e.type for e in runtime.bus.published if e.detail.get("bookingId") == answer["id"]]
    # Nothing was refunded: no payment.refunded (one used to be published for the declined payment).
    assert published == [events.BOOKING_CREATED, events.BOOKING_FAILED]
    assert booking_store.get_booking(answer["id"]).status is BookingStatus.FAILED


def test_a_cancellation_makes_7_dynamodb_calls(runtime, dynamodb_calls):
    customer, flight = a_customer(), a_flight_with()
    answer = book(customer, flight.id)
    runtime.settle()
    dynamodb_calls.reset()

    mutation("cancelBooking", {"id": answer["id"]}, customer)
    runtime.settle()

    # The booking, its status change, the ledger read and the refund as one update (no read after it), the seat back;
    # the consumer reads the entry and reverses it. Was 8 (4 GetItem).
    assert Counter(dynamodb_calls.operations) == {"GetItem": 3, "TransactWriteItems": 2, "UpdateItem": 2}
    assert payment_store.get_payment(answer["id"]).status is PaymentStatus.REFUNDED


def test_a_hold_makes_2_dynamodb_calls_and_its_expiry_3(runtime, dynamodb_calls, monkeypatch):
    # Holds of 1 second, so that the timer's run is counted too
    monkeypatch.setenv("HOLD_DURATION_SECONDS", "1")
    customer, flight = a_customer(), a_flight_with()
    dynamodb_calls.reset()

    arguments = {"input": {**booking_input(flight.id), "hold": True}}
    del arguments["input"]["paymentToken"]
    answer = mutation("initBooking", arguments, customer)

    # initBooking: the flight, then one transaction writing the booking and taking its seats
    assert Counter(dynamodb_calls.operations) == {"GetItem": 1, "TransactWriteItems": 1}
    dynamodb_calls.reset()
    timer = runtime.hold_runner.wait(answer["id"], 30)
    runtime.settle()
    # ExpireHold: the booking, HELD to EXPIRED (one conditional update), the seats' release (one transaction)
    assert Counter(dynamodb_calls.operations) == {"GetItem": 1, "UpdateItem": 1, "TransactWriteItems": 1}
    assert task_attempts(timer)["ExpireHold"] == 1
    assert booking_store.get_booking(answer["id"]).status is BookingStatus.EXPIRED
