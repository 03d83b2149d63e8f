"""Benchmarks what running the APPSYNC_JS files locally adds per resolver: request(ctx) and response(ctx) of a
Lambda field in the embedded QuickJS (appsync/local/js/), with a realistic context (headers, identity, a page of five
flights as the result), and a subscription resolver at subscribe time; then the same from 4 threads at once, sharing
one JS context behind a lock (what the server does) or each with its own. Prints a table (median, p99, in ms)."""

from __future__ import annotations

import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from appsync.fields import BY_FIELD, SUBSCRIPTION_FIELDS
from appsync.local.js import JsRuntime

RUNS = 5000
THREADS = 4
FLIGHT = {
    "id": "01J9ZQ3Z8X5K7M2N4P6R8T0V1W",
    "flightNumber": "AB1234",
    "departureAirportCode": "LGW",
    "arrivalAirportCode": "MAD",
    "departureDateTime": "2026-12-24T08:30:00Z",
    "arrivalDateTime": "2026-12-24T11:55:00Z",
    "ticketPrice": 12900,
    "ticketCurrency": "EUR",
    "seatsAvailable": 113,
}


def lambda_context() -> dict[str, Any]:
    return {
        "arguments": {"filter": {"departureAirportCode": "LGW", "arrivalAirportCode": "MAD"}, "limit": 5},
        "identity": {"sub": "6f1c2d4e-0000-4000-8000-1234567890ab", "groups": None, "issuer": "local", "claims": {}},
        "source": None,
        "request": {"headers": {"x-api-key": "da2-xxxx", "content-type": "application/json", "host": "127.0.0.1"}},
        "info": {
            "fieldName": "listFlights",
            "parentTypeName": "Query",
            "variables": {},
            "selectionSetList": ["items", *(f"items/{name}" for name in FLIGHT), "nextToken"],
        },
        "prev": None,
        "stash": {},
    }


def lambda_resolver(js: JsRuntime, name: str) -> None:
    ctx = lambda_context()
    request = js.run(name, "request", ctx)
    ctx["result"] = {"items": [FLIGHT] * 5, "nextToken": None}
    ctx["stash"] = request.stash
    js.run(name, "response", ctx)


def subscription_resolver(js: JsRuntime, name: str) -> None:
    ctx = lambda_context() | {"arguments": {"flightIds": ["F1", "F2", "F3"], "departureAirportCode": "LGW"}}
    request = js.run(name, "request", ctx)
    ctx["result"] = request.value["payload"]
    js.run(name, "response", ctx)


def timings(run: Any, count: int) -> list[float]:
    spent = []
    for _ in range(count):
        started = time.perf_counter()
        run()
        spent.append((time.perf_counter() - started) * 1000)
    return spent


def row(label: str, spent: list[float]) -> str:
    ordered = sorted(spent)
    p99 = ordered[int(len(ordered) * 0.99) - 1]
    return f"| {label} | {statistics.median(ordered):.3f} ms | {p99:.3f} ms |"


def main() -> int:
    started = time.perf_counter()
    js = JsRuntime()
    created = (time.perf_counter() - started) * 1000
    lambda_name = js.load(BY_FIELD["Query", "listFlights"].code)
    (delayed,) = [s for s in SUBSCRIPTION_FIELDS if s.field_name == "onFlightDelayed"]
    assert delayed.code is not None
    subscription_name = js.load(delayed.code)
    for _ in range(200):  # warm up
        lambda_resolver(js, lambda_name)
        subscription_resolver(js, subscription_name)

    single = timings(lambda: lambda_resolver(js, lambda_name), RUNS)
    subscribe = timings(lambda: subscription_resolver(js, subscription_name), RUNS)
    with ThreadPoolExecutor(THREADS) as pool:
        shared = [
            t
            for chunk in pool.map(
                lambda _: timings(lambda: lambda_resolver(js, lambda_name), RUNS // THREADS), range(THREADS)
            )
            for t in chunk
        ]
    own = [JsRuntime() for _ in range(THREADS)]
    for runtime in own:
        runtime.load(BY_FIELD["Query", "listFlights"].code)
    with ThreadPoolExecutor(THREADS) as pool:
        separate = [
            t
            for chunk in pool.map(
                lambda runtime: timings(lambda: lambda_resolver(runtime, lambda_name), RUNS // THREADS), own
            )
            for t in chunk
        ]
    print(f"JS context created and utils loaded once: {created:.0f} ms\n")
    print("| per resolver (request + response in QuickJS) | median | p99 |")
    print("|---|---:|---:|")
    print(row(f"Lambda field (listFlights), {RUNS} runs", single))
    print(row(f"subscription resolver (onFlightDelayed), {RUNS} runs", subscribe))
    print(row(f"Lambda field, {THREADS} threads sharing the context", shared))
    print(row(f"Lambda field, {THREADS} threads with a context each", separate))
    return 0


if __name__ == "__main__":
    sys.exit(main())
