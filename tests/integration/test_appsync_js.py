"""The project's APPSYNC_JS files, run as the local AppSync runs them (appsync/local/js/, embedded QuickJS): the Lambda
resolver code's error mapping (single and batch), the subscription resolvers' refusals and filters against a table
of events, invalidation on cancel, and a file using what the runtime lacks refused at start-up."""

from __future__ import annotations

import asyncio
import json
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from appsync.fields import APPSYNC_DIR, BY_FIELD, LAMBDA_BATCH_RESOLVER_CODE, LAMBDA_RESOLVER_CODE, FieldResolver
from appsync.local.graphql.auth import NOBODY, LocalCredentials, Principal, authenticate, iam_headers, user_sub
from appsync.local.graphql.errors import AppSyncError
from appsync.local.graphql.invoke import TRACE_HEADER, LambdaInvoker, RequestContext
from appsync.local.graphql.limits import Limits
from appsync.local.js import JsRuntime, JsRuntimeError, UnsupportedJs, shared_runtime
from appsync.local.realtime.filters import FilterError, SubscriptionFilter
from appsync.local.realtime.subscriptions import SubscriptionBroker
from appsync.local.server import LocalAppSync
from tests.integration.conftest import ClientFor
from tests.integration.test_live_updates import (
    LiveServer,
    a_flight_in_the_catalog,
    book,
    client_for,  # noqa: F401  (its HTTP client: its mutations feed its subscriptions)
    in_thread,
    live,  # noqa: F401  (the module's server fixture)
    settled,  # noqa: F401
    subscribe_all,
)
from tests.integration.test_local_appsync import run

CANCEL = "mutation Cancel($id: ID!) { cancelBooking(id: $id) { id status } }"
ON_BOOKING = """
subscription OnStatus($bookingId: ID) {
  onBookingStatusChanged(bookingId: $bookingId) { bookingId customer status }
}
"""


@pytest.fixture(scope="module")
def js() -> JsRuntime:
    return shared_runtime()


def a_context(**fields: Any) -> dict[str, Any]:
    ctx: dict[str, Any] = {
        "arguments": {"id": "B1"},
        "identity": None,
        "source": None,
        "request": {"headers": {}},
        "info": {"fieldName": "getBooking", "parentTypeName": "Query"},
        "prev": None,
        "stash": {},
    }
    ctx.update(fields)
    return ctx


# cancelBooking's own code: the Lambda resolver's, plus the invalidation of the booking's subscriptions
CANCEL_BOOKING_CODE = APPSYNC_DIR / "resolvers" / "cancel_booking.js"


# --- The Lambda resolver code: what request sends, how response maps errors ---------------------------------------


@pytest.mark.parametrize(
    ("code", "operation"),
    [(LAMBDA_RESOLVER_CODE, "Invoke"), (LAMBDA_BATCH_RESOLVER_CODE, "BatchInvoke"), (CANCEL_BOOKING_CODE, "Invoke")],
)
def test_request_sends_the_direct_resolver_payload(js: JsRuntime, code: Path, operation: str) -> None:
    name = js.load(code)
    ctx = a_context(identity={"sub": "s-1"}, source={"id": "P"})

    outcome = js.run(name, "request", ctx)

    assert outcome.value == {"operation": operation, "payload": ctx}
    assert outcome.error is None


