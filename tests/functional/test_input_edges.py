"""Inputs at the edges (far dates, odd offsets, huge numbers, long strings) through the Lambda handlers: each is a
ValidationError naming the field, never an internal error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from resolvers.handlers.bookings import handler as bookings_handler
from resolvers.handlers.flights import handler as flights_handler
from tests.factories import a_customer, admin, cognito, context, error_of, mutation_event

pytestmark = pytest.mark.dynamodb

LONG = "x" * 100_000
ULID = "01J0000000000000000000000A"


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def new_flight(**changes: Any) -> dict[str, Any]:
    departs = (datetime.now(UTC) + timedelta(days=10)).replace(microsecond=0)
    values: dict[str, Any] = {
        "flightNumber": "ED101",
        "departureAirportCode": "ZZA",
        "departureAirportName": "Edge Intl",
        "departureCity": "Edge",
        "departureDateTime": _iso(departs),
        "arrivalAirportCode": "ZZB",
        "arrivalAirportName": "Other Intl",
        "arrivalCity": "Other",
        "arrivalDateTime": _iso(departs + timedelta(hours=2)),
        "ticketPrice": 10_000,
        "ticketCurrency": "EUR",
        "seatCapacity": 100,
    }
    values.update(changes)
    return values


def call(parent: str, field: str, arguments: dict[str, Any], identity: dict[str, Any] | None = None) -> Any:
    handler = bookings_handler if field in {"initBooking", "listBookings", "getBooking"} else flights_handler
    request = mutation_event(field, arguments, identity or admin())
    request["info"]["parentTypeName"] = parent
    return handler(request, context(field))


FAR_AHEAD = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3 * 366)

# (operation, field, arguments, the field the ValidationError names)
EDGES = [
    (
        "Mutation",
        "createFlight",
        {"input": new_flight(departureDateTime="9999-12-31T20:00:00Z", arrivalDateTime="9999-12-31T22:00:00Z")},
        "input.departureDateTime",
    ),
    (
        "Mutation",
        "createFlight",
        {"input": new_flight(departureDateTime="9999-12-31T23:00:00-05:00")},
        "input.departureDateTime",
    ),
    (
        "Mutation",
        "createFlight",
        {"input": new_flight(arrivalDateTime="0001-01-01T00:00:00+01:00")},
        "input.arrivalDateTime",
    ),
    (
        "Mutation",
        "createFlight",
        {"input": new_flight(departureDateTime=_iso(FAR_AHEAD), arrivalDateTime=_iso(FAR_AHEAD + timedelta(hours=1)))},
        "input.departureDateTime",
    ),
    (
        "Mutation",
        "createFlight",
        {"input": new_flight(departureDateTime="2030-01-01T10:00:00+24:00")},
        "input.departureDateTime",
    ),
    (
        "Mutation",
        "createFlight",
        {"input": new_flight(departureDateTime="2030-01-01T10:00:00Z" + LONG)},
        "input.departureDateTime",
    ),
    ("Mutation", "createFlight", {"input": new_flight(ticketPrice=2**64)}, "input.ticketPrice"),
    ("Mutation", "createFlight", {"input": new_flight(ticketPrice=1e308)}, "input.ticketPrice"),
    ("Mutation", "createFlight", {"input": new_flight(seatCapacity=-(2**63))}, "input.seatCapacity"),
    ("Mutation", "createFlight", {"input": new_flight(departureCity=LONG)}, "input.departureCity"),
    ("Mutation", "createFlight", {"input": new_flight(flightNumber=LONG)}, "input.flightNumber"),
    (
        "Mutation",
        "delayFlight",
        {"input": {"flightId": ULID, "delayMinutes": 2**64, "reason": "x"}},
        "input.delayMinutes",
    ),
    ("Mutation", "delayFlight", {"input": {"flightId": ULID, "delayMinutes": 5, "reason": LONG}}, "input.reason"),
    ("Query", "getFlight", {"id": LONG}, "id"),
    (
        "Query",
        "listFlights",
        {"filter": {"departureAirportCode": "ZZA", "arrivalAirportCode": "ZZB"}, "limit": 2**70},
        "limit",
    ),
    (
        "Query",
        "listFlights",
        {"filter": {"departureAirportCode": "ZZA", "arrivalAirportCode": "ZZB", "departureDate": "+99999-01-01"}},
        "filter.departureDate",
    ),
    (
        "Query",
        "listFlights",
        {"filter": {"departureAirportCode": "ZZA", "arrivalAirportCode": "ZZB"}, "nextToken": LONG},
        "nextToken",
    ),
    (
        "Mutation",
        "initBooking",
        {"input": {"outboundFlightId": ULID, "paymentToken": LONG, "idempotencyKey": "k" * 16}},
        "input.paymentToken",
    ),
    (
        "Mutation",
        "initBooking",
        {"input": {"outboundFlightId": ULID, "paymentToken": "tok_visa", "idempotencyKey": LONG}},
        "input.idempotencyKey",
    ),
    (
        "Mutation",
        "initBooking",
        {"input": {"outboundFlightId": LONG, "paymentToken": "tok_visa", "idempotencyKey": "k" * 16}},
        "input.outboundFlightId",
    ),
]


@pytest.mark.parametrize(
    ("parent", "field", "arguments", "named"), EDGES, ids=[f"{e[1]}-{e[3]}-{i}" for i, e in enumerate(EDGES)]
)
def test_an_input_at_the_edge_is_a_validation_error_naming_the_field(dynamodb, parent, field, arguments, named):
    identity = cognito(a_customer()) if field == "initBooking" else admin()

    error = error_of(call(parent, field, arguments, identity))

    assert error["errorType"] == "ValidationError", error
    assert error["errorInfo"]["field"] == named
    assert error["message"].startswith(f"{named}: ")
    assert len(error["message"]) < 200


@pytest.mark.parametrize("offset", ["+05:45", "-09:30", "+14:00", "-12:00", "+01:00:30"])
def test_a_departure_with_an_unusual_offset_is_stored_in_utc(dynamodb, offset):
    local = (datetime.now(UTC) + timedelta(days=20)).replace(microsecond=0, tzinfo=None)
    departs = f"{local.isoformat()}{offset}"
    arrives = f"{(local + timedelta(hours=3)).isoformat()}{offset}"

    created = call(
        "Mutation", "createFlight", {"input": new_flight(departureDateTime=departs, arrivalDateTime=arrives)}
    )

    assert "__error" not in created, created
    assert created["departureDateTime"] == datetime.fromisoformat(departs).astimezone(UTC).strftime(
        "%Y-%m-%dT%H:%M:%S.000Z"
    )


def test_searching_a_day_far_in_the_future_finds_nothing_rather_than_failing(dynamodb):
    found = call(
        "Query",
        "listFlights",
        {"filter": {"departureAirportCode": "ZZA", "arrivalAirportCode": "ZZB", "departureDate": "9999-12-31"}},
    )

    assert found == {"items": [], "nextToken": None}
