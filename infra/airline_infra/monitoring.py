"""Alarms on the seed figures, all notifying one encrypted SNS topic (optionally mailed to an operator)."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_appsync as appsync
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from .functions import PythonFunction
from .settings import ALARM_THRESHOLDS, API_LIMITS

PERIOD = Duration.minutes(5)


class Monitoring(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, alarm_email: str | None = None) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(
            self,
            "AlarmTopic",
            display_name="Airline API alarms",
            master_key=kms.Alias.from_alias_name(self, "SnsKey", "alias/aws/sns"),
            enforce_ssl=True,
        )
        if alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(alarm_email))
        self.alarms: list[cloudwatch.Alarm] = []

    def _alarm(
        self, construct_id: str, *, alarm_description: str, metric: cloudwatch.IMetric, threshold: float
    ) -> cloudwatch.Alarm:
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            alarm_description=alarm_description,
            metric=metric,
            threshold=threshold,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        self.alarms.append(alarm)
        return alarm

    def watch_function(self, name: str, function: PythonFunction) -> None:
        """Errors over 1 % of invocations; p99 duration over the function kind's budget."""
        fn = function.function
        self._alarm(
            f"{name}ErrorRate",
            alarm_description=f"{name}: more than {ALARM_THRESHOLDS.lambda_error_percent} % of invocations failed",
            metric=cloudwatch.MathExpression(
                expression="100 * errors / MAX([invocations, 1])",
                using_metrics={
                    "errors": fn.metric_errors(period=PERIOD, statistic="Sum"),
                    "invocations": fn.metric_invocations(period=PERIOD, statistic="Sum"),
                },
                period=PERIOD,
                label="error %",
            ),
            threshold=ALARM_THRESHOLDS.lambda_error_percent,
        )
        self._alarm(
            f"{name}P99Duration",
            alarm_description=f"{name}: p99 duration over its budget of {function.kind.p99_budget_ms} ms",
            metric=fn.metric_duration(period=PERIOD, statistic="p99"),
            threshold=function.kind.p99_budget_ms,
        )

    def watch_api(self, api: appsync.GraphqlApi) -> None:
        """5XX over 0.5 % of requests (5XXError averages 0 or 1 per request); p99 latency over the budget."""
        dimensions = {"GraphQLAPIId": api.api_id}
        self._alarm(
            "Api5xxRate",
            alarm_description=f"AppSync: more than {ALARM_THRESHOLDS.appsync_5xx_percent} % of requests failed (5XX)",
            metric=cloudwatch.MathExpression(
                expression="100 * server_errors",
                using_metrics={
                    "server_errors": cloudwatch.Metric(
                        namespace="AWS/AppSync",
                        metric_name="5XXError",
                        dimensions_map=dimensions,
                        statistic="Average",
                        period=PERIOD,
                    )
                },
                period=PERIOD,
                label="5XX %",
            ),
            threshold=ALARM_THRESHOLDS.appsync_5xx_percent,
        )
        self._alarm(
            "ApiP99Latency",
            alarm_description=f"AppSync: p99 latency over its budget of {API_LIMITS.p99_latency_budget_ms} ms",
            metric=cloudwatch.Metric(
                namespace="AWS/AppSync",
                metric_name="Latency",
                dimensions_map=dimensions,
                statistic="p99",
                period=PERIOD,
            ),
            threshold=API_LIMITS.p99_latency_budget_ms,
        )

    # Phase 2 (saga, events) calls these two.
    def watch_state_machine(self, name: str, state_machine: sfn.IStateMachine, timed_out: bool = False) -> None:
        """Any failed execution (and, with `timed_out`, any that timed out)."""
        self._alarm(
            f"{name}ExecutionsFailed",
            alarm_description=f"{name}: an execution failed",
            metric=state_machine.metric_failed(period=PERIOD, statistic="Sum"),
            threshold=0,
        )
        if timed_out:
            self._alarm(
                f"{name}ExecutionsTimedOut",
                alarm_description=f"{name}: an execution timed out",
                metric=state_machine.metric_timed_out(period=PERIOD, statistic="Sum"),
                threshold=0,
            )

    def watch_dead_letter_queue(self, name: str, queue: sqs.IQueue) -> None:
        """Anything in a dead-letter queue."""
        self._alarm(
            f"{name}NotEmpty",
            alarm_description=f"{name}: messages are waiting in the dead-letter queue",
            metric=queue.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum"),
            threshold=0,
        )