@pytest.mark.parametrize("code", [LAMBDA_RESOLVER_CODE, LAMBDA_BATCH_RESOLVER_CODE, CANCEL_BOOKING_CODE])
@pytest.mark.parametrize(
    ("result", "error", "expected"),
    [
        ({"id": "B1"}, None, None),
        (
            {"__error": {"errorType": "NotFound", "message": "No booking B1", "errorInfo": {"retryable": False}}},
            None,
            ("NotFound", "No booking B1", {"retryable": False}),
        ),
        # A failed invocation's message may name internals: a generic InternalFailure, retryable unless it crashed
        (
            None,
            {"type": "Lambda:Unhandled", "message": "boom at 10.0.0.7"},
            ("InternalFailure", "An internal error occurred", {"retryable": False}),
        ),
        (
            None,
            {"type": "Lambda:TooManyRequestsException", "message": "Rate exceeded"},
            ("InternalFailure", "An internal error occurred", {"retryable": True}),
        ),
    ],
    ids=["a value", "an __error result", "a crashed invocation", "a throttled invocation"],
)
def test_response_maps_errors_as_appsync_does(
    js: JsRuntime, code: Path, result: Any, error: Any, expected: tuple[str, str, Any] | None
) -> None:
    name = js.load(code)

    outcome = js.run(name, "response", a_context(result=result, error=error))

    if expected is None:
        assert (outcome.error, outcome.value) == (None, result)
    else:
        assert outcome.error is not None
        assert (outcome.error.error_type, outcome.error.message, outcome.error.error_info) == expected
        assert outcome.value is None


def an_info(field_name: str, parent: str = "Query") -> Any:
    """What a Lambda field reads of Strawberry's info."""
    context = RequestContext(principal=NOBODY, headers={TRACE_HEADER: "Root=1-test"}, limits=Limits())
    return SimpleNamespace(
        context=context,
        path=SimpleNamespace(as_list=lambda: [field_name]),
        variable_values={},
        selected_fields=[SimpleNamespace(selections=[])],
    )


def test_a_batch_error_fails_only_its_own_element() -> None:
    # Given a batch field whose Lambda answers a value, an error, and a value for three parents
    calls: list[Any] = []

    def handler(event: Any, context: Any) -> Any:
        calls.append(event)
        return [{"id": "F1"}, {"__error": {"errorType": "NotFound", "message": "No flight F2"}}, {"id": "F3"}]

    resolver = BY_FIELD["Booking", "outboundFlight"]
    with ThreadPoolExecutor(1) as executor:
        invoker = LambdaInvoker(executor, js=shared_runtime())
        invoker._handlers[resolver.function] = handler
        resolve = invoker.field(resolver)
        info = an_info("outboundFlight", "Booking")

        async def three() -> list[Any]:
            parents = [{"outboundFlightId": f"F{i}"} for i in (1, 2, 3)]
            return await asyncio.gather(*(resolve(parent, info) for parent in parents), return_exceptions=True)

        results = asyncio.run(three())

    # Then one BatchInvoke carried each parent's payload, and only the second field failed
    assert len(calls) == 1
    assert [event["source"] for event in calls[0]] == [{"outboundFlightId": f"F{i}"} for i in (1, 2, 3)]
    assert results[0] == {"id": "F1"}
    assert results[2] == {"id": "F3"}
    assert isinstance(results[1], AppSyncError)
    assert (results[1].error_type, results[1].message) == ("NotFound", "No flight F2")


def test_a_failed_invocation_is_a_generic_internal_failure() -> None:
    def handler(event: Any, context: Any) -> Any:
        raise RuntimeError("the database is down")

    resolver = BY_FIELD["Query", "getFlight"]
    with ThreadPoolExecutor(1) as executor:
        invoker = LambdaInvoker(executor, js=shared_runtime())
        invoker._handlers[resolver.function] = handler
        with pytest.raises(AppSyncError) as failed:
            asyncio.run(invoker.field(resolver)(None, an_info("getFlight"), id="F1"))

    # The resolver code turns the invocation's Lambda:Unhandled into the generic error (appsync/lambda_resolver.js)
    assert failed.value.error_type == "InternalFailure"
    assert failed.value.error_info == {"retryable": False}
    assert "database" not in failed.value.message


