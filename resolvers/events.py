"""Domain events behind one small port: EventBridge on AWS, an in-process bus locally.

Every event carries an id made from what it is about (type and booking), so a consumer that receives it twice,
as EventBridge may deliver it, can tell and drop the duplicate.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from resolvers import config
from resolvers.ports import Port

SOURCE = "airline.booking"

BOOKING_CREATED = "booking.created"
BOOKING_CONFIRMED = "booking.confirmed"
BOOKING_FAILED = "booking.failed"
BOOKING_CANCELLED = "booking.cancelled"
BOOKING_CHECKED_IN = "booking.checked_in"
PAYMENT_PROCESSED = "payment.processed"
PAYMENT_REFUNDED = "payment.refunded"
FLIGHT_DELAYED = "flight.delayed"


@dataclass(frozen=True)
class DomainEvent:
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
