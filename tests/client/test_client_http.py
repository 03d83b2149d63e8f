"""Every query and mutation of the partner client against the local AppSync over HTTP, through both faces:
typed results, and errorType values raised as their own exceptions."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from airline_client import (
    ApiError,
    BoardingPass,
    Booking,
    BookingNotCancellable,
    BookingNotPayable,
    BookingStatus,
    CheckInNotAvailable,
    Flight,
    FlightStatus,
    HoldExpired,
    HoldNotExtendable,
    IdempotencyConflict,
    LoyaltyLevel,
    NewFlight,
    NotAuthenticated,
    NotFound,
    Passenger,
    PassengerInput,
    SeatsUnavailable,
    TransportFailure,
    Unauthorized,
    ValidationError,
)
from ulid import ULID

from appsync.local.graphql.auth import user_sub
from appsync.local.server import LocalAppSync
from resolvers.domain.models import PaymentStatus
from resolvers.store import flights as flight_store
from resolvers.store import payments as ledger
from tests.client.conftest import Connect
from tests.client.fakes import ADA
from tests.factories import a_flight


def tomorrow() -> date:
    return datetime.now(UTC).date() + timedelta(days=1)


def a_new_flight(departure: str, arrival: str, days: int = 30) -> NewFlight:
    departs = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)
    return NewFlight(
        flight_number="AW4242",
        departure_airport_code=departure,
        departure_airport_name=f"{departure} airport",
        departure_city=f"{departure} city",
        departure_date_time=departs,
        arrival_airport_code=arrival,
        arrival_airport_name=f"{arrival} airport",
        arrival_city=f"{arrival} city",
        arrival_date_time=departs + timedelta(hours=2),
        ticket_price=12000,
        ticket_currency="EUR",
        seat_capacity=10,
    )


def a_stored_flight(**fields: Any) -> str:
    flight = a_flight(**fields)
    flight_store.put_flight(flight)
    return flight.id


def test_a_catalog_search_answers_typed_flights_in_departure_order(connect: Connect) -> None:
    # Given an API key caller
    client = connect("api_key")

    # When they search the sample route for tomorrow
    flights = list(client.list_flights("LGW", "MAD", tomorrow()))

    # Then the flights are typed, with aware datetimes and enums, earliest first
    assert flights
    assert all(isinstance(flight, Flight) for flight in flights)
    assert all(flight.departure_date_time.tzinfo is not None for flight in flights)
    assert all(flight.departure_date_time.date() == tomorrow() for flight in flights)
    assert all(isinstance(flight.status, FlightStatus) for flight in flights)
    departures = [flight.departure_date_time for flight in flights]
    assert departures == sorted(departures)


def test_get_flight_answers_the_flight_or_none(connect: Connect) -> None:
    client = connect("api_key")
    flight_id = a_stored_flight(ticket_price=4567)

    flight = client.get_flight(flight_id)

    assert flight is not None
    assert (flight.id, flight.ticket_price, flight.ticket_currency) == (flight_id, 4567, "GBP")
    assert client.get_flight(str(ULID())) is None


def test_a_malformed_argument_is_a_validation_error_naming_the_field(connect: Connect) -> None:
    client = connect("api_key")

    with pytest.raises(ValidationError) as raised:
        list(client.list_flights("lgw", "MAD"))

    assert raised.value.error_info["field"] == "filter.departureAirportCode"
    assert raised.value.retryable is False
    assert raised.value.path == ["listFlights"]


def test_a_customer_books_waits_for_confirmation_lists_and_cancels(connect: Connect, appsync: LocalAppSync) -> None:
    # Given a flight and a new customer signed in
    flight_id = a_stored_flight(seat_capacity=5, seats_available=5, ticket_price=7000)
    name = f"carol-{uuid.uuid4().hex[:8]}"
    carol = connect(name)

    # When she books it and waits for the saga
    pending = carol.init_booking(flight_id, "tok_visa", passengers=ADA)
    confirmed = carol.wait_for_booking(pending.id, timeout=60)

    # Then the booking went PENDING → CONFIRMED, is hers, and shows in her list
    assert isinstance(pending, Booking)
    assert pending.status is BookingStatus.PENDING
    assert len(pending.booking_reference) == 6
    assert confirmed.status is BookingStatus.CONFIRMED
    assert confirmed.customer == user_sub(name)
    assert confirmed.outbound_flight.id == flight_id
    assert confirmed.outbound_flight.seats_available == 4
    assert confirmed.created_at.tzinfo is not None
    assert carol.get_booking(pending.id) == confirmed
    assert [booking.id for booking in carol.list_bookings(BookingStatus.CONFIRMED)] == [pending.id]
    # And once the loyalty consumer has had the confirmation (events are asynchronous), her points
    appsync.runtime.settle()
    loyalty = carol.get_loyalty()
    assert (loyalty.customer, loyalty.points, loyalty.level) == (user_sub(name), 7000, LoyaltyLevel.BRONZE)

    # And when she cancels it, it is CANCELLED and a second cancel answers the same
    assert carol.cancel_booking(pending.id).status is BookingStatus.CANCELLED
    assert carol.cancel_booking(pending.id).status is BookingStatus.CANCELLED
    assert carol.wait_for_booking(pending.id, timeout=5).status is BookingStatus.CANCELLED
    appsync.runtime.settle()
    assert carol.get_loyalty().points == 0


def test_a_party_of_three_books_three_seats_at_three_times_the_price_and_gets_it_all_back_on_cancel(
    connect: Connect, appsync: LocalAppSync
) -> None:
    # Given a flight with 5 seats and a customer booking for three named passengers
    flight_id = a_stored_flight(seat_capacity=5, seats_available=5, ticket_price=7000)
    party = [PassengerInput("Zoë", "O'Brien"), PassengerInput("Anne-Marie", "O'Brien"), PassengerInput("Li", "Wei")]
    name = f"ivan-{uuid.uuid4().hex[:8]}"
    ivan = connect(name)

    # When the booking is made and confirmed
    pending = ivan.init_booking(flight_id, "tok_visa", passengers=party)
    confirmed = ivan.wait_for_booking(pending.id, timeout=60)

    # Then the typed booking names the three, seatless until check-in, and costs three tickets
    assert [(p.first_name, p.last_name) for p in confirmed.passengers] == [(p.first_name, p.last_name) for p in party]
    assert all(isinstance(p, Passenger) and p.seat is None and p.boarding_pass is None for p in confirmed.passengers)
    assert (pending.total_price, confirmed.total_price, confirmed.currency) == (21000, 21000, "GBP")
    assert confirmed.outbound_flight.seats_available == 2
    appsync.runtime.settle()
    assert ivan.get_loyalty().points == 21000

    # And cancelling gives back the three seats and the points
    ivan.cancel_booking(pending.id)
    appsync.runtime.settle()
    assert ivan.get_flight(flight_id).seats_available == 5
    assert ivan.get_loyalty().points == 0

    # And a bad name is a typed ValidationError naming the passenger's field
    with pytest.raises(ValidationError) as raised:
        ivan.init_booking(flight_id, "tok_visa", passengers=[*party[:1], PassengerInput("R2", "D2")])
    assert raised.value.error_info["field"] == "input.passengers[1].firstName"


def test_a_party_checks_in_for_seats_and_boarding_passes_once_the_window_opens(connect: Connect) -> None:
    # Given two confirmed bookings: one on a flight leaving in 3 hours, one leaving in 3 days
    soon = a_stored_flight(departs=datetime.now(UTC).replace(microsecond=0) + timedelta(hours=3))
    later = a_stored_flight(departs=datetime.now(UTC).replace(microsecond=0) + timedelta(days=3))
    judy = connect(f"judy-{uuid.uuid4().hex[:8]}")
    party = [PassengerInput("Judy", "Hopps"), PassengerInput("Nick", "Wilde")]
    booked = judy.wait_for_booking(judy.init_booking(soon, "tok_visa", passengers=party).id, timeout=60)
    too_early = judy.wait_for_booking(judy.init_booking(later, "tok_visa", passengers=party[:1]).id, timeout=60)

    # When she checks in the first, twice (a retry answers the same)
    checked_in = judy.check_in(booked.id)
    assert judy.check_in(booked.id) == checked_in

    # Then each passenger has a seat and a typed boarding pass whose barcode is a BCBP M1 string
    assert checked_in.checked_in is True
    seats = [passenger.seat for passenger in checked_in.passengers]
    assert len(set(seats)) == 2
    assert all(seat is not None for seat in seats)
    passes = [passenger.boarding_pass for passenger in checked_in.passengers]
    assert all(isinstance(issued, BoardingPass) for issued in passes)
    assert [issued.passenger_name for issued in passes if issued] == ["HOPPS/JUDY", "WILDE/NICK"]
    assert all(issued.barcode.startswith("M1HOPPS/JUDY") for issued in passes[:1] if issued)

    # And the second is refused with a typed error saying when check-in opens
    with pytest.raises(CheckInNotAvailable) as refused:
        judy.check_in(too_early.id)
    assert refused.value.error_info["opensAt"]


def test_a_party_holds_seats_extends_the_hold_and_pays_once_even_when_pay_is_sent_twice(
    connect: Connect, appsync: LocalAppSync
) -> None:
    # Given a flight with 5 seats and a customer holding seats for two passengers, without a card
    flight_id = a_stored_flight(seat_capacity=5, seats_available=5, ticket_price=7000)
    kate = connect(f"kate-{uuid.uuid4().hex[:8]}")
    party = [PassengerInput("Kate", "Bush"), PassengerInput("Peter", "Gabriel")]
    held = kate.init_booking(flight_id, passengers=party, hold=True)

    # Then the booking is HELD until a time to come, the two seats are taken and nothing is charged
    assert held.status is BookingStatus.HELD
    assert held.hold_expires_at is not None
    assert held.hold_expires_at.tzinfo is not None
    assert held.hold_expires_at > datetime.now(UTC)
    assert held.total_price == 14000
    assert kate.get_flight(flight_id).seats_available == 3
    assert ledger.get_payment(held.id) is None
    # And waiting for it does not pretend a hold is an outcome
    assert not held.status.is_final

    # When she extends the hold, Then it lasts longer
    extended = kate.extend_hold(held.id)
    assert extended.status is BookingStatus.HELD
    assert extended.hold_expires_at is not None
    assert extended.hold_expires_at > held.hold_expires_at

    # When she pays it twice with one idempotency key (a double click, a lost answer)
    key = str(uuid.uuid4())
    paid = kate.pay_booking(held.id, "tok_visa", idempotency_key=key)
    again = kate.pay_booking(held.id, "tok_visa", idempotency_key=key)

    # Then both answers are the one booking, which the saga confirms with one capture of the total
    assert paid.id == again.id == held.id
    assert paid.status in (BookingStatus.PENDING, BookingStatus.CONFIRMED)
    confirmed = kate.wait_for_booking(held.id, timeout=60)
    assert confirmed.status is BookingStatus.CONFIRMED
    assert confirmed.outbound_flight.seats_available == 3
    payment = ledger.get_payment(held.id)
    assert payment is not None
    assert (payment.status, payment.amount) == (PaymentStatus.CAPTURED, 14000)
    appsync.runtime.settle()
    assert kate.get_loyalty().points == 14000

    # And a paid booking is neither payable again (another key) nor extendable
    with pytest.raises(BookingNotPayable):
        kate.pay_booking(held.id, "tok_visa")
    with pytest.raises(BookingNotPayable):
        kate.extend_hold(held.id)


def test_a_hold_is_paid_with_a_fresh_key_unless_given_and_one_key_never_serves_two_cards(connect: Connect) -> None:
    # Given a held booking
    flight_id = a_stored_flight()
    liam = connect(f"liam-{uuid.uuid4().hex[:8]}")
    held = liam.init_booking(flight_id, passengers=ADA, hold=True)
    key = str(uuid.uuid4())

    # When a key first paid with one card is sent again with another, Then it is an IdempotencyConflict
    liam.pay_booking(held.id, "tok_visa", idempotency_key=key)
    with pytest.raises(IdempotencyConflict):
        liam.pay_booking(held.id, "tok_mastercard", idempotency_key=key)
    assert liam.wait_for_booking(held.id, timeout=60).status is BookingStatus.CONFIRMED


def test_a_held_booking_is_cancelled_with_its_seats_back_and_nothing_charged(connect: Connect) -> None:
    flight_id = a_stored_flight(seat_capacity=3, seats_available=3)
    mia = connect(f"mia-{uuid.uuid4().hex[:8]}")
    held = mia.init_booking(flight_id, passengers=ADA, hold=True)
    assert mia.get_flight(flight_id).seats_available == 2

    cancelled = mia.cancel_booking(held.id)

    assert cancelled.status is BookingStatus.CANCELLED
    assert mia.get_flight(flight_id).seats_available == 3
    assert ledger.get_payment(held.id) is None
    with pytest.raises(BookingNotPayable):
        mia.pay_booking(held.id, "tok_visa")


def test_a_hold_left_unpaid_expires_by_itself_and_cannot_be_paid_or_extended(
    connect: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given holds that last 2 seconds (the server reads the duration on each hold)
    monkeypatch.setenv("HOLD_DURATION_SECONDS", "2")
    flight_id = a_stored_flight(seat_capacity=4, seats_available=4)
    olga = connect(f"olga-{uuid.uuid4().hex[:8]}")
    held = olga.init_booking(flight_id, passengers=ADA, hold=True)
    assert olga.get_flight(flight_id).seats_available == 3

    # When nobody pays it, Then it becomes EXPIRED by itself (wait_for_booking hears it) and its seat goes back
    expired = olga.wait_for_booking(held.id, timeout=90)
    assert expired.status is BookingStatus.EXPIRED
    assert olga.get_flight(flight_id).seats_available == 4

    # And paying or extending it is a typed HoldExpired, and nothing was charged
    with pytest.raises(HoldExpired):
        olga.pay_booking(held.id, "tok_visa")
    with pytest.raises(HoldExpired):
        olga.extend_hold(held.id)
    assert ledger.get_payment(held.id) is None


def test_a_hold_is_extended_up_to_its_longest_and_then_refused(
    connect: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given holds of 10 minutes that may last 15 minutes in all
    monkeypatch.setenv("HOLD_DURATION_SECONDS", "600")
    monkeypatch.setenv("HOLD_MAX_SECONDS", "900")
    pete = connect(f"pete-{uuid.uuid4().hex[:8]}")
    held = pete.init_booking(a_stored_flight(), passengers=ADA, hold=True)
    assert held.hold_expires_at is not None

    # When it is extended once, Then it ends 15 minutes after it was made, no later
    extended = pete.extend_hold(held.id)
    assert extended.hold_expires_at == held.created_at + timedelta(seconds=900)

    # And once more is a typed HoldNotExtendable, the booking still HELD until then
    with pytest.raises(HoldNotExtendable):
        pete.extend_hold(held.id)
    assert pete.get_booking(held.id).hold_expires_at == extended.hold_expires_at
    pete.cancel_booking(held.id)


def test_booking_without_a_card_needs_a_hold(connect: Connect) -> None:
    # A programming error, told before anything is sent
    with pytest.raises(ValueError, match="payment_token"):
        connect("nina").init_booking(a_stored_flight(), passengers=ADA)


def test_a_declined_card_ends_failed_and_cannot_be_cancelled(connect: Connect) -> None:
    flight_id = a_stored_flight()
    dave = connect("dave")

    failed = dave.wait_for_booking(dave.init_booking(flight_id, "tok_declined", passengers=ADA), timeout=60)

    assert failed.status is BookingStatus.FAILED
    assert failed.status_reason == "The card was declined"
    with pytest.raises(BookingNotCancellable):
        dave.cancel_booking(failed.id)


def test_the_idempotency_key_makes_a_repeat_book_nothing_new_and_a_changed_input_conflict(connect: Connect) -> None:
    flight_id, other_flight_id = a_stored_flight(), a_stored_flight()
    erin = connect("erin")
    key = str(uuid.uuid4())

    first = erin.init_booking(flight_id, "tok_visa", passengers=ADA, idempotency_key=key)
    again = erin.init_booking(flight_id, "tok_visa", passengers=ADA, idempotency_key=key)

    assert again.id == first.id
    with pytest.raises(IdempotencyConflict) as raised:
        erin.init_booking(other_flight_id, "tok_visa", passengers=ADA, idempotency_key=key)
    assert isinstance(raised.value, ApiError)
    assert raised.value.error_type == "IdempotencyConflict"


def test_booking_errors_are_typed(connect: Connect) -> None:
    sold_out = a_stored_flight(seat_capacity=1, seats_available=0)
    frank = connect("frank")

    with pytest.raises(SeatsUnavailable):
        frank.init_booking(sold_out, "tok_visa", passengers=ADA)
    with pytest.raises(NotFound):
        frank.init_booking(str(ULID()), "tok_visa", passengers=ADA)
    with pytest.raises(NotFound):
        frank.cancel_booking(str(ULID()))
    with pytest.raises(Unauthorized):
        connect("api_key").init_booking(sold_out, "tok_visa", passengers=ADA)


def test_a_customer_never_sees_another_customers_booking_or_loyalty(connect: Connect) -> None:
    flight_id = a_stored_flight()
    grace = connect("grace")
    booking = grace.init_booking(flight_id, "tok_visa", passengers=ADA)
    heidi = connect("heidi")

    with pytest.raises(Unauthorized):
        heidi.get_booking(booking.id)
    with pytest.raises(Unauthorized):
        heidi.get_loyalty(user_sub("grace"))
    assert booking.id not in [b.id for b in heidi.list_bookings()]
    # IAM (server-side partners, operations) may read anyone's
    assert connect("iam").get_loyalty(user_sub("grace")).customer == user_sub("grace")
    assert booking.id in [b.id for b in connect("iam").list_bookings(customer=user_sub("grace"))]


def test_an_admin_creates_and_delays_flights_and_a_customer_may_not(connect: Connect, new_airport: object) -> None:
    departure, arrival = new_airport(), new_airport()  # type: ignore[operator]
    admin = connect("admin")

    created = admin.create_flight(a_new_flight(departure, arrival))
    delay = admin.delay_flight(created.id, 45, "late inbound aircraft")

    assert created.status is FlightStatus.SCHEDULED
    assert (created.departure_airport_code, created.ticket_price, created.seat_capacity) == (departure, 12000, 10)
    assert delay.flight_id == created.id
    assert delay.delay_minutes == 45
    assert delay.departure_date_time == created.departure_date_time + timedelta(minutes=45)
    after = admin.get_flight(created.id)
    assert after is not None
    assert (after.status, after.delay_minutes) == (FlightStatus.DELAYED, 45)
    with pytest.raises(Unauthorized):
        connect("ivan").create_flight(a_new_flight(departure, arrival))
    with pytest.raises(Unauthorized):
        connect("ivan").delay_flight(created.id, 5, "no")
    with pytest.raises(ValidationError):
        admin.delay_flight(created.id, 0, "nothing")


def test_bad_credentials_are_a_transport_level_refusal_not_an_api_error(connect: Connect) -> None:
    client = connect("nobody", api_key="da2-not-the-key")

    with pytest.raises(NotAuthenticated) as raised:
        client.get_flight("anything")

    assert isinstance(raised.value, TransportFailure)
    assert not isinstance(raised.value, ApiError)
    assert raised.value.status == 401


def test_an_unreachable_server_is_a_transport_failure(connect: Connect) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = connect("api_key", url=f"http://127.0.0.1:{port}/graphql")

    with pytest.raises(TransportFailure) as raised:
        client.get_flight("anything")

    assert raised.value.retryable
    assert raised.value.status is None
