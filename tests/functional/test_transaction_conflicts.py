"""Cancellations DynamoDB Local never produces (TransactionConflict, throttling), injected into the store's client.

A botocore `before-call` hook on the store's connection answers chosen TransactWriteItems calls with the
cancelled response DynamoDB sends under contention; every other call reaches DynamoDB Local.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

from resolvers.domain.errors import Conflict
from resolvers.domain.models import BookingStatus
from resolvers.handlers.bookings import handler
from resolvers.store import bookings as booking_store
from resolvers.store import flights as flight_store
from resolvers.store import keys, transactions
from resolvers.store import loyalty as loyalty_store
from resolvers.store.table import connection
from tests.factories import a_customer, a_flight, booking_input, cognito, context, mutation_event, seats_left

pytestmark = pytest.mark.dynamodb

Matcher = Callable[[list[dict[str, Any]]], bool]


def _keys_of(items: list[dict[str, Any]]) -> set[str]:
    found = set()
    for item in items:
        (operation,) = item.values()
        key = operation.get("Key") or operation.get("Item") or {}
        found.add(key.get("PK", {}).get("S", ""))
    return found


class Cancellations:
    """Answers the next `times` matching TransactWriteItems with a cancellation: `reason` at item `at` (None: the
    last item), or a list of reasons one per item, or an error code ending in "Exception" for the whole call."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.plan: list[tuple[Matcher, str | list[str], int | None, int]] = []
        self.cancelled = 0
        self.seen = 0

    def inject(self, matches: Matcher, reason: str | list[str], times: int, at: int | None = None) -> None:
        with self._lock:
            self.plan.append((matches, reason, at, times))

    def __call__(self, model: Any, params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        items = json.loads(params["body"])["TransactItems"]
        with self._lock:
            self.seen += 1
            for index, (matches, reason, at, times) in enumerate(self.plan):
                if times > 0 and matches(items):
                    self.plan[index] = (matches, reason, at, times - 1)
                    self.cancelled += 1
                    break
            else:
                return None
        if isinstance(reason, str) and (reason.endswith("Exception") or reason == "InternalServerError"):
            error = {"Error": {"Code": reason, "Message": "Rate of requests exceeds the allowed throughput."}}
            return AWSResponse("https://dynamodb.local", 400, {}, None), error
        where = len(items) - 1 if at is None else at
        codes = reason if isinstance(reason, list) else [reason if i == where else "None" for i in range(len(items))]
        reasons = [{"Code": code} for code in codes]
        parsed = {
            "Error": {"Code": "TransactionCanceledException", "Message": "Transaction cancelled"},
            "CancellationReasons": reasons,
            "ResponseMetadata": {"HTTPStatusCode": 400, "HTTPHeaders": {}},
        }
        return AWSResponse("https://dynamodb.local", 400, {}, None), parsed


@pytest.fixture
def cancellations(dynamodb: str) -> Iterator[Cancellations]:
    hook = Cancellations()
    events = connection().client.meta.events
    events.register("before-call.dynamodb.TransactWriteItems", hook, unique_id="test-cancellations")
    yield hook
    events.unregister("before-call.dynamodb.TransactWriteItems", unique_id="test-cancellations")


def touching(pk: str) -> Matcher:
    return lambda items: pk in _keys_of(items)


def a_stored_flight(seats: int = 5):
    flight = a_flight(seat_capacity=seats, seats_available=seats, ticket_price=5000)
    flight_store.put_flight(flight)
    return flight


def test_a_reservation_cancelled_by_conflicts_is_retried_and_takes_one_seat(cancellations):
    flight = a_stored_flight()
    cancellations.inject(touching(keys.flight(flight.id)[0]), "TransactionConflict", times=transactions.ATTEMPTS - 1)

    assert flight_store.reserve_seats(flight.id, "booking-1", 1) is True

    assert cancellations.cancelled == transactions.ATTEMPTS - 1
    assert seats_left(flight.id) == 4
    assert flight_store.seat_holders(flight.id) == ["booking-1"]


def test_a_conflict_that_persists_is_raised_as_the_retryable_conflict(cancellations):
    flight = a_stored_flight()
    cancellations.inject(touching(keys.flight(flight.id)[0]), "TransactionConflict", times=transactions.ATTEMPTS)

    with pytest.raises(Conflict) as raised:
        flight_store.reserve_seats(flight.id, "booking-1", 1)

    assert raised.value.error_info["retryable"] is True
    assert seats_left(flight.id) == 5
    # The next try, with the contention gone, succeeds.
    assert flight_store.reserve_seats(flight.id, "booking-1", 1) is True


def test_a_release_throttled_by_dynamodb_is_retried_so_no_seat_leaks(cancellations):
    flight = a_stored_flight()
    assert flight_store.reserve_seats(flight.id, "booking-1", 1) is True
    cancellations.inject(touching(keys.flight(flight.id)[0]), "ThrottlingException", times=2)
    cancellations.inject(touching(keys.flight(flight.id)[0]), "ThrottlingError", times=1)

    assert flight_store.release_seats(flight.id, "booking-1", 1) is True

    assert cancellations.cancelled == 3
    assert seats_left(flight.id) == 5


def test_a_transaction_that_waited_too_long_for_a_lock_is_retried(cancellations):
    # DynamoDB Local answers a 500 when a transaction waits too long for an item's lock under load
    flight = a_stored_flight()
    cancellations.inject(touching(keys.flight(flight.id)[0]), "InternalServerError", times=2)

    assert flight_store.reserve_seats(flight.id, "booking-1", 1) is True

    assert cancellations.cancelled == 2
    assert seats_left(flight.id) == 4


def test_a_failed_condition_is_the_answer_even_when_another_item_conflicted(cancellations):
    # Given a flight with seats
    flight = a_stored_flight()
    before = cancellations.seen
    # When a reservation is cancelled naming the hold's condition and a conflict on the flight item
    cancellations.inject(touching(keys.flight(flight.id)[0]), ["ConditionalCheckFailed", "TransactionConflict"], 1)

    # Then the hold's condition decides (this booking holds a seat already), with no retry
    assert flight_store.reserve_seats(flight.id, "booking-1", 1) is False
    assert cancellations.seen - before == 1
    assert seats_left(flight.id) == 5


def test_loyalty_credit_and_reversal_survive_conflicts_and_stay_exact(cancellations):
    customer = a_customer()
    summary = keys.loyalty_summary(customer)[0]
    cancellations.inject(touching(summary), "TransactionConflict", times=2)

    assert loyalty_store.add_points(customer, "booking-1", 700) is True
    assert loyalty_store.add_points(customer, "booking-1", 700) is False
    assert loyalty_store.get_points(customer) == 700

    cancellations.inject(touching(summary), "TransactionConflict", times=2)
    assert loyalty_store.reverse_points(customer, "booking-1") is True
    assert loyalty_store.get_points(customer) == 0
    assert cancellations.cancelled == 4


def init_booking(customer: str, flight_id: str) -> dict[str, Any]:
    arguments = {"input": booking_input(flight_id)}
    answer: dict[str, Any] = handler(mutation_event("initBooking", arguments, cognito(customer)), context("bookings"))
    return answer


def test_booking_creation_and_reserve_seat_under_conflicts_still_confirm_the_booking(cancellations, runtime):
    # Given a flight, and contention on the customer's idempotency record and on the flight item,
    # on the flight more than the store's own retries absorb, so the saga's Retry has to take over
    customer, flight = a_customer(), a_stored_flight(10)
    cancellations.inject(touching(keys.customer(customer)), "TransactionConflict", times=2)
    cancellations.inject(touching(keys.flight(flight.id)[0]), "TransactionConflict", times=transactions.ATTEMPTS + 1)

    # When the customer books it
    answer = init_booking(customer, flight.id)
    runtime.settle()

    # Then the booking is confirmed with one seat taken, after ReserveSeat ran twice
    booking = booking_store.get_booking(answer["id"])
    assert booking is not None
    assert booking.status is BookingStatus.CONFIRMED
    assert seats_left(flight.id) == 9
    happened = runtime.runner.wait(answer["id"]).events("ReserveSeat")
    assert sum(1 for what in happened if what == "succeeded" or what.startswith("failed")) == 2
    assert cancellations.cancelled == 2 + transactions.ATTEMPTS + 1
