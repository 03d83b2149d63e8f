"""The client's errors: one class per AppSync `errorType` (carrying `errorInfo`), kept apart from transport
failures (the request may not have reached the API, or its answer was lost)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class AirlineError(Exception):
    """Anything the client raises."""

    @property
    def retryable(self) -> bool:
        return False


class TransportFailure(AirlineError):
    """No GraphQL answer: the connection failed or dropped, timed out, or the server answered an HTTP error.
    A mutation that fails so may or may not have run."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    @property
    def retryable(self) -> bool:
        # Client errors (4xx) fail the same way every time; throttling and server errors may pass.
        return self.status is None or self.status == 429 or self.status >= 500


class NotAuthenticated(TransportFailure):
    """HTTP 401: the credentials are missing, expired or wrong (AppSync's UnauthorizedException)."""


class ApiError(AirlineError):
    """A GraphQL error the API answered with: its `errorType`, message, `errorInfo` and path."""

    error_type: str | None = None

    def __init__(
        self,
        message: str,
        error_type: str | None = None,
        error_info: Mapping[str, Any] | None = None,
        path: Sequence[str | int] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if error_type is not None:
            self.error_type = error_type
        self.error_info: Mapping[str, Any] = error_info or {}
        self.path = list(path or [])

    @property
    def retryable(self) -> bool:
        return bool(self.error_info.get("retryable", False))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, error_info={dict(self.error_info)!r})"


class ValidationError(ApiError):
    """An argument is malformed or out of range; `error_info["field"]` names it."""

    error_type = "ValidationError"


class NotFound(ApiError):
    error_type = "NotFound"


class Unauthorized(ApiError):
    """The caller may not see or do this."""

    error_type = "Unauthorized"


class SeatsUnavailable(ApiError):
    error_type = "SeatsUnavailable"


class IdempotencyConflict(ApiError):
    """The idempotency key was used before for a different initBooking input (or payBooking payment token)."""

    error_type = "IdempotencyConflict"


class BookingNotCancellable(ApiError):
    error_type = "BookingNotCancellable"


class HoldExpired(ApiError):
    """The hold was not paid by its hold_expires_at: the booking is EXPIRED, its seats went back."""

    error_type = "HoldExpired"


class BookingNotPayable(ApiError):
    """pay_booking is for HELD bookings only."""

    error_type = "BookingNotPayable"


class HoldNotExtendable(ApiError):
    """The hold already lasts until the longest total hold allows (24 hours after booking unless configured)."""

    error_type = "HoldNotExtendable"


class CheckInNotAvailable(ApiError):
    """Check-in is for CONFIRMED bookings, from 24 hours until 1 hour before departure; `info` has `opensAt` or
    `closedAt` when the window is the reason."""

    error_type = "CheckInNotAvailable"


class Conflict(ApiError):
    """A write lost a race it may win when retried."""

    error_type = "Conflict"


class InvalidRequest(ApiError):
    """The document was refused before running (no errorType): a contract drift or a limit."""


class BookingTimeout(AirlineError, TimeoutError):
    """wait_for_booking gave up before the booking reached a final status; `booking` is the last one read."""

    def __init__(self, message: str, booking: Any = None) -> None:
        super().__init__(message)
        self.booking = booking


ERROR_TYPES: dict[str, type[ApiError]] = {
    cls.error_type: cls
    for cls in (
        ValidationError,
        NotFound,
        Unauthorized,
        SeatsUnavailable,
        IdempotencyConflict,
        BookingNotCancellable,
        HoldExpired,
        BookingNotPayable,
        HoldNotExtendable,
        CheckInNotAvailable,
        Conflict,
    )
    if cls.error_type is not None
}


def api_error(error: Mapping[str, Any]) -> ApiError:
    """The exception for one entry of a GraphQL answer's `errors`."""
    error_type = error.get("errorType")
    message = str(error.get("message", "GraphQL error"))
    info = error.get("errorInfo") if isinstance(error.get("errorInfo"), Mapping) else None
    path = error.get("path")
    if error_type is None:
        return InvalidRequest(message, None, info, path)
    cls = ERROR_TYPES.get(error_type, ApiError)
    return cls(message, error_type, info, path)
