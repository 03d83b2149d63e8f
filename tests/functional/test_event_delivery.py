"""The local event bus delivers as EventBridge does: a failing consumer is retried with backoff, then its event is
dead-lettered; a retried delivery credits once."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest

from appsync.local.events.runtime import DEAD_LETTER_LIMIT, Delivery, EventRule, LocalEventBus
from resolvers import events
from resolvers.consumers import loyalty as loyalty_consumer
from resolvers.store import loyalty as loyalty_store
from tests.factories import a_customer, a_flight

pytestmark = pytest.mark.dynamodb

QUICK = Delivery(attempts=3, first_delay=0.001, max_delay=0.01)
calls: dict[str, int] = {}
_lock = threading.Lock()


def _count(booking_id: str) -> int:
    with _lock:
        calls[booking_id] = calls.get(booking_id, 0) + 1
        return calls[booking_id]


def flaky_loyalty(event: dict[str, Any], context: Any) -> Any:
    """The loyalty consumer behind a dependency that fails its first two calls for each booking."""
    if _count(event["detail"]["bookingId"]) <= 2:
        raise ConnectionError("DynamoDB Local is restarting")
    return loyalty_consumer.handler(event, context)


def broken_consumer(event: dict[str, Any], context: Any) -> Any:
    _count(event["detail"]["bookingId"])
    raise RuntimeError("this consumer always fails")


def _confirmed(customer: str, booking_id: str, amount: int) -> events.DomainEvent:
    detail = {"bookingId": booking_id, "customer": customer, "amount": amount, "currency": "GBP"}
    return events.DomainEvent(events.BOOKING_CONFIRMED, detail, subject=booking_id)


def _bus(handler: str, delivery: Delivery = QUICK) -> LocalEventBus:
    rule = EventRule("loyalty", loyalty_consumer.EVENT_TYPES, f"{__name__}.{handler}")
    return LocalEventBus(rules=(rule,), delivery=delivery)


def test_a_consumer_failing_twice_then_succeeding_is_retried_and_credits_once(dynamodb):
    # Given a loyalty consumer whose first two calls fail
    bus = _bus("flaky_loyalty")
    customer, booking_id = a_customer(), a_flight().id

    # When a booking.confirmed is published
    bus.publish([_confirmed(customer, booking_id, 6100)])
    bus.drain()
    bus.shutdown()

    # Then it was delivered three times, credited once, and nothing was dead-lettered
    assert calls[booking_id] == 3
    assert loyalty_store.get_points(customer) == 6100
    assert list(bus.dead_letters) == []


def test_a_consumer_that_always_fails_dead_letters_the_event_after_its_retries(dynamodb, caplog):
    # Given a consumer that always fails
    bus = _bus("broken_consumer")
    customer, booking_id = a_customer(), a_flight().id

    # When an event is published to it
    with caplog.at_level(logging.WARNING):
        bus.publish([_confirmed(customer, booking_id, 100)])
        bus.drain()
    bus.shutdown()

    # Then it was tried `attempts` times, then kept as a dead letter and logged as one
    assert calls[booking_id] == QUICK.attempts
    (letter,) = [letter for letter in bus.dead_letters if letter.event.subject == booking_id]
    assert (letter.rule, letter.attempts, letter.event.type) == ("loyalty", 3, events.BOOKING_CONFIRMED)
    assert letter.error == "RuntimeError: this consumer always fails"
    assert any(
        "dead-lettered" in record.getMessage() and booking_id in record.getMessage() for record in caplog.records
    )


def test_dead_letters_are_bounded(dynamodb):
    # Given a consumer that always fails, tried once
    bus = _bus("broken_consumer", Delivery(attempts=1))

    # When more events fail than the dead-letter queue keeps
    bus.publish([_confirmed(a_customer(), f"bounded-{i}", 1) for i in range(DEAD_LETTER_LIMIT + 5)])
    bus.drain()
    bus.shutdown()

    # Then only the newest are kept
    assert len(bus.dead_letters) == DEAD_LETTER_LIMIT
    assert f"bounded-{DEAD_LETTER_LIMIT + 4}" in {letter.event.subject for letter in bus.dead_letters}


def test_backoff_grows_and_is_capped():
    delivery = Delivery(attempts=5, first_delay=0.1, max_delay=0.3)
    assert all(0 <= delivery.delay(1) <= 0.1 for _ in range(50))
    assert all(0 <= delivery.delay(4) <= 0.3 for _ in range(50))
    assert max(delivery.delay(3) for _ in range(200)) > 0.1
