"""The saga's Lambda task handlers: each parses its state input and calls one saga step."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger

from resolvers.config import SERVICE
from resolvers.correlation import keys_of_this_invocation
from resolvers.services import booking_saga

logger = Logger(service=SERVICE)
Task = Callable[[dict[str, Any], Any], Any]


def task(handler: Task) -> Task:
    """A saga step's handler, logging with the Lambda context and its booking (keys of this invocation only)."""
    in_context = keys_of_this_invocation(logger, booking_id=lambda event, _: event.get("bookingId"))(handler)
    return logger.inject_lambda_context(in_context)


@task
def reserve_seat(event: dict[str, Any], context: Any) -> None:
    booking_saga.reserve_seats(event["bookingId"], event["outboundFlightId"], int(event["seats"]))


@task
def collect_payment(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return booking_saga.collect_payment(
        event["bookingId"], event["outboundFlightId"], event["paymentToken"], event.get("price")
    )


@task
def confirm_booking(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return booking_saga.confirm_booking(event["bookingId"], event["payment"], event.get("customer"))


@task
def notify_booking(event: dict[str, Any], context: Any) -> None:
    booking_saga.notify_booking(event["bookingId"], event.get("booking"))


@task
def refund_payment(event: dict[str, Any], context: Any) -> None:
    booking_saga.refund_payment(event["bookingId"])


@task
def cancel_booking(event: dict[str, Any], context: Any) -> None:
    booking_saga.fail_booking(event["bookingId"], event.get("error"), event.get("customer"))


@task
def expire_hold(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from resolvers.services import holds

    return holds.expire(event["bookingId"])


@task
def release_seat(event: dict[str, Any], context: Any) -> None:
    booking_saga.release_seats(event["bookingId"], event["outboundFlightId"], int(event["seats"]))
