"""Retries with exponential backoff and full jitter, for the calls that are safe to repeat: reads, and initBooking
and payBooking with their idempotency keys."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from airline_client.errors import AirlineError

T = TypeVar("T")


@dataclass(frozen=True)
class Backoff:
    """`attempts` tries in all; before try n+1 a random wait of up to initial * 2**n seconds, at most `maximum`."""

    attempts: int = 4
    initial: float = 0.2
    maximum: float = 5.0

    def delays(self) -> Iterator[float]:
        for attempt in range(self.attempts - 1):
            yield random.uniform(0, min(self.maximum, self.initial * 2**attempt))


NO_RETRY = Backoff(attempts=1)


async def with_retries(call: Callable[[], Awaitable[T]], backoff: Backoff) -> T:
    """`call()`, tried again after a retryable AirlineError (a transport failure, errorInfo.retryable) while
    attempts are left; the last error is raised as it is."""
    for delay in backoff.delays():
        try:
            return await call()
        except AirlineError as error:
            if not error.retryable:
                raise
        await asyncio.sleep(delay)
    return await call()
