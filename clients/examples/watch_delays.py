"""Watch delays of the flights on a route as they happen (a subscription; uses the async client).

    export AIRLINE_API_URL=http://127.0.0.1:4000/graphql     # what `airline dev` printed
    export AIRLINE_API_KEY=<the API key it printed>
    python clients/examples/watch_delays.py --from LGW --to MAD --count 1

Delay a flight to see one: an admin's `delayFlight` in GraphiQL, with `airline token ops --admin`.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from airline_client import AsyncAirlineClient


async def watch(departure: str, arrival: str | None, count: int | None) -> int:
    seen = 0
    # URL and credentials come from AIRLINE_API_URL and AIRLINE_API_KEY (or AIRLINE_TOKEN).
    async with AsyncAirlineClient() as client:
        print(f"Watching delays of flights from {departure}" + (f" to {arrival}" if arrival else ""), flush=True)
        # The API filters by departure airport; the arrival is checked here.
        async for delay in client.subscribe_flight_delays(departure_airport_code=departure):
            if arrival and delay.arrival_airport_code != arrival:
                continue
            print(
                f"{delay.flight_number} {delay.departure_airport_code}→{delay.arrival_airport_code} "
                f"delayed {delay.delay_minutes} min ({delay.reason}); "
                f"now departs {delay.departure_date_time:%Y-%m-%d %H:%M %Z}; "
                f"{delay.affected_bookings} bookings affected",
                flush=True,
            )
            seen += 1
            if count is not None and seen >= count:
                break
    return seen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--from", dest="departure", default="LGW", help="departure airport (default LGW)")
    parser.add_argument("--to", dest="arrival", help="arrival airport (default: any)")
    parser.add_argument("--count", type=int, help="stop after this many delays (default: watch until Ctrl-C)")
    parser.add_argument("--timeout", type=float, help="stop after this many seconds")
    args = parser.parse_args()
    try:
        asyncio.run(asyncio.wait_for(watch(args.departure, args.arrival, args.count), args.timeout))
    except TimeoutError:
        print(f"No more delays after {args.timeout} s")
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
