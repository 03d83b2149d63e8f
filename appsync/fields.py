"""The field → handler map: which Lambda resolves each field of schema.graphql, and the APPSYNC_JS code around it.
The CDK app and the local AppSync both read it, so a field is wired, and its code run, the same way in both."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = ROOT / "schema.graphql"
APPSYNC_DIR = Path(__file__).resolve().parent
BUILTINS_PATH = APPSYNC_DIR / "builtins.graphql"
# The resolver code (APPSYNC_JS) of a Lambda-mapped field, unless the field names its own.
LAMBDA_RESOLVER_CODE = APPSYNC_DIR / "lambda_resolver.js"
LAMBDA_BATCH_RESOLVER_CODE = APPSYNC_DIR / "lambda_batch_resolver.js"
RESOLVERS_DIR = APPSYNC_DIR / "resolvers"

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
    # Its own APPSYNC_JS file; else the shared Lambda resolver code (single or batch).
    own_code: Path | None = None

    @property
    def is_batch(self) -> bool:
        return self.max_batch_size > 0

    @property
    def code(self) -> Path:
        """The APPSYNC_JS file AppSync (and the local AppSync) runs around the Lambda: request, then response."""
        if self.own_code is not None:
            return self.own_code
        return LAMBDA_BATCH_RESOLVER_CODE if self.is_batch else LAMBDA_RESOLVER_CODE

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
    # Its response also ends the booking's status subscriptions (extensions.invalidateSubscriptions).
    FieldResolver("Mutation", "cancelBooking", "bookings", own_code=RESOLVERS_DIR / "cancel_booking.js"),
    FieldResolver("Mutation", "payBooking", "bookings"),
    FieldResolver("Mutation", "extendHold", "bookings"),
    FieldResolver("Mutation", "checkIn", "bookings"),
    FieldResolver("Mutation", "publishBookingStatus", "bookings"),
    FieldResolver("Mutation", "delayFlight", "catalog"),
    FieldResolver("Query", "getLoyalty", "loyalty"),
)

BY_FIELD: dict[tuple[str, str], FieldResolver] = {(f.type_name, f.field_name): f for f in FIELD_RESOLVERS}

SUBSCRIPTIONS_DIR = APPSYNC_DIR / "subscriptions"


@dataclass(frozen=True)
class SubscriptionField:
    """A subscription: AppSync delivers the results of the mutations its @aws_subscribe names to its subscribers.
    `code` (APPSYNC_JS on a NONE data source) runs when a client subscribes: it may refuse the subscription and sets
    its filters (extensions.setSubscriptionFilter); without code, the subscriber's non-null arguments must equal the
    result's fields."""

    field_name: str
    code: Path | None = None


SUBSCRIPTION_FIELDS: tuple[SubscriptionField, ...] = (
    SubscriptionField("onBookingStatusChanged", SUBSCRIPTIONS_DIR / "on_booking_status_changed.js"),
    SubscriptionField("onFlightDelayed", SUBSCRIPTIONS_DIR / "on_flight_delayed.js"),
)


def load_handler(function: str) -> Callable[[Any, Any], Any]:
    """Import a function's handler the way the Lambda runtime does, from its 'module.attribute' path."""
    module_name, _, attribute = FUNCTIONS[function].rpartition(".")
    handler: Callable[[Any, Any], Any] = getattr(importlib.import_module(module_name), attribute)
    return handler


def full_schema_sdl() -> str:
    """schema.graphql with AppSync's built-ins prepended: what graphql-core needs to build it."""
    return BUILTINS_PATH.read_text() + "\n" + SCHEMA_PATH.read_text()
