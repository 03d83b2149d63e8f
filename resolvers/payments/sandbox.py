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
    """Each step is one conditional write whose answer is the payment; it reads only when the write was refused
    (a retry, or a payment in another status), so the ledger's conditions, not reads before them, keep the rules."""

    def authorize(self, booking_id: str, token: str, amount: int, currency: str) -> Payment:
        if token == TOKEN_TIMEOUT:
            raise PaymentTimeout("The payment provider did not answer in time")
        if token == TOKEN_TRANSIENT and ledger.count_attempt(booking_id, amount, currency) <= TRANSIENT_FAILURES:
            raise TransientPaymentError("The payment provider is temporarily unavailable")
        approved = token in (TOKEN_SUCCESS, TOKEN_SUCCESS_ALT, TOKEN_TRANSIENT)
        outcome = PaymentStatus.AUTHORIZED if approved else PaymentStatus.DECLINED
        # Recorded once: a booking authorized (or declined) before answers what was recorded then.
        payment = ledger.record(booking_id, outcome, amount, currency)
        if payment.status is PaymentStatus.DECLINED:
            if token == TOKEN_INSUFFICIENT_FUNDS:
                raise InsufficientFunds("The card has insufficient funds")
            raise CardDeclined("The card was declined")
        return payment

    def capture(self, booking_id: str) -> Payment:
        payment = ledger.transition(booking_id, PaymentStatus.AUTHORIZED, PaymentStatus.CAPTURED)
        if payment is None:
            payment = ledger.get_payment(booking_id)
            if payment is None:
                raise NotFound(f"Booking {booking_id} has no payment to capture")
        if payment.status is not PaymentStatus.CAPTURED:
            raise Conflict(f"Booking {booking_id}'s payment is {payment.status}, not capturable")
        return payment

    def payment(self, booking_id: str) -> Payment | None:
        return ledger.get_payment(booking_id)

    def refund(self, booking_id: str) -> Payment | None:
        payment = ledger.get_payment(booking_id)
        if payment is None:
            return None
        moved = None
        if payment.status is PaymentStatus.CAPTURED:
            moved = ledger.transition(booking_id, PaymentStatus.CAPTURED, PaymentStatus.REFUNDED)
        elif payment.status is PaymentStatus.AUTHORIZED:
            moved = ledger.transition(booking_id, PaymentStatus.AUTHORIZED, PaymentStatus.VOIDED)
        else:
            return payment
        # Moved by a concurrent call in between: read what it left.
        return moved or ledger.get_payment(booking_id)
