"""The Lambda functions, all running the same resolvers/ asset: one per domain of appsync/fields.py FUNCTIONS here;
the saga's tasks and the event consumers are built with the same PythonFunction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aws_cdk import Aws, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from appsync.fields import FUNCTIONS
from resolvers import config

from .settings import (
    API_EVENT_PUBLISHERS,
    API_FUNCTION_KINDS,
    API_NOTIFIERS,
    API_SAGA_STARTERS,
    ARCHITECTURE,
    LOG_RETENTION,
    NOTIFIER_MUTATION,
    POWERTOOLS_LAYER_ARN,
    RUNTIME,
    TABLE_ACTIONS,
    FunctionKind,
)

if TYPE_CHECKING:
    from .api import Api


@dataclass(frozen=True)
class FunctionShared:
    """What every function of the stack is built with; phase 2's saga and event functions use it too."""

    code: lambda_.Code
    powertools_layer: lambda_.ILayerVersion
    table: dynamodb.ITable
    index_names: list[str]
    pagination_secret: secretsmanager.ISecret


def powertools_layer(scope: Construct, version: str) -> lambda_.ILayerVersion:
    arn = POWERTOOLS_LAYER_ARN.format(partition=Aws.PARTITION, region=Aws.REGION, version=version)
    return lambda_.LayerVersion.from_layer_version_arn(scope, "PowertoolsLayer", arn)


def function_environment(shared: FunctionShared) -> dict[str, str]:
    """The variables resolvers/config.py reads. AWS_REGION comes from the runtime; DYNAMODB_ENDPOINT is local only.
    The pagination secret is named by its ARN and read from Secrets Manager at cold start: its value is in neither
    the template nor the function's configuration."""
    return {
        config.TABLE_NAME: shared.table.table_name,
        config.PAGINATION_SECRET_ARN: shared.pagination_secret.secret_arn,
    }


class PythonFunction(Construct):
    """One function: its own role (logs to its own log group only), log group with retention, X-Ray tracing."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        shared: FunctionShared,
        handler: str,
        kind: FunctionKind,
        description: str,
        extra_environment: Mapping[str, str] | None = None,
        dead_letter_queue: sqs.IQueue | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.kind = kind
        self.log_group = logs.LogGroup(self, "Logs", retention=LOG_RETENTION, removal_policy=RemovalPolicy.DESTROY)
        # An own role instead of AWSLambdaBasicExecutionRole: logs go to this function's log group, nowhere else.
        self.role = iam.Role(self, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[self.log_group.log_group_arn],
            )
        )
        # resolvers/config.py reads the pagination secret once per cold start; this secret only, no DescribeSecret.
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["secretsmanager:GetSecretValue"], resources=[shared.pagination_secret.secret_arn]
            )
        )
        self.function = lambda_.Function(
            self,
            "Function",
            description=description,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            code=shared.code,
            handler=handler,
            layers=[shared.powertools_layer],
            memory_size=kind.memory_mb,
            timeout=kind.timeout,
            tracing=lambda_.Tracing.ACTIVE,
            log_group=self.log_group,
            role=self.role,
            environment={**function_environment(shared), **(extra_environment or {})},
            # Asynchronous invocations (EventBridge) that still fail after Lambda's retries.
            dead_letter_queue=dead_letter_queue,
        )

    def grant_table(self, table: dynamodb.ITable, index_names: list[str], actions: tuple[str, ...]) -> None:
        """Exactly `actions` on the table, and on its named indexes if one of them is a Query."""
        indexes = [f"{table.table_arn}/index/{name}" for name in index_names] if "dynamodb:Query" in actions else []
        self.role.add_to_policy(iam.PolicyStatement(actions=list(actions), resources=[table.table_arn, *indexes]))

    def publish_to(self, bus: events.IEventBus) -> None:
        """EVENT_BUS_NAME, and events:PutEvents on that bus only."""
        self.function.add_environment(config.EVENT_BUS_NAME, bus.event_bus_name)
        self.role.add_to_policy(iam.PolicyStatement(actions=["events:PutEvents"], resources=[bus.event_bus_arn]))

    def start_executions_of(self, state_machine: sfn.IStateMachine, variable: str = config.STATE_MACHINE_ARN) -> None:
        """`variable` (STATE_MACHINE_ARN), and states:StartExecution on that state machine only."""
        self.function.add_environment(variable, state_machine.state_machine_arn)
        self.role.add_to_policy(
            iam.PolicyStatement(actions=["states:StartExecution"], resources=[state_machine.state_machine_arn])
        )

    def notify_through(self, api: Api) -> None:
        """APPSYNC_GRAPHQL_URL, and appsync:GraphQL on the API's NOTIFIER_MUTATION field only: the notifier
        (resolvers/notifications.py) signs its call with this role."""
        self.function.add_environment(config.APPSYNC_GRAPHQL_URL, api.graphql_url)
        api.grant_mutation(self.role, NOTIFIER_MUTATION)


class ApiFunctions(Construct):
    """The AppSync resolvers' functions, by the names of appsync/fields.py FUNCTIONS."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        shared: FunctionShared,
        bus: events.IEventBus,
        state_machine: sfn.IStateMachine,
        hold_timer: sfn.IStateMachine,
        api: Api,
        hold_environment: dict[str, str] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.by_name: dict[str, PythonFunction] = {}
        for name, handler in FUNCTIONS.items():
            function = PythonFunction(
                self,
                name.title(),
                shared=shared,
                handler=handler,
                kind=API_FUNCTION_KINDS[name],
                description=f"AppSync resolvers of the {name} domain ({handler})",
            )
            function.grant_table(shared.table, shared.index_names, TABLE_ACTIONS[name])
            if name in API_EVENT_PUBLISHERS:
                function.publish_to(bus)
            if name in API_SAGA_STARTERS:
                function.start_executions_of(state_machine)
                # initBooking with hold starts a hold's timer; the hold durations it reads.
                function.start_executions_of(hold_timer, config.HOLD_STATE_MACHINE_ARN)
                for variable, value in (hold_environment or {}).items():
                    function.function.add_environment(variable, value)
            if name in API_NOTIFIERS:
                function.notify_through(api)
            self.by_name[name] = function
