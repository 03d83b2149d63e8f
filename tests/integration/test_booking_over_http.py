"""Booking through the local AppSync over HTTP: initBooking answers PENDING, the saga confirms, cancel undoes it."""

from __future__ import annotations

from typing import Any

from appsync.local.graphql.auth import user_sub
from appsync.local.server import LocalAppSync
from resolvers.store import flights as flight_store
from tests.factories import a_flight, booking_input
from tests.integration.conftest import ClientFor
from tests.integration.test_local_appsync import error_types, run

INIT = """
mutation Book($input: InitBookingInput!) {
  initBooking(input: $input) { id bookingReference status customer outboundFlight { id seatsAvailable } }
}
"""
GET = "query Get($id: ID!) { getBooking(id: $id) { id status statusReason outboundFlight { seatsAvailable } } }"
CANCEL = "mutation Cancel($id: ID!) { cancelBooking(id: $id) { id status } }"
LOYALTY = "{ getLoyalty { points level } }"
PASSENGERS = """mutation Book($input: InitBookingInput!) {
  initBooking(input: $input) { id passengers { firstName lastName seat } totalPrice currency }
}"""


def _book(
    client: Any, flight_id: str, token: str, key: str | None = None, people: list[dict[str, str]] | None = None
) -> tuple[Any, list[dict[str, Any]]]:
    return run(client, INIT, {"input": booking_input(flight_id, token, key, people)})


def test_a_customer_books_over_http_and_the_saga_confirms_it(
    client_for: ClientFor, callers: dict[str, dict[str, str]], appsync: LocalAppSync
) -> None:
    # Given a flight with 3 seats and Alice signed in
    flight = a_flight(seat_capacity=3, seats_available=3, ticket_price=7000)
    flight_store.put_flight(flight)
    alice = client_for(callers["alice"])
    points_before = run(alice, LOYALTY)[0]["getLoyalty"]["points"]

    # When she books it
    data, errors = _book(alice, flight.id, "tok_visa")

    # Then the answer is PENDING at once, for her, and after the saga the booking is CONFIRMED with points earned
    assert errors == []
    booking = data["initBooking"]
    assert booking["status"] == "PENDING"
    assert booking["customer"] == user_sub("alice")
    appsync.runtime.settle()
    confirmed = run(alice, GET, {"id": booking["id"]})[0]["getBooking"]
    assert confirmed["status"] == "CONFIRMED"
    assert confirmed["outboundFlight"]["seatsAvailable"] == 2
    assert run(alice, LOYALTY)[0]["getLoyalty"]["points"] == points_before + 7000

    # And when she cancels it, the seat and the points come back
    cancelled, errors = run(alice, CANCEL, {"id": booking["id"]})
    appsync.runtime.settle()
    assert errors == []
    assert cancelled["cancelBooking"]["status"] == "CANCELLED"
    assert run(alice, GET, {"id": booking["id"]})[0]["getBooking"]["outboundFlight"]["seatsAvailable"] == 3
    assert run(alice, LOYALTY)[0]["getLoyalty"]["points"] == points_before


def test_a_declined_card_fails_the_booking_with_a_reason(
    client_for: ClientFor, callers: dict[str, dict[str, str]], appsync: LocalAppSync
) -> None:
    flight = a_flight(seat_capacity=3, seats_available=3)
    flight_store.put_flight(flight)
    bob = client_for(callers["bob"])

    booking = _book(bob, flight.id, "tok_declined")[0]["initBooking"]
    appsync.runtime.settle()

    failed = run(bob, GET, {"id": booking["id"]})[0]["getBooking"]
    assert failed["status"] == "FAILED"
    assert failed["statusReason"] == "The card was declined"
    assert failed["outboundFlight"]["seatsAvailable"] == 3


def test_booking_needs_a_signed_in_customer_and_errors_carry_their_type(
    client_for: ClientFor, callers: dict[str, dict[str, str]]
) -> None:
    flight = a_flight(seat_capacity=1, seats_available=0)
    flight_store.put_flight(flight)

    _, with_key = _book(client_for(callers["api_key"]), flight.id, "tok_visa")
    _, sold_out = _book(client_for(callers["alice"]), flight.id, "tok_visa")
    _, bad_token = _book(client_for(callers["alice"]), flight.id, "x")

    assert error_types(with_key) == ["Unauthorized"]
    assert error_types(sold_out) == ["SeatsUnavailable"]
    assert error_types(bad_token) == ["ValidationError"]
    assert bad_token[0]["errorInfo"]["field"] == "input.paymentToken"


def test_passengers_travel_over_http_and_a_bad_name_is_a_validation_error_naming_it(
    client_for: ClientFor, callers: dict[str, dict[str, str]], appsync: LocalAppSync
) -> None:
    # Given a flight with 4 seats
    flight = a_flight(seat_capacity=4, seats_available=4, ticket_price=5000)
    flight_store.put_flight(flight)
    alice = client_for(callers["alice"])
    party = [{"firstName": "Anne-Marie", "lastName": "O'Brien"}, {"firstName": "Zoë", "lastName": "Ñúñez"}]

    # When Alice books for two, then for two again with one name that is not a name, then without passengers
    booked, errors = run(alice, PASSENGERS, {"input": booking_input(flight.id, people=party)})
    _, bad_name = _book(alice, flight.id, "tok_visa", people=[party[0], {"firstName": "Zoë", "lastName": "1337"}])
    no_list = booking_input(flight.id)
    del no_list["passengers"]
    _, missing = run(alice, PASSENGERS, {"input": no_list})
    appsync.runtime.settle()

    # Then the booking names both and costs two tickets; the bad name's field is named; a missing list is refused
    assert errors == []
    assert booked["initBooking"]["passengers"] == [{**p, "seat": None} for p in party]
    assert (booked["initBooking"]["totalPrice"], booked["initBooking"]["currency"]) == (10000, "GBP")
    assert error_types(bad_name) == ["ValidationError"]
    assert bad_name[0]["errorInfo"]["field"] == "input.passengers[1].lastName"
    assert missing
    assert "passengers" in missing[0]["message"]
    assert flight_store.get_flight(flight.id).seats_available == 2
