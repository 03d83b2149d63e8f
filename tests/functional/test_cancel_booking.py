"""cancelBooking: refund, seat back, points back; twice answers the same; only the owner or an Admin."""

from __future__ import annotations

import pytest

from resolvers import events
from resolvers.domain.models import BookingStatus, PaymentStatus
from resolvers.handlers.bookings import handler
from resolvers.store import bookings as booking_store
from resolvers.store import flights as flight_store
from resolvers.store import loyalty as loyalty_store
from resolvers.store import payments as payment_store
from tests.factories import (
    a_booking,
    a_customer,
    a_flight,
    admin,
    booking_input,
    cognito,
    context,
    error_of,
    mutation_event,
)

pytestmark = pytest.mark.dynamodb

CTX = context("bookings")


def _call(identity, field: str, arguments: dict):
    return handler(mutation_event(field, arguments, identity), CTX)


@pytest.fixture
def confirmed(runtime):
    """A customer's confirmed, paid booking on a flight with 5 seats."""
    customer = a_customer()
    flight = a_flight(seat_capacity=5, seats_available=5, ticket_price=4200)
    flight_store.put_flight(flight)
    answer = _call(
        cognito(customer),
        "initBooking",
        {"input": booking_input(flight.id)},
    )
    runtime.settle()
    assert booking_store.get_booking(answer["id"]).status is BookingStatus.CONFIRMED
    assert loyalty_store.get_points(customer) == 4200
    return customer, flight, answer["id"]


def test_the_owner_cancels_refund_seat_and_points_come_back(runtime, confirmed):
    customer, flight, booking_id = confirmed

    answer = _call(cognito(customer), "cancelBooking", {"id": booking_id})
    runtime.settle()

    assert answer["status"] == "CANCELLED"
    assert answer["statusReason"] == "Cancelled by the customer"
    assert payment_store.get_payment(booking_id).status is PaymentStatus.REFUNDED
    assert flight_store.get_flight(flight.id).seats_available == 5
    assert loyalty_store.get_points(customer) == 0
    types = [e.type for e in runtime.bus.published if e.detail.get("bookingId") == booking_id]
    assert types[-2:] == [events.PAYMENT_REFUNDED, events.BOOKING_CANCELLED]


def test_cancelling_twice_answers_the_same_and_changes_nothing_more(runtime, confirmed):
    customer, flight, booking_id = confirmed

    first = _call(cognito(customer), "cancelBooking", {"id": booking_id})
    second = _call(cognito(customer), "cancelBooking", {"id": booking_id})
    runtime.settle()

    assert second == first
    assert flight_store.get_flight(flight.id).seats_available == 5
    assert loyalty_store.get_points(customer) == 0
    assert payment_store.get_payment(booking_id).status is PaymentStatus.REFUNDED


def test_an_admin_may_cancel_anyones_booking(runtime, confirmed):
    _, _, booking_id = confirmed

    answer = _call(admin(), "cancelBooking", {"id": booking_id})

    assert answer["status"] == "CANCELLED"
    assert answer["statusReason"] == "Cancelled by an administrator"


def test_another_customer_cannot_cancel_it_and_nothing_changes(runtime, confirmed):
    _, flight, booking_id = confirmed

    error = error_of(_call(cognito(a_customer()), "cancelBooking", {"id": booking_id}))

    assert error["errorType"] == "Unauthorized"
    assert booking_store.get_booking(booking_id).status is BookingStatus.CONFIRMED
    assert flight_store.get_flight(flight.id).seats_available == 4


@pytest.mark.parametrize("status", [BookingStatus.PENDING, BookingStatus.FAILED])
def test_a_pending_or_failed_booking_cannot_be_cancelled(runtime, status):
    customer = a_customer()
    booking = a_booking(customer, a_flight().id, status)
    booking_store.put_booking(booking)

    error = error_of(_call(cognito(customer), "cancelBooking", {"id": booking.id}))

    assert error["errorType"] == "BookingNotCancellable"
    assert booking_store.get_booking(booking.id).status is status


def test_cancelling_a_missing_booking_is_not_found(runtime):
    error = error_of(_call(cognito(a_customer()), "cancelBooking", {"id": a_flight().id}))

    assert error["errorType"] == "NotFound"
