"""The local AppSync over real HTTP: flights, auth modes per field, AppSync's error shapes and limits."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from gql import Client, GraphQLRequest, gql
from gql.transport.exceptions import TransportQueryError

from appsync.local.graphql.auth import user_sub
from appsync.local.server import LocalAppSync
from resolvers.store import bookings as booking_store
from tests.factories import a_booking
from tests.integration.conftest import STRICT, ClientFor

LIST_FLIGHTS = """
query Flights($filter: FlightFilter!, $limit: Int) {
  listFlights(filter: $filter, limit: $limit) {
    items { id flightNumber departureAirportCode arrivalAirportCode departureDateTime ticketPrice status }
    nextToken
  }
}
"""
GET_BOOKING = "query($id: ID!) { getBooking(id: $id) { id customer status outboundFlight { id flightNumber } } }"
GET_LOYALTY = "query($customer: ID) { getLoyalty(customer: $customer) { customer points level } }"
CREATE_FLIGHT = "mutation($input: CreateFlightInput!) { createFlight(input: $input) { id flightNumber status } }"


def tomorrow() -> str:
    return (datetime.now(UTC).date() + timedelta(days=1)).isoformat()


def route(date: str | None = None) -> dict[str, Any]:
    return {"filter": {"departureAirportCode": "LGW", "arrivalAirportCode": "MAD", "departureDate": date or tomorrow()}}


def run(client: Client, query: str, variables: dict[str, Any] | None = None) -> tuple[Any, list[dict[str, Any]]]:
    """The answer's data and errors, whether or not it has errors."""
    try:
        return client.execute(GraphQLRequest(gql(query), variable_values=variables)), []
    except TransportQueryError as error:
        return error.data, list(error.errors or [])


def error_types(errors: list[dict[str, Any]]) -> list[str | None]:
    return [error.get("errorType") for error in errors]


@pytest.fixture(scope="module")
def alices_booking(appsync: LocalAppSync, sample_flights: int) -> dict[str, str]:
    from appsync.local.dynamodb.seed import sample_flights as flights_of

    flight = flights_of(datetime.now(UTC).date() + timedelta(days=1))[0]
    booking = a_booking(user_sub("alice"), flight.id)
    booking_store.put_booking(booking)
    return {"id": booking.id, "customer": booking.customer, "flight": flight.id}


def a_new_flight() -> dict[str, Any]:
    departs = datetime.now(UTC).replace(microsecond=0) + timedelta(days=40)
    return {
        "flightNumber": "AW9000",
        "departureAirportCode": "LGW",
        "departureAirportName": "London Gatwick",
        "departureCity": "London",
        "departureDateTime": departs.isoformat().replace("+00:00", "Z"),
        "arrivalAirportCode": "MAD",
        "arrivalAirportName": "Madrid-Barajas",
        "arrivalCity": "Madrid",
        "arrivalDateTime": (departs + timedelta(hours=2)).isoformat().replace("+00:00", "Z"),
        "ticketPrice": 9900,
        "ticketCurrency": "GBP",
        "seatCapacity": 100,
    }


def test_search_for_tomorrow_from_gatwick_to_madrid_answers_the_sample_flights(
    client_for: ClientFor, callers: dict[str, dict[str, str]]
) -> None:
    # Given the sample flights and a client with the API key
    client = client_for(callers["api_key"])

    # When it searches tomorrow's flights from LGW to MAD
    data, errors = run(client, LIST_FLIGHTS, {**route(), "limit": 10})

    # Then it gets tomorrow's flights on that route, earliest first
    assert errors == []
    items = data["listFlights"]["items"]
    assert [item["flightNumber"] for item in items] == ["AW1812", "AW1814", "AW1816"]
    assert {(item["departureAirportCode"], item["arrivalAirportCode"]) for item in items} == {("LGW", "MAD")}
    assert all(item["departureDateTime"].startswith(tomorrow()) for item in items)
    assert data["listFlights"]["nextToken"] is None


ALLOWED = "allowed"
DENIED = "Unauthorized"  # the field's directives (or the owner check) refuse the caller
REFUSED = "UnauthorizedException"  # no valid credentials: the whole request is refused

