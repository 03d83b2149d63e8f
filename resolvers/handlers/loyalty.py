"""Loyalty handler: getLoyalty (the caller's own; Admins and IAM may name a customer)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.appsync import Router

from resolvers.domain.inputs import customer_id
from resolvers.handlers import wire
from resolvers.handlers.app import build_handler, current_caller
from resolvers.services import loyalty

router = Router()


@router.resolver(type_name="Query", field_name="getLoyalty")
def handle_get_loyalty(customer: Any = None) -> dict[str, Any]:
    requested = None if customer is None else customer_id(customer, "customer")
    return wire.to_graphql(loyalty.get_loyalty(current_caller(), requested))


handler = build_handler(router)
