"""Domain errors: each carries the AppSync errorType a client sees and whether retrying may help."""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """An expected failure that the client should see as a GraphQL error with an errorType."""

    error_type: ClassVar[str] = "InternalFailure"
    retryable: ClassVar[bool] = False

    def __init__(self, message: str, **info: Any) -> None:
        super().__init__(message)
        self.message = message
        self.info = info

    @property
    def error_info(self) -> dict[str, Any]:
        return {"retryable": self.retryable, **self.info}


class ValidationError(DomainError):
    error_type = "ValidationError"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", field=field)
        self.field = field


class NotFound(DomainError):
    error_type = "NotFound"


class Unauthorized(DomainError):
    error_type = "Unauthorized"


class SeatsUnavailable(DomainError):
    error_type = "SeatsUnavailable"


class SeatNotReserved(DomainError):
    """A seat release that would take the flight above its capacity."""

    error_type = "SeatNotReserved"


class IdempotencyConflict(DomainError):
    error_type = "IdempotencyConflict"


class BookingNotCancellable(DomainError):
    """Only a CONFIRMED booking can be cancelled (a PENDING one is still being decided, a FAILED one never held)."""

    error_type = "BookingNotCancellable"


class PaymentDeclined(DomainError):
    """The payment provider refused the payment for good: retrying will not help."""

    error_type = "PaymentDeclined"


class CardDeclined(PaymentDeclined):
    error_type = "CardDeclined"


class InsufficientFunds(PaymentDeclined):
    error_type = "InsufficientFunds"


class TransientPaymentError(DomainError):
    """The payment provider failed in a way that a later try may not."""

    error_type = "TransientPaymentError"
    retryable = True


class PaymentTimeout(TransientPaymentError):
    error_type = "PaymentTimeout"


class Throttled(DomainError):
    """A downstream service is at capacity (the saga's starter): try again shortly; an idempotent retry is safe."""

    error_type = "Throttled"
    retryable = True


class BookingSettled(DomainError):
    """A saga step found its booking already past PENDING: a second run of a settled booking's saga (Express
    workflows run at least once), which ends at once and changes nothing."""

    error_type = "BookingSettled"


class Conflict(DomainError):
    """A write lost a race it may win when tried again."""

    error_type = "Conflict"
    retryable = True


class InternalFailure(DomainError):
    """An unexpected failure: the client learns only the correlation id the server log has it under."""

    error_type = "InternalFailure"

    def __init__(self, correlation_id: str, retryable: bool = False) -> None:
        super().__init__(
            f"An internal error occurred; the server log has it under correlation id {correlation_id}",
            correlationId=correlation_id,
        )
        self.may_retry = retryable

    @property
    def error_info(self) -> dict[str, Any]:
        return {"retryable": self.may_retry, **self.info}


class HoldExpired(DomainError):
    """The hold passed its holdExpiresAt: it can no longer be paid or extended."""

    error_type = "HoldExpired"


class HoldNotExtendable(DomainError):
    """The hold is already at its maximum total length."""

    error_type = "HoldNotExtendable"


class BookingNotPayable(DomainError):
    """payBooking is for HELD bookings only."""

    error_type = "BookingNotPayable"


class CheckInNotAvailable(DomainError):
    """Check-in is for CONFIRMED bookings, from 24 hours until 1 hour before departure."""

    error_type = "CheckInNotAvailable"
