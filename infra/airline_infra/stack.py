"""The airline stack: data, auth, functions, API and monitoring; phase 2 adds the saga and the events here."""

from __future__ import annotations

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_appsync as appsync
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from resolvers import config

from .api import Api
from .auth import Auth
from .bundling import lambda_code
from .data import Data
from .functions import ApiFunctions, FunctionShared, powertools_layer
from .monitoring import Monitoring
from .nag import suppress_findings
from .settings import (
    CONTEXT_ALARM_EMAIL,
    CONTEXT_BUNDLE_DEPENDENCIES,
    CONTEXT_POWERTOOLS_LAYER_VERSION,
    DEFAULT_POWERTOOLS_LAYER_VERSION,
)


def _flag(value: object, default: bool) -> bool:
    """A context flag: `-c flag=false` arrives as text, cdk.json gives a JSON boolean."""
    if value is None:
        return default
    return str(value).strip().lower() not in ("false", "0", "no")


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
        self.functions = ApiFunctions(self, "ApiFunctions", shared=self.shared)
        self.api = Api(
            self,
            "GraphQL",
            user_pool=self.auth.user_pool,
            functions={name: fn.function for name, fn in self.functions.by_name.items()},
        )
        self.monitoring = Monitoring(self, "Monitoring", alarm_email=context(CONTEXT_ALARM_EMAIL))
        self.monitoring.watch_api(self.api.api)
        for name, function in self.functions.by_name.items():
            self.monitoring.watch_function(name.title(), function)
        # Phase 2: Saga(self, "Saga", shared=..., api=self.api, ...) and Events(self, "Events", ...) go here,
        # each calling self.monitoring.watch_state_machine / watch_dead_letter_queue.
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
            "Region": (self.region, "Region of the stack"),
        }
        for name, (value, description) in outputs.items():
            CfnOutput(self, name, value=value, description=description)
