"""The local runtime behind the resolvers' ports: the saga runner, an in-process event bus, dead letters, notices.

What AWS provides around the Lambdas (Step Functions, EventBridge and its rules, the dead-letter queue) is here in
process, wired to the same handlers, so a booking made locally goes through the same code as on AWS.
"""

from __future__ import annotations

import importlib
import logging
import os
import random
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from dataclasses import dataclass, field
from typing import Any

from appsync.local.events.reconciler import PeriodicReconciler
from appsync.local.lambda_context import LocalLambdaContext
from appsync.local.stepfunctions.saga_runner import LocalSagaRunner
from resolvers import events, notifications
from resolvers.config import ReconcilerSettings
from resolvers.consumers import loyalty as loyalty_consumer
from resolvers.domain.models import Booking
from resolvers.saga import starter

log = logging.getLogger(__name__)

# How many of the latest events, booking notices, saga dead letters and finished saga executions the local
# runtime keeps for diagnostics (and tests); older ones are dropped, so a long `airline dev` does not grow.
HISTORY_ENV = "LOCAL_RUNTIME_HISTORY"
DEFAULT_HISTORY = 5000


def history_limit(environ: Mapping[str, str] = os.environ) -> int:
    value = int(environ.get(HISTORY_ENV, DEFAULT_HISTORY))
    if value < 1:
        raise ValueError(f"{HISTORY_ENV} must be a positive whole number")
    return value


@dataclass(frozen=True)
class EventRule:
    """Like an EventBridge rule: the events of these types go to this consumer handler."""

    name: str
    event_types: tuple[str, ...]
    handler: str


# The rules the CDK app creates on the bus, for the consumers that run locally too.
EVENT_RULES: tuple[EventRule, ...] = (
    EventRule("loyalty", loyalty_consumer.EVENT_TYPES, "resolvers.consumers.loyalty.handler"),
)


@dataclass(frozen=True)
class DeadLetter:
    """An event a consumer still failed on after every retry, as the rule target's SQS dead-letter queue keeps it."""

    rule: str
    event: events.DomainEvent
    attempts: int
    error: str


@dataclass(frozen=True)
class Delivery:
    """How a consumer is retried before its event is dead-lettered (EventBridge: up to 185 tries over 24 hours;
    the CDK app: infra's EVENT_DELIVERY). Locally a few quick tries: a crash is what the reconciler is for."""

    attempts: int = 3
    first_delay: float = 0.2
    max_delay: float = 2.0

    def delay(self, attempt: int) -> float:
        """Full jitter after the `attempt`-th failure (1-based)."""
        return random.uniform(0, min(self.max_delay, self.first_delay * 2 ** (attempt - 1)))


# Dead letters kept in memory (the newest): enough for a developer to look, bounded for a long-running server.
DEAD_LETTER_LIMIT = 1000


class LocalEventBus:
    """Delivers each event to the consumers whose rule matches, asynchronously as EventBridge does; a consumer that
    fails is retried with backoff, then the event is dead-lettered (logged and kept in `dead_letters`)."""

    def __init__(
        self,
        rules: tuple[EventRule, ...] = EVENT_RULES,
        max_workers: int = 2,
        delivery: Delivery | None = None,
        history: int | None = None,
    ) -> None:
        self.rules = rules
        self.delivery = delivery or Delivery()
        self._executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="events")
        self._lock = threading.Lock()
        self._pending: set[Future[Any]] = set()
        self.published: deque[events.DomainEvent] = deque(maxlen=history or history_limit())
        self.dead_letters: deque[DeadLetter] = deque(maxlen=DEAD_LETTER_LIMIT)

    def publish(self, batch: list[events.DomainEvent]) -> None:
        for event in batch:
            with self._lock:
                self.published.append(event)
            for rule in self.rules:
                if event.type in rule.event_types:
                    future = self._executor.submit(self._deliver, rule, event)
                    with self._lock:
                        self._pending.add(future)
                    future.add_done_callback(self._done)

    def _done(self, future: Future[Any]) -> None:
        with self._lock:
            self._pending.discard(future)

    def _deliver(self, rule: EventRule, event: events.DomainEvent) -> None:
        module_name, _, attribute = rule.handler.rpartition(".")
        handler = getattr(importlib.import_module(module_name), attribute)
        envelope = {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": event.type,
            "source": events.SOURCE,
            "account": "000000000000",
            "time": event.occurred_at.isoformat(),
            "region": "local",
            "resources": [],
            "detail": event.envelope_detail(),
        }
        for attempt in range(1, self.delivery.attempts + 1):
            try:
                handler(envelope, LocalLambdaContext(function_name=f"{rule.name}-consumer"))
                return
            except Exception as exc:
                if attempt < self.delivery.attempts:
                    log.warning("Event consumer %s failed on %s (try %d); retrying", rule.name, event.id, attempt)
                    time.sleep(self.delivery.delay(attempt))
                    continue
                log.exception("Event consumer %s failed on %s %d times: dead-lettered", rule.name, event.id, attempt)
                with self._lock:
                    self.dead_letters.append(DeadLetter(rule.name, event, attempt, f"{type(exc).__name__}: {exc}"))

    def drain(self, timeout: float = 30.0) -> None:
        """Wait until every event published so far has been delivered."""
        while True:
            with self._lock:
                pending = set(self._pending)
            if not pending:
                return
            _, not_done = wait_for(pending, timeout)
            if not_done:
                raise TimeoutError(f"{len(not_done)} event deliveries still running after {timeout}s")

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True)


