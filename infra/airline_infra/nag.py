"""cdk-nag (AwsSolutions) findings this stack accepts, each with its reason; anything else fails the tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Stack
from cdk_nag import NagPackSuppression, NagSuppressions

if TYPE_CHECKING:
    from .stack import AirlineStack

XRAY_REASON = (
    "X-Ray's PutTraceSegments and PutTelemetryRecords support no resource-level permissions: the tracing "
    "grant CDK adds is on '*' by necessity, and only X-Ray actions are granted that way."
)


def suppress_findings(stack: AirlineStack) -> None:
    NagSuppressions.add_resource_suppressions(
        stack.auth.user_pool,
        [
            NagPackSuppression(
                id="AwsSolutions-COG2",
                reason="Customers sign themselves up: MFA (TOTP) is offered, not required, so that booking a "
                "flight needs no authenticator app; threat protection (Plus plan, full function) is on.",
            )
        ],
        apply_to_children=True,
    )
    NagSuppressions.add_resource_suppressions(
        stack.pagination_secret,
        [
            NagPackSuppression(
                id="AwsSolutions-SMG4",
                reason="The pagination secret only signs nextTokens (HMAC); rotating it would just invalidate the "
                "tokens in flight. It is read once per cold start, so rotation by redeploying is enough.",
            )
        ],
        apply_to_children=True,
    )
    functions = [
        *stack.functions.by_name.values(),
        *stack.saga.tasks.values(),
        *stack.hold_timer.tasks.values(),
        stack.bus.loyalty,
        stack.reconciler.function,
    ]
    for function in functions:
        NagSuppressions.add_resource_suppressions(
            function.role,
            [NagPackSuppression(id="AwsSolutions-IAM5", reason=XRAY_REASON, applies_to=["Resource::*"])],
            apply_to_children=True,
        )
    NagSuppressions.add_resource_suppressions(
        stack.api.api,
        [
            NagPackSuppression(
                id="AwsSolutions-ASC3",
                reason="Request-level logging is on (field logs at ERROR, through an own role); verbose content "
                "is excluded on purpose, as it would copy arguments such as payment tokens and identities "
                "into the logs.",
            )
        ],
    )
    NagSuppressions.add_resource_suppressions(
        stack.api.log_role,
        [
            NagPackSuppression(
                id="AwsSolutions-IAM5",
                reason="Log streams of the API's own log group (/aws/appsync/apis/<apiId>:*): AppSync names "
                "the streams itself, so they cannot be listed in advance.",
                applies_to=[{"regex": "/^Resource::arn:.*:log-group:/aws/appsync/apis/<.*>:\\*$/g"}],
            )
        ],
        apply_to_children=True,
    )
    for role in (stack.saga.role, stack.hold_timer.role):
        NagSuppressions.add_resource_suppressions(
            role,
            [
                NagPackSuppression(
                    id="AwsSolutions-IAM5",
                    reason="Step Functions' log delivery (logs:CreateLogDelivery and the other vended-logs APIs) and "
                    "X-Ray (PutTraceSegments, PutTelemetryRecords, GetSampling*) support no resource-level "
                    "permissions: CDK grants these on '*' by necessity; everything else is on the state machine's "
                    "own functions (and the saga's queue).",
                    applies_to=["Resource::*"],
                )
            ],
            apply_to_children=True,
        )
    NagSuppressions.add_resource_suppressions(
        stack.reconciler.function.role,
        [
            NagPackSuppression(
                id="AwsSolutions-IAM5",
                reason="The reconciler asks whether a booking's saga execution still runs (DescribeExecution); "
                "executions are named after bookings, so they cannot be listed in advance: the grant is on the "
                "booking saga's executions only (execution:<saga>:*).",
                applies_to=[{"regex": "/^Resource::arn:.*:execution:<.*>:\\*$/g"}],
            )
        ],
        apply_to_children=True,
    )
    for queue in (
        stack.saga.dead_letter_queue,
        stack.bus.notification_dead_letter_queue,
        stack.reconciler.dead_letter_queue,
    ):
        NagSuppressions.add_resource_suppressions(
            queue,
            [
                NagPackSuppression(
                    id="AwsSolutions-SQS3",
                    reason="This queue is itself a dead-letter queue (the saga's failed bookings, the notification "
                    "rule's undelivered events, the reconciler's missed runs), alarmed on when not empty; a DLQ of "
                    "a DLQ would hide failures.",
                )
            ],
        )
    _suppress_log_retention_provider(stack)
    _suppress_web_hosting(stack)


def _suppress_log_retention_provider(stack: Stack) -> None:
    """CDK's log-retention provider (a singleton Lambda it adds for the API's log group); not our code."""
    for child in stack.node.children:
        if child.node.id.startswith("LogRetention"):
            NagSuppressions.add_resource_suppressions(
                child,
                [
                    NagPackSuppression(
                        id="AwsSolutions-IAM4",
                        reason="CDK's log-retention provider uses AWSLambdaBasicExecutionRole for its own logs.",
                        applies_to=[
                            "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
                        ],
                    ),
                    NagPackSuppression(
                        id="AwsSolutions-IAM5",
                        reason="CDK's log-retention provider sets retention on log groups it is handed at deploy "
                        "time (logs:PutRetentionPolicy, DeleteRetentionPolicy on '*').",
                        applies_to=["Resource::*"],
                    ),
                ],
                apply_to_children=True,
            )


def _suppress_web_hosting(stack: AirlineStack) -> None:
    """The Flight App's CloudFront distribution and CDK's BucketDeployment provider that uploads it."""
    NagSuppressions.add_resource_suppressions(
        stack.web.distribution,
        [
            NagPackSuppression(
                id="AwsSolutions-CFR1",
                reason="The Flight App is for customers anywhere; the API it calls is behind its own WAF, and the "
                "distribution serves only static files, so there is no country to block.",
            ),
            NagPackSuppression(
                id="AwsSolutions-CFR2",
                reason="The distribution serves only static, public files from S3 (no origin to protect); the API "
                "the app calls has its own regional WAF with a rate limit. A CLOUDFRONT-scope web ACL would have "
                "to live in us-east-1, in another stack.",
            ),
            NagPackSuppression(
                id="AwsSolutions-CFR4",
                reason="Served on the default *.cloudfront.net certificate, for which CloudFront fixes the viewer "
                "TLS policy itself; a custom domain with an ACM certificate (TLSv1.2_2021) is a deployment choice.",
            ),
        ],
        apply_to_children=True,
    )
    for child in stack.node.children:
        if child.node.id.startswith("Custom::CDKBucketDeployment"):
            NagSuppressions.add_resource_suppressions(
                child,
                [
                    NagPackSuppression(
                        id="AwsSolutions-IAM4",
                        reason="CDK's BucketDeployment provider (uploads the built app) uses "
                        "AWSLambdaBasicExecutionRole for its own logs.",
                        applies_to=[
                            "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
                        ],
                    ),
                    NagPackSuppression(
                        id="AwsSolutions-IAM5",
                        reason="CDK's BucketDeployment provider copies every object of the app's asset into the site "
                        "bucket (object wildcards on CDK's asset bucket and the site bucket only) and invalidates "
                        "the distribution (CloudFront invalidation actions, which CDK grants on '*').",
                    ),
                    NagPackSuppression(
                        id="AwsSolutions-L1",
                        reason="CDK's BucketDeployment provider is CDK's own function; CDK picks and updates its "
                        "runtime with each release.",
                    ),
                ],
                apply_to_children=True,
            )
