"""The loyalty handler: points and tier from the ledger, one read, owner checks."""

from __future__ import annotations

import pytest

from resolvers.handlers.loyalty import handler
from resolvers.store import loyalty as loyalty_store
from tests.factories import a_customer, a_flight, admin, cognito, context, error_of, event, iam

pytestmark = pytest.mark.dynamodb

CTX = context("loyalty")


def test_a_new_customer_is_bronze_with_no_points_in_one_read(dynamodb, dynamodb_calls):
    customer = a_customer()

    result = handler(event("query_get_loyalty", identity=cognito(customer)), CTX)

    assert result == {"customer": customer, "points": 0, "level": "BRONZE", "remainingPoints": 50_000, "percentage": 0}
    assert dynamodb_calls.operations == ["GetItem"]


def test_points_credited_per_booking_count_once_and_set_the_level(dynamodb, dynamodb_calls):
    # Given two bookings credited, one of them twice (a retried event)
    customer = a_customer()
    first, second = a_flight().id, a_flight().id
    assert loyalty_store.add_points(customer, first, 40_000) is True
    assert loyalty_store.add_points(customer, first, 40_000) is False
    assert loyalty_store.add_points(customer, second, 35_000) is True
    dynamodb_calls.reset()

    # When the customer reads their loyalty
    result = handler(event("query_get_loyalty", identity=cognito(customer)), CTX)

    # Then each booking counted once, in one read
    assert result["points"] == 75_000
    assert result["level"] == "SILVER"
    assert result["remainingPoints"] == 25_000
    assert result["percentage"] == 50
    assert dynamodb_calls.operations == ["GetItem"]


def test_reversed_points_are_taken_back_once(dynamodb):
    customer, booking = a_customer(), a_flight().id
    loyalty_store.add_points(customer, booking, 60_000)

    assert loyalty_store.reverse_points(customer, booking) is True
    assert loyalty_store.reverse_points(customer, booking) is False
    assert loyalty_store.reverse_points(customer, a_flight().id) is False
    assert loyalty_store.get_points(customer) == 0


def test_another_customer_cannot_read_someones_loyalty(dynamodb):
    error = error_of(
        handler(event("query_get_loyalty", arguments={"customer": a_customer()}, identity=cognito(a_customer())), CTX)
    )

    assert error["errorType"] == "Unauthorized"


@pytest.mark.parametrize("identity", [admin(), iam()], ids=["admin", "iam"])
def test_admins_and_iam_read_a_named_customers_loyalty(dynamodb, identity):
    customer = a_customer()
    loyalty_store.add_points(customer, a_flight().id, 120_000)

    result = handler(event("query_get_loyalty_iam", arguments={"customer": customer}, identity=identity), CTX)

    assert result["level"] == "GOLD"
    assert result["remainingPoints"] == 0
    assert result["percentage"] == 100


def test_a_malformed_customer_id_is_a_validation_error(dynamodb):
    error = error_of(handler(event("query_get_loyalty_iam", arguments={"customer": "CUSTOMER#x#y"}), CTX))

    assert error["errorType"] == "ValidationError"
    assert error["errorInfo"]["field"] == "customer"
