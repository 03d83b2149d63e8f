"""How late a hold expires locally: holds made at once, left unpaid, and the moment each became EXPIRED (the
notice subscribers get) measured against its holdExpiresAt.

Runs the real bookings handler, the local hold timer (hold.asl.json's Wait, the same file Step Functions runs) and
the in-process bus against a DynamoDB Local it starts itself. The hold timestamp is whole seconds rounded up, as
Step Functions truncates milliseconds: a lag of up to 1 s is by design, the rest is the task's work.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
sys.path.insert(0, str(ROOT))

from appsync.local import environment  # noqa: E402
from appsync.local.dynamodb.local import DynamoDBLocal  # noqa: E402
from appsync.local.events.runtime import LocalRuntime  # noqa: E402
from appsync.local.lambda_context import LocalLambdaContext  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--holds", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=3, help="HOLD_DURATION_SECONDS")
    args = parser.parse_args()
    os.environ["HOLD_DURATION_SECONDS"] = str(args.seconds)
    with DynamoDBLocal() as local:
        environment.configure(local.endpoint, Path(tempfile.mkdtemp()))
        from resolvers.domain.models import BookingStatus
        from resolvers.handlers.bookings import handler
        from resolvers.store import flights as flight_store
        from resolvers.store.table import create_table_if_missing
        from tests.factories import a_flight, cognito

        create_table_if_missing()
        flight = a_flight(seat_capacity=args.holds, seats_available=args.holds)
        flight_store.put_flight(flight)
        runtime = LocalRuntime().start()
        expired_at: dict[str, float] = {}
        done = threading.Event()

        def listen(booking: Any) -> None:
            if booking.status is BookingStatus.EXPIRED:
                expired_at.setdefault(booking.id, time.time())
                if len(expired_at) == args.holds:
                    done.set()

        runtime.notifier.listeners.append(listen)
        context = LocalLambdaContext("bookings")
        expiries: dict[str, float] = {}
        for _ in range(args.holds):
            event = {
                "arguments": {
                    "input": {
                        "outboundFlightId": flight.id,
                        "hold": True,
                        "idempotencyKey": str(uuid.uuid4()),
                        "passengers": [{"firstName": "Ada", "lastName": "Lovelace"}],
                    }
                },
                "identity": cognito(str(uuid.uuid4())),
                "info": {"parentTypeName": "Mutation", "fieldName": "initBooking"},
            }
            answer = handler(event, context)
            expiries[answer["id"]] = datetime.fromisoformat(answer["holdExpiresAt"].replace("Z", "+00:00")).timestamp()
        done.wait(args.seconds + 120)
        runtime.stop()
    lags = [(expired_at[booking] - expires) * 1000 for booking, expires in expiries.items() if booking in expired_at]
    load = os.getloadavg()[0]
    print(f"Hold expiry locally: {args.holds} holds of {args.seconds} s made one after another (load {load:.1f})\n")
    print("| expired | median lag | max | min |")
    print("|---:|---:|---:|---:|")
    median, longest, shortest = statistics.median(lags), max(lags), min(lags)
    print(f"| {len(lags)} of {args.holds} | {median:,.0f} ms | {longest:,.0f} ms | {shortest:,.0f} ms |")


if __name__ == "__main__":
    main()
