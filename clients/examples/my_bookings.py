"""List my bookings, newest first, and my loyalty points.

export AIRLINE_API_URL=http://127.0.0.1:4000/graphql     # what `airline dev` printed
export AIRLINE_TOKEN=$(.venv/bin/airline token alice)    # a customer's token
python clients/examples/my_bookings.py [--status CONFIRMED]
"""

from __future__ import annotations

import argparse
import sys

from airline_client import AirlineClient, BookingStatus


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--status", type=BookingStatus, choices=list(BookingStatus), help="only bookings in this status"
    )
    args = parser.parse_args()

    # URL and credentials come from AIRLINE_API_URL and AIRLINE_TOKEN.
    with AirlineClient() as client:
        count = 0
        for booking in client.list_bookings(args.status):
            flight = booking.outbound_flight
            print(
                f"{booking.booking_reference}  {booking.status:<9}  {flight.flight_number} "
                f"{flight.departure_airport_code}→{flight.arrival_airport_code} "
                f"{flight.departure_date_time:%Y-%m-%d %H:%M %Z}  "
                f"{len(booking.passengers) or 1} seat(s), {booking.total_price / 100:.2f} {booking.currency}  "
                f"booked {booking.created_at:%Y-%m-%d}"
            )
            count += 1
        print(f"{count} bookings")

        loyalty = client.get_loyalty()
    print(
        f"Loyalty: {loyalty.points} points, {loyalty.level}; "
        f"{loyalty.remaining_points} to the next level ({loyalty.percentage}% of the way)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
