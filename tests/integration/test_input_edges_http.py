"""Inputs at the edges through the local API over real HTTP: a 200 with an error naming the field, never an
internal error, whether the GraphQL layer (Int out of range) or the resolver (far dates, long text) refuses it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from tests.integration.test_local_appsync import CREATE_FLIGHT, a_new_flight

LONG = "x" * 100_000
FAR_AHEAD = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3 * 366)
LIST_FLIGHTS = (
    "query($filter: FlightFilter!, $limit: Int) { listFlights(filter: $filter, limit: $limit) { nextToken } }"
)


def flight(**changes: Any) -> dict[str, Any]:
    return {"input": {**a_new_flight(), **changes}}


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


# (query, variables, what the error must name)
EDGES = [
    (
        CREATE_FLIGHT,
        flight(departureDateTime="9999-12-31T20:00:00Z", arrivalDateTime="9999-12-31T22:00:00Z"),
        "departureDateTime",
    ),
    (CREATE_FLIGHT, flight(departureDateTime="9999-12-31T23:00:00-05:00"), "departureDateTime"),
    (CREATE_FLIGHT, flight(arrivalDateTime="0001-01-01T00:00:00+01:00"), "arrivalDateTime"),
    (
        CREATE_FLIGHT,
        flight(departureDateTime=_iso(FAR_AHEAD), arrivalDateTime=_iso(FAR_AHEAD + timedelta(hours=1))),
        "departureDateTime",
    ),
    (CREATE_FLIGHT, flight(departureDateTime="2030-01-01T10:00:00+24:00"), "departureDateTime"),
    (CREATE_FLIGHT, flight(ticketPrice=2**64), "ticketPrice"),
    (CREATE_FLIGHT, flight(seatCapacity=2**31), "seatCapacity"),
    (CREATE_FLIGHT, flight(seatCapacity=100_000), "seatCapacity"),
    (CREATE_FLIGHT, flight(departureCity="x" * 10_000), "departureCity"),
    (
        LIST_FLIGHTS,
        {"filter": {"departureAirportCode": "LGW", "arrivalAirportCode": "MAD"}, "limit": 2**40},
        "limit",
    ),
    (
        LIST_FLIGHTS,
        {"filter": {"departureAirportCode": "LGW", "arrivalAirportCode": "MAD", "departureDate": "+99999-01-01"}},
        "departureDate",
    ),
]


@pytest.mark.parametrize(("query", "variables", "named"), EDGES, ids=[f"{i}-{e[2]}" for i, e in enumerate(EDGES)])
def test_an_input_at_the_edge_answers_an_error_naming_the_field_over_http(
    api_url: str, callers: dict[str, dict[str, str]], query: str, variables: dict[str, Any], named: str
) -> None:
    answer = requests.post(api_url, json={"query": query, "variables": variables}, headers=callers["admin"], timeout=30)

    assert answer.status_code in {200, 400}, answer.text[:500]
    errors = answer.json()["errors"]
    assert len(errors) == 1, errors
    (error,) = errors
    # The resolver's refusal is a ValidationError; the GraphQL layer's (an Int out of 32 bits, a malformed scalar)
    # has no errorType, as AppSync answers variable coercion errors.
    assert error.get("errorType", "ValidationError") == "ValidationError", error
    assert named in error["message"], error
    assert len(answer.content) < 2_000
