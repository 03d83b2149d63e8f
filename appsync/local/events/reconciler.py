"""The local stand-in for the reconciler's schedule: runs it at start and then every interval, in a thread."""

from __future__ import annotations

import logging
import threading

from resolvers.config import ReconcilerSettings
from resolvers.services import reconciler

log = logging.getLogger(__name__)


class PeriodicReconciler:
    """What the EventBridge schedule does on AWS: one reconciliation now, then one every `settings.interval`.

    A run that fails (DynamoDB Local down) is logged and the next one tries again."""

    def __init__(self, settings: ReconcilerSettings) -> None:
        self.settings = settings
        self.runs = 0
        self.last: reconciler.Report | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="reconciler", daemon=True)

    def start(self) -> PeriodicReconciler:
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.run_once()
            self._stop.wait(self.settings.interval.total_seconds())

    def run_once(self) -> reconciler.Report | None:
        try:
            report = reconciler.reconcile(self.settings)
        except Exception as exc:
            from resolvers.handlers.app import is_transient

            if is_transient(exc):
                # DynamoDB Local down (the supervisor restarts it and says so) or throttling: one line, no stack.
                log.warning(
                    "The reconciler could not reach DynamoDB (%s); it runs again in %s",
                    type(exc).__name__,
                    self.settings.interval,
                )
            else:
                log.exception("The reconciler failed; it runs again in %s", self.settings.interval)
            return None
        self.runs += 1
        self.last = report
        if report.failed or report.credited or report.expired:
            log.warning(
                "Reconciler: failed %d abandoned bookings, expired %d holds, credited %d bookings' points",
                len(report.failed),
                len(report.expired),
                len(report.credited),
            )
        return report

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
