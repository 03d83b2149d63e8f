"""A typed Python client of the airline booking API (AWS AppSync, or the local AppSync), on gql."""

from airline_client.aio import AsyncAirlineClient
from airline_client.connection import ApiKey, Endpoint, Iam, Target, Token
from airline_client.errors import (
    AirlineError,
    ApiError,
    BookingNotCancellable,
    BookingTimeout,
    Conflict,
    IdempotencyConflict,
    InvalidRequest,
    NotAuthenticated,
    NotFound,
    SeatsUnavailable,
    TransportFailure,
    Unauthorized,
    ValidationError,
)
from airline_client.models import (
    Booking,
    BookingConnection,
    BookingStatus,
    BookingStatusEvent,
    Flight,
    FlightConnection,
    FlightDelay,
    FlightStatus,
    Loyalty,
    LoyaltyLevel,
    NewFlight,
)
from airline_client.retry import Backoff
from airline_client.sync import AirlineClient

__all__ = [
    "AirlineClient",
    "AirlineError",
    "ApiError",
    "ApiKey",
    "AsyncAirlineClient",
    "Backoff",
    "Booking",
    "BookingConnection",
    "BookingNotCancellable",
    "BookingStatus",
    "BookingStatusEvent",
    "BookingTimeout",
    "Conflict",
    "Endpoint",
    "Flight",
    "FlightConnection",
    "FlightDelay",
    "FlightStatus",
    "Iam",
    "IdempotencyConflict",
    "InvalidRequest",
    "Loyalty",
    "LoyaltyLevel",
    "NewFlight",
    "NotAuthenticated",
    "NotFound",
    "SeatsUnavailable",
    "Target",
    "Token",
    "TransportFailure",
    "Unauthorized",
    "ValidationError",
]
