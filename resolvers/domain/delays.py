"""A flight's delay, as delayFlight answers it and onFlightDelayed delivers it (only the catalog makes one)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class FlightDelay:
    """A delay applied to a flight, with its new times and how many bookings it touches."""

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
