"""The sandbox payment provider: deterministic test tokens, a ledger in the table, no money moves."""

from __future__ import annotations

from resolvers.domain.errors import (
    CardDeclined,
    Conflict,
    InsufficientFunds,
    NotFound,
    PaymentTimeout,
    TransientPaymentError,
)
from resolvers.domain.models import Payment, PaymentStatus
from resolvers.store import payments as ledger

# The test tokens, documented in the README.
TOKEN_SUCCESS = "tok_visa"
TOKEN_SUCCESS_ALT = "tok_mastercard"
TOKEN_DECLINED = "tok_declined"
TOKEN_INSUFFICIENT_FUNDS = "tok_insufficient_funds"
TOKEN_TRANSIENT = "tok_transient"  # fails transiently twice for a booking, then succeeds
TOKEN_TIMEOUT = "tok_timeout"  # the provider never answers in time
TRANSIENT_FAILURES = 2


class SandboxProvider:
    def authorize(self, booking_id: str, token: str, amount: int, currency: str) -> Payment:
        existing = ledger.get_payment(booking_id)
        if existing is not None and existing.status is not PaymentStatus.ATTEMPTED:
            if existing.status is PaymentStatus.DECLINED:
                raise CardDeclined("The card was declined")
            return existing
        if token == TOKEN_TIMEOUT:
            raise PaymentTimeout("The payment provider did not answer in time")
        if token == TOKEN_TRANSIENT and ledger.count_attempt(booking_id, amount, currency) <= TRANSIENT_FAILURES:
            raise TransientPaymentError("The payment provider is temporarily unavailable")
        if token == TOKEN_INSUFFICIENT_FUNDS:
            ledger.record(booking_id, PaymentStatus.DECLINED, amount, currency)
            raise InsufficientFunds("The card has insufficient funds")
        if token not in (TOKEN_SUCCESS, TOKEN_SUCCESS_ALT, TOKEN_TRANSIENT):
            ledger.record(booking_id, PaymentStatus.DECLINED, amount, currency)
            raise CardDeclined("The card was declined")
        return ledger.record(booking_id, PaymentStatus.AUTHORIZED, amount, currency)

    def capture(self, booking_id: str) -> Payment:
        payment = ledger.get_payment(booking_id)
        if payment is None:
            raise NotFound(f"Booking {booking_id} has no payment to capture")
        if payment.status is PaymentStatus.AUTHORIZED:
            ledger.transition(booking_id, PaymentStatus.AUTHORIZED, PaymentStatus.CAPTURED)
            payment = ledger.get_payment(booking_id)
            assert payment is not None
        if payment.status is not PaymentStatus.CAPTURED:
            raise Conflict(f"Booking {booking_id}'s payment is {payment.status}, not capturable")
        return payment

    def refund(self, booking_id: str) -> Payment | None:
        payment = ledger.get_payment(booking_id)
        if payment is None:
            return None
        if payment.status is PaymentStatus.CAPTURED:
            ledger.transition(booking_id, PaymentStatus.CAPTURED, PaymentStatus.REFUNDED)
        elif payment.status is PaymentStatus.AUTHORIZED:
            ledger.transition(booking_id, PaymentStatus.AUTHORIZED, PaymentStatus.VOIDED)
        else:
            return payment
        return ledger.get_payment(booking_id)
