"""The local saga runner: executions named once, run off the caller's thread, bounded in workers and backlog."""

from __future__ import annotations

import sys
import threading
import types
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from appsync.local.lambda_context import LocalLambdaContext
from appsync.local.stepfunctions.saga_runner import LocalSagaRunner, SagaBacklogFull
from resolvers.saga.definition import SQS_SEND_MESSAGE, TASKS, placeholder

TASKS_MODULE = "resolvers.saga.tasks"
HANG = 30  # seconds; only reached if the code under test hangs


def booking(n: int = 1) -> dict[str, Any]:
    return {
        "bookingId": f"b-{n}",
        "outboundFlightId": "f-1",
        "customer": "c-1",
        "paymentToken": "tok",
        "seats": 2,
        "price": {"amount": 200, "currency": "GBP"},
    }


def succeeding(task: Callable[[str, Any], Any] | None = None) -> dict[str, Callable[[Any], Any]]:
    """Resources where every task succeeds, after calling `task(name, event)` if given."""

    def function(name: str) -> Callable[[Any], Any]:
        def call(event: Any) -> Any:
            if task is not None:
                task(name, event)
            return {"paid": True}

        return call

    resources = {placeholder(t.placeholder): function(t.placeholder) for t in TASKS}
    resources[SQS_SEND_MESSAGE] = function("SendMessage")
    return resources


@pytest.fixture
def gate() -> Iterator[threading.Event]:
    """Holds tasks until set; set after each test so no worker outlives it."""
    event = threading.Event()
    yield event
    event.set()


def test_an_execution_runs_off_the_callers_thread_and_can_be_awaited() -> None:
    # Given a runner whose tasks record the thread they run on
    threads: list[str] = []
    runner = LocalSagaRunner(succeeding(lambda name, _: threads.append(threading.current_thread().name)))

    # When an execution is started and awaited
    started = runner.start("b-1", booking())
    execution = runner.wait("b-1", timeout=HANG)
    runner.shutdown()

    # Then it ran the whole saga elsewhere and succeeded
    assert started is True
    assert execution.name == "b-1"
    assert execution.status == "SUCCEEDED"
    assert execution.output == {**booking(), "payment": {"paid": True}, "confirmed": {"paid": True}}
    assert threading.current_thread().name not in threads
    assert len(threads) == 4


def test_a_name_starts_at_most_one_execution_even_when_raced() -> None:
    # Given a runner counting ReserveSeat calls, and 20 threads ready to start the same name at once
    reserved: list[Any] = []
    runner = LocalSagaRunner(
        succeeding(lambda name, event: reserved.append(event) if name.startswith("Reserve") else 0)
    )
    barrier = threading.Barrier(20, timeout=HANG)
    answers: list[bool] = []

    def start() -> None:
        barrier.wait()
        answers.append(runner.start("b-1", booking()))

    racers = [threading.Thread(target=start) for _ in range(20)]

    # When they all start it
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(HANG)
    runner.wait_all(timeout=HANG)
    runner.shutdown()

    # Then exactly one start was accepted and the saga ran once
    assert sorted(answers) == [False] * 19 + [True]
    assert len(reserved) == 1


def test_a_name_is_not_reused_after_its_execution_finished() -> None:
    # Given an execution that has finished
    runner = LocalSagaRunner(succeeding())
    runner.start("b-1", booking())
    first = runner.wait("b-1", timeout=HANG)

    # When the same name is started again, with another input
    again = runner.start("b-1", booking(2))
    runner.shutdown()

    # Then nothing starts and the name still answers with the first execution
    assert again is False
    assert runner.wait("b-1", timeout=HANG) is first