AUTH_MATRIX = [
    ("listFlights", "api_key", ALLOWED),
    ("listFlights", "alice", ALLOWED),
    ("listFlights", "admin", ALLOWED),
    ("listFlights", "iam", ALLOWED),
    ("listFlights", "nobody", REFUSED),
    ("getBooking", "api_key", DENIED),
    ("getBooking", "alice", ALLOWED),
    ("getBooking", "bob", DENIED),
    ("getBooking", "admin", ALLOWED),
    ("getBooking", "iam", ALLOWED),
    ("getBooking", "nobody", REFUSED),
    ("getLoyalty", "api_key", DENIED),
    ("getLoyalty", "alice", ALLOWED),
    ("getLoyalty", "bob", DENIED),
    ("getLoyalty", "admin", ALLOWED),
    ("getLoyalty", "iam", ALLOWED),
    ("getLoyalty", "nobody", REFUSED),
    ("createFlight", "api_key", DENIED),
    ("createFlight", "alice", DENIED),
    ("createFlight", "admin", ALLOWED),
    ("createFlight", "iam", ALLOWED),
    ("createFlight", "nobody", REFUSED),
]


@pytest.mark.parametrize(("field", "caller", "expected"), AUTH_MATRIX)
def test_each_auth_mode_gets_what_the_fields_directives_allow(
    client_for: ClientFor,
    callers: dict[str, dict[str, str]],
    alices_booking: dict[str, str],
    field: str,
    caller: str,
    expected: str,
) -> None:
    # Given a caller and a field: public (listFlights), owner's (alice's booking and loyalty) or admin's
    requests_by_field = {
        "listFlights": (LIST_FLIGHTS, route()),
        "getBooking": (GET_BOOKING, {"id": alices_booking["id"]}),
        "getLoyalty": (GET_LOYALTY, {"customer": alices_booking["customer"]}),
        "createFlight": (CREATE_FLIGHT, {"input": a_new_flight()}),
    }
    query, variables = requests_by_field[field]

    # When the caller asks for it
    data, errors = run(client_for(callers[caller]), query, variables)

    # Then the answer is the one the directives and the owner rule give
    if expected == ALLOWED:
        assert errors == []
        assert data[field] is not None
    else:
        assert error_types(errors) == [expected]
    if field == "getBooking" and expected == ALLOWED:
        assert data[field]["outboundFlight"]["id"] == alices_booking["flight"]


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({"x-api-key": "da2-notthelocalkey00000000000"}, "not authorized"),
        ({"Authorization": "not-a-jwt"}, "Valid authorization header not provided"),
        ({"Authorization": "AWS4-HMAC-SHA256 Principal=arn:aws:iam::1:user/x, Signature=0"}, "signature"),
    ],
)
def test_wrong_credentials_are_refused(client_for: ClientFor, headers: dict[str, str], message: str) -> None:
    # Given credentials the local AppSync did not issue
    # When they are used
    _, errors = run(client_for(headers), LIST_FLIGHTS, route())

    # Then the request is refused as unauthorized
    assert error_types(errors) == ["UnauthorizedException"]
    assert message.lower() in errors[0]["message"].lower()


def test_an_expired_token_is_refused(client_for: ClientFor, appsync: LocalAppSync) -> None:
    # Given a user token that expired an hour ago
    token = appsync.credentials.issue_token("alice", hours=-1)

    # When it is used
    _, errors = run(client_for({"Authorization": token}), GET_LOYALTY)

    # Then the request is refused
    assert error_types(errors) == ["UnauthorizedException"]
    assert errors[0]["message"] == "Token has expired."


def test_a_handler_error_reaches_the_client_as_appsyncs_error(
    client_for: ClientFor, callers: dict[str, dict[str, str]]
) -> None:
    # Given a search with an airport code in lower case
    variables = {"filter": {"departureAirportCode": "lgw", "arrivalAirportCode": "MAD"}}

    # When it is run
    data, errors = run(client_for(callers["api_key"]), LIST_FLIGHTS, variables)

    # Then the handler's ValidationError is the GraphQL error, with errorInfo, path and locations
    assert data is None
    [error] = errors
    assert error["errorType"] == "ValidationError"
    assert error["errorInfo"] == {"retryable": False, "field": "filter.departureAirportCode"}
    assert error["path"] == ["listFlights"]
    assert [set(location) for location in error["locations"]] == [{"line", "column", "sourceName"}]
    assert error["message"].startswith("filter.departureAirportCode: must be a three-letter IATA airport code")