class RecordingNotifier:
    """Keeps every booking status notice and hands it to listeners (the local server's subscriptions)."""

    def __init__(self, history: int | None = None) -> None:
        self._lock = threading.Lock()
        self.notices: deque[Booking] = deque(maxlen=history or history_limit())
        self.listeners: list[Callable[[Booking], None]] = []

    def booking_status(self, booking: Booking) -> None:
        log.info("Booking %s is %s", booking.booking_reference, booking.status)
        with self._lock:
            self.notices.append(booking)
            listeners = list(self.listeners)
        for listener in listeners:
            listener(booking)


@dataclass
class LocalRuntime:
    """Installs the local adapters into the resolvers' ports; `stop` waits for running sagas and events."""

    max_sagas: int = 4
    retry_interval_scale: float = 1.0
    bus: LocalEventBus = field(default_factory=LocalEventBus)
    notifier: RecordingNotifier = field(default_factory=RecordingNotifier)
    dead_letters: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=history_limit()))
    runner: LocalSagaRunner | None = None
    # Hold timers: one sleeping worker per waiting hold; beyond that many they queue, and the reconciler expires
    # what they could not in time.
    max_holds: int = 512
    hold_runner: LocalSagaRunner | None = None
    # Settings to run the reconciler with at start and periodically (`airline dev`); None runs none (tests run it).
    reconcile: ReconcilerSettings | None = None
    reconciler: PeriodicReconciler | None = None

    _previous: tuple[Any, Any, Any, Any] | None = None

    def start(self) -> LocalRuntime:
        self.runner = LocalSagaRunner.for_booking_saga(
            self._dead_letter,
            max_workers=self.max_sagas,
            retry_interval_scale=self.retry_interval_scale,
            max_settled=history_limit(),
        )
        self.hold_runner = LocalSagaRunner.for_hold_timer(
            max_workers=self.max_holds,
            max_pending=100_000,
            retry_interval_scale=self.retry_interval_scale,
            max_settled=history_limit(),
        )
        # The ports are process-wide: remember what was installed, so that stop() puts it back.
        self._previous = (
            events.use_bus(self.bus),
            starter.use_starter(self.runner),
            notifications.use_notifier(self.notifier),
            starter.use_hold_starter(self.hold_runner),
        )
        if self.reconcile is not None:
            self.reconciler = PeriodicReconciler(self.reconcile).start()
        return self

    def _dead_letter(self, message: dict[str, Any]) -> None:
        log.warning("Dead letter for booking %s: %s", message.get("bookingId"), message.get("error"))
        self.dead_letters.append(message)

    def settle(self, timeout: float = 60.0) -> None:
        """Wait until every saga started so far has ended and every event has been delivered."""
        assert self.runner is not None
        self.runner.wait_all(timeout)
        self.bus.drain(timeout)

    def stop(self) -> None:
        if self.reconciler is not None:
            self.reconciler.stop()
        if self.hold_runner is not None:
            # Waiting holds end with the process, as they would in a crash: the reconciler expires them later.
            self.hold_runner.shutdown(wait=True, interrupt=True)
        if self.runner is not None:
            self.runner.shutdown(wait=True)
        self.bus.shutdown()
        bus, saga_starter, notifier, hold_starter = self._previous or (None, None, None, None)
        events.use_bus(bus)
        starter.use_starter(saga_starter)
        notifications.use_notifier(notifier)
        starter.use_hold_starter(hold_starter)