def test_no_more_tasks_run_at_once_than_there_are_workers(gate: threading.Event) -> None:
    # Given two workers, tasks that count how many run at once, and the first two held until both are running
    lock = threading.Lock()
    running = 0
    most = 0
    both_running = threading.Barrier(2, timeout=HANG)

    def task(name: str, _: Any) -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        try:
            if name.startswith("Reserve") and not gate.is_set():
                both_running.wait()
                gate.set()
        finally:
            with lock:
                running -= 1

    runner = LocalSagaRunner(succeeding(task), max_workers=2)

    # When six executions are started
    for n in range(6):
        runner.start(f"b-{n}", booking(n))
    executions = runner.wait_all(timeout=HANG)
    runner.shutdown()

    # Then two ran at once, never more, and all finished
    assert most == 2
    assert sorted(executions) == [f"b-{n}" for n in range(6)]
    assert {execution.status for execution in executions.values()} == {"SUCCEEDED"}


def test_starting_more_than_max_pending_waiting_executions_is_refused(gate: threading.Event) -> None:
    # Given one worker held by the first execution, and room for two waiting
    first_running = threading.Event()

    def task(name: str, event: Any) -> None:
        first_running.set()
        gate.wait(HANG)

    runner = LocalSagaRunner(succeeding(task), max_workers=1, max_pending=2)
    runner.start("b-0", booking(0))
    assert first_running.wait(HANG)
    runner.start("b-1", booking(1))
    runner.start("b-2", booking(2))

    # When a fourth is started
    with pytest.raises(SagaBacklogFull):
        runner.start("b-3", booking(3))

    # Then it was not recorded: once the backlog drains the name can start
    gate.set()
    runner.wait_all(timeout=HANG)
    assert runner.start("b-3", booking(3)) is True
    assert runner.wait("b-3", timeout=HANG).status == "SUCCEEDED"
    runner.shutdown()


def test_wait_names_what_it_cannot_answer(gate: threading.Event) -> None:
    # Given one execution held in its first task
    runner = LocalSagaRunner(succeeding(lambda name, event: gate.wait(HANG)))
    runner.start("b-1", booking())

    # When waiting on a name never started, or too briefly on a running one, or on all
    with pytest.raises(KeyError):
        runner.wait("nobody", timeout=HANG)
    with pytest.raises(TimeoutError):
        runner.wait("b-1", timeout=0.05)
    with pytest.raises(TimeoutError):
        runner.wait_all(timeout=0.05)

    # Then, once released, it finishes
    gate.set()
    assert runner.wait("b-1", timeout=HANG).status == "SUCCEEDED"
    runner.shutdown()


def test_shutdown_waits_for_started_executions_and_refuses_new_ones() -> None:
    # Given an execution started
    finished: list[str] = []
    runner = LocalSagaRunner(succeeding(lambda name, event: finished.append(name)))
    runner.start("b-1", booking())

    # When the runner shuts down
    runner.shutdown(wait=True)

    # Then the execution had finished, and no new one starts
    assert len(finished) == 4
    with pytest.raises(RuntimeError, match="shut down"):
        runner.start("b-2", booking(2))


def test_a_failed_booking_reaches_the_runners_executions() -> None:
    # Given a card that is declined
    class CardDeclined(Exception):
        pass

    def task(name: str, event: Any) -> None:
        if name == "CollectPaymentFunctionArn":
            raise CardDeclined("declined")

    runner = LocalSagaRunner(succeeding(task), retry_interval_scale=0)

    # When the booking runs
    runner.start("b-1", booking())
    execution = runner.wait("b-1", timeout=HANG)
    runner.shutdown()

    # Then the execution failed as the saga's Fail state says
    assert (execution.status, execution.error) == ("FAILED", "BookingFailed")


