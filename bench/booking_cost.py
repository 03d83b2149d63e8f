"""The cost of one booking: what a confirmed booking, a failed one (tok_declined), a cancellation, a hold then paid
and a hold left to expire use on AWS, counted locally, and the price per million of each with AWS's public prices.

Runs the real handlers, the local saga runner (the ASL file Step Functions runs) and the in-process event bus on a
DynamoDB Local it starts. Counted per scenario:
- DynamoDB calls by operation, and the read/write capacity units DynamoDB reports (ReturnConsumedCapacity=TOTAL,
  read from every response by a botocore hook on every client of the process);
- Lambda invocations: the resolver, every task attempt in the execution's history, every consumer delivery;
- Step Functions state transitions (states entered + retries, as Standard bills them), from the execution history;
  the hold timer's (hold.asl.json) apart: it is a Standard workflow whatever the saga's;
- events published, AppSync requests (the resolver call and publishBookingStatus notices), dead-letter messages.

Durations are not measured here (a loaded 2-core machine says little about Lambda on arm64): each Lambda invocation
is billed at --lambda-ms, and an Express execution lasts its task invocations x --lambda-ms, rounded up to 100 ms.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
# The CDK settings (function memory) load jsii, which warns about the Node version on every start.
os.environ.setdefault("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1")
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20,21")
sys.path.insert(0, str(ROOT))

import botocore.session  # noqa: E402

# Public on-demand prices, us-east-1, USD (checked December 2026 against the services' pricing pages).
PRICES = {
    "Step Functions Standard, per state transition": 25.00 / 1e6,
    "Step Functions Express, per request": 1.00 / 1e6,
    "Step Functions Express, per GB-second": 0.00001667,
    "Lambda arm64, per GB-second": 0.0000133334,
    "Lambda, per request": 0.20 / 1e6,
    "DynamoDB on-demand, per write request unit": 0.625 / 1e6,
    "DynamoDB on-demand, per read request unit": 0.125 / 1e6,
    "EventBridge, per custom event published": 1.00 / 1e6,
    "AppSync, per query or mutation": 4.00 / 1e6,
    "SQS standard, per request": 0.40 / 1e6,
}
# Express bills memory in 64 MB steps and duration in 100 ms steps; a saga this small uses the first step.
EXPRESS_MEMORY_GB = 64 / 1024
EXPRESS_DURATION_STEP_MS = 100

READS = {"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"}


class DynamoDBMeter:
    """Counts every DynamoDB call of every botocore client made after `install()`, and the capacity it consumed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: Counter[str] = Counter()
        self.rcu = 0.0
        self.wcu = 0.0

    def install(self) -> None:
        original = botocore.session.Session.create_client
        meter = self

        def create_client(session: botocore.session.Session, *args: Any, **kwargs: Any) -> Any:
            client = original(session, *args, **kwargs)
            client.meta.events.register("provide-client-params.dynamodb", meter.ask_for_capacity)
            client.meta.events.register("after-call.dynamodb", meter.record)
            return client

        botocore.session.Session.create_client = create_client  # type: ignore[method-assign]

    @staticmethod
    def ask_for_capacity(params: dict[str, Any], model: Any, **_: Any) -> None:
        # PynamoDB asks for it already; any other caller gets it too.
        if "ReturnConsumedCapacity" in model.input_shape.members:
            params.setdefault("ReturnConsumedCapacity", "TOTAL")

    def record(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        consumed = parsed.get("ConsumedCapacity") or []
        if isinstance(consumed, dict):
            consumed = [consumed]
        read = write = 0.0
        for entry in consumed:
            if "ReadCapacityUnits" in entry or "WriteCapacityUnits" in entry:
                read += float(entry.get("ReadCapacityUnits", 0))
                write += float(entry.get("WriteCapacityUnits", 0))
            elif model.name in READS:
                read += float(entry.get("CapacityUnits", 0))
            else:
                write += float(entry.get("CapacityUnits", 0))
        with self._lock:
            self.calls[model.name] += 1
            self.rcu += read
            self.wcu += write

    def reset(self) -> None:
        with self._lock:
            self.calls, self.rcu, self.wcu = Counter(), 0.0, 0.0


@dataclass
class Usage:
    """What one scenario used."""

    calls: Counter[str] = field(default_factory=Counter)
    rcu: float = 0.0
    wcu: float = 0.0
    # Lambda invocations by memory size (MB).
    invocations: Counter[int] = field(default_factory=Counter)
    transitions: int = 0
    # The hold timer's: always a Standard workflow.
    timer_transitions: int = 0
    executions: int = 0
    express_task_invocations: int = 0
    events: int = 0
    appsync_requests: int = 0
    sqs_messages: int = 0

    @property
    def lambda_invocations(self) -> int:
        return sum(self.invocations.values())

    def calls_text(self) -> str:
        return ", ".join(f"{name} {count}" for name, count in sorted(self.calls.items())) or "none"

    def price(self, express: bool, lambda_ms: float) -> dict[str, float]:
        """USD for one of these, by service."""
        gb_seconds = sum(count * memory / 1024 * lambda_ms / 1000 for memory, count in self.invocations.items())
        if express:
            duration_ms = math.ceil(self.express_task_invocations * lambda_ms / EXPRESS_DURATION_STEP_MS)
            duration_ms *= EXPRESS_DURATION_STEP_MS
            workflow = self.executions * PRICES["Step Functions Express, per request"]
            workflow += EXPRESS_MEMORY_GB * duration_ms / 1000 * PRICES["Step Functions Express, per GB-second"]
        else:
            workflow = self.transitions * PRICES["Step Functions Standard, per state transition"]
        workflow += self.timer_transitions * PRICES["Step Functions Standard, per state transition"]
        return {
            "Step Functions": workflow,
            "Lambda": gb_seconds * PRICES["Lambda arm64, per GB-second"]
            + self.lambda_invocations * PRICES["Lambda, per request"],
            "DynamoDB": self.wcu * PRICES["DynamoDB on-demand, per write request unit"]
            + self.rcu * PRICES["DynamoDB on-demand, per read request unit"],
            "EventBridge": self.events * PRICES["EventBridge, per custom event published"],
            "AppSync": self.appsync_requests * PRICES["AppSync, per query or mutation"],
            "SQS": self.sqs_messages * PRICES["SQS standard, per request"],
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lambda-ms", type=float, default=50.0, help="billed duration of each Lambda invocation")
    args = parser.parse_args()

    meter = DynamoDBMeter()
    meter.install()

    from appsync.local import environment
    from appsync.local.dynamodb.local import DynamoDBLocal
    from appsync.local.events.runtime import LocalRuntime
    from infra.airline_infra.settings import API_FUNCTION_KINDS, SAGA_TASK_KINDS
    from infra.airline_infra.settings import BOOKING as CONSUMER_KIND
    from resolvers import config
    from resolvers.saga.definition import HOLD_ASL_PATH, HOLD_TASKS, TASKS, load_definition
    from tests.factories import a_flight, cognito, context, mutation_event

    task_memory = {
        task.placeholder.removesuffix("FunctionArn"): SAGA_TASK_KINDS[task.kind].memory_mb
        for task in (*TASKS, *HOLD_TASKS)
    }
    states = {**load_definition()["States"], **load_definition(HOLD_ASL_PATH)["States"]}
    task_states = {name for name, state in states.items() if state.get("Resource", "").startswith("${")}
    # A hold of 1 second: the timer's Wait ends at once, so its execution can be counted.
    os.environ[config.HOLD_DURATION_SECONDS] = "1"

    def count(usage: Usage, execution: Any, timer: bool = False) -> None:
        """The transitions and task invocations of one execution, from its history."""
        if not timer:
            usage.executions += 1
        for state, event in execution.history:
            if event == "entered" or event.startswith("retry"):
                if timer:
                    usage.timer_transitions += 1
                else:
                    usage.transitions += 1
            attempt = event == "succeeded" or event.startswith("failed")
            if attempt and state in task_states:
                memory = task_memory[_task_of(states[state]["Resource"])]
                usage.invocations[memory] += 1
                if not timer:
                    usage.express_task_invocations += 1

    resolver_memory = API_FUNCTION_KINDS["bookings"].memory_mb

    with DynamoDBLocal() as local:
        environment.configure(local.endpoint, Path(tempfile.mkdtemp()))
        from resolvers.handlers.bookings import handler
        from resolvers.store import flights as flight_store
        from resolvers.store.table import create_table_if_missing

        create_table_if_missing()
        runtime = LocalRuntime(retry_interval_scale=0.001).start()
        assert runtime.runner is not None
        flight = a_flight(seat_capacity=100, seats_available=100)
        flight_store.put_flight(flight)

        def start() -> tuple[int, int, int]:
            """Counting from here: the meter reset, and how many events, notices and dead letters there are."""
            meter.reset()
            return len(runtime.bus.published), len(runtime.notifier.notices), len(runtime.dead_letters)

        def init_booking(customer: str, **payment: Any) -> dict[str, Any]:
            """initBooking of one passenger on the flight, paid as `payment` says (a paymentToken, or hold)."""
            arguments = {
                "input": {
                    "outboundFlightId": flight.id,
                    "idempotencyKey": str(uuid.uuid4()),
                    "passengers": [{"firstName": "Ada", "lastName": "Lovelace"}],
                    **payment,
                }
            }
            answer: dict[str, Any] = handler(
                mutation_event("initBooking", arguments, cognito(customer)), context("bookings")
            )
            return answer

        def book(customer: str, token: str) -> tuple[dict[str, Any], Usage]:
            published, notices, letters = start()
            answer = init_booking(customer, paymentToken=token)
            execution = runtime.runner.wait(answer["id"], timeout=60)
            runtime.settle()
            usage = _usage(meter, runtime, published, notices, letters, resolver_memory)
            count(usage, execution)
            return answer, usage

        def hold(customer: str, pay: bool) -> Usage:
            """initBooking with hold, then payBooking (or nothing: the hold expires), the timer's run included."""
            assert runtime.hold_runner is not None
            assert runtime.runner is not None
            published, notices, letters = start()
            answer = init_booking(customer, hold=True)
            if pay:
                paying = {"id": answer["id"], "paymentToken": "tok_visa", "idempotencyKey": str(uuid.uuid4())}
                handler(mutation_event("payBooking", paying, cognito(customer)), context("bookings"))
            timer = runtime.hold_runner.wait(answer["id"], timeout=60)
            runtime.settle()
            usage = _usage(meter, runtime, published, notices, letters, resolver_memory)
            if pay:
                # The resolver's second request (payBooking), and the saga it started.
                usage.invocations[resolver_memory] += 1
                usage.appsync_requests += 1
                count(usage, runtime.runner.wait(answer["id"], timeout=60))
            count(usage, timer, timer=True)
            return usage

        def _consumers(usage: Usage, published_before: int) -> None:
            for event in list(runtime.bus.published)[published_before:]:
                usage.invocations[CONSUMER_KIND.memory_mb] += sum(
                    1 for rule in runtime.bus.rules if event.type in rule.event_types
                )

        def _usage(
            meter: DynamoDBMeter, runtime: Any, published: int, notices: int, letters: int, memory: int
        ) -> Usage:
            usage = Usage(calls=Counter(meter.calls), rcu=meter.rcu, wcu=meter.wcu)
            usage.invocations[memory] += 1
            usage.events = len(runtime.bus.published) - published
            # The resolver's own request, and each notice (an IAM publishBookingStatus mutation on AWS).
            usage.appsync_requests = 1 + len(runtime.notifier.notices) - notices
            usage.sqs_messages = len(runtime.dead_letters) - letters
            _consumers(usage, published)
            return usage

        scenarios: dict[str, Usage] = {}
        customer = str(uuid.uuid4())
        confirmed, scenarios["confirmed booking"] = book(customer, "tok_visa")
        _, scenarios["failed booking (tok_declined)"] = book(str(uuid.uuid4()), "tok_declined")

        published, notices, letters = start()
        handler(mutation_event("cancelBooking", {"id": confirmed["id"]}, cognito(customer)), context("bookings"))
        runtime.settle()
        scenarios["cancellation"] = _usage(meter, runtime, published, notices, letters, resolver_memory)
        scenarios["hold, then paid"] = hold(str(uuid.uuid4()), pay=True)
        scenarios["hold, expired"] = hold(str(uuid.uuid4()), pay=False)
        runtime.stop()

    print("What one booking uses (local runtime on DynamoDB Local; the same handlers and ASL as on AWS)\n")
    print(
        "| scenario | DynamoDB calls | calls | RCU | WCU | Lambda invocations | state transitions (saga + hold timer) "
        "| events |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for name, usage in scenarios.items():
        print(
            f"| {name} | {usage.calls_text()} | {sum(usage.calls.values())} | {usage.rcu:g} | {usage.wcu:g} | "
            f"{usage.lambda_invocations} | {usage.transitions} + {usage.timer_transitions} | {usage.events} |"
        )
    print(f"\nUSD per million, Lambda billed {args.lambda_ms:g} ms an invocation at the configured memory (arm64)\n")
    services = list(scenarios["confirmed booking"].price(False, args.lambda_ms))
    print("| scenario | workflow | " + " | ".join(services) + " | total |")
    print("|---|---|" + "---:|" * (len(services) + 1))
    for name, usage in scenarios.items():
        for express in (False, True):
            sagas = usage.executions > 0
            if not sagas and express:
                continue  # no saga runs: the same price either way
            prices = usage.price(express, args.lambda_ms)
            workflow = ("Express" if express else "Standard") if sagas else "none"
            if usage.timer_transitions:
                workflow += " + Standard hold timer"
            cells = " | ".join(f"{value * 1e6:,.2f}" for value in prices.values())
            print(f"| {name} | {workflow} | {cells} | {sum(prices.values()) * 1e6:,.2f} |")
    print("\nPrices (us-east-1, on-demand): " + "; ".join(f"{k} ${v:.10g}" for k, v in PRICES.items()))


def _task_of(resource: str) -> str:
    return resource.removeprefix("${").removesuffix("}").removesuffix("FunctionArn")


if __name__ == "__main__":
    main()
