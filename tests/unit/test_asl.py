"""The local ASL interpreter: what it refuses, and the booking saga's paths run as Step Functions runs them."""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from statelint.config import Config
from statelint.linter import Linter

from appsync.local.stepfunctions.asl import LocalStateMachine, UnsupportedDefinition, unsupported
from resolvers.saga.definition import ASL_PATH, DEAD_LETTER_QUEUE_URL, SQS_SEND_MESSAGE, TASKS, load_definition

# Two passengers: two seats, twice the ticket price.
PRICE = {"amount": 200, "currency": "GBP"}
BOOKING = {
    "bookingId": "b-1",
    "outboundFlightId": "f-1",
    "paymentToken": "tok-1",
    "customer": "c-1",
    "seats": 2,
    "price": PRICE,
}
PAYMENT = {"receiptUrl": "https://pay.example/r/1", "price": 100}
# What ConfirmBooking answers: the booking as confirmed, handed to NotifyConfirmed.
CONFIRMED = {"id": "b-1", "status": "CONFIRMED"}
FAILURE_PATH = ["CancelBooking", "ReleaseSeat", "NotifyFailed", "RecordDeadLetter", "BookingFailed"]
COMPENSATION_FROM_REFUND = ["RefundPayment", *FAILURE_PATH]
# What a dead-letter record keeps of the state: the booking's identifiers (never the payment token) and the error.
RECORDED = {key: BOOKING[key] for key in ("bookingId", "customer", "outboundFlightId")}


class SeatsUnavailable(Exception):
    pass


class CardDeclined(Exception):
    pass


class TransientPaymentError(Exception):
    pass


class PaymentTimeout(Exception):
    pass


class Conflict(Exception):
    pass


class BookingSettled(Exception):
    pass


class RefundRejected(Exception):
    pass


class EmailBounced(Exception):
    pass


