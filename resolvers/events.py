"""Domain events behind one small port: EventBridge on AWS, an in-process bus locally.

Every event carries an id made from what it is about (type and booking), so a consumer that receives it twice,
as EventBridge may deliver it, can tell and drop the duplicate.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from resolvers import config
from resolvers.ports import Port

if TYPE_CHECKING:
    from resolvers.domain.delays import FlightDelay
    from resolvers.domain.models import Booking

SOURCE = "airline.booking"

BOOKING_CREATED = "booking.created"
BOOKING_CONFIRMED = "booking.confirmed"
BOOKING_FAILED = "booking.failed"
BOOKING_CANCELLED = "booking.cancelled"
BOOKING_CHECKED_IN = "booking.checked_in"
BOOKING_HELD = "booking.held"
BOOKING_EXPIRED = "booking.expired"
PAYMENT_PROCESSED = "payment.processed"
PAYMENT_REFUNDED = "payment.refunded"
FLIGHT_DELAYED = "flight.delayed"


@dataclass(frozen=True)
class DomainEvent:
    """Something that happened to a booking or a flight, as consumers receive it."""

    type: str
    detail: dict[str, Any]
    # What the event is about; with the type it makes the event id.
    subject: str
    occurred_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def id(self) -> str:
        return f"{self.type}:{self.subject}"

    def envelope_detail(self) -> dict[str, Any]:
        return {**self.detail, "eventId": self.id, "occurredAt": self.occurred_at.isoformat()}


# Each event's payload, defined once: the services publish these, the consumers and the CDK rules read them.
# (Domain types only for type checking: a saga task's cold start imports no model module for an event.)


def booking_created(booking: Booking) -> DomainEvent:
    return DomainEvent(
        BOOKING_CREATED,
        {
            "bookingId": booking.id,
            "customer": booking.customer,
            "outboundFlightId": booking.outbound_flight_id,
            "bookingReference": booking.booking_reference,
        },
        subject=booking.id,
    )


def payment_processed(booking_id: str, customer: str, amount: int, currency: str) -> DomainEvent:
    detail = {"bookingId": booking_id, "customer": customer, "amount": amount, "currency": currency}
    return DomainEvent(PAYMENT_PROCESSED, detail, subject=booking_id)


def booking_confirmed(booking: Booking, amount: int, currency: str) -> DomainEvent:
    """What the loyalty consumer credits: `amount` points for `customer`, once per `bookingId`."""
    return DomainEvent(
        BOOKING_CONFIRMED,
        {
            "bookingId": booking.id,
            "customer": booking.customer,
            "outboundFlightId": booking.outbound_flight_id,
            "bookingReference": booking.booking_reference,
            "amount": amount,
            "currency": currency,
        },
        subject=booking.id,
    )


def booking_failed(booking: Booking) -> DomainEvent:
    detail = {"bookingId": booking.id, "customer": booking.customer, "statusReason": booking.status_reason}
    return DomainEvent(BOOKING_FAILED, detail, subject=booking.id)


def booking_cancelled(booking: Booking) -> DomainEvent:
    detail = {"bookingId": booking.id, "customer": booking.customer, "outboundFlightId": booking.outbound_flight_id}
    return DomainEvent(BOOKING_CANCELLED, detail, subject=booking.id)


def booking_checked_in(booking: Booking) -> DomainEvent:
    detail = {
        "bookingId": booking.id,
        "customer": booking.customer,
        "outboundFlightId": booking.outbound_flight_id,
        "seats": [passenger.seat for passenger in booking.passengers],
    }
    return DomainEvent(BOOKING_CHECKED_IN, detail, subject=booking.id)


def booking_held(booking: Booking) -> DomainEvent:
    assert booking.hold_expires_at is not None
    detail = {
        "bookingId": booking.id,
        "customer": booking.customer,
        "outboundFlightId": booking.outbound_flight_id,
        "bookingReference": booking.booking_reference,
        "seats": booking.seats,
        "holdExpiresAt": booking.hold_expires_at.isoformat(),
    }
    return DomainEvent(BOOKING_HELD, detail, subject=booking.id)


def booking_expired(booking: Booking) -> DomainEvent:
    detail = {
        "bookingId": booking.id,
        "customer": booking.customer,
        "outboundFlightId": booking.outbound_flight_id,
        "seats": booking.seats,
    }
    return DomainEvent(BOOKING_EXPIRED, detail, subject=booking.id)


def payment_refunded(booking_id: str, amount: int, currency: str) -> DomainEvent:
    detail = {"bookingId": booking_id, "amount": amount, "currency": currency}
    return DomainEvent(PAYMENT_REFUNDED, detail, subject=booking_id)


def flight_delayed(delay: FlightDelay) -> DomainEvent:
    return DomainEvent(
        FLIGHT_DELAYED,
        {
            "flightId": delay.flight_id,
            "flightNumber": delay.flight_number,
            "departureAirportCode": delay.departure_airport_code,
            "delayMinutes": delay.delay_minutes,
            "reason": delay.reason,
            "departureDateTime": delay.departure_date_time.isoformat(),
            "affectedBookings": delay.affected_bookings,
        },
        subject=f"{delay.flight_id}:{delay.delay_minutes}",
    )


class EventBus(Protocol):
    def publish(self, events: list[DomainEvent]) -> None: ...


class EventBridgeBus:
    """Puts events on the EventBridge bus named by EVENT_BUS_NAME."""

    def __init__(self, bus_name: str, client: Any = None) -> None:
        self.bus_name = bus_name
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("events")
        return self._client

    def publish(self, events: list[DomainEvent]) -> None:
        entries = [
            {
                "Source": SOURCE,
                "DetailType": event.type,
                "Detail": json.dumps(event.envelope_detail()),
                "EventBusName": self.bus_name,
                "Time": event.occurred_at,
            }
            for event in events
        ]
        response = self.client.put_events(Entries=entries)
        if response.get("FailedEntryCount"):
            failed = [entry for entry in response["Entries"] if entry.get("ErrorCode")]
            raise RuntimeError(f"EventBridge refused {len(failed)} of {len(entries)} events: {failed}")


def _configured_bus() -> EventBus:
    name = os.environ.get(config.EVENT_BUS_NAME)
    if not name:
        raise config.ConfigError(f"{config.EVENT_BUS_NAME} is not set and no local event bus is installed")
    return EventBridgeBus(name)


_bus: Port[EventBus] = Port(_configured_bus)
# Install the bus events go to (the local runtime, tests); None goes back to the configured one.
use_bus = _bus.use
bus = _bus.get


def publish(*events: DomainEvent) -> None:
    bus().publish(list(events))
