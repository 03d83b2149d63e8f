"""Payments behind a port: authorize, capture and refund, each idempotent by booking."""

from __future__ import annotations

from typing import Protocol

from resolvers.domain.models import Payment
from resolvers.ports import Port


class PaymentProvider(Protocol):
    def authorize(self, booking_id: str, token: str, amount: int, currency: str) -> Payment:
        """Hold `amount` on the card; a booking authorized before answers its existing payment."""
        ...

    def capture(self, booking_id: str) -> Payment:
        """Take the authorized amount; a captured payment answers as it is."""
        ...

    def refund(self, booking_id: str) -> Payment | None:
        """Give back a capture or release an authorization; None if the booking has no payment."""
        ...

    def payment(self, booking_id: str) -> Payment | None:
        """The booking's payment as it is now; None if it has none."""
        ...


def _configured_provider() -> PaymentProvider:
    # The sandbox, the only provider so far.
    from resolvers.payments.sandbox import SandboxProvider

    return SandboxProvider()


_provider: Port[PaymentProvider] = Port(_configured_provider)
# Swap the provider (tests); None goes back to the configured one.
use_provider = _provider.use
provider = _provider.get