def test_util_unauthorized_is_the_fields_unauthorized_error(tmp_path: Path) -> None:
    # Given a Lambda field whose code refuses every caller
    code = tmp_path / "refuse.js"
    code.write_text(
        "import { util } from '@aws-appsync/utils';\n"
        "export function request(ctx) { util.unauthorized(); }\n"
        "export function response(ctx) { return ctx.result; }\n"
    )
    calls: list[Any] = []
    with ThreadPoolExecutor(1) as executor:
        invoker = LambdaInvoker(executor, js=JsRuntime())
        invoker._handlers["catalog"] = lambda event, context: calls.append(event)
        resolve = invoker.field(FieldResolver("Query", "getFlight", "catalog", own_code=code))

        # When it resolves, the Lambda is never called and the error is AppSync's
        with pytest.raises(AppSyncError) as refused:
            asyncio.run(resolve(None, an_info("getFlight")))
    assert refused.value.error_type == "Unauthorized"
    assert refused.value.message == "Not Authorized to access getFlight on type Query"
    assert calls == []


def test_runtime_early_return_skips_the_lambda_and_the_response(tmp_path: Path) -> None:
    code = tmp_path / "early.js"
    code.write_text(
        "import { util, runtime } from '@aws-appsync/utils';\n"
        "export function request(ctx) { ctx.stash.seen = true; runtime.earlyReturn({ id: ctx.args.id }); }\n"
        "export function response(ctx) { util.error('never', 'Never'); }\n"
    )
    calls: list[Any] = []
    with ThreadPoolExecutor(1) as executor:
        invoker = LambdaInvoker(executor, js=JsRuntime())
        invoker._handlers["catalog"] = lambda event, context: calls.append(event)
        resolve = invoker.field(FieldResolver("Query", "getFlight", "catalog", own_code=code))
        value = asyncio.run(resolve(None, an_info("getFlight"), id="F7"))
    assert value == {"id": "F7"}
    assert calls == []


def test_util_ids_times_and_appended_errors(js: JsRuntime, tmp_path: Path) -> None:
    code = tmp_path / "utils.js"
    code.write_text(
        "import { util } from '@aws-appsync/utils';\n"
        "export function request(ctx) { return {}; }\n"
        "export function response(ctx) {\n"
        "  util.appendError('partly', 'Partial', { n: 1 }, { retryable: true });\n"
        "  const at = util.time.parseISO8601ToEpochMilliSeconds('2026-12-01T10:00:00.250Z');\n"
        "  return { id: util.autoId(), at: at, seconds: util.time.epochMilliSecondsToSeconds(at),\n"
        "    iso: util.time.epochMilliSecondsToISO8601(at), now: util.time.nowEpochSeconds() };\n"
        "}\n"
    )
    outcome = js.run(js.load(code), "response", a_context())

    value = outcome.value
    assert len(value["id"]) == 36
    assert value["id"][14] == "4"
    assert (value["at"], value["seconds"], value["iso"]) == (1796119200250, 1796119200, "2026-12-01T10:00:00.250Z")
    assert 1_700_000_000 < value["now"] < 10_000_000_000  # seconds, not milliseconds
    assert [(e.message, e.error_type, e.data, e.error_info) for e in outcome.appended_errors] == [
        ("partly", "Partial", {"n": 1}, {"retryable": True})
    ]


# --- A file using what the runtime does not implement ---------------------------------------------------------------


def test_a_file_calling_an_unknown_util_function_is_refused_at_start_up(tmp_path: Path) -> None:
    code = tmp_path / "uses_unknown.js"
    code.write_text(
        "import { util } from '@aws-appsync/utils';\n"
        "// util.notInTheComment() is not a use\n"
        "export function request(ctx) { return { id: util.autoId(), at: util.time.nowFormatted('yyyy') }; }\n"
        "export function response(ctx) { return util.dynamodb.toMapValues(ctx.result); }\n"
    )
    with ThreadPoolExecutor(1) as executor, pytest.raises(UnsupportedJs) as refused:
        LambdaInvoker(executor, js=JsRuntime()).field(FieldResolver("Query", "getFlight", "catalog", own_code=code))

    message = str(refused.value)
    assert "util.dynamodb" in message
    assert "util.time.nowFormatted" in message
    assert "notInTheComment" not in message


