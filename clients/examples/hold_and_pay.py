"""Hold seats on the first flight of a route without paying, extend the hold once, then pay it and wait for the
outcome: the pay-later flow of a travel agent who confirms with the customer before charging the card.

export AIRLINE_API_URL=http://127.0.0.1:4000/graphql     # what `airline dev` printed
export AIRLINE_TOKEN=$(.venv/bin/airline token alice)    # a customer's token
python clients/examples/hold_and_pay.py --from LGW --to MAD --passenger Ada Lovelace --passenger Alan Turing
"""

from __future__ import annotations

import argparse
import sys
import uuid

from airline_client import AirlineClient, BookingStatus, HoldExpired, PassengerInput


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--from", dest="departure", default="LGW", help="departure airport (default LGW)")
    parser.add_argument("--to", dest="arrival", default="MAD", help="arrival airport (default MAD)")
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
            (f for f in client.list_flights(args.departure, args.arrival) if f.seats_available >= len(passengers)),
            None,
        )
        if flight is None:
            print(f"No flight with {len(passengers)} seat(s) left from {args.departure} to {args.arrival}")
            return 1

        held = client.init_booking(flight.id, passengers=passengers, hold=True)
        print(f"Booking {held.booking_reference} is {held.status} until {held.hold_expires_at:%Y-%m-%d %H:%M %Z}")
        held = client.extend_hold(held.id)
        print(f"Extended: held until {held.hold_expires_at:%Y-%m-%d %H:%M %Z}")

        # One key for this payment attempt: sending it again (a retry, a double click) charges once.
        key = str(uuid.uuid4())
        try:
            booking = client.pay_booking(held.id, args.card, idempotency_key=key)
        except HoldExpired:
            print(f"Booking {held.booking_reference} expired before it was paid: its seats went back")
            return 1
        print(f"Paying {booking.total_price / 100:.2f} {booking.currency} ...")
        booking = client.wait_for_booking(booking.id, timeout=60)

    print(
        f"Booking {booking.booking_reference} is {booking.status}"
        + (f": {booking.status_reason}" if booking.status_reason else "")
    )
    return 0 if booking.status is BookingStatus.CONFIRMED else 1


if __name__ == "__main__":
    sys.exit(main())
