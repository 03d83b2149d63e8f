"""The airline stack: data, auth, the event bus, the API, the booking saga, the API functions, monitoring and the
Flight App's hosting."""

from __future__ import annotations

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_appsync as appsync
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from resolvers import config

from .api import Api
from .auth import Auth
from .bundling import lambda_code
from .bus import Bus
from .data import Data
from .functions import ApiFunctions, FunctionShared, powertools_layer
from .monitoring import Monitoring
from .nag import suppress_findings
from .reconciler import Reconciler
from .saga import HoldTimer, Saga
from .settings import (
    CONTEXT_ALARM_EMAIL,
    CONTEXT_BUNDLE_DEPENDENCIES,
    CONTEXT_HOLD_DURATION,
    CONTEXT_HOLD_MAX,
    CONTEXT_POWERTOOLS_LAYER_VERSION,
    CONTEXT_SAGA_WORKFLOW,
    DEFAULT_POWERTOOLS_LAYER_VERSION,
    DEFAULT_SAGA_WORKFLOW,
    SAGA_WORKFLOWS,
)
from .web import WebHosting


def _flag(value: object, default: bool) -> bool:
    """A context flag: `-c flag=false` arrives as text, cdk.json gives a JSON boolean."""
    if value is None:
        return default
    return str(value).strip().lower() not in ("false", "0", "no")


def _hold_environment(duration: object, longest: object) -> dict[str, str]:
    """The hold durations the context gives, checked as the function will read them."""
    environment = {
        variable: str(value).strip()
        for variable, value in ((config.HOLD_DURATION_SECONDS, duration), (config.HOLD_MAX_SECONDS, longest))
        if value is not None
    }
    try:
        config.hold_durations(environment)
    except config.ConfigError as exc:
        raise ValueError(f"-c {CONTEXT_HOLD_DURATION}= / -c {CONTEXT_HOLD_MAX}=: {exc}") from exc
    return environment


class AirlineStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        context = self.node.try_get_context
        self.data = Data(self, "Data")
        self.auth = Auth(self, "Auth")
        self.pagination_secret = secretsmanager.Secret(
            self,
            "PaginationSecret",
            description=f"Signs pagination tokens ({config.PAGINATION_SECRET}).",
            generate_secret_string=secretsmanager.SecretStringGenerator(password_length=64, exclude_punctuation=True),
        )
        self.shared = FunctionShared(
            code=lambda_code(with_dependencies=_flag(context(CONTEXT_BUNDLE_DEPENDENCIES), default=True)),
            powertools_layer=powertools_layer(
                self, str(context(CONTEXT_POWERTOOLS_LAYER_VERSION) or DEFAULT_POWERTOOLS_LAYER_VERSION)
            ),
            table=self.data.table,
            index_names=self.data.index_names,
            pagination_secret=self.pagination_secret,
        )
        self.bus = Bus(self, "Events", shared=self.shared)
        # The API before the functions that call it (its URL and field ARN go into their configuration and
        # roles); its Lambda resolvers after them. No cycle: the API itself depends on no function.
        self.api = Api(self, "GraphQL", user_pool=self.auth.user_pool)
        workflow = str(context(CONTEXT_SAGA_WORKFLOW) or DEFAULT_SAGA_WORKFLOW).strip().upper()
        if workflow not in SAGA_WORKFLOWS:
            raise ValueError(f"-c {CONTEXT_SAGA_WORKFLOW}= must be one of {', '.join(SAGA_WORKFLOWS)}, not {workflow}")
        self.saga = Saga(self, "Saga", shared=self.shared, bus=self.bus.bus, api=self.api, workflow=workflow)
        self.hold_timer = HoldTimer(self, "HoldTimer", shared=self.shared, bus=self.bus.bus, api=self.api)
        self.functions = ApiFunctions(
            self,
            "ApiFunctions",
            shared=self.shared,
            bus=self.bus.bus,
            state_machine=self.saga.state_machine,
            hold_timer=self.hold_timer.state_machine,
            api=self.api,
            hold_environment=_hold_environment(context(CONTEXT_HOLD_DURATION), context(CONTEXT_HOLD_MAX)),
        )
        self.reconciler = Reconciler(
            self,
            "Reconciler",
            shared=self.shared,
            bus=self.bus.bus,
            api=self.api,
            state_machine=self.saga.state_machine,
        )
        self.api.resolve_fields({name: fn.function for name, fn in self.functions.by_name.items()})
        self.monitoring = Monitoring(self, "Monitoring", alarm_email=context(CONTEXT_ALARM_EMAIL))
        self.monitoring.watch_api(self.api.api)
        for name, function in self.functions.by_name.items():
            self.monitoring.watch_function(name.title(), function)
        for function in [*self.saga.tasks.values(), *self.hold_timer.tasks.values()]:
            self.monitoring.watch_function(function.node.id, function)
        self.monitoring.watch_function("LoyaltyConsumer", self.bus.loyalty)
        self.monitoring.watch_function("Reconciler", self.reconciler.function)
        self.monitoring.watch_dead_letter_queue("ReconcilerDeadLetters", self.reconciler.dead_letter_queue)
        self.monitoring.watch_state_machine("Saga", self.saga.state_machine)
        # A hold timer that fails or times out leaves a hold unexpired until the reconciler's next run.
        self.monitoring.watch_state_machine("HoldTimer", self.hold_timer.state_machine, timed_out=True)
        self.monitoring.watch_dead_letter_queue("SagaDeadLetters", self.saga.dead_letter_queue)
        for name, queue in self.bus.dead_letter_queues.items():
            self.monitoring.watch_dead_letter_queue(name, queue)
        self.web = WebHosting(self, "Web", api=self.api.api, user_pool=self.auth.user_pool, client=self.auth.client)
        self._outputs()
        suppress_findings(self)

    def _outputs(self) -> None:
        api = self.api.api
        cfn_api = api.node.default_child
        assert isinstance(cfn_api, appsync.CfnGraphQLApi)
        outputs = {
            "GraphQLUrl": (api.graphql_url, "AppSync GraphQL endpoint"),
            "RealtimeUrl": (cfn_api.attr_realtime_url, "AppSync realtime (subscriptions) endpoint"),
            "ApiKey": (api.api_key or "", "API key for public catalog reads"),
            "UserPoolId": (self.auth.user_pool.user_pool_id, "Cognito user pool id"),
            "UserPoolClientId": (self.auth.client.user_pool_client_id, "Cognito app client id"),
            "TableName": (self.data.table.table_name, "DynamoDB single table"),
            "EventBusName": (self.bus.bus.event_bus_name, "EventBridge bus of the domain events"),
            "StateMachineArn": (self.saga.state_machine.state_machine_arn, "The booking saga"),
            "HoldStateMachineArn": (self.hold_timer.state_machine.state_machine_arn, "The hold timer"),
            "SagaDeadLetterQueueUrl": (self.saga.dead_letter_queue.queue_url, "Failed bookings, for operators"),
            "NotificationTopicArn": (self.bus.notification_topic.topic_arn, "Booking and flight notifications"),
            "Region": (self.region, "Region of the stack"),
            "WebAppUrl": (self.web.url, "The Flight App (CloudFront)"),
        }
        for name, (value, description) in outputs.items():
            CfnOutput(self, name, value=value, description=description)
