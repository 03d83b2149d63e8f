"""Runs booking saga (and hold timer) executions locally, off the caller's thread, with a bound on workers and on
the backlog."""

from __future__ import annotations

import importlib
import threading
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from concurrent import futures as concurrent_futures
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from appsync.local.lambda_context import LocalLambdaContext
from appsync.local.stepfunctions.asl import Execution, LocalStateMachine
from resolvers.domain.errors import Throttled
from resolvers.saga import definition


class SagaBacklogFull(Throttled):
    """More executions are queued than the runner accepts; the caller fails the request (retryable), not block."""


class RunnerStopped(Exception):
    """The runner shut down while an execution was waiting: the execution ends there, as a process's would."""


class LocalSagaRunner:
    """Starts named executions of the booking saga; a name runs at most once, as Step Functions dedupes names."""

    def __init__(
        self,
        resources: Mapping[str, Callable[[Any], Any]],
        max_workers: int = 4,
        max_pending: int = 1000,
        retry_interval_scale: float = 1.0,
        max_settled: int = 5000,
        asl: dict[str, Any] | None = None,
    ) -> None:
        # Waits (retry intervals, Wait states) end early when the runner shuts down.
        self._stopping = threading.Event()
        # Built here so that a definition the interpreter cannot run, or a Resource without a callable, fails at
        # start-up rather than in the first booking.
        self._machine = LocalStateMachine(
            asl if asl is not None else definition.load_definition(),
            resources,
            sleep=self._sleep,
            retry_interval_scale=retry_interval_scale,
        )
        # One worker per running execution bounds the tasks running at once, except that a task abandoned after
        # its TimeoutSeconds keeps its own thread until it returns (Python cannot stop it).
        self._executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="saga")
        self._max_pending = max_pending
        self._lock = threading.Lock()
        self._executions: dict[str, Future[Execution]] = {}
        self._inputs: dict[str, dict[str, Any]] = {}
        # Finished executions are kept (by name, for wait, run_again and name dedupe) up to `max_settled`, oldest
        # forgotten first; a forgotten name may run again, which the saga's idempotent tasks make harmless.
        self._settled: deque[str] = deque()
        self._max_settled = max_settled
        self._queued = 0
        self._closed = False

    @classmethod
    def for_booking_saga(cls, dead_letter: Callable[[dict[str, Any]], Any], **kwargs: Any) -> LocalSagaRunner:
        """The runner wired to the saga's Lambda handlers; failed bookings' records go to `dead_letter`."""
        resources = _lambda_tasks(definition.TASKS)
        resources[definition.SQS_SEND_MESSAGE] = _send_message(dead_letter)
        return cls(resources, **kwargs)

    @classmethod
    def for_hold_timer(cls, **kwargs: Any) -> LocalSagaRunner:
        """The runner of hold timers (saga/hold.asl.json): each waiting hold keeps a worker, asleep, until its
        holdExpiresAt, so it has many more workers than the saga's runner."""
        asl = definition.load_definition(definition.HOLD_ASL_PATH)
        return cls(_lambda_tasks(definition.HOLD_TASKS), asl=asl, **kwargs)

    def _sleep(self, seconds: float) -> None:
        if self._stopping.wait(seconds):
            raise RunnerStopped("the runner shut down during a wait")

    def start(self, name: str, execution_input: dict[str, Any]) -> bool:
        """Queue an execution; False (and nothing started) if one with this name was already started."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the saga runner is shut down")
            if name in self._executions:
                return False
            if self._queued >= self._max_pending:
                raise SagaBacklogFull(f"{self._queued} saga executions are already waiting for a worker")
            self._queued += 1
            self._inputs[name] = execution_input
            future = self._executions[name] = self._executor.submit(self._run, name, execution_input)
        future.add_done_callback(lambda _: self._settle(name))
        return True

    def _settle(self, name: str) -> None:
        with self._lock:
            self._settled.append(name)
            while len(self._settled) > self._max_settled:
                forgotten = self._settled.popleft()
                self._executions.pop(forgotten, None)
                self._inputs.pop(forgotten, None)

    def is_running(self, name: str) -> bool:
        """Whether the execution `name` is queued or running in this process (one a crash ended is not)."""
        with self._lock:
            future = self._executions.get(name)
        return future is not None and not future.done()

    def run_again(self, name: str) -> Execution:
        """Run the execution started as `name` once more, with the same input, in the caller's thread: what an
        Express workflow (at least once) may do. KeyError if never started."""
        with self._lock:
            execution_input = self._inputs[name]
        return self._machine.execute(execution_input, name)

    def wait(self, name: str, timeout: float | None = None) -> Execution:
        """The finished execution; KeyError if never started, TimeoutError if still running after `timeout`."""
        with self._lock:
            future = self._executions[name]
        return future.result(timeout)

    def wait_all(self, timeout: float | None = None) -> dict[str, Execution]:
        """Every execution started so far, finished, by name; TimeoutError if some are still running."""
        with self._lock:
            futures = dict(self._executions)
        _, not_done = concurrent_futures.wait(futures.values(), timeout)
        if not_done:
            raise TimeoutError(f"{len(not_done)} saga executions still running after {timeout}s")
        return {name: future.result() for name, future in futures.items()}

    def shutdown(self, wait: bool = True, interrupt: bool = False) -> None:
        """Refuse new executions; with `wait`, return once the started ones have finished; with `interrupt`, the
        ones waiting (a Wait state, a retry interval) end there, and the queued ones never start."""
        with self._lock:
            self._closed = True
        if interrupt:
            self._stopping.set()
        self._executor.shutdown(wait=wait, cancel_futures=interrupt)

    def _run(self, name: str, execution_input: dict[str, Any]) -> Execution:
        with self._lock:
            self._queued -= 1
        return self._machine.execute(execution_input, name)


def _lambda_tasks(tasks: tuple[definition.SagaTask, ...]) -> dict[str, Callable[[Any], Any]]:
    """Each task's placeholder mapped to its Lambda handler, invoked as the Lambda runtime would."""
    return {
        definition.placeholder(task.placeholder): _lambda_task(
            task.placeholder.removesuffix("FunctionArn"), task.handler
        )
        for task in tasks
    }


def _lambda_task(function_name: str, handler_path: str) -> Callable[[Any], Any]:
    module_name, _, attribute = handler_path.rpartition(".")

    def invoke(event: Any) -> Any:
        # Imported at the first invocation, not when the runner is built: the handlers' module pulls in the store
        # and its configuration, which the local server may not have ready yet.
        handler = getattr(importlib.import_module(module_name), attribute)
        return handler(event, LocalLambdaContext(function_name=function_name))

    return invoke


def _send_message(dead_letter: Callable[[dict[str, Any]], Any]) -> Callable[[Any], Any]:
    def send(parameters: Any) -> dict[str, Any]:
        dead_letter(parameters["MessageBody"])
        # The shape of SQS SendMessage's answer; the saga discards it (ResultPath null) but a task must return one.
        return {"MessageId": str(uuid.uuid4())}

    return send
