"""Named passengers on DynamoDB Local: one seat each, all or none; the total charged, credited and refunded."""

from __future__ import annotations

import random
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from threading import Barrier

import pytest

from resolvers.domain.errors import SeatNotReserved
from resolvers.domain.models import BookingStatus, Passenger, PaymentStatus
from resolvers.handlers.bookings import handler
from resolvers.store import bookings as booking_store
from resolvers.store import flights as flight_store
from resolvers.store import keys
from resolvers.store import loyalty as loyalty_store
from resolvers.store import payments as payment_store
from resolvers.store.models import BookingItem, SeatHoldItem
from tests.factories import (
    a_booking,
    a_customer,
    a_flight,
    booking_input,
    cognito,
    context,
    error_of,
    event,
    mutation_event,
    passengers,
    seats_left,
)

pytestmark = pytest.mark.dynamodb

CTX = context("bookings")
PRICE = 8900


def call(customer: str, field: str, arguments: dict):
    return handler(mutation_event(field, arguments, cognito(customer)), CTX)


def book(customer: str, flight_id: str, people: list[dict[str, str]], key: str | None = None, token: str = "tok_visa"):
    return call(customer, "initBooking", {"input": booking_input(flight_id, token, key, people)})


def flight_with(seats: int, capacity: int | None = None):
    flight = a_flight(seat_capacity=capacity or max(seats, 1), seats_available=seats, ticket_price=PRICE)
    flight_store.put_flight(flight)
    return flight


LONG = "A" * 51
NAMES = [{"firstName": "Ada", "lastName": "Lovelace"}, {"firstName": "Grace", "lastName": "Hopper"}]


@pytest.mark.parametrize(
    ("people", "field"),
    [
        pytest.param([], "input.passengers", id="none"),
        pytest.param(passengers(10), "input.passengers", id="ten"),
        pytest.param(None, "input.passengers", id="missing"),
        pytest.param("Ada Lovelace", "input.passengers", id="not-a-list"),
        pytest.param([NAMES[0], "Grace"], "input.passengers[1]", id="not-a-passenger"),
        pytest.param([NAMES[0], {"firstName": "Grace"}], "input.passengers[1].lastName", id="no-last-name"),
        pytest.param([{"firstName": "", "lastName": "Hopper"}], "input.passengers[0].firstName", id="empty"),
        pytest.param([{"firstName": "   ", "lastName": "Hopper"}], "input.passengers[0].firstName", id="blank"),
        pytest.param([NAMES[0], {"firstName": "R2", "lastName": "D2"}], "input.passengers[1].firstName", id="digits"),
        pytest.param([{"firstName": "Ada", "lastName": "<script>"}], "input.passengers[0].lastName", id="markup"),
        pytest.param([{"firstName": "Ada", "lastName": "Love_lace"}], "input.passengers[0].lastName", id="underscore"),
        pytest.param([{"firstName": "-Ada", "lastName": "Lovelace"}], "input.passengers[0].firstName", id="lead-dash"),
        pytest.param([{"firstName": "Ada", "lastName": "Love--lace"}], "input.passengers[0].lastName", id="two-dashes"),
        pytest.param([{"firstName": "Ada", "lastName": "Lovelace\n"}], None, id="newline-is-space-trimmed"),
        pytest.param([{"firstName": "Ada", "lastName": "Love\u200blace"}], "input.passengers[0].lastName", id="zwsp"),
        pytest.param([NAMES[0], NAMES[1], {"firstName": LONG, "lastName": "X"}], "input.passengers[2].firstName"),
        pytest.param([{"firstName": "Ada", "lastName": 42}], "input.passengers[0].lastName", id="number"),
    ],
)
def test_a_bad_passenger_list_is_a_validation_error_naming_the_field_and_writes_nothing(
    runtime, dynamodb_calls, people, field
):
    # Given a flight with seats
    flight = flight_with(20)
    arguments = {"input": booking_input(flight.id)}
    arguments["input"]["passengers"] = people
    dynamodb_calls.reset()

    # When a customer books with that passenger list
    answer = call(a_customer(), "initBooking", arguments)

    if field is None:  # a name that only needed trimming books
        assert answer["passengers"][0]["lastName"] == "Lovelace"
        return
    # Then the error names the field, and nothing was read or written
    error = error_of(answer)
    assert (error["errorType"], error["errorInfo"]["field"]) == ("ValidationError", field)
    assert error["message"].startswith(f"{field}: ")
    assert dynamodb_calls.operations == []


