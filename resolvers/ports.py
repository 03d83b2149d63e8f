"""One small generic for the adapters behind the domain's ports (event bus, saga starter, payment provider,
notifier): the configured adapter, made on first use and kept for the process, unless the local runtime or a test
installed another."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Port(Generic[T]):
    def __init__(self, configured: Callable[[], T]) -> None:
        self._configured = configured
        self._adapter: T | None = None
        self._lock = threading.Lock()

    def use(self, adapter: T | None) -> T | None:
        """Install `adapter` (the local runtime, tests); None goes back to the configured one. Answers what was
        installed before, to put back later."""
        with self._lock:
            previous, self._adapter = self._adapter, adapter
        return previous

    def get(self) -> T:
        """The installed adapter, else the configured one (made once, even when threads ask at the same time)."""
        adapter = self._adapter
        if adapter is None:
            with self._lock:
                if self._adapter is None:
                    self._adapter = self._configured()
                adapter = self._adapter
        return adapter
