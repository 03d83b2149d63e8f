"""EventBridge: the airline's own bus, booking events to the loyalty consumer, booking and flight-delay events to
an encrypted notification topic; every target retries, then leaves the event in its dead-letter queue."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from resolvers import events as domain_events
from resolvers.consumers import loyalty as loyalty_consumer

from .functions import FunctionShared, PythonFunction
from .saga import dead_letter_queue
from .settings import API, EVENT_DELIVERY, HANDLER_TABLE_ACTIONS

LOYALTY_HANDLER = f"{loyalty_consumer.__name__}.handler"
# What customers are told about: a booking's outcome and flight delays.
NOTIFIED_EVENT_TYPES = (
    domain_events.BOOKING_CONFIRMED,
    domain_events.BOOKING_FAILED,
    domain_events.BOOKING_CANCELLED,
    domain_events.FLIGHT_DELAYED,
)


class Bus(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, shared: FunctionShared) -> None:
        super().__init__(scope, construct_id)
        self.bus = events.EventBus(self, "Bus", description="Airline domain events (resolvers/events.py)")

        # Loyalty: one dead-letter queue for events EventBridge could not deliver and for those the function
        # still failed on after Lambda's own retries (asynchronous invocation).
        self.loyalty_dead_letter_queue = dead_letter_queue(self, "LoyaltyDeadLetterQueue")
        self.loyalty = PythonFunction(
            self,
            "LoyaltyConsumer",
            shared=shared,
            handler=LOYALTY_HANDLER,
            kind=API,
            description=f"Loyalty points from booking events ({LOYALTY_HANDLER})",
            dead_letter_queue=self.loyalty_dead_letter_queue,
        )
        self.loyalty.grant_table(shared.table, shared.index_names, HANDLER_TABLE_ACTIONS[LOYALTY_HANDLER])
        self.loyalty_rule = events.Rule(
            self,
            "LoyaltyRule",
            event_bus=self.bus,
            description="Booking events to the loyalty consumer",
            event_pattern=events.EventPattern(
                source=[domain_events.SOURCE], detail_type=list(loyalty_consumer.EVENT_TYPES)
            ),
            targets=[
                targets.LambdaFunction(
                    self.loyalty.function,
                    dead_letter_queue=self.loyalty_dead_letter_queue,
                    retry_attempts=EVENT_DELIVERY.retry_attempts,
                    max_event_age=EVENT_DELIVERY.max_event_age,
                )
            ],
        )

        # Notifications: EventBridge cannot use SNS's AWS-managed key, so the topic has its own (rotated) key; the
        # SnsTopic target lets EventBridge use it (the key encrypts this topic only).
        self.notification_key = kms.Key(
            self,
            "NotificationKey",
            description="Encrypts the airline notification topic",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.notification_topic = sns.Topic(
            self,
            "NotificationTopic",
            display_name="Airline booking and flight notifications",
            master_key=self.notification_key,
            enforce_ssl=True,
        )
        self.notification_dead_letter_queue = dead_letter_queue(self, "NotificationDeadLetterQueue")
        self.notification_rule = events.Rule(
            self,
            "NotificationRule",
            event_bus=self.bus,
            description="Booking outcomes and flight delays to the notification topic",
            event_pattern=events.EventPattern(source=[domain_events.SOURCE], detail_type=list(NOTIFIED_EVENT_TYPES)),
            targets=[
                targets.SnsTopic(
                    self.notification_topic,
                    dead_letter_queue=self.notification_dead_letter_queue,
                    retry_attempts=EVENT_DELIVERY.retry_attempts,
                    max_event_age=EVENT_DELIVERY.max_event_age,
                )
            ],
        )
        # The target allows events.amazonaws.com to publish; this rule is the only one that may.
        self.notification_topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="OnlyTheNotificationRule",
                effect=iam.Effect.DENY,
                principals=[iam.ServicePrincipal("events.amazonaws.com")],
                actions=["sns:Publish"],
                resources=[self.notification_topic.topic_arn],
                conditions={"ArnNotEquals": {"aws:SourceArn": self.notification_rule.rule_arn}},
            )
        )

    @property
    def dead_letter_queues(self) -> dict[str, sqs.IQueue]:
        return {
            "LoyaltyDeadLetters": self.loyalty_dead_letter_queue,
            "NotificationDeadLetters": self.notification_dead_letter_queue,
        }