def test_names_of_any_script_with_spaces_hyphens_and_apostrophes_are_kept_as_written(runtime):
    # Given names as passports print them, one written in decomposed form
    decomposed = unicodedata.normalize("NFD", "Nguyễn")
    people = [
        {"firstName": "Anne-Marie", "lastName": "O'Brien"},
        {"firstName": "José  María", "lastName": "García Márquez"},
        {"firstName": "Zoë", "lastName": decomposed},
        {"firstName": "प्रिया", "lastName": "Ñúñez"},
        {"firstName": "D\u2019Arcy", "lastName": "Åberg"},
    ]

    # When they book
    answer = book(a_customer(), flight_with(10).id, people)

    # Then they are stored in one canonical form (NFC, one space) and read back as written
    expected = [
        ("Anne-Marie", "O'Brien"),
        ("José María", "García Márquez"),
        ("Zoë", "Nguyễn"),
        ("प्रिया", "Ñúñez"),
        ("D\u2019Arcy", "Åberg"),
    ]
    assert [(p["firstName"], p["lastName"]) for p in answer["passengers"]] == expected
    stored = booking_store.get_booking(answer["id"])
    assert [(p.first_name, p.last_name) for p in stored.passengers] == expected


def test_three_passengers_take_three_seats_pay_three_tickets_and_earn_three_tickets_of_points(runtime):
    # Given a flight with 10 seats
    customer, flight = a_customer(), flight_with(10)
    people = [*NAMES, {"firstName": "Alan", "lastName": "Turing"}]

    # When a customer books for three passengers
    answer = book(customer, flight.id, people)
    runtime.settle()

    # Then the answer names them, without seats or boarding passes yet, and prices three tickets
    assert answer["status"] == "PENDING"
    assert answer["passengers"] == [{**p, "seat": None, "boardingPass": None} for p in people]
    assert (answer["totalPrice"], answer["currency"]) == (3 * PRICE, "GBP")
    # And the saga confirmed it having taken three seats, captured three tickets and credited as many points
    assert booking_store.get_booking(answer["id"]).status is BookingStatus.CONFIRMED
    assert seats_left(flight.id) == 7
    payment = payment_store.get_payment(answer["id"])
    assert (payment.status, payment.amount, payment.currency) == (PaymentStatus.CAPTURED, 3 * PRICE, "GBP")
    assert loyalty_store.get_points(customer) == 3 * PRICE
    # And reading it back gives the same passengers and total
    read = handler(event("query_get_booking", arguments={"id": answer["id"]}, identity=cognito(customer)), CTX)
    assert (read["passengers"], read["totalPrice"], read["currency"]) == (answer["passengers"], 3 * PRICE, "GBP")


def test_cancelling_a_three_passenger_booking_gives_back_three_seats_the_total_and_the_points(runtime):
    # Given a confirmed three-passenger booking
    customer, flight = a_customer(), flight_with(10)
    booking_id = book(customer, flight.id, passengers(3))["id"]
    runtime.settle()
    assert seats_left(flight.id) == 7

    # When the customer cancels it
    answer = call(customer, "cancelBooking", {"id": booking_id})
    runtime.settle()

    # Then all three seats are back, the whole total refunded, and the points taken back
    assert answer["status"] == "CANCELLED"
    assert seats_left(flight.id) == 10
    payment = payment_store.get_payment(booking_id)
    assert (payment.status, payment.amount) == (PaymentStatus.REFUNDED, 3 * PRICE)
    refunded = [e.detail["amount"] for e in runtime.bus.published if e.type == "payment.refunded"]
    assert refunded[-1] == 3 * PRICE
    assert loyalty_store.get_points(customer) == 0


def test_three_passengers_on_a_flight_with_two_seats_left_are_refused_and_take_nothing(runtime):
    # Given a flight with two seats left
    customer, flight = a_customer(), flight_with(2, capacity=10)

    # When a customer books for three
    error = error_of(book(customer, flight.id, passengers(3)))

    # Then it is the sold-out error, and no seat, booking or saga was taken or started
    assert error["errorType"] == "SeatsUnavailable"
    assert seats_left(flight.id) == 2
    assert booking_store.list_customer_bookings(customer, None, 10, None).items == []
    assert runtime.runner.wait_all() == {}


def test_when_seats_go_between_booking_and_saga_the_booking_fails_whole_and_nothing_is_charged(runtime):
    # Given a three-passenger booking made while three seats were left, and two taken by someone else since
    customer, flight = a_customer(), flight_with(3)
    booking = a_booking(customer, flight.id, BookingStatus.PENDING, passengers=(Passenger("Ada", "Lovelace"),) * 3)
    booking_store.put_booking(booking)
    assert flight_store.reserve_seats(flight.id, "someone-else", 2) is True

    # When its saga runs
    runtime.runner.start(
        booking.id,
        {
            "bookingId": booking.id,
            "outboundFlightId": flight.id,
            "customer": customer,
            "paymentToken": "tok_visa",
            "seats": 3,
            "price": {"amount": 3 * PRICE, "currency": "GBP"},
        },
    )
    runtime.settle()

    # Then it fails for want of seats, the one seat left stays left, and no payment was attempted
    failed = booking_store.get_booking(booking.id)
    assert (failed.status, failed.status_reason) == (BookingStatus.FAILED, "No seats are left on this flight")
    assert seats_left(flight.id) == 1
    assert payment_store.get_payment(booking.id) is None