def test_an_unexpected_exception_is_logged_and_answered_without_internals(
    client_for: ClientFor,
    callers: dict[str, dict[str, str]],
    appsync: LocalAppSync,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Given a catalog handler that fails in an unexpected way
    def broken(event: Any, context: Any) -> Any:
        raise RuntimeError("connection string postgres://secret@db")

    monkeypatch.setitem(appsync.invoker._handlers, "catalog", broken)

    # When a client calls one of its fields
    with caplog.at_level(logging.ERROR, logger="appsync.local"):
        _, errors = run(client_for(callers["api_key"]), LIST_FLIGHTS, route())

    # Then the client gets the generic InternalFailure the resolver code (appsync/lambda_resolver.js) makes of a
    # crashed invocation, as on AWS, and the log has the exception under the request's correlation id
    [error] = errors
    assert error["errorType"] == "InternalFailure"
    assert error["errorInfo"] == {"retryable": False}
    assert error["message"] == "An internal error occurred"
    assert "secret" not in str(error)
    assert "Traceback" not in str(error)
    [record] = [r for r in caplog.records if "Unhandled error in catalog" in r.getMessage()]
    assert record.exc_info is not None
    assert "correlation id Root=1-" in record.getMessage()


def test_batch_fields_reach_the_handler_as_one_batch_invoke(
    client_for: ClientFor,
    callers: dict[str, dict[str, str]],
    appsync: LocalAppSync,
    monkeypatch: pytest.MonkeyPatch,
    alices_booking: dict[str, str],
) -> None:
    # Given alice with three bookings and the catalog handler watched
    from appsync.local.dynamodb.seed import sample_flights as flights_of

    flights = flights_of(datetime.now(UTC).date() + timedelta(days=2))[:2]
    for flight in flights:
        booking_store.put_booking(a_booking(user_sub("alice"), flight.id))
    handler = appsync.invoker.handler("catalog")
    payloads: list[Any] = []

    def watched(event: Any, context: Any) -> Any:
        payloads.append(event)
        return handler(event, context)

    monkeypatch.setitem(appsync.invoker._handlers, "catalog", watched)

    # When alice lists her bookings with their flights
    query = "{ listBookings(limit: 10) { items { id outboundFlight { id } } } }"
    data, errors = run(client_for(callers["alice"]), query)

    # Then the flights came from one BatchInvoke with one event per booking, each with its booking as source
    assert errors == []
    items = data["listBookings"]["items"]
    assert len(items) >= 3
    [batch] = payloads
    assert isinstance(batch, list)
    assert [event["source"]["id"] for event in batch] == [item["id"] for item in items]
    assert [item["outboundFlight"]["id"] for item in items] == [e["source"]["outboundFlightId"] for e in batch]
    assert {event["info"]["parentTypeName"] for event in batch} == {"Booking"}


def test_the_handler_gets_appsyncs_direct_resolver_event(
    client_for: ClientFor,
    callers: dict[str, dict[str, str]],
    appsync: LocalAppSync,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given the catalog handler watched
    handler = appsync.invoker.handler("catalog")
    events: list[Any] = []

    def watched(event: Any, context: Any) -> Any:
        events.append(event)
        return handler(event, context)

    monkeypatch.setitem(appsync.invoker._handlers, "catalog", watched)

    # When alice searches flights with variables and a fragment
    query = """
    query Search($filter: FlightFilter!) {
      listFlights(filter: $filter, limit: 1) { items { ...Times } nextToken }
    }
    fragment Times on Flight { id departureDateTime }
    """
    _, errors = run(client_for(callers["alice"]), query, route())

    # Then the event carries the arguments, her identity, the headers and the info AppSync sends
    assert errors == []
    [event] = events
    assert event["arguments"] == {"filter": route()["filter"], "limit": 1}
    assert event["source"] is None
    identity = event["identity"]
    assert identity["sub"] == user_sub("alice")
    assert identity["username"] == "alice"
    assert identity["claims"]["cognito:username"] == "alice"
    assert identity["sourceIp"] == ["127.0.0.1"]
    assert identity["defaultAuthStrategy"] == "ALLOW"
    assert event["request"]["headers"]["x-amzn-trace-id"].startswith("Root=1-")
    assert event["info"] == {
        "fieldName": "listFlights",
        "parentTypeName": "Query",
        "variables": route(),
        "selectionSetList": ["items", "items/id", "items/departureDateTime", "nextToken"],
    }


def test_a_malformed_query_gets_a_syntax_error_and_the_server_keeps_serving(
    api_url: str, client_for: ClientFor, callers: dict[str, dict[str, str]]
) -> None:
    # Given a query with a syntax error (sent as is: gql would refuse to parse it)
    body = {"query": "{ listFlights(filter: { }"}

    # When it is posted
    answer = requests.post(api_url, json=body, headers=callers["api_key"], timeout=30).json()

    # Then it gets a syntax error with its location, and the next query is served
    [error] = answer["errors"]
    assert error["message"].startswith("Syntax Error")
    assert error["locations"] == [{"line": 1, "column": 26, "sourceName": None}]
    assert run(client_for(callers["api_key"]), LIST_FLIGHTS, route())[1] == []


@pytest.mark.parametrize(
    ("query", "variables", "message"),
    [
        ("{ listFlights(filter: {}) { items { wingspan } } }", None, "Cannot query field 'wingspan' on type 'Flight'"),
        ("{ cheapestFlight { id } }", None, "Cannot query field 'cheapestFlight' on type 'Query'"),
        (
            '{ listFlights(filter: {departureAirportCode: "LGW", arrivalAirportCode: "MAD", departureDate: "tomorrow"})'
            " { nextToken } }",
            None,
            "Expected value of type 'AWSDate'",
        ),
        (LIST_FLIGHTS, route("tomorrow"), "Variable '$filter' has invalid value"),
        (LIST_FLIGHTS, route("2026-02-30"), "is not a calendar date"),
    ],
    ids=["unknown-field", "unknown-query", "wrong-scalar-literal", "wrong-scalar-variable", "impossible-date"],
)
def test_an_invalid_document_gets_a_clear_error_and_the_server_keeps_serving(
    client_for: ClientFor, callers: dict[str, dict[str, str]], query: str, variables: Any, message: str
) -> None:
    # Given a client of the API
    client = client_for(callers["api_key"])

    # When an invalid query is sent
    data, errors = run(client, query, variables)

    # Then nothing runs, the error says what is wrong and where, and the next query is served
    assert data is None
    assert any(message in error["message"] for error in errors), errors
    assert all(error["locations"] and "errorType" not in error for error in errors)
    assert run(client, LIST_FLIGHTS, route())[1] == []


def test_an_over_deep_query_is_refused_and_the_server_keeps_serving(strict_client: Client) -> None:
    # Given a server with a query depth limit of 2
    # When a query nests three levels
    deep = "{ listBookings { items { outboundFlight { id } } } }"
    data, errors = run(strict_client, deep)

    # Then it is refused before running, and a query within the limit is served
    assert data is None
    assert [error["message"] for error in errors] == [
        f"'anonymous' exceeds maximum operation depth of {STRICT.query_depth}"
    ]
    assert run(strict_client, '{ getFlight(id: "01J00000000000000000000000") { id } }') == ({"getFlight": None}, [])


def test_an_oversize_body_is_refused_and_the_server_keeps_serving(strict_client: Client) -> None:
    # Given a server accepting bodies up to 4 KiB
    # When a request carries more
    padding = "x" * STRICT.body_bytes
    _, errors = run(strict_client, "query($pad: String) { getFlight(id: $pad) { id } }", {"pad": padding})

    # Then it is refused with AppSync's error shape, and the next request is served
    assert error_types(errors) == ["PayloadTooLargeException"]
    assert str(STRICT.body_bytes) in errors[0]["message"]
    assert run(strict_client, '{ getFlight(id: "01J00000000000000000000000") { id } }')[1] == []


def test_a_request_over_the_resolver_count_limit_fails_the_fields_over_it(strict_client: Client) -> None:
    # Given a server allowing 2 resolvers per request
    # When a request resolves three fields with Lambda resolvers
    query = """{
      a: getFlight(id: "01J00000000000000000000000") { id }
      b: getFlight(id: "01J00000000000000000000001") { id }
      c: getFlight(id: "01J00000000000000000000002") { id }
    }"""
    data, errors = run(strict_client, query)

    # Then the first two are resolved and the third is an error
    assert data == {"a": None, "b": None, "c": None}
    assert [(error["path"], error["errorType"]) for error in errors] == [(["c"], "ResolverCountLimitExceeded")]


def test_introspection_is_on(client_for: ClientFor, callers: dict[str, dict[str, str]]) -> None:
    # When a client asks for the schema
    data, errors = run(client_for(callers["api_key"]), "{ __schema { queryType { name } mutationType { name } } }")

    # Then it gets it
    assert errors == []
    assert data == {"__schema": {"queryType": {"name": "Query"}, "mutationType": {"name": "Mutation"}}}
