"""Builders of test data and AppSync events: flights, bookings, callers and direct-resolver events."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from ulid import ULID

from appsync.local.lambda_context import LocalLambdaContext
from resolvers.domain.models import Booking, BookingStatus, Flight, FlightStatus, Passenger
from resolvers.store import flights as flight_store

EVENTS = Path(__file__).parent / "events"


# Test flights fly between airports no sample route uses, so they never show up in searches of the sample data.
TEST_DEPARTURE, TEST_ARRIVAL = "ZZX", "ZZY"


def a_flight(
    departure: str = TEST_DEPARTURE, arrival: str = TEST_ARRIVAL, departs: datetime | None = None, **fields: Any
) -> Flight:
    departs = departs or datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    values: dict[str, Any] = {
        "id": str(ULID()),
        "flight_number": "AW1812",
        "departure_airport_code": departure,
        "departure_airport_name": f"{departure} airport",
        "departure_city": f"{departure} city",
        "departure_date_time": departs,
        "arrival_airport_code": arrival,
        "arrival_airport_name": f"{arrival} airport",
        "arrival_city": f"{arrival} city",
        "arrival_date_time": departs + timedelta(hours=2),
        "ticket_price": 8900,
        "ticket_currency": "GBP",
        "seat_capacity": 50,
        "seats_available": 50,
        "status": FlightStatus.SCHEDULED,
        "delay_minutes": 0,
    }
    values.update(fields)
    return Flight(**values)


# The passengers a booking input names when a test is not about passengers (GraphQL's PassengerInput).
ONE_PASSENGER: list[dict[str, str]] = [{"firstName": "Ada", "lastName": "Lovelace"}]


def passengers(count: int) -> list[dict[str, str]]:
    """`count` PassengerInputs with distinct names."""
    first = ["Ada", "Grace", "Alan", "Katherine", "Edsger", "Barbara", "Donald", "Frances", "John", "Radia"]
    return [{"firstName": first[i % len(first)], "lastName": "Tester"} for i in range(count)]


def booking_input(
    flight_id: str, token: str = "tok_visa", key: str | None = None, people: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    """initBooking's `input` argument."""
    return {
        "outboundFlightId": flight_id,
        "paymentToken": token,
        "idempotencyKey": key or str(uuid.uuid4()),
        "passengers": ONE_PASSENGER if people is None else people,
    }


def a_booking(customer: str, flight_id: str, status: BookingStatus = BookingStatus.CONFIRMED, **fields: Any) -> Booking:
    now = datetime.now(UTC)
    values: dict[str, Any] = {
        "id": str(ULID()),
        "booking_reference": "ABC234",
        "status": status,
        "customer": customer,
        "outbound_flight_id": flight_id,
        "passengers": (Passenger("Ada", "Lovelace"),),
        "total_price": 8900,
        "currency": "GBP",
        "created_at": now,
        "updated_at": now,
    }
    values.update(fields)
    return Booking(**values)


def a_customer() -> str:
    return str(uuid.uuid4())


def cognito(sub: str, *groups: str) -> dict[str, Any]:
    """An AppSync identity of a Cognito user pool user."""
    return {
        "sub": sub,
        "issuer": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_example",
        "username": f"user-{sub[:8]}",
        "claims": {"sub": sub, "cognito:username": f"user-{sub[:8]}", "cognito:groups": list(groups)},
        "sourceIp": ["203.0.113.10"],
        "defaultAuthStrategy": "ALLOW",
        "groups": list(groups) or None,
    }


def admin() -> dict[str, Any]:
    return cognito(a_customer(), "Admins")


def iam() -> dict[str, Any]:
    """An AppSync identity of an IAM principal (the saga, operations tooling)."""
    return {
        "accountId": "123456789012",
        "cognitoIdentityPoolId": None,
        "cognitoIdentityId": None,
        "sourceIp": ["203.0.113.20"],
        "username": "AROAEXAMPLE:saga",
        "userArn": "arn:aws:sts::123456789012:assumed-role/booking-saga/saga",
        "cognitoIdentityAuthType": None,
        "cognitoIdentityAuthProvider": None,
    }


@cache
def _template(name: str) -> Any:
    return json.loads((EVENTS / f"{name}.json").read_text())


def event(name: str, **overrides: Any) -> Any:
    """A canonical event from tests/events/, with top-level keys replaced (arguments, identity, source)."""
    loaded = copy.deepcopy(_template(name))
    if isinstance(loaded, list):
        return loaded
    loaded.update(overrides)
    return loaded


def mutation_event(field: str, arguments: dict[str, Any], identity: dict[str, Any] | None) -> Any:
    """A canonical Mutation event (tests/events/mutation_create_flight.json) for another mutation field."""
    loaded = event("mutation_create_flight", arguments=arguments, identity=identity)
    loaded["info"] = {**loaded["info"], "fieldName": field, "selectionSetList": ["id"], "selectionSetGraphQL": "{ id }"}
    return loaded


def batch_event(name: str, sources: list[dict[str, Any]], identity: dict[str, Any] | None) -> list[Any]:
    """A BatchInvoke: the template's first event once per parent `source`, as AppSync sends them."""
    template = copy.deepcopy(_template(name))[0]
    return [{**copy.deepcopy(template), "source": source, "identity": identity} for source in sources]


def context(function: str) -> LocalLambdaContext:
    return LocalLambdaContext(function_name=function)


def error_of(result: Any) -> dict[str, Any]:
    """The GraphQL error a handler result carries; fails the test if it carries none."""
    assert isinstance(result, dict), result
    assert "__error" in result, f"expected an error, got {result}"
    error: dict[str, Any] = result["__error"]
    return error


def seats_left(flight_id: str) -> int:
    """The flight's seatsAvailable as stored now."""
    found = flight_store.get_flight(flight_id)
    assert found is not None
    return found.seats_available