class FakeTasksModule:
    """A stand-in for the saga's handler module, recording (event, context) per handler."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self._monkeypatch = monkeypatch
        self.module = types.ModuleType(TASKS_MODULE)
        self.calls: dict[str, list[tuple[Any, Any]]] = {}
        for task in TASKS:
            self.replace(task.handler.rpartition(".")[2], lambda event, context: {"paid": True})

    def replace(self, attribute: str, handler: Callable[[Any, Any], Any]) -> None:
        recorded = self.calls.setdefault(attribute, [])

        def recording(event: Any, context: Any) -> Any:
            recorded.append((event, context))
            return handler(event, context)

        setattr(self.module, attribute, recording)

    def install(self) -> None:
        self._monkeypatch.setitem(sys.modules, TASKS_MODULE, self.module)


@pytest.fixture
def fake_tasks(monkeypatch: pytest.MonkeyPatch) -> FakeTasksModule:
    """The handlers' module, not importable until installed (whether or not the real one exists yet)."""
    monkeypatch.delitem(sys.modules, TASKS_MODULE, raising=False)
    return FakeTasksModule(monkeypatch)


def test_the_booking_saga_runner_imports_handlers_only_when_a_task_runs(fake_tasks: FakeTasksModule) -> None:
    # Given the handlers' module is not imported
    # When the booking saga runner is built
    runner = LocalSagaRunner.for_booking_saga(dead_letter=lambda body: None)

    # Then it still is not
    assert TASKS_MODULE not in sys.modules
    runner.shutdown()


def test_the_booking_saga_runner_calls_the_handlers_lambda_style(fake_tasks: FakeTasksModule) -> None:
    # Given the handlers' module available
    fake_tasks.install()
    runner = LocalSagaRunner.for_booking_saga(dead_letter=lambda body: None)

    # When a booking runs
    runner.start("b-1", booking())
    execution = runner.wait("b-1", timeout=HANG)
    runner.shutdown()

    # Then each handler got its Parameters and a Lambda context named after its function
    assert execution.status == "SUCCEEDED"
    ((event, context),) = fake_tasks.calls["reserve_seat"]
    assert event == {"bookingId": "b-1", "outboundFlightId": "f-1", "seats": 2}
    assert isinstance(context, LocalLambdaContext)
    assert context.function_name == "ReserveSeat"
    assert fake_tasks.calls["collect_payment"][0][1].function_name == "CollectPayment"
    assert fake_tasks.calls["refund_payment"] == []


def test_the_booking_saga_runner_hands_failed_bookings_to_the_dead_letter_callable(
    fake_tasks: FakeTasksModule,
) -> None:
    # Given a seat that cannot be reserved
    class SeatsUnavailable(Exception):
        pass

    def no_seat(event: Any, context: Any) -> Any:
        raise SeatsUnavailable("full")

    fake_tasks.replace("reserve_seat", no_seat)
    fake_tasks.install()
    dead_letters: list[dict[str, Any]] = []
    runner = LocalSagaRunner.for_booking_saga(dead_letter=dead_letters.append)

    # When the booking runs
    runner.start("b-1", booking())
    execution = runner.wait("b-1", timeout=HANG)
    runner.shutdown()

    # Then the dead-letter callable got the message body: the booking with its error
    assert execution.error == "BookingFailed"
    (body,) = dead_letters
    assert body["bookingId"] == "b-1"
    assert body["error"]["Error"] == "SeatsUnavailable"


def test_only_the_latest_finished_executions_are_kept() -> None:
    # Given a runner keeping 3 finished executions
    runner = LocalSagaRunner(succeeding(), max_settled=3)

    # When 10 bookings' sagas run to the end
    for n in range(10):
        runner.start(f"b-{n}", booking(n))
        runner.wait(f"b-{n}", timeout=HANG)

    # Then only the last 3 are kept; an older name is forgotten, so it may run again (its tasks are idempotent)
    kept = runner.wait_all(timeout=HANG)
    assert sorted(kept) == ["b-7", "b-8", "b-9"]
    assert runner.start("b-9", booking(9)) is False
    with pytest.raises(KeyError):
        runner.wait("b-0")
    assert runner.start("b-0", booking(0)) is True
    runner.wait_all(timeout=HANG)
    runner.shutdown()
