"""Starting the booking saga and the hold timer behind ports: Step Functions on AWS, the local runners locally.

An execution is named after its booking, so starting the saga (or a hold's timer) twice for one booking starts it
once.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any, Protocol

from resolvers import config
from resolvers.domain.errors import Throttled
from resolvers.ports import Port

if TYPE_CHECKING:
    from resolvers.domain.models import Booking


class SagaStarter(Protocol):
    def start(self, name: str, execution_input: dict[str, Any]) -> bool:
        """Start an execution named `name`; False if one of that name was started before."""
        ...

    def is_running(self, name: str) -> bool:
        """Whether an execution named `name` is running now (the reconciler leaves its booking to it)."""
        ...


class StepFunctionsStarter:
    def __init__(self, state_machine_arn: str, client: Any = None) -> None:
        self.state_machine_arn = state_machine_arn
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("stepfunctions")
        return self._client

    def start(self, name: str, execution_input: dict[str, Any]) -> bool:
        try:
            self.client.start_execution(
                stateMachineArn=self.state_machine_arn, name=name, input=json.dumps(execution_input)
            )
        except self.client.exceptions.ExecutionAlreadyExists:
            return False
        except self.client.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ThrottlingException":
                raise Throttled("Too many bookings are starting; retry with the same idempotencyKey") from exc
            raise
        return True

    def is_running(self, name: str) -> bool:
        # A Standard workflow's execution ARN is its state machine's with `execution` and the name. An Express
        # workflow has no such ARN (DescribeExecution knows none of its executions): its executions last 5 minutes
        # at most, and the reconciler waits longer than that before it settles a booking.
        arn = f"{self.state_machine_arn.replace(':stateMachine:', ':execution:', 1)}:{name}"
        try:
            status = self.client.describe_execution(executionArn=arn)["status"]
        except (self.client.exceptions.ExecutionDoesNotExist, self.client.exceptions.InvalidArn):
            return False
        return bool(status == "RUNNING")


def _configured(variable: str) -> SagaStarter:
    arn = os.environ.get(variable)
    if not arn:
        raise config.ConfigError(f"{variable} is not set and no local runner is installed")
    return StepFunctionsStarter(arn)


_starter: Port[SagaStarter] = Port(lambda: _configured(config.STATE_MACHINE_ARN))
# Install how sagas start (the local runtime, tests); None goes back to the configured one.
use_starter = _starter.use
starter = _starter.get

_hold_starter: Port[SagaStarter] = Port(lambda: _configured(config.HOLD_STATE_MACHINE_ARN))
# Install how hold timers start (the local runtime, tests); None goes back to the configured one.
use_hold_starter = _hold_starter.use
hold_starter = _hold_starter.get


def start_hold_timer(booking_id: str, hold_expires_at: str) -> bool:
    """The hold timer's Wait ends at `hold_expires_at` (RFC 3339, UTC); then ExpireHold decides."""
    return hold_starter().start(booking_id, {"bookingId": booking_id, "holdExpiresAt": hold_expires_at})


def start_booking_saga(booking: Booking, payment_token: str) -> bool:
    """The input carries what initBooking (or payBooking) read and wrote (customer, seats, the total price) so no
    task reads it again."""
    return starter().start(
        booking.id,
        {
            "bookingId": booking.id,
            "outboundFlightId": booking.outbound_flight_id,
            "customer": booking.customer,
            "paymentToken": payment_token,
            "seats": booking.seats,
            "price": {"amount": booking.total_price, "currency": booking.currency},
        },
    )
