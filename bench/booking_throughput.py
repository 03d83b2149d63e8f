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

from measure import process_cpu_seconds  # bench/measure.py

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
sys.path.insert(0, str(ROOT))


def floor_client(endpoint: str) -> Any:
    import boto3

    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="eu-west-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 (DynamoDB Local's dummy credentials)
    )


def floor_write(client: Any, table: str) -> None:
    """One floor transaction: three new items put in one TransactWriteItems (what initBooking's write is)."""
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


def floor_transactions(endpoint: str, table: str, count: int, threads: int) -> float:
    """Three-item TransactWriteItems per second on DynamoDB Local, `threads` at once."""
    client = floor_client(endpoint)
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda _: floor_write(client, table), range(count)))
    return count / (time.perf_counter() - started)


def operation_costs(endpoint: str, jvm: int, count: int) -> list[tuple[str, float]]:
    """DynamoDB Local's CPU ms for each DynamoDB call of a confirmed booking, made `count` times one at a time
    through the store functions the booking's path calls (the floor transaction first, for comparison)."""
    from datetime import UTC, datetime, timedelta

    from resolvers.config import get_settings
    from resolvers.domain.models import BookingStatus, PaymentStatus
    from resolvers.domain.references import new_reference
    from resolvers.store import bookings as booking_store
    from resolvers.store import flights as flight_store
    from resolvers.store import loyalty as loyalty_store
    from resolvers.store import payments as payment_store
    from tests.factories import a_booking, a_flight

    flight = a_flight(seat_capacity=count + 10, seats_available=count + 10)
    flight_store.put_flight(flight)
    bookings = [
        a_booking(
            str(uuid.uuid4()),
            flight.id,
            status=BookingStatus.PENDING,
            booking_reference=new_reference(),
        )
        for _ in range(count)
    ]
    expires = datetime.now(UTC) + timedelta(days=1)
    client, table = floor_client(endpoint), get_settings().table_name
    steps: list[tuple[str, Any]] = [
        ("floor: a three-item transaction", lambda _: floor_write(client, table)),
        ("initBooking: GetItem the flight", lambda _: flight_store.get_flight(flight.id)),
        (
            "initBooking: TransactWriteItems booking, key, reference",
            lambda b: booking_store.create_booking(b, str(uuid.uuid4()), "hash", expires),
        ),
        (
            "ReserveSeat: TransactWriteItems hold, flight, booking check",
            lambda b: flight_store.reserve_seats(flight.id, b.id, 1, while_pending=True),
        ),
        ("CollectPayment: GetItem the booking", lambda b: booking_store.get_booking(b.id)),
        (
            "CollectPayment: UpdateItem payment authorized",
            lambda b: payment_store.record(b.id, PaymentStatus.AUTHORIZED, 100, "GBP"),
        ),
        (
            "CollectPayment: UpdateItem payment captured",
            lambda b: payment_store.transition(b.id, PaymentStatus.AUTHORIZED, PaymentStatus.CAPTURED),
        ),
        (
            "ConfirmBooking: UpdateItem the booking",
            lambda b: booking_store.set_status(b.id, b.customer, BookingStatus.CONFIRMED),
        ),
        (
            "loyalty consumer: TransactWriteItems ledger, account",
            lambda b: loyalty_store.add_points(b.customer, b.id, 100),
        ),
    ]
    costs = []
    for name, step in steps:
        before = process_cpu_seconds(jvm)
        for booking in bookings:
            step(booking)
        costs.append((name, (process_cpu_seconds(jvm) - before) * 1000 / count))
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bookings", type=int, default=200)
    parser.add_argument("--customers", type=int, default=16)
    parser.add_argument(
        "--sagas", type=int, help="saga executions the local runner runs at once (default: the local runtime's)"
    )
    parser.add_argument("--operations", type=int, default=200, help="times each call is made for the second table")
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
        assert local.process is not None
        jvm = local.process.pid
        cpu, wall, jvm_cpu = time.process_time(), time.perf_counter(), process_cpu_seconds(jvm)
        with ThreadPoolExecutor(args.customers) as pool:
            list(pool.map(customer_books, [str(uuid.uuid4()) for _ in shares], shares))
        runtime.settle(timeout=600)
        wall, cpu, jvm_cpu = time.perf_counter() - wall, time.process_time() - cpu, process_cpu_seconds(jvm) - jvm_cpu
        if profilers:
            import pstats

            threading.setprofile(None)  # type: ignore[arg-type]
            profilers[0].disable()
            pstats.Stats(*profilers).dump_stats(args.profile)
        confirmed = sum(1 for b in booking_store.get_bookings(ids) if b.status is BookingStatus.CONFIRMED)
        runtime.stop()
        floor_count, floor_jvm_cpu = 600, process_cpu_seconds(jvm)
        floor = floor_transactions(local.endpoint, get_settings().table_name, floor_count, args.customers)
        floor_jvm_cpu = process_cpu_seconds(jvm) - floor_jvm_cpu
        costs = operation_costs(local.endpoint, jvm, args.operations)

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
    per_booking = jvm_cpu * 1000 / max(confirmed, 1)
    per_floor = floor_jvm_cpu * 1000 / floor_count
    print(f"| DynamoDB Local's CPU ms per confirmed booking | {per_booking:.1f} |")
    print(f"| DynamoDB Local's CPU ms per floor transaction | {per_floor:.1f} |")
    print(f"| bookings per floor transaction if our Python cost no CPU | {per_floor / per_booking:.3f} |")

    print(f"\nDynamoDB Local's CPU for each call of a confirmed booking, one call at a time ({args.operations} each)\n")
    print("| call | DynamoDB Local's CPU ms | x a floor transaction |")
    print("|---|---:|---:|")
    floor_ms = costs[0][1]
    for name, ms in costs:
        print(f"| {name} | {ms:.1f} | {ms / floor_ms:.2f} |")
    total = sum(ms for _, ms in costs[1:])
    print(f"| a confirmed booking's 8 calls | {total:.1f} | {total / floor_ms:.2f} |")


if __name__ == "__main__":
    main()
