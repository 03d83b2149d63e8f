"""Local booking throughput: 200 bookings by 16 customers at once through the real handlers, the local saga runner
(the ASL file, real retry intervals) and the in-process event bus, on a DynamoDB Local this script starts.

Beside it, in the same run and on the same DynamoDB Local, the floor: 16 threads writing three-item transactions
(what initBooking's write is) as fast as DynamoDB Local takes them. Prints confirmed bookings per second, the
process's CPU time per confirmed booking (this process only: DynamoDB Local's JVM is not counted), and bookings per
floor transaction, the ratio that says how much of the machine our Python takes. `--profile out.prof` writes a
cProfile of the booking run: each thread's CPU time, so waiting for the GIL or for DynamoDB Local counts as nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
sys.path.insert(0, str(ROOT))


def floor_transactions(endpoint: str, table: str, count: int, threads: int) -> float:
    """Three-item TransactWriteItems per second on DynamoDB Local, `threads` at once."""
    import boto3

    client = boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="eu-west-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 (DynamoDB Local's dummy credentials)
    )

    def write(_: int) -> None:
        key = str(uuid.uuid4())
        client.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": table,
                        "Item": {"PK": {"S": f"FLOOR#{key}"}, "SK": {"S": part}, "v": {"S": "x" * 200}},
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                }
                for part in ("A", "B", "C")
            ]
        )

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(write, range(count)))
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bookings", type=int, default=200)
    parser.add_argument("--customers", type=int, default=16)
    parser.add_argument(
        "--sagas", type=int, help="saga executions the local runner runs at once (default: the local runtime's)"
    )
    parser.add_argument("--profile", help="write a cProfile of the booking run to this file")
    args = parser.parse_args()

    from appsync.local import environment
    from appsync.local.dynamodb.local import DynamoDBLocal
    from appsync.local.events.runtime import LocalRuntime

    with DynamoDBLocal() as local:
        environment.configure(local.endpoint, Path(tempfile.mkdtemp()))
        from resolvers.config import get_settings
        from resolvers.domain.models import BookingStatus
        from resolvers.handlers.bookings import handler
        from resolvers.store import bookings as booking_store
        from resolvers.store import flights as flight_store
        from resolvers.store.table import create_table_if_missing
        from tests.factories import a_flight, cognito, context, mutation_event

        create_table_if_missing()
        flight = a_flight(seat_capacity=args.bookings + 10, seats_available=args.bookings + 10)
        flight_store.put_flight(flight)
        # Warm up: connections, imports, the JIT of DynamoDB Local.
        floor_transactions(local.endpoint, get_settings().table_name, 100, args.customers)
        runtime = (LocalRuntime(max_sagas=args.sagas) if args.sagas else LocalRuntime()).start()
        ids: list[str] = []

        def customer_books(customer: str, count: int) -> None:
            ctx = context("bookings")
            for _ in range(count):
                arguments = {
                    "input": {
                        "outboundFlightId": flight.id,
                        "paymentToken": "tok_visa",
                        "idempotencyKey": str(uuid.uuid4()),
                        "passengers": [{"firstName": "Ada", "lastName": "Lovelace"}],
                    }
                }
                answer: Any = handler(mutation_event("initBooking", arguments, cognito(customer)), ctx)
                ids.append(answer["id"])

        shares = [args.bookings // args.customers + (i < args.bookings % args.customers) for i in range(args.customers)]
        profilers: list[Any] = []
        if args.profile:
            import cProfile
            import threading

            def profile_thread(*_: Any) -> None:
                # The first event of each new thread: a profiler of its own (it replaces this hook in that thread).
                profiler = cProfile.Profile(time.thread_time)
                profilers.append(profiler)
                profiler.enable()

            threading.setprofile(profile_thread)
            profile_thread()
        cpu, wall = time.process_time(), time.perf_counter()
        with ThreadPoolExecutor(args.customers) as pool:
            list(pool.map(customer_books, [str(uuid.uuid4()) for _ in shares], shares))
        runtime.settle(timeout=600)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        if profilers:
            import pstats

            threading.setprofile(None)  # type: ignore[arg-type]
            profilers[0].disable()
            pstats.Stats(*profilers).dump_stats(args.profile)
        confirmed = sum(1 for b in booking_store.get_bookings(ids) if b.status is BookingStatus.CONFIRMED)
        runtime.stop()
        floor = floor_transactions(local.endpoint, get_settings().table_name, 600, args.customers)

    rate = confirmed / wall
    print(
        f"{args.bookings} bookings by {args.customers} customers at once, {runtime.max_sagas} saga executions at "
        "a time, local runtime on DynamoDB Local\n"
    )
    print("| measure | value |")
    print("|---|---:|")
    print(f"| confirmed bookings | {confirmed} of {args.bookings} |")
    print(f"| confirmed bookings per second | {rate:.1f} |")
    print(f"| CPU ms of this process per confirmed booking | {cpu * 1000 / max(confirmed, 1):.1f} |")
    print(f"| floor: DynamoDB Local three-item transactions per second ({args.customers} threads) | {floor:.0f} |")
    print(f"| confirmed bookings per floor transaction | {rate / floor:.3f} |")


if __name__ == "__main__":
    main()
