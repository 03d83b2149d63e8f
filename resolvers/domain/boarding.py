"""Online check-in rules: when it is open, the seat map a flight's capacity gives, boarding groups, and the IATA Bar
Coded Boarding Pass (BCBP, Resolution 792) string a boarding pass's 2D barcode encodes."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from resolvers.domain.errors import CheckInNotAvailable

CHECK_IN_OPENS = timedelta(hours=24)
CHECK_IN_CLOSES = timedelta(hours=1)
# A single-aisle cabin: six seats a row, A to F.
SEAT_LETTERS = "ABCDEF"
# One cabin: economy.
COMPARTMENT = "Y"
BOARDING_GROUPS = ("1", "2", "3")


def check_in_window(departs: datetime, now: datetime) -> None:
    """Raises CheckInNotAvailable unless `now` is from 24 h until 1 h before `departs`, saying when it opens or that
    it has closed."""
    opens, closes = departs - CHECK_IN_OPENS, departs - CHECK_IN_CLOSES
    if now < opens:
        raise CheckInNotAvailable(
            f"Check-in opens 24 hours before departure, at {opens.strftime('%Y-%m-%dT%H:%M:%SZ')}",
            opensAt=opens.strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
    if now >= closes:
        raise CheckInNotAvailable(
            "Check-in closed 1 hour before departure; see an agent at the airport",
            closedAt=closes.strftime("%Y-%m-%dT%H:%M:%SZ"),
        )


def seat_map(capacity: int) -> list[str]:
    """Every seat of a flight of `capacity`, front to back: 1A .. 1F, 2A .. (the last row may be partial)."""
    return [f"{row}{letter}" for row in range(1, math.ceil(capacity / 6) + 1) for letter in SEAT_LETTERS][:capacity]


def boarding_group(seat: str, capacity: int) -> str:
    """Back rows board first: the cabin split into three groups of rows, group 1 the back third."""
    rows = max(1, math.ceil(capacity / len(SEAT_LETTERS)))
    row = int(re.match(r"\d+", seat).group())  # type: ignore[union-attr]
    third = min(2, (row - 1) * 3 // rows)  # 0 front .. 2 back
    return BOARDING_GROUPS[2 - third]


def _bcbp_name(first_name: str, last_name: str) -> str:
    """LAST/FIRST in capitals, letters without accents (the barcode's character set is ASCII), at most 20."""

    def ascii_letters(text: str) -> str:
        folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return re.sub(r"[^A-Z ]", "", folded.upper().replace("-", " ").replace("'", ""))

    return f"{ascii_letters(last_name)}/{ascii_letters(first_name)}"[:20]


@dataclass(frozen=True)
class BoardingPassData:
    first_name: str
    last_name: str
    booking_reference: str
    departure_airport: str
    arrival_airport: str
    flight_number: str
    departs: datetime
    seat: str
    sequence_number: int
    issued: datetime


def bcbp(data: BoardingPassData) -> str:
    """The M1 (one leg) BCBP string: the mandatory items, then the conditional section of version 6 with the
    boarding pass's issue (web check-in, issued as a boarding pass by the operating carrier)."""
    carrier, number = data.flight_number[:2], data.flight_number[2:]
    digits = re.match(r"\d+", number).group()  # type: ignore[union-attr]
    suffix = number[len(digits) :] or " "
    row = re.match(r"\d+", data.seat).group()  # type: ignore[union-attr]
    seat = f"{int(row):03d}{data.seat[len(row) :]}"
    # Unique conditional items: passenger description (0 adult), source of check-in and of issue (W web), date of
    # issue (last digit of the year and day of the year), document type (B boarding pass), issuer.
    unique = f"0WW{data.issued.year % 10}{data.issued.timetuple().tm_yday:03d}B{carrier:<3}"
    # Repeated conditional items: airline numeric code, document number, selectee, international documentation
    # verification (0 not required), marketing carrier, frequent flyer airline and number, ID/AD, free baggage
    # allowance, fast track; blank where the airline has nothing to say.
    repeated = f"{'':3}{'':10} 0{carrier:<3}{'':3}{'':16} {'':3}N"
    conditional = f">6{len(unique):02X}{unique}{len(repeated):02X}{repeated}"
    return (
        f"M1{_bcbp_name(data.first_name, data.last_name):<20}E{data.booking_reference:<7}"
        f"{data.departure_airport}{data.arrival_airport}{carrier:<3}{int(digits):04d}{suffix}"
        f"{data.departs.timetuple().tm_yday:03d}{COMPARTMENT}{seat}{data.sequence_number:04d} 1"
        f"{len(conditional):02X}{conditional}"
    )
