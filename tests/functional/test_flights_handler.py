"""The catalog handler fed canonical AppSync events, against DynamoDB Local."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from resolvers.handlers.flights import handler
from resolvers.store import flights as flight_store
from tests.factories import a_booking, a_customer, a_flight, admin, batch_event, cognito, context, error_of, event, iam

pytestmark = pytest.mark.dynamodb

CTX = context("catalog")


def _list(departure: str, arrival: str, **arguments: object) -> dict:
    filter_ = {"departureAirportCode": departure, "arrivalAirportCode": arrival}
    filter_.update({k: v for k, v in arguments.items() if k == "departureDate"})
    args = {"filter": filter_, **{k: v for k, v in arguments.items() if k != "departureDate"}}
    return handler(event("query_list_flights", arguments=args), CTX)


@pytest.fixture
def route(dynamodb: str, new_airport) -> tuple[str, str]:
    return new_airport(), new_airport()


def test_list_flights_finds_the_flights_of_one_day_earliest_first_in_one_query(route, dynamodb_calls):
    # Given three flights tomorrow and one the day after on a route
    departure, arrival = route
    tomorrow = datetime.now(UTC).replace(hour=6, minute=0, second=0, microsecond=0) + timedelta(days=1)
    late, early, middle = (a_flight(departure, arrival, tomorrow + timedelta(hours=h)) for h in (12, 1, 5))
    other_day = a_flight(departure, arrival, tomorrow + timedelta(days=1))
    flight_store.put_flights([late, early, middle, other_day])
    dynamodb_calls.reset()

    # When a customer searches for tomorrow
    result = _list(departure, arrival, departureDate=tomorrow.date().isoformat())

    # Then they get tomorrow's flights, earliest first, from a single Query
    assert [f["id"] for f in result["items"]] == [early.id, middle.id, late.id]
    assert result["nextToken"] is None
    assert dynamodb_calls.operations == ["Query"]
    first = result["items"][0]
    assert first["departureAirportCode"] == departure
    assert first["departureDateTime"] == early.departure_date_time.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert first["seatsAvailable"] == 50
    assert "outboundFlightId" not in first


def test_list_flights_without_a_date_lists_flights_from_now_on(route):
    departure, arrival = route
    now = datetime.now(UTC).replace(microsecond=0)
    past = a_flight(departure, arrival, now - timedelta(hours=3))
    soon, later = (
        a_flight(departure, arrival, now + timedelta(hours=3)),
        a_flight(departure, arrival, now + timedelta(days=9)),
    )
    flight_store.put_flights([past, soon, later])

    result = _list(departure, arrival)

    assert [f["id"] for f in result["items"]] == [soon.id, later.id]


def test_list_flights_pages_with_a_token_and_the_last_page_has_none(route, dynamodb_calls):
    departure, arrival = route
    day = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=2)
    flights = [a_flight(departure, arrival, day + timedelta(minutes=10 * i)) for i in range(7)]
    flight_store.put_flights(flights)
    dynamodb_calls.reset()

    seen, token, pages = [], None, 0
    while True:
        page = _list(departure, arrival, departureDate=day.date().isoformat(), limit=3, nextToken=token)
        seen += [f["id"] for f in page["items"]]
        pages += 1
        token = page["nextToken"]
        if token is None:
            break

    assert seen == [f.id for f in flights]
    assert pages == 3
    assert dynamodb_calls.operations == ["Query"] * 3


@pytest.mark.parametrize("limit", [0, -1, 101, "ten", True])
def test_list_flights_refuses_a_limit_out_of_range(route, limit, dynamodb_calls):
    error = error_of(_list(*route, limit=limit))

    assert error["errorType"] == "ValidationError"
    assert error["errorInfo"] == {"retryable": False, "field": "limit"}
    assert dynamodb_calls.operations == []


@pytest.mark.parametrize(
    ("departure", "arrival", "field"),
    [
        ("lgw", "MAD", "filter.departureAirportCode"),
        ("LGW", "MADR", "filter.arrivalAirportCode"),
        ("", "MAD", "filter.departureAirportCode"),
    ],
)
def test_list_flights_refuses_a_malformed_airport_code_naming_the_field(dynamodb, departure, arrival, field):
    error = error_of(_list(departure, arrival))

    assert error["errorType"] == "ValidationError"
    assert error["errorInfo"]["field"] == field
    assert field in error["message"]


def test_list_flights_refuses_a_date_that_is_not_a_date(route):
    error = error_of(_list(*route, departureDate="tomorrow"))

    assert error["errorInfo"]["field"] == "filter.departureDate"


def test_a_changed_token_is_refused_and_reads_nothing(route, dynamodb_calls):
    departure, arrival = route
    day = datetime.now(UTC) + timedelta(days=3)
    flight_store.put_flights([a_flight(departure, arrival, day + timedelta(minutes=i)) for i in range(3)])
    token = _list(departure, arrival, departureDate=day.date().isoformat(), limit=1)["nextToken"]
    middle = len(token) // 2
    tampered = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]
    dynamodb_calls.reset()

    error = error_of(_list(departure, arrival, departureDate=day.date().isoformat(), limit=1, nextToken=tampered))

    assert error["errorType"] == "ValidationError"
    assert error["errorInfo"]["field"] == "nextToken"
    assert dynamodb_calls.operations == []


def test_a_token_reveals_nothing_of_the_table(route):
    departure, arrival = route
    day = datetime.now(UTC) + timedelta(days=3)
    flight_store.put_flights([a_flight(departure, arrival, day + timedelta(minutes=i)) for i in range(3)])
    token = _list(departure, arrival, departureDate=day.date().isoformat(), limit=1)["nextToken"]

    # Encrypted, not just signed: no key, attribute name or airport can be read back out of it
    readable = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    for secret in (departure, arrival, "PK", "SK", "GSI", day.date().isoformat()):
        assert secret.encode() not in readable


def test_a_token_of_another_route_is_refused(route, new_airport):
    departure, arrival = route
    day = datetime.now(UTC) + timedelta(days=3)
    flight_store.put_flights([a_flight(departure, arrival, day + timedelta(minutes=i)) for i in range(3)])
    token = _list(departure, arrival, departureDate=day.date().isoformat(), limit=1)["nextToken"]

    error = error_of(_list(departure, new_airport(), departureDate=day.date().isoformat(), limit=1, nextToken=token))

    assert error["errorType"] == "ValidationError"


def test_get_flight_returns_the_flight_or_null(dynamodb, dynamodb_calls):
    flight = a_flight()
    flight_store.put_flight(flight)
    dynamodb_calls.reset()

    found = handler(event("query_get_flight", arguments={"id": flight.id}), CTX)
    missing = handler(event("query_get_flight", arguments={"id": a_flight().id}), CTX)

    assert found["id"] == flight.id
    assert found["ticketPrice"] == 8900
    assert found["status"] == "SCHEDULED"
    assert missing is None
    assert dynamodb_calls.operations == ["GetItem", "GetItem"]


def test_get_flight_refuses_an_id_that_is_not_one(dynamodb):
    error = error_of(handler(event("query_get_flight", arguments={"id": "FLIGHT#1"}), CTX))

    assert error["errorType"] == "ValidationError"
    assert error["errorInfo"]["field"] == "id"


def _new_flight_input(departure: str, arrival: str, **changes: object) -> dict:
    departs = (datetime.now(UTC) + timedelta(days=10)).replace(microsecond=0)
    values = {
        "flightNumber": "AW2001",
        "departureAirportCode": departure,
        "departureAirportName": "Departure Intl",
        "departureCity": "Departure",
        "departureDateTime": departs.isoformat().replace("+00:00", "Z"),
        "arrivalAirportCode": arrival,
        "arrivalAirportName": "Arrival Intl",
        "arrivalCity": "Arrival",
        "arrivalDateTime": (departs + timedelta(hours=2)).isoformat(),
        "ticketPrice": 12_345,
        "ticketCurrency": "EUR",
        "seatCapacity": 120,
    }
    values.update(changes)
    return values


@pytest.mark.parametrize("identity", [admin(), iam()], ids=["admin", "iam"])
def test_an_admin_or_iam_creates_a_flight_that_can_then_be_found(route, identity):
    departure, arrival = route

    created = handler(
        event("mutation_create_flight", arguments={"input": _new_flight_input(*route)}, identity=identity), CTX
    )

    assert created["seatsAvailable"] == created["seatCapacity"] == 120
    assert created["status"] == "SCHEDULED"
    assert created["delayMinutes"] == 0
    listed = _list(departure, arrival, departureDate=created["departureDateTime"][:10])
    assert [f["id"] for f in listed["items"]] == [created["id"]]


def test_a_customer_cannot_create_a_flight_and_nothing_is_written(route, dynamodb_calls):
    error = error_of(
        handler(
            event(
                "mutation_create_flight", arguments={"input": _new_flight_input(*route)}, identity=cognito(a_customer())
            ),
            CTX,
        )
    )

    assert error["errorType"] == "Unauthorized"
    assert "PutItem" not in dynamodb_calls.operations


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"departureAirportCode": "XX1"}, "input.departureAirportCode"),
        ({"flightNumber": "flight 1"}, "input.flightNumber"),
        ({"ticketPrice": 0}, "input.ticketPrice"),
        ({"ticketPrice": 12.5}, "input.ticketPrice"),
        ({"seatCapacity": 0}, "input.seatCapacity"),
        ({"seatCapacity": 100_000}, "input.seatCapacity"),
        ({"ticketCurrency": "euro"}, "input.ticketCurrency"),
        ({"departureDateTime": "2020-01-01T10:00:00Z"}, "input.departureDateTime"),
        ({"departureDateTime": "2030-01-01T10:00:00"}, "input.departureDateTime"),
        ({"arrivalDateTime": "2020-01-01T10:00:00Z"}, "input.arrivalDateTime"),
        ({"departureCity": "   "}, "input.departureCity"),
    ],
)
def test_create_flight_refuses_bad_input_naming_the_field_and_writes_nothing(route, changes, field, dynamodb_calls):
    error = error_of(
        handler(event("mutation_create_flight", arguments={"input": _new_flight_input(*route, **changes)}), CTX)
    )

    assert error["errorType"] == "ValidationError"
    assert error["errorInfo"]["field"] == field
    assert dynamodb_calls.operations == []


def test_outbound_flights_of_25_bookings_cost_one_batch_get(dynamodb, dynamodb_calls):
    # Given 25 bookings on 5 flights
    customer = a_customer()
    flights = [a_flight() for _ in range(5)]
    flight_store.put_flights(flights)
    bookings = [a_booking(customer, flights[i % 5].id) for i in range(25)]
    sources = [{"id": b.id, "customer": customer, "outboundFlightId": b.outbound_flight_id} for b in bookings]
    dynamodb_calls.reset()

    # When AppSync resolves Booking.outboundFlight for the page in one BatchInvoke
    result = handler(batch_event("batch_booking_outbound_flight", sources, cognito(customer)), CTX)

    # Then each booking gets its flight, in order, from one BatchGetItem
    assert [flight["id"] for flight in result] == [b.outbound_flight_id for b in bookings]
    assert dynamodb_calls.operations == ["BatchGetItem"]


def test_the_canonical_batch_event_resolves_a_missing_flight_to_null(dynamodb):
    result = handler(event("batch_booking_outbound_flight"), CTX)

    assert result == [None, None]
