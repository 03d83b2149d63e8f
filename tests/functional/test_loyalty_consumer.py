"""The loyalty consumer: EventBridge deliveries, duplicates and out-of-order events count once."""

from __future__ import annotations

import pytest

from resolvers.consumers.loyalty import handler
from resolvers.store import loyalty as loyalty_store
from tests.factories import a_customer, a_flight, context

pytestmark = pytest.mark.dynamodb

CTX = context("loyalty-consumer")


def _event(detail_type: str, customer: str, booking_id: str, amount: int = 0) -> dict:
    detail = {"bookingId": booking_id, "customer": customer, "eventId": f"{detail_type}:{booking_id}"}
    if amount:
        detail["amount"] = amount
    return {"version": "0", "id": "x", "detail-type": detail_type, "source": "airline.booking", "detail": detail}


def test_a_confirmed_booking_delivered_twice_earns_points_once(dynamodb):
    customer, booking = a_customer(), a_flight().id

    first = handler(_event("booking.confirmed", customer, booking, 5000), CTX)
    second = handler(_event("booking.confirmed", customer, booking, 5000), CTX)

    assert (first, second) == ({"changed": True}, {"changed": False})
    assert loyalty_store.get_points(customer) == 5000


def test_a_cancellation_takes_the_points_back_once(dynamodb):
    customer, booking = a_customer(), a_flight().id
    handler(_event("booking.confirmed", customer, booking, 5000), CTX)

    handler(_event("booking.cancelled", customer, booking), CTX)
    handler(_event("booking.cancelled", customer, booking), CTX)

    assert loyalty_store.get_points(customer) == 0


def test_a_failure_that_arrives_before_the_confirmation_leaves_no_points(dynamodb):
    customer, booking = a_customer(), a_flight().id

    handler(_event("booking.failed", customer, booking), CTX)
    handler(_event("booking.confirmed", customer, booking, 5000), CTX)

    assert loyalty_store.get_points(customer) == 0
