"""Seats under contention on DynamoDB Local: conditional transactions never oversell or over-release."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from ulid import ULID

from resolvers.domain.errors import SeatsUnavailable
from resolvers.services.catalog import require_flight
from resolvers.store import flights as flight_store
from tests.factories import a_flight

pytestmark = pytest.mark.dynamodb

THREADS = 200
SEATS = 50


def _race(action, booking_ids: list[str]) -> list[object]:
    barrier = Barrier(len(booking_ids))

    def attempt(booking_id: str) -> object:
        barrier.wait()
        try:
            return action(booking_id)
        except SeatsUnavailable as exc:
            return exc

    with ThreadPoolExecutor(max_workers=len(booking_ids)) as pool:
        return list(pool.map(attempt, booking_ids))


def test_200_concurrent_reservations_for_50_seats_sell_exactly_50_and_50_releases_give_them_back(dynamodb):
    # Given a flight with 50 seats
    flight = a_flight(seat_capacity=SEATS, seats_available=SEATS)
    flight_store.put_flight(flight)
    bookings = [str(ULID()) for _ in range(THREADS)]

    # When 200 bookings try to reserve a seat at the same moment
    results = _race(lambda booking: flight_store.reserve_seats(flight.id, booking, 1), bookings)

    # Then exactly 50 succeed, 150 are told no seats are left, and none are left
    winners = [booking for booking, result in zip(bookings, results, strict=True) if result is True]
    refused = [result for result in results if isinstance(result, SeatsUnavailable)]
    assert len(winners) == SEATS
    assert len(refused) == THREADS - SEATS
    assert require_flight(flight.id).seats_available == 0

    # When the 50 winners release their seats concurrently
    released = _race(lambda booking: flight_store.release_seats(flight.id, booking, 1), winners)

    # Then all 50 come back, and one more release (of a booking holding no seat) is refused
    assert released == [True] * SEATS
    assert require_flight(flight.id).seats_available == SEATS
    assert flight_store.release_seats(flight.id, bookings[-1], 1) is False
    assert require_flight(flight.id).seats_available == SEATS


def test_a_repeated_reservation_for_one_booking_takes_one_seat(dynamodb):
    flight = a_flight(seat_capacity=3, seats_available=3)
    flight_store.put_flight(flight)
    booking = str(ULID())

    results = _race(lambda _: flight_store.reserve_seats(flight.id, booking, 1), [booking] * 10)

    assert results.count(True) == 1
    assert results.count(False) == 9
    assert require_flight(flight.id).seats_available == 2
    assert flight_store.release_seats(flight.id, booking, 1) is True
    assert flight_store.release_seats(flight.id, booking, 1) is False
    assert require_flight(flight.id).seats_available == 3


def test_reserving_on_a_missing_flight_is_not_found(dynamodb):
    from resolvers.domain.errors import NotFound

    with pytest.raises(NotFound):
        flight_store.reserve_seats(str(ULID()), str(ULID()), 1)
