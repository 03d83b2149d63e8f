"""The AppSync API: schema.graphql as is, three auth modes, resolvers from the appsync/ field map and subscription
checks, a WAF.

Built in two steps: the API first, so that the functions that call it (the notifier) can be given its URL and a
grant on its field; its Lambda resolvers once those functions exist (`resolve_fields`)."""

from __future__ import annotations

from aws_cdk import ArnFormat, Duration, Expiration, Stack
from aws_cdk import aws_appsync as appsync
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from appsync.fields import FIELD_RESOLVERS, SCHEMA_PATH, SUBSCRIPTION_FIELDS, FieldResolver, SubscriptionField

from .settings import API_LIMITS, LOG_RETENTION


def resolver_code(field: FieldResolver) -> appsync.Code:
    """Inline, so the template is self-contained: the field's APPSYNC_JS (appsync/fields.py), the very file the local
    AppSync runs: the direct-resolver payload in, errorType/errorInfo out."""
    return appsync.Code.from_inline(field.code.read_text())


def _resolver_id(type_name: str, field_name: str) -> str:
    return f"{type_name}{field_name[0].upper()}{field_name[1:]}Resolver"


class Api(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        user_pool: cognito.IUserPool,
    ) -> None:
        super().__init__(scope, construct_id)
        # An own logging role, limited to the API's own log group (not AWSAppSyncPushToCloudWatchLogs).
        self.log_role = log_role = iam.Role(self, "LogRole", assumed_by=iam.ServicePrincipal("appsync.amazonaws.com"))
        self.api = appsync.GraphqlApi(
            self,
            "Api",
            name="airline",
            definition=appsync.Definition.from_file(str(SCHEMA_PATH)),
            authorization_config=appsync.AuthorizationConfig(
                default_authorization=appsync.AuthorizationMode(
                    authorization_type=appsync.AuthorizationType.USER_POOL,
                    user_pool_config=appsync.UserPoolConfig(user_pool=user_pool),
                ),
                additional_authorization_modes=[
                    # Public catalog reads (listFlights, getFlight) from apps before sign-in.
                    appsync.AuthorizationMode(
                        authorization_type=appsync.AuthorizationType.API_KEY,
                        api_key_config=appsync.ApiKeyConfig(
                            name="catalog",
                            description="Public catalog reads; renewed by every deploy.",
                            expires=Expiration.after(Duration.days(API_LIMITS.api_key_days)),
                        ),
                    ),
                    # The saga, operations tooling and server-side partners (SigV4).
                    appsync.AuthorizationMode(authorization_type=appsync.AuthorizationType.IAM),
                ],
            ),
            xray_enabled=True,
            log_config=appsync.LogConfig(
                field_log_level=appsync.FieldLogLevel.ERROR,
                # Verbose content would copy arguments (payment tokens) and identities into the logs.
                exclude_verbose_content=True,
                retention=LOG_RETENTION,
                role=log_role,
            ),
            query_depth_limit=API_LIMITS.query_depth,
            resolver_count_limit=API_LIMITS.resolver_count,
        )
        # AppSync writes to the group named after the API (CDK's log retention creates it with the retention).
        log_group_arn = Stack.of(self).format_arn(
            service="logs",
            resource="log-group",
            resource_name=f"/aws/appsync/apis/{self.api.api_id}:*",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        log_role.add_to_policy(
            iam.PolicyStatement(actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[log_group_arn])
        )
        self.resolvers: dict[tuple[str, str], appsync.Resolver] = {}
        self.data_sources: dict[str, appsync.BaseDataSource] = {}
        self._subscription_checks([field for field in SUBSCRIPTION_FIELDS if field.code is not None])
        self.web_acl = self._rate_limit()

    @property
    def graphql_url(self) -> str:
        return self.api.graphql_url

    def resolve_fields(self, functions: dict[str, lambda_.IFunction]) -> None:
        """A Lambda data source per function of appsync/fields.py FUNCTIONS, a resolver per FIELD_RESOLVERS entry."""
        self.data_sources.update({name: self._lambda_data_source(name, fn) for name, fn in functions.items()})
        for field in FIELD_RESOLVERS:
            self.resolvers[(field.type_name, field.field_name)] = appsync.Resolver(
                self,
                _resolver_id(field.type_name, field.field_name),
                api=self.api,
                type_name=field.type_name,
                field_name=field.field_name,
                data_source=self.data_sources[field.function],
                runtime=appsync.FunctionRuntime.JS_1_0_0,
                code=resolver_code(field),
                max_batch_size=field.max_batch_size or None,
            )

    def _subscription_checks(self, fields: list[SubscriptionField]) -> None:
        """The subscriptions with subscribe-time code (checks, enhanced filters): its APPSYNC_JS on a NONE data
        source. The others need no resolver: AppSync delivers their @aws_subscribe mutations' results by itself."""
        if not fields:
            return
        none = appsync.NoneDataSource(
            self,
            "SubscriptionsDataSource",
            api=self.api,
            name="subscriptions",
            description="No data: subscribe-time checks of subscriptions (appsync/subscriptions/)",
        )
        self.data_sources["subscriptions"] = none
        for field in fields:
            assert field.code is not None
            self.resolvers[("Subscription", field.field_name)] = appsync.Resolver(
                self,
                _resolver_id("Subscription", field.field_name),
                api=self.api,
                type_name="Subscription",
                field_name=field.field_name,
                data_source=none,
                runtime=appsync.FunctionRuntime.JS_1_0_0,
                code=appsync.Code.from_inline(field.code.read_text()),
            )

    def _lambda_data_source(self, name: str, function: lambda_.IFunction) -> appsync.LambdaDataSource:
        # The data source may invoke its function, not its versions and aliases (CDK's grant adds `:*`).
        role = iam.Role(self, f"{name.title()}DataSourceRole", assumed_by=iam.ServicePrincipal("appsync.amazonaws.com"))
        role.add_to_policy(iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[function.function_arn]))
        return appsync.LambdaDataSource(
            self,
            f"{name.title()}DataSource",
            api=self.api,
            lambda_function=function,
            name=f"{name}Lambda",
            description=f"The {name} function",
            service_role=role.without_policy_updates(),
        )

    def _rate_limit(self) -> wafv2.CfnWebACL:
        """Blocks an IP over the rate limit; everything else passes."""
        acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=_visibility("airline-api"),
            rules=[
                wafv2.CfnWebACL.RuleProperty(
                    name="RateLimitPerIp",
                    priority=0,
                    action=wafv2.CfnWebACL.RuleActionProperty(block={}),
                    statement=wafv2.CfnWebACL.StatementProperty(
                        rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                            aggregate_key_type="IP",
                            limit=API_LIMITS.rate_limit_per_ip,
                            evaluation_window_sec=API_LIMITS.rate_window_seconds,
                        )
                    ),
                    visibility_config=_visibility("rate-limit-per-ip"),
                )
            ],
        )
        wafv2.CfnWebACLAssociation(self, "WebAclAssociation", resource_arn=self.api.arn, web_acl_arn=acl.attr_arn)
        return acl

    def grant_mutation(self, grantee: iam.IGrantable, *fields: str) -> iam.Grant:
        """IAM callers (the saga's notifier: publishBookingStatus) get exactly the mutation fields they call."""
        return self.api.grant_mutation(grantee, *fields)


def _visibility(metric_name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=metric_name, sampled_requests_enabled=True
    )
