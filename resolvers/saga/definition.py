"""The saga's ASL file and what its placeholders stand for: the task handlers and the dead-letter queue.

The CDK app substitutes the placeholders with function ARNs and the queue URL; the local runner maps the same
placeholders to the same handlers, so both runtimes run one definition.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ASL_PATH = Path(__file__).with_name("booking.asl.json")
# The hold timer: waits for a HELD booking's holdExpiresAt, then expires it unless paid, cancelled or extended.
HOLD_ASL_PATH = Path(__file__).with_name("hold.asl.json")
DEAD_LETTER_QUEUE_URL = "DeadLetterQueueUrl"
SQS_SEND_MESSAGE = "arn:aws:states:::sqs:sendMessage"


@dataclass(frozen=True)
class SagaTask:
    # The placeholder in the ASL, written "${<placeholder>}" as a Task's Resource.
    placeholder: str
    # The Lambda handler, as the runtime names it.
    handler: str
    # Function kind, for memory and timeout: "booking" or "payment".
    kind: str


TASKS: tuple[SagaTask, ...] = (
    SagaTask("ReserveSeatFunctionArn", "resolvers.saga.tasks.reserve_seat", "booking"),
    SagaTask("CollectPaymentFunctionArn", "resolvers.saga.tasks.collect_payment", "payment"),
    SagaTask("ConfirmBookingFunctionArn", "resolvers.saga.tasks.confirm_booking", "booking"),
    SagaTask("NotifyBookingFunctionArn", "resolvers.saga.tasks.notify_booking", "booking"),
    SagaTask("RefundPaymentFunctionArn", "resolvers.saga.tasks.refund_payment", "payment"),
    SagaTask("CancelBookingFunctionArn", "resolvers.saga.tasks.cancel_booking", "booking"),
    SagaTask("ReleaseSeatFunctionArn", "resolvers.saga.tasks.release_seat", "booking"),
)


# The hold timer's one task.
HOLD_TASKS: tuple[SagaTask, ...] = (SagaTask("ExpireHoldFunctionArn", "resolvers.saga.tasks.expire_hold", "booking"),)


def load_definition(path: Path = ASL_PATH) -> dict[str, Any]:
    definition: dict[str, Any] = json.loads(path.read_text())
    return definition


def placeholder(name: str) -> str:
    return "${" + name + "}"