class FakeResources:
    """Every Resource of the booking saga: records each call, fails as scripted, and keeps dead-letter bodies."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.dead_letters: list[Any] = []
        self._failures: dict[str, list[Exception]] = {}
        self._always: dict[str, Exception] = {}

    def fail(self, function: str, *errors: Exception) -> None:
        """`function` (its placeholder without "FunctionArn") raises these, in order, then succeeds."""
        self._failures[function] = list(errors)

    def fail_always(self, function: str, error: Exception) -> None:
        self._always[function] = error

    def called(self, function: str) -> list[Any]:
        return [payload for name, payload in self.calls if name == function]

    def mapping(self) -> dict[str, Callable[[Any], Any]]:
        resources: dict[str, Callable[[Any], Any]] = {
            "${" + task.placeholder + "}": self._function(task.placeholder.removesuffix("FunctionArn"))
            for task in TASKS
        }
        resources[SQS_SEND_MESSAGE] = self._send_message
        return resources

    def _function(self, name: str) -> Callable[[Any], Any]:
        def call(payload: Any) -> Any:
            self.calls.append((name, payload))
            if name in self._always:
                raise self._always[name]
            if self._failures.get(name):
                raise self._failures[name].pop(0)
            if name == "ConfirmBooking":
                return dict(CONFIRMED)
            return dict(PAYMENT) if name == "CollectPayment" else {"ignored": True}

        return call

    def _send_message(self, parameters: Any) -> Any:
        self.calls.append(("SendMessage", parameters))
        self.dead_letters.append(parameters["MessageBody"])
        return {"MessageId": "m-1"}


@pytest.fixture
def resources() -> FakeResources:
    return FakeResources()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def saga(resources: FakeResources, sleeps: list[float]) -> LocalStateMachine:
    return LocalStateMachine(load_definition(), resources.mapping(), sleep=sleeps.append)


def lambda_cause(error: str, message: str) -> str:
    return json.dumps({"errorMessage": message, "errorType": error})


# --- What the interpreter accepts and refuses ---


def test_the_booking_definition_uses_only_what_the_interpreter_supports() -> None:
    # Given the saga's ASL file as deployed
    definition = load_definition()

    # When the interpreter lists what it does not support
    problems = unsupported(definition)

    # Then there is nothing: a new state type, field or intrinsic in the file makes this fail
    assert problems == []


def test_the_booking_definition_passes_statelint() -> None:
    # Given the file with its placeholders substituted, as the CDK app's DefinitionSubstitutions do
    def substitute(match: re.Match[str]) -> str:
        if match.group(1) == DEAD_LETTER_QUEUE_URL:
            return "https://sqs.eu-west-1.amazonaws.com/123456789012/booking-dead-letters"
        return f"arn:aws:lambda:eu-west-1:123456789012:function:{match.group(1)}"

    text = re.sub(r"\$\{(\w+)\}", substitute, ASL_PATH.read_text())
    assert "${" not in text

    # When statelint validates it, ignoring no problem type
    problems = Linter.validate(text, Config())

    # Then it finds none
    assert problems == []


def _booking_with(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    definition = load_definition()
    change(definition)
    return definition


def _state(name: str, **fields: Any) -> Callable[[dict[str, Any]], None]:
    def change(definition: dict[str, Any]) -> None:
        definition["States"][name] = {**definition["States"].get(name, {}), **fields}

    return change


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(definition: dict[str, Any]) -> None:
        node = definition
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "named"),
    [
        pytest.param(_state("Fan", Type="Map", ItemProcessor={}, End=True), "state type 'Map'", id="Map"),
        pytest.param(_state("Both", Type="Parallel", Branches=[], End=True), "state type 'Parallel'", id="Parallel"),
        # Choice and Wait as the hold timer uses them only (tests/unit/test_hold_timer_asl.py)
        pytest.param(_state("Pick", Type="Choice", Choices=[]), "Choices must be a non-empty array", id="Choice"),
        pytest.param(_state("Pause", Type="Wait", Seconds=1, End=True), "field 'Seconds'", id="Wait"),
        pytest.param(_state("Pass", Type="Pass", End=True), "state type 'Pass'", id="Pass"),
        pytest.param(_state("Noop", Type="Pass", End=True), "state type 'Pass'", id="Pass"),
        pytest.param(_state("ReserveSeat", Colour="red"), "field 'Colour'", id="unknown-field"),
        pytest.param(
            _state("ReserveSeat", ResultSelector={"a.$": "$.a"}), "field 'ResultSelector'", id="ResultSelector"
        ),
        pytest.param(_state("ReserveSeat", InputPath="$.booking"), "field 'InputPath'", id="InputPath"),
        pytest.param(_state("ReserveSeat", OutputPath="$.booking"), "field 'OutputPath'", id="OutputPath"),
        pytest.param(_state("ReserveSeat", HeartbeatSeconds=5), "field 'HeartbeatSeconds'", id="HeartbeatSeconds"),
        pytest.param(_state("BookingFailed", CausePath="$.error.Cause"), "field 'CausePath'", id="CausePath"),
        pytest.param(_set(["QueryLanguage"], "JSONata"), "QueryLanguage 'JSONata'", id="JSONata"),
        pytest.param(_state("ReserveSeat", QueryLanguage="JSONata"), "QueryLanguage 'JSONata'", id="state-JSONata"),
        pytest.param(_set(["Owner"], "us"), "top-level field 'Owner'", id="top-level-field"),
        pytest.param(
            _set(["States", "ReserveSeat", "Parameters", "label.$"], "States.Format('seat {}', $.bookingId)"),
            "States.Format",
            id="intrinsic",
        ),
        pytest.param(
            _set(["States", "ReserveSeat", "Parameters", "name.$"], "$$.Execution.Name"), "context object", id="context"
        ),
        pytest.param(
            _set(["States", "ReserveSeat", "Parameters", "any.$"], "$..bookingId"),
            "path syntax '$..bookingId'",
            id="deep",
        ),
        pytest.param(
            _set(["States", "ReserveSeat", "Parameters", "first.$"], "$.legs[0]"), "path syntax '$.legs[0]'", id="index"
        ),
        pytest.param(
            _set(["States", "ReserveSeat", "Parameters", "legs"], [{"id.$": "$.bookingId"}]),
            "inside an array",
            id="array",
        ),
        pytest.param(_state("ReserveSeat", ResultPath="$.a[0]"), "ResultPath '$.a[0]'", id="ResultPath-syntax"),
        pytest.param(
            _state("ReserveSeat", Resource="arn:aws:states:::dynamodb:putItem"),
            "Resource 'arn:aws:states",
            id="dynamodb",
        ),
        pytest.param(
            _state("ReserveSeat", Resource="arn:aws:states:::lambda:invoke.waitForTaskToken"), "Resource", id="callback"
        ),
        pytest.param(
            _set(["States", "ReserveSeat", "Retry", 0, "ErrorEquals"], ["States.ALL", "Conflict"]),
            "States.ALL must appear alone",
            id="ALL-not-alone",
        ),
        pytest.param(
            _set(["States", "ReserveSeat", "Catch"], [{"ErrorEquals": ["States.ALL"], "Next": "CancelBooking"}] * 2),
            "States.ALL must appear alone, in the last",
            id="ALL-not-last",
        ),
        pytest.param(
            _set(["States", "ReserveSeat", "Retry", 0, "ErrorEquals"], ["States.Timout"]), "'States.Timout'", id="typo"
        ),
        pytest.param(
            _set(["States", "ReserveSeat", "Retry", 0, "ErrorEquals"], ["Lambda.*"]),
            "pattern 'Lambda.*'",
            id="wildcard",
        ),
        pytest.param(
            _set(["States", "ReserveSeat", "Retry", 0, "JitterStrategy"], "FULL"), "'JitterStrategy'", id="jit"
        ),
        pytest.param(_state("ReserveSeat", Next="Nowhere"), "Next 'Nowhere'", id="dangling-Next"),
        pytest.param(_set(["StartAt"], "Nowhere"), "StartAt 'Nowhere'", id="dangling-StartAt"),
    ],
)
def test_unsupported_names_what_the_interpreter_cannot_run(
    change: Callable[[dict[str, Any]], None], named: str
) -> None:
    # Given the booking definition with one thing the interpreter does not run
    definition = _booking_with(change)

    # When it is checked
    problems = unsupported(definition)

    # Then that thing is named
    assert any(named in problem for problem in problems), problems


def test_the_interpreter_refuses_a_definition_it_does_not_support(resources: FakeResources) -> None:
    # Given a definition with an intrinsic function
    definition = _booking_with(_set(["States", "ReserveSeat", "Parameters", "n.$"], "States.UUID()"))

    # When a state machine is built from it
    with pytest.raises(UnsupportedDefinition) as refused:
        LocalStateMachine(definition, resources.mapping())

    # Then it is refused, naming the intrinsic
    assert any("States.UUID" in problem for problem in refused.value.problems)


def test_the_interpreter_refuses_a_resource_it_has_no_callable_for(resources: FakeResources) -> None:
    # Given resources without the dead-letter queue
    mapping = resources.mapping()
    del mapping[SQS_SEND_MESSAGE]

    # When a state machine is built, then it names the missing Resource
    with pytest.raises(ValueError, match="sqs:sendMessage"):
        LocalStateMachine(load_definition(), mapping)


# --- The booking saga's paths ---


def test_a_booking_that_goes_through_is_confirmed_and_keeps_its_payment(
    saga: LocalStateMachine, resources: FakeResources, sleeps: list[float]
) -> None:
    # Given every task succeeds
    # When the saga runs
    execution = saga.execute(BOOKING, "b-1")

    # Then it visits the four steps and ends confirmed, with its input plus the payment
    assert execution.status == "SUCCEEDED"
    assert execution.name == "b-1"
    assert execution.states_entered == [
        "ReserveSeat",
        "CollectPayment",
        "ConfirmBooking",
        "NotifyConfirmed",
        "BookingConfirmed",
    ]
    assert execution.output == {**BOOKING, "payment": PAYMENT, "confirmed": CONFIRMED}
    assert (execution.error, execution.cause) == (None, None)
    # And each task received exactly its Parameters: what the input carries is not read again
    assert resources.calls == [
        ("ReserveSeat", {"bookingId": "b-1", "outboundFlightId": "f-1", "seats": 2}),
        ("CollectPayment", {"bookingId": "b-1", "outboundFlightId": "f-1", "paymentToken": "tok-1", "price": PRICE}),
        ("ConfirmBooking", {"bookingId": "b-1", "payment": PAYMENT, "customer": "c-1"}),
        ("NotifyBooking", {"bookingId": "b-1", "booking": CONFIRMED}),
    ]
    assert sleeps == []
    assert resources.dead_letters == []


def test_no_seat_cancels_releases_notifies_and_dead_letters_without_retrying(
    saga: LocalStateMachine, resources: FakeResources, sleeps: list[float]
) -> None:
    # Given the flight is full
    resources.fail("ReserveSeat", SeatsUnavailable("flight f-1 is full"))

    # When the saga runs
    execution = saga.execute(BOOKING, "b-1")

    # Then ReserveSeat ran once and the failure path ran from CancelBooking, without a refund
    assert execution.states_entered == ["ReserveSeat", *FAILURE_PATH]
    assert len(resources.called("ReserveSeat")) == 1
    assert sleeps == []
    assert resources.called("RefundPayment") == []
    # And ReleaseSeat was asked to give back every seat the booking would have taken
    assert resources.called("ReleaseSeat") == [{"bookingId": "b-1", "outboundFlightId": "f-1", "seats": 2}]
    # And the execution failed with the Fail state's error
    assert execution.status == "FAILED"
    assert execution.error == "BookingFailed"
    assert execution.cause == "The booking could not be completed; see the dead-letter queue."
    assert execution.output is None
    # And CancelBooking was told why, in the shape Step Functions reports a Lambda error
    error = {"Error": "SeatsUnavailable", "Cause": lambda_cause("SeatsUnavailable", "flight f-1 is full")}
    assert resources.called("CancelBooking") == [{"bookingId": "b-1", "error": error, "customer": "c-1"}]
    # And the dead-letter body is the state input at RecordDeadLetter
    assert resources.dead_letters == [{**RECORDED, "error": error}]
    assert resources.called("SendMessage")[0]["QueueUrl"] == "${DeadLetterQueueUrl}"


def test_a_declined_card_is_not_retried_and_compensates_from_the_refund(
    saga: LocalStateMachine, resources: FakeResources, sleeps: list[float]
) -> None:
    # Given the card is declined
    resources.fail("CollectPayment", CardDeclined("insufficient funds"))

    # When the saga runs
    execution = saga.execute(BOOKING, "b-1")

    # Then the payment was tried once and every compensation ran, refund first
    assert len(resources.called("CollectPayment")) == 1
    assert sleeps == []
    assert execution.states_entered == ["ReserveSeat", "CollectPayment", *COMPENSATION_FROM_REFUND]
    assert execution.status == "FAILED"
    assert resources.dead_letters[0]["error"]["Error"] == "CardDeclined"
    assert "payment" not in resources.dead_letters[0]


def test_a_transient_payment_error_is_retried_with_backoff_until_it_succeeds(
    resources: FakeResources, sleeps: list[float]
) -> None:
    # Given retry intervals scaled by half, and a provider failing twice before it succeeds
    saga = LocalStateMachine(load_definition(), resources.mapping(), sleep=sleeps.append, retry_interval_scale=0.5)
    resources.fail("CollectPayment", TransientPaymentError("503"), TransientPaymentError("503"))

    # When the saga runs
    execution = saga.execute(BOOKING, "b-1")

    # Then three calls were made, sleeping 1 s then 2 s (scaled), and the booking is confirmed
    assert len(resources.called("CollectPayment")) == 3
    assert sleeps == [0.5, 1.0]
    assert execution.status == "SUCCEEDED"
    assert execution.output["payment"] == PAYMENT
    assert execution.events("CollectPayment") == [
        "entered",
        "failed TransientPaymentError",
        "retry after 0.5s",
        "failed TransientPaymentError",
        "retry after 1s",
        "succeeded",
    ]


def test_a_payment_that_keeps_timing_out_is_retried_max_attempts_times_then_compensated(
    saga: LocalStateMachine, resources: FakeResources, sleeps: list[float]
) -> None:
    # Given the provider times out on every call
    resources.fail_always("CollectPayment", PaymentTimeout("no answer"))

    # When the saga runs
    execution = saga.execute(BOOKING, "b-1")

    # Then, as Step Functions does, MaxAttempts 3 means three retries after the first call: four calls
    assert len(resources.called("CollectPayment")) == 4
    assert sleeps == [1.0, 2.0, 4.0]
    # And the saga compensates from the refund
    assert execution.states_entered == ["ReserveSeat", "CollectPayment", *COMPENSATION_FROM_REFUND]
    assert execution.error == "BookingFailed"


def test_a_retried_conflict_at_the_seat_goes_on_to_payment(
    saga: LocalStateMachine, resources: FakeResources, sleeps: list[float]
) -> None:
    # Given a write conflict on the first seat reservation
    resources.fail("ReserveSeat", Conflict("version moved"))

    # When the saga runs
    execution = saga.execute(BOOKING, "b-1")

    # Then the reservation is retried once and the booking goes through
    assert len(resources.called("ReserveSeat")) == 2
    assert sleeps == [1.0]
    assert execution.status == "SUCCEEDED"


def test_a_failed_confirmation_refunds_first(saga: LocalStateMachine, resources: FakeResources) -> None:
    # Given confirming the booking fails for good
    resources.fail("ConfirmBooking", RuntimeError("boom"))

    # When the saga runs
    execution = saga.execute(BOOKING, "b-1")

    # Then compensation starts with the refund, and the record names the booking and the error only
    assert execution.states_entered == ["ReserveSeat", "CollectPayment", "ConfirmBooking", *COMPENSATION_FROM_REFUND]
    assert resources.called("RefundPayment") == [{"bookingId": "b-1"}]
    assert set(resources.dead_letters[0]) == {*RECORDED, "error"}
    assert resources.dead_letters[0]["error"]["Error"] == "RuntimeError"


def test_a_failed_notification_is_recorded_and_the_booking_stays_confirmed(
    saga: LocalStateMachine, resources: FakeResources, sleeps: list[float]
) -> None:
    # Given the confirmation email cannot be sent
    resources.fail("NotifyBooking", EmailBounced("mailbox full"))

    # When the saga runs
    execution = saga.execute(BOOKING, "b-1")

    # Then the failure goes to the dead-letter queue and the booking is confirmed anyway, without retrying
    assert execution.states_entered == [
        "ReserveSeat",
        "CollectPayment",
        "ConfirmBooking",
        "NotifyConfirmed",
        "RecordNotificationFailure",
        "BookingConfirmed",
    ]
    assert execution.status == "SUCCEEDED"
    assert sleeps == []
    error = {"Error": "EmailBounced", "Cause": lambda_cause("EmailBounced", "mailbox full")}
    assert resources.dead_letters == [{**RECORDED, "error": error}]
    assert execution.output == {**BOOKING, "payment": PAYMENT, "confirmed": CONFIRMED, "error": error}
    assert resources.called("RefundPayment") == []


@pytest.mark.parametrize("task", ["ReserveSeat", "CollectPayment"])
def test_a_second_run_of_a_settled_booking_ends_at_once_without_compensating(
    saga: LocalStateMachine, resources: FakeResources, sleeps: list[float], task: str
) -> None:
    # Given a booking another run has settled (Express runs an execution at least once)
    resources.fail(task, BookingSettled("booking b-1 is CONFIRMED"))

    # When the saga runs
    execution = saga.execute(BOOKING, "b-1")

    # Then it ends there, succeeded, having compensated nothing and taken no money
    assert execution.status == "SUCCEEDED"
    assert execution.states_entered[-1] == "AlreadySettled"
    assert [name for name, _ in resources.calls] == ["ReserveSeat", "CollectPayment"][: 1 + (task == "CollectPayment")]
    assert resources.dead_letters == []
    assert sleeps == []


def test_a_compensation_that_fails_for_good_lets_the_others_run_and_is_reported(
    saga: LocalStateMachine, resources: FakeResources, sleeps: list[float]
) -> None:
    # Given a declined card, a refund the provider rejects and a seat that cannot be released
    resources.fail("CollectPayment", CardDeclined("declined"))
    resources.fail_always("RefundPayment", RefundRejected("already settled"))
    resources.fail_always("ReleaseSeat", RuntimeError("table gone"))

    # When the saga runs
    execution = saga.execute(BOOKING, "b-1")

    # Then every compensation still ran, once each (neither error is retried)
    assert execution.states_entered == ["ReserveSeat", "CollectPayment", *COMPENSATION_FROM_REFUND]
    assert len(resources.called("RefundPayment")) == 1
    assert len(resources.called("CancelBooking")) == 1
    assert len(resources.called("ReleaseSeat")) == 1
    assert sleeps == []
    # And the dead-letter record carries both compensation errors next to the original one
    (record,) = resources.dead_letters
    assert record["error"]["Error"] == "CardDeclined"
    assert record["error"]["compensationErrors"] == {
        "refundPayment": {"Error": "RefundRejected", "Cause": lambda_cause("RefundRejected", "already settled")},
        "releaseSeat": {"Error": "RuntimeError", "Cause": lambda_cause("RuntimeError", "table gone")},
    }
    assert execution.error == "BookingFailed"


def test_a_refund_that_keeps_failing_transiently_is_retried_six_times_then_reported(
    saga: LocalStateMachine, resources: FakeResources, sleeps: list[float]
) -> None:
    # Given a declined card and a provider that never answers the refund
    resources.fail("CollectPayment", CardDeclined("declined"))
    resources.fail_always("RefundPayment", PaymentTimeout("no answer"))

    # When the saga runs
    saga.execute(BOOKING, "b-1")

    # Then the refund was tried 1 + 6 times with doubling intervals, and the rest still ran
    assert len(resources.called("RefundPayment")) == 7
    assert sleeps == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0]
    assert resources.dead_letters[0]["error"]["compensationErrors"]["refundPayment"]["Error"] == "PaymentTimeout"
    assert len(resources.called("ReleaseSeat")) == 1


def test_a_missing_parameter_path_fails_the_execution_with_states_runtime_uncaught(
    saga: LocalStateMachine, resources: FakeResources
) -> None:
    # Given an input without the payment token CollectPayment's Parameters select
    booking = {key: value for key, value in BOOKING.items() if key != "paymentToken"}

    # When the saga runs
    execution = saga.execute(booking, "b-1")

    # Then, as in Step Functions, States.Runtime ends the execution: States.ALL does not catch it
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"
    assert "'$.paymentToken'" in (execution.cause or "")
    assert execution.states_entered == ["ReserveSeat", "CollectPayment"]
    assert resources.called("CollectPayment") == []


def test_the_execution_input_is_not_shared_with_the_caller_or_the_tasks(resources: FakeResources) -> None:
    # Given a ReserveSeat that scribbles on the event it receives
    def scribbling(event: Any) -> Any:
        event["bookingId"] = "changed"
        return None

    mapping = resources.mapping()
    mapping["${ReserveSeatFunctionArn}"] = scribbling
    booking = copy.deepcopy(BOOKING)

    # When the saga runs
    execution = LocalStateMachine(load_definition(), mapping, sleep=lambda _: None).execute(booking, "b-1")

    # Then neither the state nor the caller's input changed
    assert execution.output["bookingId"] == "b-1"
    assert booking == BOOKING


# --- ASL semantics on small definitions ---


def _task(**fields: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": "${Work}", **fields}


def _machine(
    states: dict[str, Any], work: Callable[[Any], Any], sleeps: list[float] | None = None, **top: Any
) -> LocalStateMachine:
    definition = {"StartAt": next(iter(states)), "States": states, **top}
    recorder = sleeps if sleeps is not None else []
    return LocalStateMachine(definition, {"${Work}": work}, sleep=recorder.append)


@pytest.mark.parametrize(
    ("result_path", "output"),
    [
        pytest.param("$", {"done": 1}, id="replace"),
        pytest.param(None, {"a": {"keep": True}}, id="discard"),
        pytest.param("$.a.b.c", {"a": {"keep": True, "b": {"c": {"done": 1}}}}, id="nested-created"),
        pytest.param("$.a", {"a": {"done": 1}}, id="overwrite"),
    ],
)
def test_result_path_places_the_result(result_path: str | None, output: Any) -> None:
    # Given a task returning {"done": 1} with this ResultPath
    machine = _machine({"Do": _task(ResultPath=result_path, End=True)}, lambda _: {"done": 1})

    # When it runs on {"a": {"keep": true}}
    execution = machine.execute({"a": {"keep": True}}, "e")

    # Then the output is the input with the result placed there
    assert execution.status == "SUCCEEDED"
    assert execution.output == output


def test_result_path_is_replace_by_default_and_parameters_mix_static_and_selected_values() -> None:
    # Given Parameters with static values, nested objects and "$" and "$.a.b" references
    received: list[Any] = []
    parameters = {
        "static": "yes",
        "nested": {"deep.$": "$.a.b", "n": 1},
        "all.$": "$",
        "nothing.$": "$.a.none",
    }

    def work(event: Any) -> Any:
        received.append(event)
        return "result"

    machine = _machine({"Do": _task(Parameters=parameters, End=True)}, work)

    # When it runs
    execution = machine.execute({"a": {"b": [1, 2], "none": None}}, "e")

    # Then the task got the template filled in, "key.$" renamed to "key", and the output is the result
    assert received == [
        {
            "static": "yes",
            "nested": {"deep": [1, 2], "n": 1},
            "all": {"a": {"b": [1, 2], "none": None}},
            "nothing": None,
        }
    ]
    assert execution.output == "result"


def test_a_result_path_through_a_value_that_is_not_an_object_fails_the_execution() -> None:
    # Given a ResultPath below a field that holds a string
    machine = _machine({"Do": _task(ResultPath="$.a.b", End=True)}, lambda _: 1)

    # When it runs, then the execution fails with States.ResultPathMatchFailure
    execution = machine.execute({"a": "text"}, "e")
    assert (execution.status, execution.error) == ("FAILED", "States.ResultPathMatchFailure")


def test_a_catcher_without_result_path_replaces_the_input_with_the_error() -> None:
    # Given a failing task whose catcher has no ResultPath
    def work(_: Any) -> Any:
        raise KeyError("k")

    states = {
        "Do": _task(Catch=[{"ErrorEquals": ["KeyError"], "Next": "Done"}], End=True),
        "Done": {"Type": "Succeed"},
    }

    # When it runs
    execution = _machine(states, work).execute({"a": 1}, "e")

    # Then the next state's input is just the error output
    assert execution.output == {"Error": "KeyError", "Cause": lambda_cause("KeyError", "'k'")}


def test_an_uncaught_task_error_fails_the_execution_with_the_exception_class_name() -> None:
    # Given a task that raises and no Catch
    def work(_: Any) -> Any:
        raise CardDeclined("nope")

    # When it runs
    execution = _machine({"Do": _task(End=True)}, work).execute({}, "e")

    # Then the execution reports the error as Step Functions reports a Lambda's
    assert (execution.status, execution.error) == ("FAILED", "CardDeclined")
    assert execution.cause == lambda_cause("CardDeclined", "nope")


def test_a_result_that_is_not_json_fails_the_task_as_the_lambda_runtime_does() -> None:
    # Given a task returning something JSON cannot hold
    execution = _machine({"Do": _task(End=True)}, lambda _: {1, 2}).execute({}, "e")

    # Then the task fails with Runtime.MarshalError
    assert (execution.status, execution.error) == ("FAILED", "Runtime.MarshalError")


def _failing_n_times(n: int, error: type[Exception]) -> tuple[Callable[[Any], Any], list[int]]:
    calls: list[int] = []

    def work(_: Any) -> Any:
        calls.append(1)
        if len(calls) <= n:
            raise error("again")
        return "ok"

    return work, calls


def test_max_attempts_zero_never_retries() -> None:
    # Given a retrier with MaxAttempts 0 for the error
    work, calls = _failing_n_times(1, Conflict)
    sleeps: list[float] = []
    retry = [{"ErrorEquals": ["Conflict"], "MaxAttempts": 0}]

    # When it runs
    execution = _machine({"Do": _task(Retry=retry, End=True)}, work, sleeps).execute({}, "e")

    # Then the task ran once and the execution failed
    assert (len(calls), sleeps, execution.error) == (1, [], "Conflict")


def test_the_first_matching_retrier_decides_even_once_its_attempts_are_spent() -> None:
    # Given two retriers naming the error, the first allowing one retry
    work, calls = _failing_n_times(5, Conflict)
    sleeps: list[float] = []
    retry = [
        {"ErrorEquals": ["Conflict"], "MaxAttempts": 1, "IntervalSeconds": 3},
        {"ErrorEquals": ["States.ALL"], "MaxAttempts": 5},
    ]

    # When it runs
    execution = _machine({"Do": _task(Retry=retry, End=True)}, work, sleeps).execute({}, "e")

    # Then only the first retrier's single retry happened
    assert (len(calls), sleeps, execution.error) == (2, [3.0], "Conflict")


def test_retriers_keep_separate_counts_and_max_delay_caps_the_interval() -> None:
    # Given a retrier for other errors ahead of a capped States.ALL retrier
    work, calls = _failing_n_times(4, TransientPaymentError)
    sleeps: list[float] = []
    retry = [
        {"ErrorEquals": ["Conflict"], "MaxAttempts": 1},
        {
            "ErrorEquals": ["States.ALL"],
            "MaxAttempts": 4,
            "IntervalSeconds": 2,
            "BackoffRate": 3,
            "MaxDelaySeconds": 10,
        },
    ]

    # When it runs
    execution = _machine({"Do": _task(Retry=retry, End=True)}, work, sleeps).execute({}, "e")

    # Then the second retrier retried four times: 2, 6, 18 → 10, 54 → 10
    assert (len(calls), sleeps, execution.status) == (5, [2.0, 6.0, 10.0, 10.0], "SUCCEEDED")


def test_a_fail_state_reports_its_error_and_cause() -> None:
    # Given a Fail state straight away
    machine = _machine({"Stop": {"Type": "Fail", "Error": "Nope", "Cause": "because"}}, lambda _: None)

    # When it runs, then those are the execution's error and cause
    execution = machine.execute({}, "e")
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "Nope", "because")


@pytest.fixture
def blocked() -> Iterator[threading.Event]:
    """A task that blocks until released; released after the test so no thread outlives it for long."""
    release = threading.Event()
    yield release
    release.set()


def test_a_task_running_past_its_timeout_fails_with_states_timeout(blocked: threading.Event) -> None:
    # Given a task with TimeoutSeconds 1 that would run for 30 s, a States.TaskFailed retrier and a States.ALL catcher
    calls: list[int] = []

    def work(_: Any) -> Any:
        calls.append(1)
        blocked.wait(30)
        return "late"

    states = {
        "Do": _task(
            TimeoutSeconds=1,
            Retry=[{"ErrorEquals": ["States.TaskFailed"]}],
            Catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Done"}],
            End=True,
        ),
        "Done": {"Type": "Succeed"},
    }
    started = time.monotonic()

    # When it runs
    execution = _machine(states, work).execute({"a": 1}, "e")

    # Then it stopped waiting, the timeout was not retried (TaskFailed excludes it) and States.ALL caught it
    assert time.monotonic() - started < 10
    assert len(calls) == 1
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"a": 1, "error": {"Error": "States.Timeout", "Cause": ""}}


def test_a_timeout_is_retried_when_named() -> None:
    # Given a task that times out once, then answers at once
    first = threading.Event()
    calls: list[int] = []

    def work(_: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            first.wait(30)
        return "ok"

    retry = [{"ErrorEquals": ["States.Timeout"], "MaxAttempts": 1}]
    machine = _machine({"Do": _task(TimeoutSeconds=1, Retry=retry, End=True)}, work)

    # When it runs
    try:
        execution = machine.execute({}, "e")
    finally:
        first.set()

    # Then the second attempt's result is the output
    assert (len(calls), execution.status, execution.output) == (2, "SUCCEEDED", "ok")


def test_an_execution_running_past_its_timeout_times_out(blocked: threading.Event) -> None:
    # Given a state machine with TimeoutSeconds 1 and a task without its own timeout that would run for 30 s
    def work(_: Any) -> Any:
        blocked.wait(30)
        return "late"

    catch = [{"ErrorEquals": ["States.ALL"], "Next": "Done"}]
    states = {"Do": _task(Catch=catch, End=True), "Done": {"Type": "Succeed"}}
    started = time.monotonic()

    # When it runs
    execution = _machine(states, work, TimeoutSeconds=1).execute({}, "e")

    # Then the execution timed out, as Step Functions reports it, and no Catch applied
    assert time.monotonic() - started < 10
    assert (execution.status, execution.error) == ("TIMED_OUT", "States.Timeout")
    assert execution.output is None
    assert execution.states_entered == ["Do"]
