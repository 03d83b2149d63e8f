"""Sample flights for the local API: several routes, every day of the coming weeks, relative to today."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from ulid import ULID

from resolvers.domain.models import Flight, FlightStatus
from resolvers.store import flights as flight_store


@dataclass(frozen=True)
class Airport:
    code: str
    name: str
    city: str


LGW = Airport("LGW", "London Gatwick", "London")
MAD = Airport("MAD", "Adolfo Suárez Madrid-Barajas", "Madrid")
CDG = Airport("CDG", "Paris Charles de Gaulle", "Paris")
BCN = Airport("BCN", "Barcelona-El Prat", "Barcelona")
FCO = Airport("FCO", "Rome Fiumicino", "Rome")


@dataclass(frozen=True)
class Route:
    departure: Airport
    arrival: Airport
    flight_number: str
    minutes: int
    price: int  # minor units
    currency: str
    departures: tuple[time, ...]
    seats: int = 180


ROUTES: tuple[Route, ...] = (
    Route(LGW, MAD, "AW1812", 140, 8_900, "GBP", (time(7, 15), time(13, 40), time(19, 5))),
    Route(MAD, LGW, "AW1813", 145, 10_400, "EUR", (time(10, 30), time(16, 55), time(21, 20))),
    Route(LGW, CDG, "AW310", 75, 6_500, "GBP", (time(8, 0), time(17, 30))),
    Route(CDG, LGW, "AW311", 80, 7_600, "EUR", (time(11, 0), time(20, 15))),
    Route(MAD, BCN, "AW2210", 85, 5_900, "EUR", (time(9, 45), time(18, 0))),
    Route(BCN, MAD, "AW2211", 85, 5_900, "EUR", (time(12, 30), time(20, 45))),
    Route(LGW, FCO, "AW502", 150, 11_900, "GBP", (time(6, 50),)),
    Route(FCO, LGW, "AW503", 160, 13_900, "EUR", (time(11, 40),)),
)

DEFAULT_DAYS = 28


def _flight_id(flight_number: str, departs: datetime) -> str:
    """The same flight on the same day always gets the same id, so seeding twice adds nothing."""
    digest = hashlib.sha256(f"{flight_number}@{departs.isoformat()}".encode()).digest()[:10]
    millis = int(departs.timestamp() * 1000).to_bytes(6, "big")
    return str(ULID.from_bytes(millis + digest))


def _slot_number(first: str, slot: int) -> str:
    """The flight number of a route's `slot`-th departure of the day: outbound numbers even, return ones odd
    (AW1812, AW1814, ... and AW1813, AW1815, ...), so no number is used in both directions."""
    prefix, digits = first[:2], first[2:]
    return f"{prefix}{int(digits) + 2 * slot}"


def sample_flights(today: date, days: int = DEFAULT_DAYS) -> list[Flight]:
    """Flights from `today` for `days` days on every sample route."""
    flights = []
    for offset in range(days):
        day = today + timedelta(days=offset)
        for route in ROUTES:
            for slot, departure_time in enumerate(route.departures):
                departs = datetime.combine(day, departure_time, tzinfo=UTC)
                number = _slot_number(route.flight_number, slot)
                flights.append(
                    Flight(
                        id=_flight_id(number, departs),
                        flight_number=number,
                        departure_airport_code=route.departure.code,
                        departure_airport_name=route.departure.name,
                        departure_city=route.departure.city,
                        departure_date_time=departs,
                        arrival_airport_code=route.arrival.code,
                        arrival_airport_name=route.arrival.name,
                        arrival_city=route.arrival.city,
                        arrival_date_time=departs + timedelta(minutes=route.minutes),
                        ticket_price=route.price,
                        ticket_currency=route.currency,
                        seat_capacity=route.seats,
                        seats_available=route.seats,
                        status=FlightStatus.SCHEDULED,
                    )
                )
    return flights


def seed(today: date | None = None, days: int = DEFAULT_DAYS) -> int:
    """Write the sample flights that are not in the table yet; returns how many were added."""
    candidates = sample_flights(today or datetime.now(UTC).date(), days)
    existing = flight_store.get_flights([flight.id for flight in candidates])
    new = [flight for flight in candidates if flight.id not in existing]
    flight_store.put_flights(new)
    return len(new)