def test_a_file_importing_another_module_is_refused(tmp_path: Path) -> None:
    code = tmp_path / "imports.js"
    code.write_text("import { get } from '@aws-appsync/utils/dynamodb';\nexport function request(ctx) {}\n")
    with pytest.raises(UnsupportedJs, match="@aws-appsync/utils/dynamodb"):
        JsRuntime().load(code)


def test_every_file_of_the_project_loads(js: JsRuntime) -> None:
    for code in {resolver.code for resolver in BY_FIELD.values()}:
        js.load(code)


# --- Subscription resolvers: who may subscribe, and which events each subscription receives --------------------


@pytest.fixture(scope="module")
def principals(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Principal]:
    credentials = LocalCredentials(tmp_path_factory.mktemp("keys"))
    return {
        "alice": authenticate({"authorization": credentials.issue_token("alice")}, "127.0.0.1", credentials),
        "admin": authenticate({"authorization": credentials.issue_token("ops", admin=True)}, "127.0.0.1", credentials),
        "iam": authenticate({k.lower(): v for k, v in iam_headers().items()}, "127.0.0.1", credentials),
        "api_key": authenticate({"x-api-key": credentials.api_key}, "127.0.0.1", credentials),
    }


@pytest.fixture(scope="module")
def broker(live: LiveServer) -> SubscriptionBroker:  # noqa: F811
    return live.appsync.subscriptions


ALICE, BOB = user_sub("alice"), user_sub("bob")
BOOKING_EVENTS = {
    "alice-1": {"bookingId": "A1", "customer": ALICE, "status": "CONFIRMED"},
    "alice-2": {"bookingId": "A2", "customer": ALICE, "status": "PENDING"},
    "bob-1": {"bookingId": "B1", "customer": BOB, "status": "CONFIRMED"},
}


@pytest.mark.parametrize(
    ("caller", "arguments", "receives"),
    [
        ("alice", {}, {"alice-1", "alice-2"}),
        ("alice", {"customer": ALICE}, {"alice-1", "alice-2"}),
        ("alice", {"customer": ALICE, "bookingId": "A1"}, {"alice-1"}),
        ("alice", {"bookingId": "B1"}, set()),
        ("admin", {"customer": BOB}, {"bob-1"}),
        ("admin", {}, {"alice-1", "alice-2", "bob-1"}),
        ("iam", {"customer": ALICE}, {"alice-1", "alice-2"}),
        ("iam", {"bookingId": "B1"}, {"bob-1"}),
    ],
)
def test_booking_status_subscriptions_receive_exactly_their_events(
    broker: SubscriptionBroker,
    principals: dict[str, Principal],
    caller: str,
    arguments: dict[str, Any],
    receives: set[str],
) -> None:
    filters = broker.resolve("onBookingStatusChanged", principals[caller], arguments, {})

    received = {
        name for name, event in BOOKING_EVENTS.items() if filters.delivery is None or filters.delivery.matches(event)
    }
    assert received == receives


@pytest.mark.parametrize("arguments", [{"customer": BOB}, {"customer": BOB, "bookingId": "B1"}])
def test_a_customer_naming_someone_else_is_refused(
    broker: SubscriptionBroker, principals: dict[str, Principal], arguments: dict[str, Any]
) -> None:
    with pytest.raises(AppSyncError) as refused:
        broker.resolve("onBookingStatusChanged", principals["alice"], arguments, {})
    assert refused.value.error_type == "Unauthorized"
    assert refused.value.message == "Not Authorized to access onBookingStatusChanged on type Subscription"


FLIGHT_EVENTS = {
    "F1 from LGW": {"flightId": "F1", "departureAirportCode": "LGW", "delayMinutes": 15},
    "F2 from LGW": {"flightId": "F2", "departureAirportCode": "LGW", "delayMinutes": 30},
    "F3 from MAN": {"flightId": "F3", "departureAirportCode": "MAN", "delayMinutes": 45},
}


