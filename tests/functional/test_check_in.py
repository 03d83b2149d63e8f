"""checkIn on DynamoDB Local: a seat from the seat map and a boarding pass with its BCBP barcode for every
passenger, in the window from 24 h until 1 h before departure; the same answer again; never one seat twice, even
when check-ins race; a cancelled booking's seats go back to the seat map."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from resolvers import events
from resolvers.domain import boarding
from resolvers.domain.models import BookingStatus, Passenger
from resolvers.handlers.bookings import handler
from resolvers.store import bookings as booking_store
from resolvers.store import check_in as check_in_store
from resolvers.store import flights as flight_store
from resolvers.store import keys
from resolvers.store.models import SeatAssignmentItem, TableItem
from tests.factories import (
    a_booking,
    a_customer,
    a_flight,
    admin,
    booking_input,
    cognito,
    context,
    error_of,
    mutation_event,
    passengers,
)

pytestmark = pytest.mark.dynamodb

CTX = context("bookings")


def _call(identity: dict[str, Any], field: str, arguments: dict[str, Any]) -> Any:
    return handler(mutation_event(field, arguments, identity), CTX)


def _check_in(identity: dict[str, Any], booking_id: str) -> Any:
    return _call(identity, "checkIn", {"bookingId": booking_id})


def _seat_map_items(flight_id: str) -> list[SeatAssignmentItem]:
    pk, _ = keys.flight(flight_id)
    return [
        item
        for item in TableItem.query(pk, TableItem.sk.startswith(keys.SEAT_MAP))
        if isinstance(item, SeatAssignmentItem)
    ]


def _a_flight_departing_in(delta: timedelta, capacity: int = 20) -> Any:
    departs = datetime.now(UTC).replace(microsecond=0) + delta
    flight = a_flight(departs=departs, seat_capacity=capacity, seats_available=capacity, flight_number="AW1813")
    flight_store.put_flight(flight)
    return flight


def _confirmed(customer: str, flight_id: str, count: int) -> str:
    """A CONFIRMED booking of `count` passengers, stored as the saga leaves it."""
    people = tuple(Passenger(p["firstName"], p["lastName"]) for p in passengers(count))
    booking = a_booking(customer, flight_id, passengers=people, total_price=100 * count, currency="GBP")
    booking_store.put_booking(booking)
    return booking.id


def test_every_passenger_gets_a_seat_and_a_boarding_pass_with_a_bcbp_barcode(runtime):
    # Given a 3-passenger booking, booked and paid through the saga, on a flight leaving in 3 hours
    customer = a_customer()
    flight = _a_flight_departing_in(timedelta(hours=3))
    people = [
        {"firstName": "José María", "lastName": "O'Brien-Smith"},
        {"firstName": "Ada", "lastName": "Lovelace"},
        {"firstName": "Grace", "lastName": "Hopper"},
    ]
    booked = _call(cognito(customer), "initBooking", {"input": booking_input(flight.id, people=people)})
    runtime.settle()
    assert booking_store.get_booking(booked["id"]).status is BookingStatus.CONFIRMED

    # When the customer checks in
    answer = _check_in(cognito(customer), booked["id"])

    # Then every passenger has a distinct seat of the seat map and a boarding pass naming it
    assert answer["checkedIn"] is True
    seats = [passenger["seat"] for passenger in answer["passengers"]]
    assert len(set(seats)) == 3
    assert set(seats) <= set(boarding.seat_map(20))
    first = answer["passengers"][0]["boardingPass"]
    assert first["passengerName"] == "O'BRIEN-SMITH/JOSÉ MARÍA"
    assert first["flightNumber"] == "AW1813"
    assert first["seat"] == seats[0]
    assert first["boardingGroup"] in boarding.BOARDING_GROUPS
    assert sorted(p["boardingPass"]["sequenceNumber"] for p in answer["passengers"]) == [1, 2, 3]

    # And the barcode is an M1 BCBP string with the mandatory items where Resolution 792 puts them
    barcode = first["barcode"]
    reference = answer["bookingReference"]
    row, letter = seats[0][:-1], seats[0][-1]
    assert barcode[:2] == "M1"
    assert barcode[2:22] == "OBRIEN SMITH/JOSE MA"  # LAST/FIRST, ASCII, cut at 20
    assert barcode[22] == "E"
    assert barcode[23:30] == f"{reference:<7}"
    assert barcode[30:39] == f"{flight.departure_airport_code}{flight.arrival_airport_code}AW "
    assert barcode[39:44] == "1813 "
    assert barcode[44:47] == f"{flight.departure_date_time.timetuple().tm_yday:03d}"
    assert barcode[47] == "Y"
    assert barcode[48:52] == f"{int(row):03d}{letter}"
    assert barcode[52:57] == f"{first['sequenceNumber']:04d} "
    assert barcode[57] == "1"  # passenger status: checked in
    assert int(barcode[58:60], 16) == len(barcode) - 60
    assert barcode[60:62] == ">6"

    # And the stored booking says the same, and the bus hears of it
    stored = booking_store.get_booking(booked["id"])
    assert stored.checked_in is True
    assert [p.seat for p in stored.passengers] == seats
    checked = [e for e in runtime.bus.published if e.type == events.BOOKING_CHECKED_IN]
    assert [e.detail["bookingId"] for e in checked] == [booked["id"]]


def test_checking_in_again_answers_the_same_seats_and_takes_no_more(runtime):
    customer = a_customer()
    flight = _a_flight_departing_in(timedelta(hours=5))
    booking_id = _confirmed(customer, flight.id, 2)

    first = _check_in(cognito(customer), booking_id)
    second = _check_in(cognito(customer), booking_id)

    assert second["passengers"] == first["passengers"]
    assert len(_seat_map_items(flight.id)) == 2
    assert flight_store.get_flight(flight.id).seats_available == 20


@pytest.mark.parametrize(
    ("departs_in", "says", "info"),
    [
        (timedelta(hours=30), "opens 24 hours before departure", "opensAt"),
        (timedelta(minutes=50), "closed 1 hour before departure", "closedAt"),
        (-timedelta(hours=2), "closed 1 hour before departure", "closedAt"),
    ],
)
def test_check_in_is_open_from_24_hours_until_1_hour_before_departure(runtime, departs_in, says, info):
    customer = a_customer()
    flight = _a_flight_departing_in(departs_in)
    booking_id = _confirmed(customer, flight.id, 1)

    error = error_of(_check_in(cognito(customer), booking_id))

    assert error["errorType"] == "CheckInNotAvailable"
    assert says in error["message"]
    assert info in error["errorInfo"]
    assert _seat_map_items(flight.id) == []
    assert booking_store.get_booking(booking_id).checked_in is False


def test_the_window_opens_at_24_hours_exactly():
    departs = datetime(2026, 12, 24, 8, 30, tzinfo=UTC)
    with pytest.raises(Exception, match="opens"):
        boarding.check_in_window(departs, departs - timedelta(hours=24, seconds=1))
    boarding.check_in_window(departs, departs - timedelta(hours=24))
    boarding.check_in_window(departs, departs - timedelta(hours=1, seconds=1))
    with pytest.raises(Exception, match="closed"):
        boarding.check_in_window(departs, departs - timedelta(hours=1))


@pytest.mark.parametrize("status", [BookingStatus.PENDING, BookingStatus.FAILED, BookingStatus.CANCELLED])
def test_only_a_confirmed_booking_checks_in(runtime, status):
    customer = a_customer()
    flight = _a_flight_departing_in(timedelta(hours=3))
    booking = a_booking(customer, flight.id, status=status, passengers=(Passenger("Ada", "Lovelace"),))
    booking_store.put_booking(booking)

    error = error_of(_check_in(cognito(customer), booking.id))

    assert error["errorType"] == "CheckInNotAvailable"
    assert str(status) in error["message"]
    assert _seat_map_items(flight.id) == []


def test_only_the_owner_or_an_admin_checks_in(runtime):
    customer = a_customer()
    flight = _a_flight_departing_in(timedelta(hours=3))
    booking_id = _confirmed(customer, flight.id, 1)

    assert error_of(_check_in(cognito(a_customer()), booking_id))["errorType"] == "Unauthorized"
    assert error_of(_check_in(cognito(customer), "01J9ZQ3Z8X5K7M2N4P6R8T0V1W"))["errorType"] == "NotFound"
    assert _check_in(admin(), booking_id)["checkedIn"] is True


def test_racing_check_ins_never_give_one_seat_twice(runtime):
    # Given 10 bookings of 3 passengers on a flight of exactly 30 seats
    flight = _a_flight_departing_in(timedelta(hours=3), capacity=30)
    owners = {_confirmed(customer, flight.id, 3): customer for customer in (a_customer() for _ in range(10))}
    start = threading.Barrier(20)

    def check_in(booking_id: str) -> Any:
        start.wait()
        return _check_in(cognito(owners[booking_id]), booking_id)

    # When every booking checks in twice at the same moment (20 calls on 20 threads)
    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(check_in, [*owners, *owners]))

    # Then every passenger sits alone, both calls of a booking answer the same seats, and no seat is left taken
    # by a losing call
    by_booking: dict[str, list[str]] = {}
    assert [answer for answer in answers if "__error" in answer] == []
    for answer in answers:
        seats = [passenger["seat"] for passenger in answer["passengers"]]
        assert by_booking.setdefault(answer["id"], seats) == seats
    every_seat = [seat for seats in by_booking.values() for seat in seats]
    assert sorted(every_seat) == sorted(boarding.seat_map(30))
    items = _seat_map_items(flight.id)
    assert sorted(item.sk.removeprefix(keys.SEAT_MAP) for item in items) == sorted(every_seat)
    assert {item.booking_id for item in items} == set(owners)


def test_cancelling_a_checked_in_booking_gives_its_seats_back(runtime):
    # Given a checked-in booking on a full 2-seat flight, booked through the saga
    customer = a_customer()
    flight = _a_flight_departing_in(timedelta(hours=3), capacity=2)
    booked = _call(cognito(customer), "initBooking", {"input": booking_input(flight.id, people=passengers(2))})
    runtime.settle()
    seats = {p["seat"] for p in _check_in(cognito(customer), booked["id"])["passengers"]}
    assert seats == {"1A", "1B"}

    # When it is cancelled
    assert _call(cognito(customer), "cancelBooking", {"id": booked["id"]})["status"] == "CANCELLED"
    runtime.settle()

    # Then the seats are back on the seat map and the next booking's passengers get them
    assert _seat_map_items(flight.id) == []
    other = a_customer()
    again = _call(cognito(other), "initBooking", {"input": booking_input(flight.id, people=passengers(2))})
    runtime.settle()
    assert {p["seat"] for p in _check_in(cognito(other), again["id"])["passengers"]} == seats


def test_an_interrupted_check_in_is_finished_with_the_seats_it_took(runtime):
    # Given a check-in that gave the first passenger a seat, then stopped (the process died)
    customer = a_customer()
    flight = _a_flight_departing_in(timedelta(hours=3))
    booking_id = _confirmed(customer, flight.id, 2)
    first = check_in_store.take_sequence_numbers(flight.id, 1)
    assert check_in_store.claim_seat(flight.id, "4C", booking_id, 0, first)

    # When the customer checks in again
    answer = _check_in(cognito(customer), booking_id)

    # Then the first passenger keeps that seat, and only the second one takes another
    assert answer["passengers"][0]["seat"] == "4C"
    assert answer["passengers"][0]["boardingPass"]["sequenceNumber"] == first
    assert len(_seat_map_items(flight.id)) == 2
