"""Typed results and inputs: one frozen dataclass per schema type the client uses, its fields the schema's in
snake_case, AppSync's scalars converted (AWSDateTime → aware datetime, AWSDate → date, enums → StrEnum)."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, Self


class FlightStatus(StrEnum):
    SCHEDULED = "SCHEDULED"
    DELAYED = "DELAYED"
    CANCELLED = "CANCELLED"


class BookingStatus(StrEnum):
    HELD = "HELD"
    """Seats taken, nothing charged, until hold_expires_at: pay_booking pays it, extend_hold prolongs it."""
    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"
    """A hold not paid by its hold_expires_at: its seats went back, nothing was charged."""

    @property
    def is_final(self) -> bool:
        """The booking will not change again by itself (only a cancel changes a CONFIRMED one). A HELD booking is
        not final: it is paid (PENDING, then CONFIRMED or FAILED) or it expires."""
        return self not in (BookingStatus.PENDING, BookingStatus.HELD)


class LoyaltyLevel(StrEnum):
    BRONZE = "BRONZE"
    SILVER = "SILVER"
    GOLD = "GOLD"


def graphql_name(field_name: str) -> str:
    """The schema's name of a model field: departure_airport_code → departureAirportCode."""
    head, *rest = field_name.split("_")
    return head + "".join(part.title() for part in rest)


def parse_datetime(value: str) -> datetime:
    """An AWSDateTime (ISO 8601 with a zone, `Z` included) as an aware datetime."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"AWSDateTime without a time zone: {value!r}")
    return parsed


def format_datetime(value: datetime) -> str:
    """An aware datetime as AWSDateTime, in UTC; a naive one is refused rather than guessed."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"a naive datetime cannot be sent as AWSDateTime: {value!r} (give it a tzinfo)")
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


_HINTS: dict[type, dict[str, Any]] = {}


def field_types(cls: type) -> dict[str, Any]:
    """A model's resolved field annotations (the annotations are strings under `from __future__`)."""
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    """(the type inside, whether None is allowed) for `X | None`; (X, False) otherwise."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(args) == 1:
            return args[0], True
    return annotation, False


def _from_wire(annotation: Any, value: Any) -> Any:
    inner, _ = unwrap_optional(annotation)
    if value is None:
        return None
    if typing.get_origin(inner) is list:
        (item,) = typing.get_args(inner)
        return [_from_wire(item, element) for element in value]
    if inner is datetime:
        return parse_datetime(value)
    if inner is date:
        return date.fromisoformat(value)
    if isinstance(inner, type) and issubclass(inner, Model):
        return inner.from_graphql(value)
    if isinstance(inner, type) and issubclass(inner, StrEnum):
        return inner(value)
    return value


def _to_wire(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, Model):
        return value.to_graphql()
    if isinstance(value, list):
        return [_to_wire(element) for element in value]
    return value


class Model:
    """What every model shares: built from the JSON of a GraphQL answer, or turned into a GraphQL input."""

    @classmethod
    def from_graphql(cls, data: Mapping[str, Any]) -> Self:
        hints = field_types(cls)
        values = {f.name: _from_wire(hints[f.name], data.get(graphql_name(f.name))) for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        return cls(**values)

    def to_graphql(self) -> dict[str, Any]:
        """The JSON of this object as a GraphQL input; fields left None are left out."""
        return {
            graphql_name(f.name): _to_wire(getattr(self, f.name))
            for f in dataclasses.fields(self)  # type: ignore[arg-type]
            if getattr(self, f.name) is not None
        }


@dataclasses.dataclass(frozen=True)
class Flight(Model):
    id: str
    flight_number: str
    departure_airport_code: str
    departure_airport_name: str
    departure_city: str
    departure_date_time: datetime
    arrival_airport_code: str
    arrival_airport_name: str
    arrival_city: str
    arrival_date_time: datetime
    ticket_price: int
    """In minor units of ticket_currency (pence, cents)."""
    ticket_currency: str
    seat_capacity: int
    seats_available: int
    status: FlightStatus
    delay_minutes: int


@dataclasses.dataclass(frozen=True)
class FlightConnection(Model):
    items: list[Flight]
    next_token: str | None


@dataclasses.dataclass(frozen=True)
class BoardingPass(Model):
    """Issued at check-in."""

    passenger_name: str
    flight_number: str
    seat: str
    boarding_group: str
    sequence_number: int
    barcode: str
    """The IATA BCBP (Resolution 792) M1 string the pass's 2D barcode encodes."""


@dataclasses.dataclass(frozen=True)
class Passenger(Model):
    """A named traveller on a booking; `seat` and `boarding_pass` are set at check-in."""

    first_name: str
    last_name: str
    seat: str | None = None
    boarding_pass: BoardingPass | None = None


@dataclasses.dataclass(frozen=True)
class PassengerInput(Model):
    """Who travels (PassengerInput): letters of any script, with spaces, hyphens or apostrophes; 1 to 50 each."""

    first_name: str
    last_name: str


@dataclasses.dataclass(frozen=True)
class Booking(Model):
    id: str
    booking_reference: str
    status: BookingStatus
    status_reason: str | None
    customer: str
    outbound_flight: Flight
    passengers: list[Passenger]
    """One seat each; empty only for a booking made before passengers were named (one seat)."""
    total_price: int
    """The ticket price times the seats, in minor units of currency: what the booking charges."""
    currency: str
    checked_in: bool
    hold_expires_at: datetime | None
    """Until when a HELD booking keeps its seats unpaid; None for a booking never held."""
    created_at: datetime
    updated_at: datetime


@dataclasses.dataclass(frozen=True)
class BookingConnection(Model):
    items: list[Booking]
    next_token: str | None


@dataclasses.dataclass(frozen=True)
class Loyalty(Model):
    customer: str
    points: int
    level: LoyaltyLevel
    remaining_points: int
    percentage: int


@dataclasses.dataclass(frozen=True)
class BookingStatusEvent(Model):
    booking_id: str
    customer: str
    status: BookingStatus
    booking_reference: str
    status_reason: str | None
    occurred_at: datetime


@dataclasses.dataclass(frozen=True)
class FlightDelay(Model):
    flight_id: str
    flight_number: str
    departure_airport_code: str
    arrival_airport_code: str
    delay_minutes: int
    reason: str
    departure_date_time: datetime
    arrival_date_time: datetime
    affected_bookings: int
    occurred_at: datetime


@dataclasses.dataclass(frozen=True)
class NewFlight(Model):
    """createFlight's input (CreateFlightInput)."""

    flight_number: str
    departure_airport_code: str
    departure_airport_name: str
    departure_city: str
    departure_date_time: datetime
    arrival_airport_code: str
    arrival_airport_name: str
    arrival_city: str
    arrival_date_time: datetime
    ticket_price: int
    ticket_currency: str
    seat_capacity: int


# Which model fills which schema type: the contract test walks this map.
OUTPUT_TYPES: dict[str, type[Model]] = {
    "Flight": Flight,
    "FlightConnection": FlightConnection,
    "Booking": Booking,
    "Passenger": Passenger,
    "BoardingPass": BoardingPass,
    "BookingConnection": BookingConnection,
    "Loyalty": Loyalty,
    "BookingStatusEvent": BookingStatusEvent,
    "FlightDelay": FlightDelay,
}
INPUT_TYPES: dict[str, type[Model]] = {"CreateFlightInput": NewFlight, "PassengerInput": PassengerInput}
