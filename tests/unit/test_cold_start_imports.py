"""What each Lambda imports at cold start, in a fresh interpreter: saga tasks and consumers stay off Powertools' event
handler and the resolver app; resolvers load write-only code on the first write. Counts modules, never times them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from appsync.fields import FUNCTIONS
from resolvers.saga.definition import HOLD_TASKS, TASKS

ROOT = Path(__file__).resolve().parents[2]
CONSUMER = "resolvers.consumers.loyalty.handler"
RECONCILER = "resolvers.handlers.reconciler.handler"


def modules_after_loading(handler: str) -> set[str]:
    """sys.modules of a fresh interpreter that loaded `handler` as Lambda does (module, then attribute)."""
    module, _, attribute = handler.rpartition(".")
    code = (
        f"import importlib, json, sys; getattr(importlib.import_module({module!r}), {attribute!r}); "
        "print(json.dumps(sorted(sys.modules)))"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("DYNAMODB")}
    env |= {"AWS_REGION": "eu-west-1", "POWERTOOLS_SERVICE_NAME": "airline"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, env=env)
    return set(json.loads(out.stdout.splitlines()[-1]))


def under(modules: set[str], package: str) -> list[str]:
    return sorted(name for name in modules if name == package or name.startswith(package + "."))


@pytest.mark.parametrize("handler", sorted({task.handler for task in TASKS + HOLD_TASKS} | {CONSUMER}))
def test_saga_tasks_and_consumers_load_no_event_handler_and_no_resolver_app(handler):
    modules = modules_after_loading(handler)

    assert under(modules, "aws_lambda_powertools.event_handler") == []
    assert under(modules, "resolvers.handlers") == []
    # GraphQL input parsing and the catalog service are the resolvers' business, not the saga's.
    assert under(modules, "resolvers.domain.inputs") == []
    assert under(modules, "resolvers.services.catalog") == []
    # A flight's delay: a dataclass only delayFlight makes.
    assert under(modules, "resolvers.domain.delays") == []
    # Pages of results and their encrypted tokens: lists, which no saga step or consumer reads.
    assert under(modules, "resolvers.store.pagination") == []
    assert under(modules, "cryptography") == []
    assert "aws_lambda_powertools" in modules  # the Logger, which they do use


@pytest.mark.parametrize("handler", sorted({task.handler for task in TASKS + HOLD_TASKS}))
def test_saga_tasks_load_no_loyalty_types(handler):
    # Loyalty and its levels: only the loyalty resolver, the consumer and the reconciler use them.
    assert under(modules_after_loading(handler), "resolvers.domain.loyalty") == []


def test_the_loyalty_consumer_loads_no_booking_or_flight_code():
    modules = modules_after_loading(CONSUMER)

    assert under(modules, "resolvers.store.bookings") == []
    assert under(modules, "resolvers.store.flights") == []
    assert under(modules, "resolvers.domain.identity") == []
    # Nor the domain's booking and flight types: it moves points, keyed by strings.
    assert under(modules, "resolvers.domain.models") == []


def test_the_reconciler_loads_no_event_handler_and_no_resolver_code():
    modules = modules_after_loading(RECONCILER)

    assert under(modules, "aws_lambda_powertools.event_handler") == []
    assert under(modules, "resolvers.handlers") == ["resolvers.handlers", "resolvers.handlers.reconciler"]
    assert under(modules, "resolvers.domain.inputs") == []
    assert under(modules, "resolvers.services.catalog") == []
    assert under(modules, "resolvers.domain.delays") == []
    assert under(modules, "resolvers.store.pagination") == []
    assert under(modules, "cryptography") == []


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_resolvers_load_write_only_code_on_the_first_write(function):
    modules = modules_after_loading(FUNCTIONS[function])

    # Starting a saga, allotting a booking reference and hashing a request happen in initBooking only.
    assert under(modules, "resolvers.saga") == []
    assert under(modules, "resolvers.domain.references") == []
    assert under(modules, "ulid") == []
    # Nothing of the X-Ray SDK (Powertools' Tracer builds a botocore client at import).
    assert under(modules, "aws_xray_sdk") == []


def test_the_bookings_resolver_loads_holds_check_in_and_seats_with_the_fields_that_use_them():
    modules = modules_after_loading(FUNCTIONS["bookings"])

    # getBooking and listBookings read bookings: paying or extending a hold, checking in (with its boarding passes)
    # and taking or giving back seats are loaded by payBooking, extendHold, checkIn, initBooking and cancelBooking.
    assert under(modules, "resolvers.services.holds") == []
    assert under(modules, "resolvers.services.check_in") == []
    assert under(modules, "resolvers.domain.boarding") == []
    assert under(modules, "resolvers.store.check_in") == []
    assert under(modules, "resolvers.store.flights") == []
    # Nor the catalog, the flights resolver's service.
    assert under(modules, "resolvers.services.catalog") == []
    assert "resolvers.store.bookings" in modules  # which it does use
