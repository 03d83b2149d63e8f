"""Typed, validated inputs: each parser turns raw GraphQL arguments into a domain input or a ValidationError."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from resolvers.domain.errors import ValidationError
from resolvers.domain.models import BookingStatus, BookingStatusEvent, Passenger

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_TOKEN_LENGTH = 2048
MAX_SEAT_CAPACITY = 1000
MAX_TICKET_PRICE = 10_000_000  # minor units
MAX_NAME_LENGTH = 100
MAX_FLIGHT_DURATION = timedelta(hours=24)
# Flights are scheduled at most this far ahead: keeps every date the store derives (arrival, delays) in range.
MAX_SCHEDULE_AHEAD = timedelta(days=2 * 366)
MAX_DATE_TIME_LENGTH = 64

_AIRPORT_CODE = re.compile(r"[A-Z]{3}")
_CURRENCY = re.compile(r"[A-Z]{3}")
_FLIGHT_NUMBER = re.compile(r"[A-Z0-9]{2}[0-9]{1,4}[A-Z]?")
# A customer id is a Cognito sub (a UUID) or another opaque id without separators of our keys.
# A ULID: 26 characters of Crockford base32, the first at most 7 (a 48-bit timestamp). Checked by pattern so
# that handlers need not import a ULID library at cold start.
_ULID = re.compile(r"[0-7][0-9A-HJKMNP-TV-Z]{25}")
_CUSTOMER_ID = re.compile(r"[A-Za-z0-9_.@:-]{1,128}")


def airport_code(value: Any, field: str) -> str:
    if not isinstance(value, str) or not _AIRPORT_CODE.fullmatch(value):
        raise ValidationError(field, "must be a three-letter IATA airport code in upper case, like LGW")
    return value


def entity_id(value: Any, field: str) -> str:
    """Ids of flights and bookings are ULIDs."""
    if not isinstance(value, str) or not _ULID.fullmatch(value.upper()):
        raise ValidationError(field, "is not a valid id")
    return value.upper()


def customer_id(value: Any, field: str) -> str:
    if not isinstance(value, str) or not _CUSTOMER_ID.fullmatch(value):
        raise ValidationError(field, "is not a valid customer id")
    return value


def aws_date(value: Any, field: str) -> date:
    if not isinstance(value, str) or len(value) > MAX_DATE_TIME_LENGTH:
        raise ValidationError(field, "must be a date like 2026-01-31")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError(field, "must be a date like 2026-01-31") from exc


def aws_date_time(value: Any, field: str) -> datetime:
    """An AWSDateTime: ISO 8601 with a time zone; returned in UTC."""
    if not isinstance(value, str) or len(value) > MAX_DATE_TIME_LENGTH:
        raise ValidationError(field, "must be a date-time like 2026-01-31T09:30:00Z")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError(field, "must be a date-time like 2026-01-31T09:30:00Z") from exc
    if parsed.tzinfo is None:
        raise ValidationError(field, "must carry a time zone offset, like Z or +01:00")
    try:
        # An offset that moves the instant out of years 1 to 9999 (0001-01-01T00:00+01:00) cannot be in UTC.
        return parsed.astimezone(UTC)
    except OverflowError as exc:
        raise ValidationError(field, "is out of range") from exc


def bounded_int(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(field, f"must be a whole number from {low} to {high}")
    return value


def text(value: Any, field: str, max_length: int = MAX_NAME_LENGTH) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > max_length:
        raise ValidationError(field, f"must be between 1 and {max_length} characters")
    return value.strip()


@dataclass(frozen=True)
class PageRequest:
    limit: int
    next_token: str | None

    @classmethod
    def parse(cls, limit: Any = None, next_token: Any = None) -> PageRequest:
        size = DEFAULT_PAGE_SIZE if limit is None else bounded_int(limit, "limit", 1, MAX_PAGE_SIZE)
        if next_token is not None and (
            not isinstance(next_token, str) or not next_token or len(next_token) > MAX_TOKEN_LENGTH
        ):
            raise ValidationError("nextToken", "is not a valid pagination token")
        return cls(limit=size, next_token=next_token)


@dataclass(frozen=True)
class FlightSearch:
    departure_airport_code: str
    arrival_airport_code: str
    departure_date: date | None

    @classmethod
    def parse(cls, raw: Any) -> FlightSearch:
        if not isinstance(raw, dict):
            raise ValidationError("filter", "is required")
        departure_date = raw.get("departureDate")
        return cls(
            departure_airport_code=airport_code(raw.get("departureAirportCode"), "filter.departureAirportCode"),
            arrival_airport_code=airport_code(raw.get("arrivalAirportCode"), "filter.arrivalAirportCode"),
            departure_date=None if departure_date is None else aws_date(departure_date, "filter.departureDate"),
        )


@dataclass(frozen=True)
class BookingSearch:
    status: BookingStatus | None
    customer: str | None

    @classmethod
    def parse(cls, raw: Any) -> BookingSearch:
        raw = raw or {}
        if not isinstance(raw, dict):
            raise ValidationError("filter", "must be an object")
        status = raw.get("status")
        if status is not None and status not in BookingStatus.__members__:
            raise ValidationError("filter.status", f"must be one of {', '.join(BookingStatus)}")
        customer = raw.get("customer")
        return cls(
            status=None if status is None else BookingStatus(status),
            customer=None if customer is None else customer_id(customer, "filter.customer"),
        )


@dataclass(frozen=True)
class NewFlight:
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

    @classmethod
    def parse(cls, raw: Any, now: datetime | None = None) -> NewFlight:
        if not isinstance(raw, dict):
            raise ValidationError("input", "is required")
        now = now or datetime.now(UTC)
        flight_number = raw.get("flightNumber")
        if not isinstance(flight_number, str) or not _FLIGHT_NUMBER.fullmatch(flight_number):
            raise ValidationError("input.flightNumber", "must be an airline code and a number, like FR1234")
        departure_code = airport_code(raw.get("departureAirportCode"), "input.departureAirportCode")
        arrival_code = airport_code(raw.get("arrivalAirportCode"), "input.arrivalAirportCode")
        if departure_code == arrival_code:
            raise ValidationError("input.arrivalAirportCode", "must differ from the departure airport")
        departs = aws_date_time(raw.get("departureDateTime"), "input.departureDateTime")
        arrives = aws_date_time(raw.get("arrivalDateTime"), "input.arrivalDateTime")
        if departs <= now:
            raise ValidationError("input.departureDateTime", "must be in the future")
        if departs > now + MAX_SCHEDULE_AHEAD:
            raise ValidationError("input.departureDateTime", f"must be within {MAX_SCHEDULE_AHEAD.days} days from now")
        if not departs < arrives <= departs + MAX_FLIGHT_DURATION:
            raise ValidationError("input.arrivalDateTime", "must be after departure and within 24 hours of it")
        currency = raw.get("ticketCurrency")
        if not isinstance(currency, str) or not _CURRENCY.fullmatch(currency):
            raise ValidationError("input.ticketCurrency", "must be an ISO 4217 code in upper case, like EUR")
        return cls(
            flight_number=flight_number,
            departure_airport_code=departure_code,
            departure_airport_name=text(raw.get("departureAirportName"), "input.departureAirportName"),
            departure_city=text(raw.get("departureCity"), "input.departureCity"),
            departure_date_time=departs,
            arrival_airport_code=arrival_code,
            arrival_airport_name=text(raw.get("arrivalAirportName"), "input.arrivalAirportName"),
            arrival_city=text(raw.get("arrivalCity"), "input.arrivalCity"),
            arrival_date_time=arrives,
            ticket_price=bounded_int(raw.get("ticketPrice"), "input.ticketPrice", 1, MAX_TICKET_PRICE),
            ticket_currency=currency,
            seat_capacity=bounded_int(raw.get("seatCapacity"), "input.seatCapacity", 1, MAX_SEAT_CAPACITY),
        )


_PAYMENT_TOKEN = re.compile(r"[A-Za-z0-9_-]{3,128}")
_IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_.:-]{8,64}")
MAX_PASSENGERS = 9
MAX_PASSENGER_NAME_LENGTH = 50
# Space, hyphen, apostrophe and the typographic apostrophe (U+2019) that phones type.
_NAME_SEPARATORS = frozenset(" '\u2019-")


def _is_name(name: str) -> bool:
    """Words of letters of any script (with their combining marks: "प्रिया", "Nguyễn") joined by one space, hyphen
    or apostrophe: "Anne-Marie", "O'Brien", "José María"."""
    after_separator = True
    for char in name:
        category = unicodedata.category(char)
        if category.startswith("L") or (category.startswith("M") and not after_separator):
            after_separator = False
        elif char in _NAME_SEPARATORS and not after_separator:
            after_separator = True
        else:
            return False
    return not after_separator


def passenger_name(value: Any, field: str) -> str:
    """A first or last name as printed on a ticket: NFC-normalised, runs of spaces made one."""
    if not isinstance(value, str):
        raise ValidationError(field, "is required")
    name = " ".join(unicodedata.normalize("NFC", value).split())
    if not name:
        raise ValidationError(field, "must not be empty")
    if len(name) > MAX_PASSENGER_NAME_LENGTH:
        raise ValidationError(field, f"must be at most {MAX_PASSENGER_NAME_LENGTH} characters")
    if not _is_name(name):
        raise ValidationError(field, "may hold only letters, spaces, hyphens and apostrophes, starting with a letter")
    return name


def passengers(value: Any, field: str) -> tuple[Passenger, ...]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_PASSENGERS:
        raise ValidationError(field, f"must list 1 to {MAX_PASSENGERS} passengers")
    parsed = []
    for index, raw in enumerate(value):
        at = f"{field}[{index}]"
        if not isinstance(raw, dict):
            raise ValidationError(at, "must be a passenger with firstName and lastName")
        parsed.append(
            Passenger(
                first_name=passenger_name(raw.get("firstName"), f"{at}.firstName"),
                last_name=passenger_name(raw.get("lastName"), f"{at}.lastName"),
            )
        )
    return tuple(parsed)


@dataclass(frozen=True)
class NewBooking:
    outbound_flight_id: str
    # None for a hold: payBooking brings the token later.
    payment_token: str | None
    idempotency_key: str
    customer: str | None
    passengers: tuple[Passenger, ...]
    hold: bool = False

    @classmethod
    def parse(cls, raw: Any) -> NewBooking:
        if not isinstance(raw, dict):
            raise ValidationError("input", "is required")
        hold = raw.get("hold")
        if hold is not None and not isinstance(hold, bool):
            raise ValidationError("input.hold", "must be true or false")
        token = raw.get("paymentToken")
        if hold:
            if token is not None:
                raise ValidationError("input.paymentToken", "must be left out of a hold: payBooking takes it")
        else:
            token = payment_token(token, "input.paymentToken")
        customer = raw.get("customer")
        return cls(
            outbound_flight_id=entity_id(raw.get("outboundFlightId"), "input.outboundFlightId"),
            payment_token=token,
            idempotency_key=idempotency_key(raw.get("idempotencyKey"), "input.idempotencyKey"),
            customer=None if customer is None else customer_id(customer, "input.customer"),
            passengers=passengers(raw.get("passengers"), "input.passengers"),
            hold=bool(hold),
        )


def payment_token(raw: Any, field: str) -> str:
    if not isinstance(raw, str) or not _PAYMENT_TOKEN.fullmatch(raw):
        raise ValidationError(field, "must be a payment token of 3 to 128 letters, digits, - or _")
    return raw


def idempotency_key(raw: Any, field: str) -> str:
    if not isinstance(raw, str) or not _IDEMPOTENCY_KEY.fullmatch(raw):
        raise ValidationError(field, "must be 8 to 64 letters, digits or . _ : - (a UUID is a good choice)")
    return raw


MAX_DELAY_MINUTES = 24 * 60
MAX_REASON_LENGTH = 200


@dataclass(frozen=True)
class FlightDelayRequest:
    flight_id: str
    delay_minutes: int
    reason: str

    @classmethod
    def parse(cls, raw: Any) -> FlightDelayRequest:
        if not isinstance(raw, dict):
            raise ValidationError("input", "is required")
        return cls(
            flight_id=entity_id(raw.get("flightId"), "input.flightId"),
            delay_minutes=bounded_int(raw.get("delayMinutes"), "input.delayMinutes", 1, MAX_DELAY_MINUTES),
            reason=text(raw.get("reason"), "input.reason", MAX_REASON_LENGTH),
        )


def booking_status_event(raw: Any) -> BookingStatusEvent:
    """publishBookingStatus's input."""
    if not isinstance(raw, dict):
        raise ValidationError("input", "is required")
    status = raw.get("status")
    if not isinstance(status, str) or status not in BookingStatus.__members__:
        raise ValidationError("input.status", f"must be one of {', '.join(BookingStatus)}")
    reason = raw.get("statusReason")
    return BookingStatusEvent(
        booking_id=entity_id(raw.get("bookingId"), "input.bookingId"),
        customer=customer_id(raw.get("customer"), "input.customer"),
        status=BookingStatus(status),
        booking_reference=text(raw.get("bookingReference"), "input.bookingReference", 6),
        status_reason=None if reason is None else text(reason, "input.statusReason", MAX_REASON_LENGTH),
        occurred_at=aws_date_time(raw.get("occurredAt"), "input.occurredAt"),
    )