@pytest.mark.parametrize(
    ("arguments", "receives"),
    [
        ({}, {"F1 from LGW", "F2 from LGW", "F3 from MAN"}),
        ({"flightId": "F1"}, {"F1 from LGW"}),
        ({"flightIds": ["F1", "F3"]}, {"F1 from LGW", "F3 from MAN"}),
        ({"flightIds": ["F1", "F3"], "departureAirportCode": "LGW"}, {"F1 from LGW"}),
        ({"flightIds": ["F1"], "flightId": "F2"}, {"F1 from LGW", "F2 from LGW"}),
        ({"departureAirportCode": "MAN"}, {"F3 from MAN"}),
        ({"flightIds": ["F9"]}, set()),
        ({"flightIds": ["F1", "F2", "F3", "F4", "F5"]}, {"F1 from LGW", "F2 from LGW", "F3 from MAN"}),
    ],
)
def test_flight_delay_subscriptions_receive_exactly_their_events(
    broker: SubscriptionBroker, principals: dict[str, Principal], arguments: dict[str, Any], receives: set[str]
) -> None:
    filters = broker.resolve("onFlightDelayed", principals["api_key"], arguments, {})

    received = {
        name for name, event in FLIGHT_EVENTS.items() if filters.delivery is None or filters.delivery.matches(event)
    }
    assert received == receives


@pytest.mark.parametrize("flight_ids", [[], ["F1", "F2", "F3", "F4", "F5", "F6"]], ids=["none", "six"])
def test_flight_ids_over_appsyncs_filter_limit_are_refused(
    broker: SubscriptionBroker, principals: dict[str, Principal], flight_ids: list[str]
) -> None:
    with pytest.raises(AppSyncError) as refused:
        broker.resolve("onFlightDelayed", principals["api_key"], {"flightIds": flight_ids}, {})
    assert refused.value.error_type == "ValidationError"
    assert refused.value.error_info == {"retryable": False, "field": "flightIds"}


# --- AppSync's filter operators (what setSubscriptionFilter takes) ------------------------------------------------


EVENT = {"n": 5, "name": "Gatwick", "tags": ["late", "crew"], "route": {"from": "LGW"}}


@pytest.mark.parametrize(
    ("field", "operator", "value", "matches"),
    [
        ("n", "eq", 5, True),
        ("n", "eq", 6, False),
        ("n", "ne", 6, True),
        ("n", "ne", 5, False),
        ("n", "in", [4, 5], True),
        ("n", "in", [4], False),
        ("n", "notIn", [4], True),
        ("n", "notIn", [5], False),
        ("n", "gt", 4, True),
        ("n", "gt", 5, False),
        ("n", "ge", 5, True),
        ("n", "lt", 5, False),
        ("n", "le", 5, True),
        ("n", "between", [1, 5], True),
        ("n", "between", [6, 9], False),
        ("name", "contains", "twi", True),
        ("tags", "contains", "late", True),
        ("tags", "contains", "early", False),
        ("tags", "notContains", "early", True),
        ("name", "notContains", "twi", False),
        ("name", "beginsWith", "Gat", True),
        ("name", "beginsWith", "wick", False),
        ("route.from", "eq", "LGW", True),
        ("missing", "eq", 1, False),
    ],
)
def test_filter_operators(field: str, operator: str, value: Any, matches: bool) -> None:
    parsed = SubscriptionFilter.parse(
        {"filterGroup": [{"filters": [{"fieldName": field, "operator": operator, "value": value}]}]}
    )
    assert parsed.matches(EVENT) is matches


def test_groups_are_or_and_conditions_are_and() -> None:
    parsed = SubscriptionFilter.parse(
        {
            "filterGroup": [
                {"filters": [{"fieldName": "n", "operator": "eq", "value": 1}]},
                {
                    "filters": [
                        {"fieldName": "n", "operator": "ge", "value": 5},
                        {"fieldName": "name", "operator": "eq", "value": "Gatwick"},
                    ]
                },
            ]
        }
    )
    assert parsed.matches(EVENT)
    assert not parsed.matches({**EVENT, "name": "Heathrow"})


