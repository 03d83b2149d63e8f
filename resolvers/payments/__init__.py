"""Payments behind a port: authorize, capture and refund, each idempotent by booking."""

from __future__ import annotations

from typing import Protocol

from resolvers.domain.models import Payment


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


_provider: PaymentProvider | None = None


def provider() -> PaymentProvider:
    """The configured provider: the sandbox (the only one so far), kept for the process."""
    global _provider
    if _provider is None:
        from resolvers.payments.sandbox import SandboxProvider

        _provider = SandboxProvider()
    return _provider


def use_provider(replacement: PaymentProvider | None) -> None:
    """Swap the provider (tests); None goes back to the configured one."""
    global _provider
    _provider = replacement
