"""Loyalty: a customer's points and tier, from the ledger's running total."""

from __future__ import annotations

from typing import TYPE_CHECKING

from resolvers.domain.loyalty import Loyalty, loyalty_for
from resolvers.store import loyalty as loyalty_store

if TYPE_CHECKING:
    from resolvers.domain.identity import Caller


def get_loyalty(caller: Caller, customer: str | None) -> Loyalty:
    subject = caller.customer_to_act_for(customer)
    return loyalty_for(subject, loyalty_store.get_points(subject))


def credit_booking(customer: str, booking_id: str, amount_paid: int) -> bool:
    """Points for a confirmed booking: the amount paid in minor units, once per booking."""
    return loyalty_store.add_points(customer, booking_id, amount_paid)


def reverse_booking(customer: str, booking_id: str) -> bool:
    """Take back a booking's points (cancelled or failed), once; a later credit for it adds nothing."""
    return loyalty_store.reverse_points(customer, booking_id)