@pytest.mark.parametrize(
    "filter_json",
    [
        {"filterGroup": [{"filters": [{"fieldName": "n", "operator": "like", "value": 1}]}]},
        {"filterGroup": [{"filters": [{"fieldName": "n", "operator": "in", "value": [1, 2, 3, 4, 5, 6]}]}]},
        {"filterGroup": [{"filters": [{"fieldName": f"f{i}", "operator": "eq", "value": i} for i in range(6)]}]},
        {"filterGroup": [{"filters": [{"fieldName": "n", "operator": "eq", "value": i}]} for i in range(11)]},
        {"filterGroup": []},
    ],
    ids=["unknown operator", "in over 5 values", "6 filters in a group", "11 groups", "no group"],
)
def test_filters_over_appsyncs_limits_are_refused(filter_json: dict[str, Any]) -> None:
    with pytest.raises(FilterError):
        SubscriptionFilter.parse(filter_json)


def test_to_subscription_filter_turns_and_or_into_groups(js: JsRuntime, tmp_path: Path) -> None:
    code = tmp_path / "filter.js"
    code.write_text(
        "import { util, extensions } from '@aws-appsync/utils';\n"
        "export function request(ctx) { return {}; }\n"
        "export function response(ctx) {\n"
        "  extensions.setSubscriptionFilter(util.transform.toSubscriptionFilter({\n"
        "    n: { gt: 1 }, skip: { eq: 1 },\n"
        "    or: [{ name: { eq: 'A' } }, { name: { eq: 'B' }, tags: { contains: 'x' } }],\n"
        "  }, ['skip']));\n"
        "  return null;\n"
        "}\n"
    )
    outcome = js.run(js.load(code), "response", a_context())

    assert outcome.subscription_filter == {
        "filterGroup": [
            {
                "filters": [
                    {"fieldName": "n", "operator": "gt", "value": 1},
                    {"fieldName": "name", "operator": "eq", "value": "A"},
                ]
            },
            {
                "filters": [
                    {"fieldName": "n", "operator": "gt", "value": 1},
                    {"fieldName": "name", "operator": "eq", "value": "B"},
                    {"fieldName": "tags", "operator": "contains", "value": "x"},
                ]
            },
        ]
    }


# --- Invalidation: cancelling a booking ends the subscriptions to it -----------------------------------------------


def test_cancelling_a_booking_ends_its_status_subscriptions(
    live: LiveServer,  # noqa: F811
    client_for: ClientFor,  # noqa: F811
) -> None:
    # Only this module's server (its runtime carries the saga and the notices): no fixture that starts another.
    alice = {"Authorization": live.appsync.credentials.issue_token("alice")}

    async def scenario() -> None:
        # Given a confirmed booking of Alice's, and two subscriptions of hers: to that booking, and to all of hers
        flight_id = a_flight_in_the_catalog()
        booking = await in_thread(book, client_for(alice), flight_id, "tok_visa")
        await in_thread(live.appsync.runtime.settle)
        async with AsyncExitStack() as stack:
            one, every = await subscribe_all(
                stack,
                live,
                "onBookingStatusChanged",
                [(alice, ON_BOOKING, {"bookingId": booking["id"]}), (alice, ON_BOOKING, {})],
            )

            # When she cancels it
            _data, errors = await in_thread(run, client_for(alice), CANCEL, {"id": booking["id"]})
            assert errors == []

            # Then both receive CANCELLED, and the one to that booking then ends (the other goes on)
            assert (await one.next())["onBookingStatusChanged"]["status"] == "CANCELLED"
            assert (await every.next())["onBookingStatusChanged"]["status"] == "CANCELLED"
            await live.until(lambda: live.appsync.subscriptions.count("onBookingStatusChanged") == 1)
            assert one.results.empty()

    asyncio.run(scenario())


