"""The saga's Lambda task handlers: each parses its state input and calls one saga step."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from resolvers.config import SERVICE
from resolvers.services import booking_saga

logger = Logger(service=SERVICE)


@logger.inject_lambda_context
def reserve_seat(event: dict[str, Any], context: Any) -> None:
    booking_saga.reserve_seats(event["bookingId"], event["outboundFlightId"], int(event["seats"]))


@logger.inject_lambda_context
def collect_payment(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return booking_saga.collect_payment(
        event["bookingId"], event["outboundFlightId"], event["paymentToken"], event.get("price")
    )


@logger.inject_lambda_context
def confirm_booking(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return booking_saga.confirm_booking(event["bookingId"], event["payment"], event.get("customer"))


@logger.inject_lambda_context
def notify_booking(event: dict[str, Any], context: Any) -> None:
    booking_saga.notify_booking(event["bookingId"], event.get("booking"))


@logger.inject_lambda_context
def refund_payment(event: dict[str, Any], context: Any) -> None:
    booking_saga.refund_payment(event["bookingId"])


@logger.inject_lambda_context
def cancel_booking(event: dict[str, Any], context: Any) -> None:
    booking_saga.fail_booking(event["bookingId"], event.get("error"), event.get("customer"))


@logger.inject_lambda_context
def release_seat(event: dict[str, Any], context: Any) -> None:
    booking_saga.release_seats(event["bookingId"], event["outboundFlightId"], int(event["seats"]))