def test_the_same_key_with_another_passenger_list_is_an_idempotency_conflict(runtime):
    # Given a booking made with a key
    customer, flight = a_customer(), flight_with(10)
    first = book(customer, flight.id, NAMES, key="key-passengers-1")

    # When the key comes again with the same list, then with another (one name changed, or one passenger more)
    again = book(customer, flight.id, NAMES, key="key-passengers-1")
    renamed = book(customer, flight.id, [NAMES[0], {**NAMES[1], "lastName": "Other"}], key="key-passengers-1")
    more = book(customer, flight.id, [*NAMES, NAMES[0]], key="key-passengers-1")
    runtime.settle()

    # Then the same list answers the same booking, another one is refused, and only two seats were taken
    assert again["id"] == first["id"]
    assert error_of(renamed)["errorType"] == "IdempotencyConflict"
    assert error_of(more)["errorType"] == "IdempotencyConflict"
    assert seats_left(flight.id) == 8


def test_a_booking_stored_before_passengers_were_named_reads_as_one_seat_at_the_ticket_price(runtime):
    # Given a confirmed booking and its seat hold as stored before passengers existed (no passengers, no price)
    customer, flight = a_customer(), flight_with(5, capacity=6)
    booking = a_booking(customer, flight.id)
    pk, sk = keys.booking(booking.id)
    BookingItem(
        pk,
        sk,
        gsi1pk=keys.customer(customer),
        gsi1sk=keys.customer_booking(booking.id),
        gsi2pk=keys.customer_status(customer, BookingStatus.CONFIRMED),
        gsi2sk=keys.customer_booking(booking.id),
        booking_id=booking.id,
        booking_reference=booking.booking_reference,
        status="CONFIRMED",
        customer=customer,
        outbound_flight_id=flight.id,
        created_at=booking.created_at,
        updated_at=booking.updated_at,
    ).save()
    hold_pk, hold_sk = keys.seat_hold(flight.id, booking.id)
    SeatHoldItem(hold_pk, hold_sk, booking_id=booking.id, created_at=datetime.now(UTC)).save()

    # When it is read, alone and in a list
    read = booking_store.get_booking(booking.id)
    (listed,) = booking_store.list_customer_bookings(customer, None, 10, None).items

    # Then it has no named passengers, holds one seat, and costs the flight's ticket price
    for found in (read, listed):
        assert (found.passengers, found.seats, found.total_price, found.currency) == ((), 1, PRICE, "GBP")
    # And cancelling it gives back its one seat
    assert call(customer, "cancelBooking", {"id": booking.id})["status"] == "CANCELLED"
    assert seats_left(flight.id) == 6


def test_releasing_another_number_of_seats_than_the_hold_took_gives_nothing_back(dynamodb):
    # Given a booking holding three seats
    flight = flight_with(10)
    assert flight_store.reserve_seats(flight.id, "booking-3", 3) is True

    # When a release names two seats, then one
    for wrong in (2, 1):
        with pytest.raises(SeatNotReserved):
            flight_store.release_seats(flight.id, "booking-3", wrong)

    # Then nothing came back until the right number is released, once
    assert seats_left(flight.id) == 7
    assert flight_store.release_seats(flight.id, "booking-3", 3) is True
    assert flight_store.release_seats(flight.id, "booking-3", 3) is False
    assert seats_left(flight.id) == 10


def test_concurrent_multi_passenger_bookings_never_oversell(runtime):
    # Given a flight with 20 seats and 30 customers each booking 1 to 4 passengers at the same moment
    rng = random.Random(14)
    flight = flight_with(20)
    parties = [(a_customer(), rng.randint(1, 4)) for _ in range(30)]
    barrier = Barrier(len(parties))

    def run(party: tuple[str, int]):
        customer, size = party
        barrier.wait()
        return book(customer, flight.id, passengers(size))

    with ThreadPoolExecutor(max_workers=len(parties)) as pool:
        answers = list(pool.map(run, parties))
    runtime.settle(timeout=180)

    # Then seats left + passengers of confirmed bookings = capacity, and no booking was split
    made = [answer for answer in answers if "__error" not in answer]
    assert {answer["__error"]["errorType"] for answer in answers if "__error" in answer} <= {"SeatsUnavailable"}
    final = [booking_store.get_booking(answer["id"]) for answer in made]
    confirmed = [b for b in final if b.status is BookingStatus.CONFIRMED]
    assert {b.status for b in final} <= {BookingStatus.CONFIRMED, BookingStatus.FAILED}
    left = seats_left(flight.id)
    assert left >= 0
    assert left + sum(len(b.passengers) for b in confirmed) == 20
    # And every confirmed booking captured its whole total, every failed one kept nothing
    for booking in final:
        payment = payment_store.get_payment(booking.id)
        if booking.status is BookingStatus.CONFIRMED:
            assert (payment.status, payment.amount) == (PaymentStatus.CAPTURED, len(booking.passengers) * PRICE)
        else:
            assert payment is None or payment.status in {PaymentStatus.VOIDED, PaymentStatus.REFUNDED}
    # And the race was real: more passengers asked than there were seats
    assert sum(size for _, size in parties) > 20
