"""Telling a customer where their booking stands, behind a port.

Until live subscriptions exist (publishBookingStatus), the default notifier writes a structured log line
that operators and log subscriptions can act on; the local runtime and tests install a recorder.
"""

from __future__ import annotations

import logging
from typing import Protocol

from resolvers.domain.models import Booking

log = logging.getLogger(__name__)


class Notifier(Protocol):
    def booking_status(self, booking: Booking) -> None: ...


class LogNotifier:
    def booking_status(self, booking: Booking) -> None:
        log.info(
            "Booking status notification",
            extra={
                "bookingId": booking.id,
                "customer": booking.customer,
                "status": str(booking.status),
                "bookingReference": booking.booking_reference,
                "statusReason": booking.status_reason,
            },
        )


_notifier: Notifier | None = None


def use_notifier(notifier: Notifier | None) -> None:
    global _notifier
    _notifier = notifier


def notifier() -> Notifier:
    global _notifier
    if _notifier is None:
        _notifier = LogNotifier()
    return _notifier
