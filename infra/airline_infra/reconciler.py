"""The reconciler: a scheduled rule invokes its function every few minutes (resolvers/handlers/reconciler.py); a
run EventBridge could not deliver goes to its dead-letter queue."""

from __future__ import annotations

from aws_cdk import ArnFormat, Duration, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from resolvers import config
from resolvers.handlers import reconciler as reconciler_handler

from .api import Api
from .functions import FunctionShared, PythonFunction
from .saga import dead_letter_queue
from .settings import (
    HANDLER_TABLE_ACTIONS,
    RECONCILER,
    RECONCILER_DELIVERY,
    RECONCILER_INDEX,
    RECONCILER_SETTINGS,
)

HANDLER = f"{reconciler_handler.__name__}.handler"


class Reconciler(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        shared: FunctionShared,
        bus: events.IEventBus,
        api: Api,
        state_machine: sfn.StateMachine,
    ) -> None:
        super().__init__(scope, construct_id)
        settings = RECONCILER_SETTINGS
        self.dead_letter_queue = dead_letter_queue(self, "DeadLetterQueue")
        self.function = PythonFunction(
            self,
            "Function",
            shared=shared,
            handler=HANDLER,
            kind=RECONCILER,
            description=f"Settles bookings a crash left PENDING, credits lost points ({HANDLER})",
            extra_environment={
                config.RECONCILE_AFTER_SECONDS: str(int(settings.settle_after.total_seconds())),
                config.RECONCILE_LOOKBACK_HOURS: str(int(settings.lookback.total_seconds() // 3600)),
                config.STATE_MACHINE_ARN: state_machine.state_machine_arn,
            },
            dead_letter_queue=self.dead_letter_queue,
        )
        # Queries the bookings-by-status index only.
        self.function.grant_table(shared.table, [RECONCILER_INDEX], HANDLER_TABLE_ACTIONS[HANDLER])
        self.function.publish_to(bus)
        self.function.notify_through(api)
        # Whether a booking's execution still runs: DescribeExecution on this state machine's executions only.
        self.executions_arn = Stack.of(self).format_arn(
            service="states",
            resource="execution",
            resource_name=f"{state_machine.state_machine_name}:*",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        self.function.role.add_to_policy(
            iam.PolicyStatement(actions=["states:DescribeExecution"], resources=[self.executions_arn])
        )
        self.rule = events.Rule(
            self,
            "Schedule",
            description="Runs the booking reconciler",
            schedule=events.Schedule.rate(Duration.seconds(int(settings.interval.total_seconds()))),
            targets=[
                targets.LambdaFunction(
                    self.function.function,
                    dead_letter_queue=self.dead_letter_queue,
                    retry_attempts=RECONCILER_DELIVERY.retry_attempts,
                    max_event_age=RECONCILER_DELIVERY.max_event_age,
                )
            ],
        )
