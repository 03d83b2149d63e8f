"""delayFlight and publishBookingStatus through their handlers on DynamoDB Local."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from resolvers import events
from resolvers.domain.models import BookingStatus, FlightStatus
from resolvers.handlers.bookings import handler as bookings_handler
from resolvers.handlers.flights import handler as flights_handler
from resolvers.store import bookings as booking_store
from resolvers.store import flights as flight_store
from tests.factories import (
    a_booking,
    a_customer,
    a_flight,
    admin,
    cognito,
    context,
    error_of,
    event,
    iam,
    mutation_event,
)

pytestmark = pytest.mark.dynamodb


def _mutation(handler, field: str, arguments: dict, identity):
    return handler(mutation_event(field, arguments, identity), context(field))


def _delay(flight_id: str, minutes: object, identity=None, reason: object = "Crew rest"):
    arguments = {"input": {"flightId": flight_id, "delayMinutes": minutes, "reason": reason}}
    return _mutation(flights_handler, "delayFlight", arguments, identity or admin())


def test_an_admin_delays_a_flight_which_moves_counts_its_confirmed_bookings_and_emits_an_event(runtime, new_airport):
    # Given a flight on a fresh route with two confirmed bookings and one failed
    departure, arrival = new_airport(), new_airport()
    departs = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    flight = a_flight(departure, arrival, departs)
    flight_store.put_flight(flight)
    for status in (BookingStatus.CONFIRMED, BookingStatus.CONFIRMED, BookingStatus.FAILED):
        booking = a_booking(a_customer(), flight.id, status)
        booking_store.put_booking(booking)
        flight_store.reserve_seats(flight.id, booking.id, 1)

    # When an admin delays it by 90 minutes, then by 30 more
    first = _delay(flight.id, 90)
    second = _delay(flight.id, 30, identity=iam(), reason="Late inbound aircraft")

    # Then it departs and arrives 2 hours later, DELAYED, and the delay says how many confirmed bookings it hits
    assert second["delayMinutes"] == 120
    assert second["affectedBookings"] == 2
    assert second["departureAirportCode"] == departure
    assert second["reason"] == "Late inbound aircraft"
    moved = flight_store.get_flight(flight.id)
    assert moved.status is FlightStatus.DELAYED
    assert moved.departure_date_time == departs + timedelta(minutes=120)
    assert moved.arrival_date_time == flight.arrival_date_time + timedelta(minutes=120)
    assert first["departureDateTime"] != second["departureDateTime"]
    # And a search of the route finds it at its new time
    found = flights_handler(
        event(
            "query_list_flights",
            arguments={"filter": {"departureAirportCode": departure, "arrivalAirportCode": arrival}},
        ),
        context("catalog"),
    )
    assert [f["departureDateTime"] for f in found["items"]] == [second["departureDateTime"]]
    delays = [e for e in runtime.bus.published if e.type == events.FLIGHT_DELAYED and e.detail["flightId"] == flight.id]
    assert [e.detail["delayMinutes"] for e in delays] == [90, 120]


@pytest.mark.parametrize(
    ("minutes", "field"), [(0, "input.delayMinutes"), (-15, "input.delayMinutes"), (1441, "input.delayMinutes")]
)
def test_a_zero_negative_or_absurd_delay_is_refused_and_changes_nothing(runtime, minutes, field):
    flight = a_flight()
    flight_store.put_flight(flight)

    error = error_of(_delay(flight.id, minutes))

    assert (error["errorType"], error["errorInfo"]["field"]) == ("ValidationError", field)
    assert flight_store.get_flight(flight.id) == flight


def test_delays_adding_up_past_a_day_are_refused(runtime):
    flight = a_flight()
    flight_store.put_flight(flight)
    _delay(flight.id, 1000)

    error = error_of(_delay(flight.id, 500))

    assert error["errorInfo"]["field"] == "input.delayMinutes"
    assert flight_store.get_flight(flight.id).delay_minutes == 1000


def test_an_unknown_flight_is_not_found_and_a_customer_may_not_delay(runtime):
    flight = a_flight()
    flight_store.put_flight(flight)

    assert error_of(_delay(a_flight().id, 30))["errorType"] == "NotFound"
    assert error_of(_delay(flight.id, 30, identity=cognito(a_customer())))["errorType"] == "Unauthorized"
    assert error_of(_delay(flight.id, 30, reason=" "))["errorInfo"]["field"] == "input.reason"
    assert flight_store.get_flight(flight.id) == flight


def _status_input(**changes: object) -> dict:
    values = {
        "bookingId": a_flight().id,
        "customer": str(uuid.uuid4()),
        "status": "CONFIRMED",
        "bookingReference": "ABC234",
        "statusReason": None,
        "occurredAt": "2026-11-22T10:00:00.000Z",
    }
    values.update(changes)
    return values


def test_iam_publishes_a_booking_status_and_gets_it_back(dynamodb):
    published = _status_input()

    result = _mutation(bookings_handler, "publishBookingStatus", {"input": published}, iam())

    assert result == published


@pytest.mark.parametrize("identity", [cognito(str(uuid.uuid4())), admin(), None], ids=["customer", "admin", "api-key"])
def test_no_one_but_iam_may_publish_a_booking_status(dynamodb, identity):
    error = error_of(_mutation(bookings_handler, "publishBookingStatus", {"input": _status_input()}, identity))

    assert error["errorType"] == "Unauthorized"


def test_a_malformed_status_is_a_validation_error(dynamodb):
    error = error_of(
        _mutation(bookings_handler, "publishBookingStatus", {"input": _status_input(status="LOST")}, iam())
    )

    assert error["errorInfo"]["field"] == "input.status"
