"""The store makes one botocore client per process, whatever the models, threads and calls: a client in a new
botocore session costs about 90 ms of CPU here, and PynamoDB would make one per model class (and per thread racing
to the first call). Counted, not timed."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import botocore.session
import pytest

from resolvers import config
from resolvers.domain.models import BookingStatus
from resolvers.handlers.bookings import handler
from resolvers.store import bookings as booking_store
from resolvers.store import flights as flight_store
from resolvers.store import loyalty as loyalty_store
from resolvers.store import table
from tests.factories import a_customer, a_flight, booking_input, cognito, context, mutation_event

pytestmark = pytest.mark.dynamodb

CUSTOMERS = 8
BOOKINGS_EACH = 2


@pytest.fixture
def clients_made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The service name of every botocore client made from here on."""
    made: list[str] = []
    lock = threading.Lock()
    create_client = botocore.session.Session.create_client

    def counting(self: botocore.session.Session, service_name: str, *args: Any, **kwargs: Any) -> Any:
        with lock:
            made.append(service_name)
        return create_client(self, service_name, *args, **kwargs)

    monkeypatch.setattr(botocore.session.Session, "create_client", counting)
    return made


def test_customers_booking_at_once_through_the_saga_and_the_consumer_share_one_botocore_client(runtime, clients_made):
    # Given a flight, and the store bound afresh to the table, as a cold start binds it
    flight = a_flight(seat_capacity=50, seats_available=50)
    flight_store.put_flight(flight)
    settings = config.get_settings()
    table.bind(replace(settings, table_name=f"other-{uuid.uuid4().hex[:8]}"))
    clients_made.clear()
    table.bind(settings)

    # When 8 customers book twice each at once: the handler, 4 saga tasks and the loyalty consumer per booking,
    # in the caller's threads, the saga runner's and the event bus's
    def customer_books(customer: str) -> list[str]:
        ids = []
        for _ in range(BOOKINGS_EACH):
            event = mutation_event("initBooking", {"input": booking_input(flight.id)}, cognito(customer))
            ids.append(handler(event, context("bookings"))["id"])
        return ids

    customers = [a_customer() for _ in range(CUSTOMERS)]
    with ThreadPoolExecutor(CUSTOMERS) as pool:
        ids = [booking_id for booked in pool.map(customer_books, customers) for booking_id in booked]
    runtime.settle()

    # Then every booking is confirmed and credited, and the binding and all of it made one botocore client, which
    # every model, transaction and thread used
    assert [b.status for b in booking_store.get_bookings(ids)] == [BookingStatus.CONFIRMED] * len(ids)
    assert {loyalty_store.get_points(c) for c in customers} == {BOOKINGS_EACH * flight.ticket_price}
    assert clients_made == ["dynamodb"]
