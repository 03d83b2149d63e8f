"""The loyalty ledger: one entry per booking and a running total per customer, kept in step by transactions."""

from __future__ import annotations

from datetime import UTC, datetime

from pynamodb.exceptions import PutError
from pynamodb.transactions import TransactWrite

from resolvers.store import keys
from resolvers.store.models import LoyaltyEntryItem, LoyaltySummaryItem, TableItem
from resolvers.store.table import ensure_bound
from resolvers.store.transactions import ConditionFailed, transact_write


def get_points(customer: str) -> int:
    """The customer's points: one GetItem of the summary (0 for a customer with no ledger yet)."""
    ensure_bound()
    pk, sk = keys.loyalty_summary(customer)
    try:
        return int(LoyaltySummaryItem.get(pk, sk).points)
    except LoyaltySummaryItem.DoesNotExist:
        return 0


def ledger_entries(customer_bookings: list[tuple[str, str]]) -> dict[str, bool]:
    """The bookings among (customer, booking id) pairs that have a ledger entry, each with whether it is reversed (a
    reversal's tombstone included): BatchGetItem, 100 keys a call."""
    ensure_bound()
    if not customer_bookings:
        return {}
    wanted = [keys.loyalty_entry(customer, booking_id) for customer, booking_id in dict.fromkeys(customer_bookings)]
    return {item.booking_id: bool(item.reversed) for item in LoyaltyEntryItem.batch_get(wanted)}


def add_points(customer: str, booking_id: str, points: int) -> bool:
    """Credit a booking's points once. True if credited now, False if this booking was already credited."""
    ensure_bound()
    entry_pk, entry_sk = keys.loyalty_entry(customer, booking_id)
    summary_pk, summary_sk = keys.loyalty_summary(customer)
    entry = LoyaltyEntryItem(
        entry_pk,
        entry_sk,
        customer=customer,
        booking_id=booking_id,
        points=points,
        reversed=False,
        created_at=datetime.now(UTC),
    )

    def build(transaction: TransactWrite) -> None:
        transaction.save(entry, condition=TableItem.pk.does_not_exist())
        transaction.update(
            LoyaltySummaryItem(summary_pk, summary_sk),
            actions=[
                LoyaltySummaryItem.points.add(points),
                LoyaltySummaryItem.customer.set(customer),
                LoyaltySummaryItem.entity.set(LoyaltySummaryItem),
            ],
        )

    try:
        transact_write(build, what=f"Crediting booking {booking_id}'s points")
    except ConditionFailed:
        return False
    return True


def reverse_points(customer: str, booking_id: str) -> bool:
    """Take back a booking's points once. True if taken back now, False if there was nothing to take back."""
    ensure_bound()
    entry_pk, entry_sk = keys.loyalty_entry(customer, booking_id)
    summary_pk, summary_sk = keys.loyalty_summary(customer)
    try:
        entry = LoyaltyEntryItem.get(entry_pk, entry_sk, consistent_read=True)
    except LoyaltyEntryItem.DoesNotExist:
        # Events may arrive out of order: a tombstone makes a later credit for this booking add nothing.
        tombstone = LoyaltyEntryItem(
            entry_pk,
            entry_sk,
            customer=customer,
            booking_id=booking_id,
            points=0,
            reversed=True,
            created_at=datetime.now(UTC),
        )
        try:
            tombstone.save(condition=TableItem.pk.does_not_exist())
        except PutError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
            # Credited in the meantime: take that credit back.
            return reverse_points(customer, booking_id)
        return False
    if entry.reversed:
        return False

    def build(transaction: TransactWrite) -> None:
        transaction.update(
            entry,
            actions=[LoyaltyEntryItem.reversed.set(True)],
            condition=LoyaltyEntryItem.reversed == False,  # noqa: E712 (a DynamoDB condition)
        )
        transaction.update(
            LoyaltySummaryItem(summary_pk, summary_sk),
            actions=[LoyaltySummaryItem.points.add(-int(entry.points))],
        )

    try:
        transact_write(build, what=f"Taking back booking {booking_id}'s points")
    except ConditionFailed:
        return False
    return True