def test_the_server_shares_one_js_runtime(live: LiveServer) -> None:  # noqa: F811
    appsync: LocalAppSync = live.appsync
    assert appsync.invoker.js is appsync.subscriptions.js is shared_runtime()


# --- AWS's ESLint plugin (recommended config) on the files ----------------------------------------------------------

ESLINT = APPSYNC_DIR / "node_modules" / ".bin" / "eslint"


def eslint(*arguments: str) -> subprocess.CompletedProcess[str]:
    assert ESLINT.exists(), "make test installs appsync/package.json (npm ci in appsync/)"
    return subprocess.run(
        [str(ESLINT), "--max-warnings", "0", *arguments],
        cwd=APPSYNC_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_resolver_files_pass_the_appsync_eslint_plugin() -> None:
    linted = eslint(".", "--format", "json")
    files = {Path(report["filePath"]).relative_to(APPSYNC_DIR).as_posix() for report in json.loads(linted.stdout)}
    assert linted.returncode == 0, linted.stdout
    assert {"lambda_resolver.js", "resolvers/cancel_booking.js", "subscriptions/on_flight_delayed.js"} <= files


def test_the_lint_refuses_what_appsync_js_does_not_support() -> None:
    # A file where the lint looks (the type-aware rules see only the files tsconfig.json includes), removed after
    probe = APPSYNC_DIR / "resolvers" / f"lint_probe_{uuid.uuid4().hex}.js"
    probe.write_text("export function request(ctx) { try { return {}; } catch (e) { return null; } }\n")
    try:
        linted = eslint(probe.relative_to(APPSYNC_DIR).as_posix())
    finally:
        probe.unlink()
    assert linted.returncode == 1
    assert "@aws-appsync/no-try" in linted.stdout


def test_a_runtime_made_inside_an_event_loop_keeps_serving_after_the_loop_closes(tmp_path: Path) -> None:
    # Given a runtime made by async code (a server's or a test's event loop), which then ends
    code = tmp_path / "echo.js"
    code.write_text("export function request(ctx) { return ctx.args; }\nexport function response(ctx) {}\n")

    async def make() -> JsRuntime:
        return JsRuntime()

    runtime = asyncio.run(make())
    name = runtime.load(code)

    # Then its resolvers still run
    assert runtime.run(name, "request", a_context(arguments={"id": "B7"})).value == {"id": "B7"}


def test_a_resolver_that_never_returns_is_stopped_and_the_runtime_keeps_serving(tmp_path: Path) -> None:
    # Given a resolver file with an endless loop
    code = tmp_path / "endless.js"
    code.write_text("export function request(ctx) { for (;;) {} }\nexport function response(ctx) { return 1; }\n")
    runtime = JsRuntime()
    name = runtime.load(code)

    # When it runs, it is interrupted at the time limit instead of holding the server's one context for good
    with pytest.raises(JsRuntimeError, match="interrupted"):
        runtime.run(name, "request", a_context())

    # And the same context still serves the next request
    assert runtime.run(name, "response", a_context()).value == 1


def test_a_bug_in_a_resolver_file_is_reported_with_its_message_and_line(tmp_path: Path) -> None:
    # Given a file whose request reads a property of undefined on its third line
    code = tmp_path / "buggy.js"
    code.write_text(
        "export function request(ctx) {\n  const none = ctx.nothing;\n  return none.deeper;\n}\n"
        "export function response(ctx) { return null; }\n"
    )
    runtime = JsRuntime()
    name = runtime.load(code)

    # Then the server log gets what went wrong and where, for the developer who wrote it
    with pytest.raises(JsRuntimeError) as failed:
        runtime.run(name, "request", a_context())
    assert "TypeError" in str(failed.value)
    assert "deeper" in str(failed.value)
    assert ":3)" in str(failed.value)
