"""Retries only where they are safe: reads, and initBooking with the same idempotency key; never a blind retry
of another mutation. Against a scripted server on 127.0.0.1 that fails on cue."""

from __future__ import annotations

import pytest
from airline_client import (
    AirlineClient,
    BookingStatus,
    Conflict,
    Flight,
    NotFound,
    TransportFailure,
    ValidationError,
)

from tests.client.conftest import QUICK
from tests.client.fakes import ADA, BOOKING, FLIGHT, graphql_error, scripted_server

UNAVAILABLE = (503, {"message": "Service Unavailable"})


def test_a_read_is_retried_after_a_transport_failure_and_a_retryable_error() -> None:
    # Given a server that fails with 503, then a retryable Conflict, then answers
    answers = UNAVAILABLE, (200, graphql_error("Conflict", retryable=True)), (200, {"data": {"getFlight": FLIGHT}})
    # When the client reads a flight
    with scripted_server(*answers) as (url, script), AirlineClient(url, api_key="k", backoff=QUICK) as client:
        flight = client.get_flight(FLIGHT["id"])

    # Then it got the flight on the third try
    assert isinstance(flight, Flight)
    assert len(script.requests) == 3


def test_a_read_gives_up_after_its_attempts_with_the_transport_failure() -> None:
    with (
        scripted_server(UNAVAILABLE) as (url, script),
        AirlineClient(url, api_key="k", backoff=QUICK) as client,
        pytest.raises(TransportFailure) as raised,
    ):
        client.get_flight(FLIGHT["id"])

    assert raised.value.status == 503
    assert len(script.requests) == QUICK.attempts


def test_an_error_that_retrying_cannot_fix_is_raised_at_once() -> None:
    with (
        scripted_server((200, graphql_error("ValidationError"))) as (url, script),
        AirlineClient(url, api_key="k", backoff=QUICK) as client,
        pytest.raises(ValidationError),
    ):
        client.get_flight("x")

    assert len(script.requests) == 1


def test_init_booking_is_retried_with_the_same_idempotency_key() -> None:
    # Given a server whose first two answers are lost, When a customer books without choosing a key
    answers = UNAVAILABLE, UNAVAILABLE, (200, {"data": {"initBooking": BOOKING}})
    with scripted_server(*answers) as (url, script), AirlineClient(url, token="t.e.t", backoff=QUICK) as client:
        booking = client.init_booking(FLIGHT["id"], "tok_visa", passengers=ADA)

    # Then every attempt carried one fresh key, so the API books once
    assert booking.status is BookingStatus.PENDING
    keys = {request.json["variables"]["input"]["idempotencyKey"] for request in script.requests}
    assert len(script.requests) == 3
    assert len(keys) == 1
    assert len(keys.pop()) == 36


def test_each_init_booking_call_gets_its_own_key_unless_one_is_given() -> None:
    with (
        scripted_server((200, {"data": {"initBooking": BOOKING}})) as (url, script),
        AirlineClient(url, token="t.e.t", backoff=QUICK) as client,
    ):
        client.init_booking(FLIGHT["id"], "tok_visa", passengers=ADA)
        client.init_booking(FLIGHT["id"], "tok_visa", passengers=ADA)
        client.init_booking(FLIGHT["id"], "tok_visa", passengers=ADA, idempotency_key="mine")

    keys = [request.json["variables"]["input"]["idempotencyKey"] for request in script.requests]
    assert keys[0] != keys[1]
    assert keys[2] == "mine"


def test_pay_booking_is_retried_with_one_fresh_key_so_it_charges_once() -> None:
    # Given a server whose first answer is lost, When a customer pays a hold twice without choosing a key
    answers = UNAVAILABLE, (200, {"data": {"payBooking": BOOKING}})
    with scripted_server(*answers) as (url, script), AirlineClient(url, token="t.e.t", backoff=QUICK) as client:
        client.pay_booking(BOOKING["id"], "tok_visa")
        client.pay_booking(BOOKING["id"], "tok_visa")
        client.pay_booking(BOOKING["id"], "tok_visa", idempotency_key="mine")

    # Then the retry of the first call carried its key, and each call had its own (or the one given)
    keys = [request.json["variables"]["idempotencyKey"] for request in script.requests]
    assert len(keys) == 4
    assert keys[0] == keys[1]
    assert len({keys[0], keys[2]}) == 2
    assert len(keys[0]) == 36
    assert keys[3] == "mine"


@pytest.mark.parametrize(
    ("method", "arguments"),
    [
        ("cancel_booking", (BOOKING["id"],)),
        ("extend_hold", (BOOKING["id"],)),
        ("delay_flight", (FLIGHT["id"], 10, "weather")),
    ],
)
@pytest.mark.parametrize(
    "failure", [UNAVAILABLE, (200, graphql_error("Conflict", retryable=True))], ids=["503", "Conflict"]
)
def test_other_mutations_are_never_retried(
    method: str, arguments: tuple[object, ...], failure: tuple[int, object]
) -> None:
    with (
        scripted_server(failure) as (url, script),
        AirlineClient(url, token="t.e.t", backoff=QUICK) as client,
        pytest.raises((TransportFailure, Conflict)),
    ):
        getattr(client, method)(*arguments)

    assert len(script.requests) == 1


def test_an_unknown_error_type_is_still_an_api_error_with_its_type() -> None:
    from airline_client import ApiError

    with (
        scripted_server((200, graphql_error("Lambda:Unhandled"))) as (url, _),
        AirlineClient(url, api_key="k", backoff=QUICK) as client,
        pytest.raises(ApiError) as raised,
    ):
        client.get_flight("x")

    assert raised.value.error_type == "Lambda:Unhandled"
    assert not isinstance(raised.value, NotFound)
