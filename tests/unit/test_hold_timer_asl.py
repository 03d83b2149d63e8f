"""The hold timer's ASL (saga/hold.asl.json) on the local interpreter: the Wait ends at holdExpiresAt, an extended
hold waits again, a paid or expired one ends; what the interpreter accepts of Wait and Choice, and no more."""

from __future__ import annotations

import copy
import re
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from statelint.config import Config
from statelint.linter import Linter

from appsync.local.stepfunctions.asl import LocalStateMachine, unsupported
from resolvers.saga.definition import HOLD_ASL_PATH, HOLD_TASKS, load_definition, placeholder

EXPIRE = placeholder(HOLD_TASKS[0].placeholder)


def _at(seconds_from_now: float) -> str:
    return datetime.fromtimestamp(time.time() + seconds_from_now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Clock:
    """The interpreter's sleep, recorded instead of slept."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


def test_the_hold_timer_passes_statelint_and_uses_only_what_the_interpreter_supports() -> None:
    text = re.sub(r"\$\{(\w+)\}", r"arn:aws:lambda:eu-west-1:123456789012:function:\1", HOLD_ASL_PATH.read_text())
    assert Linter.validate(text, Config()) == []
    assert unsupported(load_definition(HOLD_ASL_PATH)) == []


def test_the_wait_ends_at_hold_expires_at_then_a_paid_hold_ends_the_timer() -> None:
    # Given a hold expiring in 120 s, paid by then (ExpireHold answers ENDED)
    clock = Clock()
    calls: list[Any] = []

    def expire(event: Any) -> Any:
        calls.append(event)
        return {"bookingId": event["bookingId"], "outcome": "ENDED"}

    machine = LocalStateMachine(load_definition(HOLD_ASL_PATH), {EXPIRE: expire}, sleep=clock.sleep)

    # When the timer runs
    execution = machine.execute({"bookingId": "b-1", "holdExpiresAt": _at(120)}, "b-1")

    # Then it slept until then (whole seconds: the milliseconds truncated), asked once, and ended
    assert execution.status == "SUCCEEDED"
    assert len(clock.sleeps) == 1
    assert 118 <= clock.sleeps[0] <= 120
    assert calls == [{"bookingId": "b-1"}]
    assert execution.states_entered == ["WaitForHoldExpiry", "ExpireHold", "HoldExtended", "HoldEnded"]


def test_an_extended_hold_waits_again_for_its_new_expiry() -> None:
    # Given ExpireHold answering EXTENDED twice (the hold was extended), then EXPIRED
    clock = Clock()
    answers = [
        {"bookingId": "b-1", "outcome": "EXTENDED", "holdExpiresAt": _at(600)},
        {"bookingId": "b-1", "outcome": "EXTENDED", "holdExpiresAt": _at(1200)},
        {"bookingId": "b-1", "outcome": "EXPIRED"},
    ]
    machine = LocalStateMachine(
        load_definition(HOLD_ASL_PATH), {EXPIRE: lambda event: answers.pop(0)}, sleep=clock.sleep
    )

    execution = machine.execute({"bookingId": "b-1", "holdExpiresAt": _at(-5)}, "b-1")

    # Then it waited three times: not at all (already past), then about 600 s, then about 1200 s
    assert execution.status == "SUCCEEDED"
    assert clock.sleeps[0] == 0
    assert 598 <= clock.sleeps[1] <= 600
    assert 1198 <= clock.sleeps[2] <= 1200
    assert execution.states_entered.count("WaitForHoldExpiry") == 3


@pytest.mark.parametrize("timestamp", ["tomorrow", "2026-12-01 10:00:00", "2026-12-01T10:00:00", 1700000000])
def test_a_timestamp_that_is_not_rfc3339_with_a_zone_fails_the_execution_with_states_runtime(timestamp: Any) -> None:
    machine = LocalStateMachine(load_definition(HOLD_ASL_PATH), {EXPIRE: lambda event: {}}, sleep=Clock().sleep)

    execution = machine.execute({"bookingId": "b-1", "holdExpiresAt": timestamp}, "b-1")

    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")


def test_no_choice_matching_and_no_default_fails_with_states_no_choice_matched() -> None:
    definition = load_definition(HOLD_ASL_PATH)
    del definition["States"]["HoldExtended"]["Default"]
    machine = LocalStateMachine(
        definition, {EXPIRE: lambda event: {"bookingId": "b-1", "outcome": "ENDED"}}, sleep=Clock().sleep
    )

    execution = machine.execute({"bookingId": "b-1", "holdExpiresAt": _at(0)}, "b-1")

    assert (execution.status, execution.error) == ("FAILED", "States.NoChoiceMatched")


def _with(change: Any) -> dict[str, Any]:
    definition = copy.deepcopy(load_definition(HOLD_ASL_PATH))
    change(definition["States"])
    return definition


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda s: s["WaitForHoldExpiry"].update(Seconds=10), "'Seconds'"),
        (lambda s: s["WaitForHoldExpiry"].pop("TimestampPath"), "TimestampPath"),
        (lambda s: s["HoldExtended"]["Choices"][0].update(NumericEquals=1), "'NumericEquals'"),
        (lambda s: s["HoldExtended"]["Choices"][0].update(Next="Nowhere"), "Next 'Nowhere'"),
        (lambda s: s["HoldExtended"].update(Default="Nowhere"), "Default 'Nowhere'"),
        (lambda s: s["HoldExtended"].update(Choices=[]), "Choices must be a non-empty array"),
    ],
)
def test_what_the_interpreter_does_not_run_of_wait_and_choice_is_named(change: Any, named: str) -> None:
    problems = unsupported(_with(change))

    assert any(named in problem for problem in problems), problems
