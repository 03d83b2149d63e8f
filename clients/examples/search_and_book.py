"""Search a route, book the first flight with a seat left, and wait for the booking's outcome.

export AIRLINE_API_URL=http://127.0.0.1:4000/graphql     # what `airline dev` printed
export AIRLINE_TOKEN=$(.venv/bin/airline token alice)    # a customer's token
python clients/examples/search_and_book.py --from LGW --to MAD --passenger Ada Lovelace --passenger Alan Turing
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

from airline_client import AirlineClient, BookingStatus, PassengerInput


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--from", dest="departure", default="LGW", help="departure airport (default LGW)")
    parser.add_argument("--to", dest="arrival", default="MAD", help="arrival airport (default MAD)")
    parser.add_argument("--date", type=date.fromisoformat, help="departure date, YYYY-MM-DD (default: from now on)")
    parser.add_argument("--card", default="tok_visa", help="payment token (sandbox: tok_visa, tok_declined, ...)")
    parser.add_argument(
        "--passenger",
        nargs=2,
        action="append",
        metavar=("FIRST", "LAST"),
        help="a traveller's first and last name; repeat for up to 9 (default: Ada Lovelace)",
    )
    args = parser.parse_args()
    passengers = [PassengerInput(first, last) for first, last in args.passenger or [("Ada", "Lovelace")]]

    # URL and credentials come from AIRLINE_API_URL and AIRLINE_TOKEN.
    with AirlineClient() as client:
        flight = next(
            (
                f
                for f in client.list_flights(args.departure, args.arrival, args.date)
                if f.seats_available >= len(passengers)
            ),
            None,
        )
        if flight is None:
            print(f"No flight with {len(passengers)} seat(s) left from {args.departure} to {args.arrival}")
            return 1
        print(f"Booking {flight.flight_number} {flight.departure_date_time:%Y-%m-%d %H:%M %Z} for {len(passengers)}")

        booking = client.init_booking(flight.id, args.card, passengers=passengers)
        total = f"{booking.total_price / 100:.2f} {booking.currency}"
        travellers = ", ".join(f"{p.first_name} {p.last_name}" for p in booking.passengers)
        print(f"{travellers}: {total}")
        print(f"Booking {booking.booking_reference} is {booking.status}; waiting for the outcome ...")
        booking = client.wait_for_booking(booking.id, timeout=60)

    print(
        f"Booking {booking.booking_reference} is {booking.status}"
        + (f": {booking.status_reason}" if booking.status_reason else "")
    )
    return 0 if booking.status is BookingStatus.CONFIRMED else 1


if __name__ == "__main__":
    sys.exit(main())
