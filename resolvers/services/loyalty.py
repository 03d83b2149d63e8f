"""Loyalty: a customer's points and tier, from the ledger's running total."""

from __future__ import annotations

from resolvers.domain.identity import Caller
from resolvers.domain.loyalty import loyalty_for
from resolvers.domain.models import Loyalty
from resolvers.store import loyalty as loyalty_store


def get_loyalty(caller: Caller, customer: str | None) -> Loyalty:
    subject = caller.customer_to_act_for(customer)
    return loyalty_for(subject, loyalty_store.get_points(subject))
