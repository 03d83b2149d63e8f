"""Loyalty consumer: booking.confirmed earns points; booking.cancelled and booking.failed take them back."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from resolvers import events
from resolvers.config import SERVICE
from resolvers.correlation import keys_of_this_invocation
from resolvers.services import loyalty

logger = Logger(service=SERVICE)

# What the EventBridge rule to this consumer matches.
EVENT_TYPES = (events.BOOKING_CONFIRMED, events.BOOKING_CANCELLED, events.BOOKING_FAILED)


@logger.inject_lambda_context
@keys_of_this_invocation(logger, booking_id=lambda event, _: event.get("detail", {}).get("bookingId"))
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    detail_type, detail = event["detail-type"], event["detail"]
    if detail_type == events.BOOKING_CONFIRMED:
        changed = loyalty.credit_booking(detail["customer"], detail["bookingId"], int(detail["amount"]))
    elif detail_type in (events.BOOKING_CANCELLED, events.BOOKING_FAILED):
        changed = loyalty.reverse_booking(detail["customer"], detail["bookingId"])
    else:
        logger.warning("Ignored an event this consumer does not handle", extra={"detailType": detail_type})
        return {"changed": False}
    # A duplicate delivery changes nothing: the ledger is keyed by booking.
    logger.info("Loyalty event", extra={"eventId": detail.get("eventId"), "changed": changed})
    return {"changed": changed}
