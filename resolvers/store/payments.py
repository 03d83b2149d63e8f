"""The sandbox payment provider's ledger in the table: one payment per booking, moved by conditional writes."""

from __future__ import annotations

from datetime import UTC, datetime

from pynamodb.exceptions import PutError, UpdateError

from resolvers.domain.models import Payment, PaymentStatus
from resolvers.store import keys
from resolvers.store.models import PaymentItem, TableItem
from resolvers.store.table import ensure_bound

_CONDITION_FAILED = "ConditionalCheckFailedException"


def _to_payment(item: PaymentItem) -> Payment:
    return Payment(
        booking_id=item.booking_id,
        status=PaymentStatus(item.status),
        amount=int(item.amount),
        currency=item.currency,
        attempts=int(item.attempts or 0),
    )


def get_payment(booking_id: str) -> Payment | None:
    ensure_bound()
    pk, sk = keys.payment(booking_id)
    try:
        return _to_payment(PaymentItem.get(pk, sk, consistent_read=True))
    except PaymentItem.DoesNotExist:
        return None


def count_attempt(booking_id: str, amount: int, currency: str) -> int:
    """Count one more attempt at authorizing a booking's payment; returns the attempts so far."""
    ensure_bound()
    pk, sk = keys.payment(booking_id)
    item = PaymentItem(pk, sk)
    item.update(
        actions=[
            PaymentItem.attempts.add(1),
            PaymentItem.booking_id.set(booking_id),
            PaymentItem.status.set(PaymentItem.status | str(PaymentStatus.ATTEMPTED)),
            PaymentItem.amount.set(amount),
            PaymentItem.currency.set(currency),
            PaymentItem.updated_at.set(datetime.now(UTC)),
            PaymentItem.entity.set(PaymentItem),
        ]
    )
    return int(item.attempts)


def record(booking_id: str, status: PaymentStatus, amount: int, currency: str) -> Payment:
    """Record the outcome of an authorization, unless one is recorded already; returns what is recorded."""
    ensure_bound()
    pk, sk = keys.payment(booking_id)
    item = PaymentItem(pk, sk)
    try:
        item.update(
            actions=[
                PaymentItem.booking_id.set(booking_id),
                PaymentItem.status.set(str(status)),
                PaymentItem.amount.set(amount),
                PaymentItem.currency.set(currency),
                PaymentItem.updated_at.set(datetime.now(UTC)),
                PaymentItem.entity.set(PaymentItem),
            ],
            condition=TableItem.pk.does_not_exist() | (PaymentItem.status == str(PaymentStatus.ATTEMPTED)),
        )
    except (UpdateError, PutError) as exc:
        if exc.cause_response_code != _CONDITION_FAILED:
            raise
        current = get_payment(booking_id)
        assert current is not None
        return current
    return _to_payment(item)


def transition(booking_id: str, from_status: PaymentStatus, to_status: PaymentStatus) -> Payment | None:
    """Move a payment from one status to the next: the payment as it now is (the update's answer, no read), or
    None if it was not in `from_status` (or does not exist)."""
    ensure_bound()
    pk, sk = keys.payment(booking_id)
    item = PaymentItem(pk, sk)
    try:
        item.update(
            actions=[PaymentItem.status.set(str(to_status)), PaymentItem.updated_at.set(datetime.now(UTC))],
            condition=PaymentItem.status == str(from_status),
        )
    except UpdateError as exc:
        if exc.cause_response_code == _CONDITION_FAILED:
            return None
        raise
    return _to_payment(item)
