"""The bookings handler: owners read their own, Admins and IAM anyone's; listing newest first, by status."""

from __future__ import annotations

import pytest

from resolvers.domain.models import BookingStatus
from resolvers.handlers.bookings import handler
from resolvers.store import bookings as booking_store
from tests.factories import a_booking, a_customer, a_flight, admin, cognito, context, error_of, event, iam

pytestmark = pytest.mark.dynamodb

CTX = context("bookings")


@pytest.fixture
def alice_booking(dynamodb: str):
    booking = a_booking(a_customer(), a_flight().id)
    booking_store.put_booking(booking)
    return booking


def test_a_customer_reads_their_own_booking_in_one_get(alice_booking, dynamodb_calls):
    result = handler(
        event("query_get_booking", arguments={"id": alice_booking.id}, identity=cognito(alice_booking.customer)), CTX
    )

    assert result["id"] == alice_booking.id
    assert result["bookingReference"] == "ABC234"
    assert result["status"] == "CONFIRMED"
    assert result["customer"] == alice_booking.customer
    assert result["checkedIn"] is False
    assert result["outboundFlightId"] == alice_booking.outbound_flight_id  # the source of Booking.outboundFlight
    assert dynamodb_calls.operations == ["GetItem"]


def test_another_customer_cannot_read_it(alice_booking):
    error = error_of(
        handler(event("query_get_booking", arguments={"id": alice_booking.id}, identity=cognito(a_customer())), CTX)
    )

    assert error["errorType"] == "Unauthorized"
    assert error["errorInfo"] == {"retryable": False}
    assert alice_booking.booking_reference not in error["message"]


@pytest.mark.parametrize("identity", [admin(), iam()], ids=["admin", "iam"])
def test_admins_and_iam_read_any_booking(alice_booking, identity):
    result = handler(event("query_get_booking", arguments={"id": alice_booking.id}, identity=identity), CTX)

    assert result["id"] == alice_booking.id


def test_a_missing_booking_is_null(dynamodb):
    assert handler(event("query_get_booking", arguments={"id": a_flight().id}), CTX) is None


def test_an_api_key_caller_cannot_read_bookings(alice_booking):
    error = error_of(handler(event("query_get_booking", arguments={"id": alice_booking.id}, identity=None), CTX))

    assert error["errorType"] == "Unauthorized"


def _list(identity, **arguments):
    return handler(event("query_list_bookings", arguments=arguments, identity=identity), CTX)


def test_list_bookings_gives_the_callers_own_newest_first_in_one_query(dynamodb, dynamodb_calls):
    # Given Alice's three bookings and Bob's one
    alice, bob = a_customer(), a_customer()
    flight_id = a_flight().id
    mine = [a_booking(alice, flight_id) for _ in range(3)]
    for booking in [*mine, a_booking(bob, flight_id)]:
        booking_store.put_booking(booking)
    dynamodb_calls.reset()

    # When Alice lists her bookings
    result = _list(cognito(alice))

    # Then she gets exactly hers, newest first, from one Query
    assert [b["id"] for b in result["items"]] == [b.id for b in reversed(mine)]
    assert result["nextToken"] is None
    assert dynamodb_calls.operations == ["Query"]


def test_list_bookings_filters_by_status_in_one_query(dynamodb, dynamodb_calls):
    alice, flight_id = a_customer(), a_flight().id
    confirmed = a_booking(alice, flight_id, BookingStatus.CONFIRMED)
    failed = a_booking(alice, flight_id, BookingStatus.FAILED)
    for booking in (confirmed, failed):
        booking_store.put_booking(booking)
    dynamodb_calls.reset()

    result = _list(cognito(alice), filter={"status": "FAILED"})

    assert [b["id"] for b in result["items"]] == [failed.id]
    assert dynamodb_calls.operations == ["Query"]


def test_list_bookings_pages(dynamodb):
    alice, flight_id = a_customer(), a_flight().id
    bookings = [a_booking(alice, flight_id) for _ in range(5)]
    for booking in bookings:
        booking_store.put_booking(booking)

    first = _list(cognito(alice), limit=2)
    second = _list(cognito(alice), limit=2, nextToken=first["nextToken"])
    third = _list(cognito(alice), limit=2, nextToken=second["nextToken"])

    ids = [b["id"] for page in (first, second, third) for b in page["items"]]
    assert ids == [b.id for b in reversed(bookings)]
    assert third["nextToken"] is None


def test_a_token_of_one_customer_is_refused_for_another_and_reads_nothing(dynamodb, dynamodb_calls):
    alice, bob, flight_id = a_customer(), a_customer(), a_flight().id
    for _ in range(3):
        booking_store.put_booking(a_booking(alice, flight_id))
    token = _list(cognito(alice), limit=1)["nextToken"]
    dynamodb_calls.reset()

    error = error_of(_list(cognito(bob), limit=1, nextToken=token))

    assert error["errorType"] == "ValidationError"
    assert error["errorInfo"]["field"] == "nextToken"
    assert dynamodb_calls.operations == []


def test_a_tampered_token_is_refused(dynamodb):
    alice, flight_id = a_customer(), a_flight().id
    for _ in range(2):
        booking_store.put_booking(a_booking(alice, flight_id))
    token = _list(cognito(alice), limit=1)["nextToken"]

    error = error_of(_list(cognito(alice), limit=1, nextToken="x" + token))

    assert error["errorType"] == "ValidationError"


def test_a_customer_cannot_list_another_customers_bookings(dynamodb):
    error = error_of(_list(cognito(a_customer()), filter={"customer": a_customer()}))

    assert error["errorType"] == "Unauthorized"


def test_iam_lists_a_named_customers_bookings_and_must_name_one(dynamodb):
    alice = a_customer()
    booking = a_booking(alice, a_flight().id)
    booking_store.put_booking(booking)

    listed = _list(iam(), filter={"customer": alice})
    unnamed = error_of(_list(iam()))

    assert [b["id"] for b in listed["items"]] == [booking.id]
    assert unnamed["errorType"] == "Unauthorized"


def test_a_bad_status_is_a_validation_error(dynamodb):
    error = error_of(_list(cognito(a_customer()), filter={"status": "LOST"}))

    assert error["errorInfo"]["field"] == "filter.status"
