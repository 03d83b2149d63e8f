"""Booking latency locally: initBooking's answer, and initBooking to CONFIRMED through the saga, on DynamoDB Local.

Runs the real handlers, the local saga runner (the same ASL file as Step Functions, real retry intervals) and the
in-process event bus against a DynamoDB Local it starts itself. Prints median and p99 over the bookings.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from measure import percentile  # bench/measure.py

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
sys.path.insert(0, str(ROOT))

from appsync.local import environment  # noqa: E402
from appsync.local.dynamodb.local import DynamoDBLocal  # noqa: E402
from appsync.local.events.runtime import LocalRuntime  # noqa: E402
from appsync.local.lambda_context import LocalLambdaContext  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bookings", type=int, default=100)
    args = parser.parse_args()
    with DynamoDBLocal() as local:
        environment.configure(local.endpoint, Path(tempfile.mkdtemp()))
        from resolvers.domain.models import BookingStatus
        from resolvers.handlers.bookings import handler
        from resolvers.store import bookings as booking_store
        from resolvers.store.table import create_table_if_missing
        from tests.factories import a_flight, cognito

        create_table_if_missing()
        from resolvers.store import flights as flight_store

        flight = a_flight(seat_capacity=args.bookings + 10, seats_available=args.bookings + 10)
        flight_store.put_flight(flight)
        runtime = LocalRuntime().start()
        answered, confirmed = [], []
        context = LocalLambdaContext("bookings")
        for _ in range(args.bookings):
            customer = str(uuid.uuid4())
            event = {
                "arguments": {
                    "input": {
                        "outboundFlightId": flight.id,
                        "paymentToken": "tok_visa",
                        "idempotencyKey": str(uuid.uuid4()),
                        "passengers": [{"firstName": "Ada", "lastName": "Lovelace"}],
                    }
                },
                "identity": cognito(customer),
                "source": None,
                "request": {"headers": {"x-amzn-trace-id": f"Root={uuid.uuid4()}"}},
                "info": {
                    "fieldName": "initBooking",
                    "parentTypeName": "Mutation",
                    "variables": {},
                    "selectionSetList": ["id"],
                },
                "prev": None,
                "stash": {},
            }
            started = time.perf_counter()
            booking = handler(event, context)
            answered.append((time.perf_counter() - started) * 1000)
            runtime.runner.wait(booking["id"], timeout=60)
            confirmed.append((time.perf_counter() - started) * 1000)
            assert booking_store.get_booking(booking["id"]).status is BookingStatus.CONFIRMED
        runtime.stop()
    print(f"{args.bookings} bookings one after another, local saga runner on DynamoDB Local\n")
    print("| measure | median ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|")
    for name, samples in (("initBooking answers (PENDING)", answered), ("initBooking to CONFIRMED", confirmed)):
        print(f"| {name} | {statistics.median(samples):.1f} | {percentile(samples, 0.99):.1f} | {max(samples):.1f} |")


if __name__ == "__main__":
    main()
