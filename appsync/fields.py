"""The field → handler map: which Lambda resolves each field of schema.graphql. The CDK app and the local
AppSync both read it, so a field is wired the same way in both runtimes."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = ROOT / "schema.graphql"
BUILTINS_PATH = Path(__file__).resolve().parent / "builtins.graphql"

# One Lambda function per domain: its name and the handler it runs.
FUNCTIONS: dict[str, str] = {
    "catalog": "resolvers.handlers.flights.handler",
    "bookings": "resolvers.handlers.bookings.handler",
    "loyalty": "resolvers.handlers.loyalty.handler",
}


@dataclass(frozen=True)
class FieldResolver:
    type_name: str
    field_name: str
    function: str
    # Batch fields are resolved with one BatchInvoke for all parents in a response (AppSync's batching).
    max_batch_size: int = 0

    @property
    def is_batch(self) -> bool:
        return self.max_batch_size > 0

    @property
    def handler_path(self) -> str:
        return FUNCTIONS[self.function]


FIELD_RESOLVERS: tuple[FieldResolver, ...] = (
    FieldResolver("Query", "listFlights", "catalog"),
    FieldResolver("Query", "getFlight", "catalog"),
    FieldResolver("Mutation", "createFlight", "catalog"),
    FieldResolver("Booking", "outboundFlight", "catalog", max_batch_size=100),
    FieldResolver("Query", "getBooking", "bookings"),
    FieldResolver("Query", "listBookings", "bookings"),
    FieldResolver("Mutation", "initBooking", "bookings"),
    FieldResolver("Mutation", "cancelBooking", "bookings"),
    FieldResolver("Mutation", "publishBookingStatus", "bookings"),
    FieldResolver("Mutation", "delayFlight", "catalog"),
    FieldResolver("Query", "getLoyalty", "loyalty"),
)

BY_FIELD: dict[tuple[str, str], FieldResolver] = {(f.type_name, f.field_name): f for f in FIELD_RESOLVERS}

SUBSCRIPTIONS_DIR = Path(__file__).resolve().parent / "subscriptions"


@dataclass(frozen=True)
class SubscriptionField:
    """A subscription: AppSync delivers the results of the mutations its @aws_subscribe names to subscribers
    whose non-null arguments equal the result's fields. `code` (APPSYNC_JS on a NONE data source) runs when a
    client subscribes, to refuse what the directives alone cannot (another customer's bookings)."""

    field_name: str
    code: Path | None = None


SUBSCRIPTION_FIELDS: tuple[SubscriptionField, ...] = (
    SubscriptionField("onBookingStatusChanged", SUBSCRIPTIONS_DIR / "on_booking_status_changed.js"),
    SubscriptionField("onFlightDelayed"),
)


def load_handler(function: str) -> Callable[[Any, Any], Any]:
    """Import a function's handler the way the Lambda runtime does, from its 'module.attribute' path."""
    module_name, _, attribute = FUNCTIONS[function].rpartition(".")
    handler: Callable[[Any, Any], Any] = getattr(importlib.import_module(module_name), attribute)
    return handler


def full_schema_sdl() -> str:
    """schema.graphql with AppSync's built-ins prepended: what graphql-core needs to build it."""
    return BUILTINS_PATH.read_text() + "\n" + SCHEMA_PATH.read_text()
