"""Items 3, 5, 6, 8 and 9 of phase 2: the saga's functions and state machine, the event bus and its rules, the
dead-letter queues, least privilege of the new roles, and their alarms."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from resolvers import config
from resolvers import events as domain_events
from resolvers.consumers import loyalty as loyalty_consumer
from resolvers.saga.definition import (
    DEAD_LETTER_QUEUE_URL,
    HOLD_ASL_PATH,
    HOLD_TASKS,
    TASKS,
    load_definition,
    placeholder,
)
from tests.infra.conftest import (
    Synthesized,
    alarm_dimensions,
    alarms,
    function_by_handler,
    granted,
    metric_names,
)

# The seed figures of the issue: memory (MB) and timeout (s) by function kind.
SIZES = {"api": (512, 10), "booking": (1024, 15), "payment": (1536, 30)}
LOYALTY_HANDLER = "resolvers.consumers.loyalty.handler"
RECONCILER_HANDLER = "resolvers.handlers.reconciler.handler"
FOURTEEN_DAYS = 14 * 24 * 3600

# What each saga task's code path does to the table (resolvers/services/booking_saga.py, resolvers/store/,
# resolvers/payments/sandbox.py), written out here independently of infra/airline_infra/settings.py.
TASK_TABLE_ACTIONS = {
    # The transaction also checks the booking is still PENDING (a ConditionCheck needs its own action).
    "resolvers.saga.tasks.reserve_seat": {
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:ConditionCheckItem",
    },
    "resolvers.saga.tasks.collect_payment": {"dynamodb:GetItem", "dynamodb:UpdateItem"},
    "resolvers.saga.tasks.confirm_booking": {"dynamodb:GetItem", "dynamodb:UpdateItem"},
    "resolvers.saga.tasks.notify_booking": {"dynamodb:GetItem"},
    "resolvers.saga.tasks.refund_payment": {"dynamodb:GetItem", "dynamodb:UpdateItem"},
    "resolvers.saga.tasks.cancel_booking": {"dynamodb:GetItem", "dynamodb:UpdateItem"},
    # Reads the seat hold when the release is refused (gone, or holding another number of seats).
    "resolvers.saga.tasks.release_seat": {"dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem"},
    # The hold timer's task: reads the booking, HELD to EXPIRED, the seat release transaction.
    "resolvers.saga.tasks.expire_hold": {"dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"},
}
PUBLISHING_TASKS = {
    "resolvers.saga.tasks.collect_payment",
    "resolvers.saga.tasks.confirm_booking",
    "resolvers.saga.tasks.refund_payment",
    "resolvers.saga.tasks.cancel_booking",
    "resolvers.saga.tasks.expire_hold",
}
# Tasks that call publishBookingStatus (resolvers/notifications.py): NotifyBooking, for CONFIRMED and FAILED;
# ExpireHold, for EXPIRED.
NOTIFYING_TASKS = {"resolvers.saga.tasks.notify_booking", "resolvers.saga.tasks.expire_hold"}
# Every function may write its own logs, read the pagination secret and send traces.
BASELINE = {
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "secretsmanager:GetSecretValue",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
}


def _key(synthesized: Synthesized, type_name: str, prefix: str) -> str:
    (key,) = [key for key in synthesized.resources(type_name) if key.startswith(prefix)]
    return key


def _props(synthesized: Synthesized, key: str) -> dict[str, Any]:
    properties: dict[str, Any] = synthesized.template["Resources"][key]["Properties"]
    return properties


def _state_machine(synthesized: Synthesized, prefix: str = "Saga") -> dict[str, Any]:
    """The booking saga's state machine (or, by `prefix`, the hold timer's)."""
    return _props(synthesized, _key(synthesized, "AWS::StepFunctions::StateMachine", prefix))


def _role_key(function: dict[str, Any]) -> str:
    role: str = function["Role"]["Fn::GetAtt"][0]
    return role


def _bus_key(synthesized: Synthesized) -> str:
    (key,) = synthesized.resources("AWS::Events::EventBus")
    return key


def _rule(synthesized: Synthesized, detail_type: str, target_type: str) -> dict[str, Any]:
    """The rule matching `detail_type` whose target is a `target_type` resource."""
    found = []
    for rule in synthesized.resources("AWS::Events::Rule").values():
        if "EventPattern" not in rule["Properties"]:
            continue
        (target,) = rule["Properties"]["Targets"]
        arn = target["Arn"]
        key = arn["Fn::GetAtt"][0] if "Fn::GetAtt" in arn else arn["Ref"]
        if (
            synthesized.template["Resources"][key]["Type"] == target_type
            and detail_type in (rule["Properties"]["EventPattern"]["detail-type"])
        ):
            found.append(rule["Properties"])
    (rule,) = found
    return rule


# Item 3 and 5: the saga's functions


@pytest.mark.parametrize("task", [*TASKS, *HOLD_TASKS], ids=lambda task: task.placeholder)
def test_a_saga_task_runs_its_handler_sized_by_its_kind(synthesized: Synthesized, task: Any) -> None:
    _, function = function_by_handler(synthesized, task.handler)
    assert (function["MemorySize"], function["Timeout"]) == SIZES[task.kind]
    assert function["Runtime"].startswith("python3.")
    assert function["Architectures"] == ["arm64"]
    assert function["TracingConfig"] == {"Mode": "Active"}
    assert "AWSLambdaPowertoolsPythonV3" in json.dumps(function["Layers"])
    group = _props(synthesized, function["LoggingConfig"]["LogGroup"]["Ref"])
    assert group["RetentionInDays"] > 0


@pytest.mark.parametrize("task", [*TASKS, *HOLD_TASKS], ids=lambda task: task.placeholder)
def test_a_saga_task_may_only_do_its_table_actions_and_publish_if_it_publishes(
    synthesized: Synthesized, task: Any
) -> None:
    _, function = function_by_handler(synthesized, task.handler)
    actions = granted(synthesized, _role_key(function))
    table_key = _key(synthesized, "AWS::DynamoDB::Table", "Data")
    dynamodb = {action for action in actions if action.startswith("dynamodb:")}
    assert dynamodb == TASK_TABLE_ACTIONS[task.handler]
    # No Query: the table only, not its indexes
    assert all(actions[action] == [{"Fn::GetAtt": [table_key, "Arn"]}] for action in dynamodb)
    variables = function["Environment"]["Variables"]
    publishes = {"events:PutEvents"} if task.handler in PUBLISHING_TASKS else set()
    # The notifier's grant (exactly its field: tests/infra/test_resources.py)
    notifies = {"appsync:GraphQL"} if task.handler in NOTIFYING_TASKS else set()
    assert set(actions) - dynamodb == BASELINE | publishes | notifies
    if publishes:
        assert actions["events:PutEvents"] == [{"Fn::GetAtt": [_bus_key(synthesized), "Arn"]}]
        assert variables[config.EVENT_BUS_NAME] == {"Ref": _bus_key(synthesized)}
    else:
        assert config.EVENT_BUS_NAME not in variables
    assert (config.APPSYNC_GRAPHQL_URL in variables) == bool(notifies)
    assert config.STATE_MACHINE_ARN not in variables


# Item 5: the state machine


def test_the_state_machine_runs_the_asl_file_the_local_runner_runs(synthesized: Synthesized) -> None:
    definition = _state_machine(synthesized)["DefinitionString"]
    # A plain string (no Fn::Join, no Fn::Sub), so cfn-lint validates the ASL
    assert isinstance(definition, str)
    assert json.loads(definition) == load_definition()


def test_every_placeholder_of_the_asl_is_substituted(synthesized: Synthesized) -> None:
    machine = _state_machine(synthesized)
    used = set(re.findall(r"\$\{(\w+)\}", machine["DefinitionString"]))
    substitutions = machine["DefinitionSubstitutions"]
    assert used == set(substitutions) == {task.placeholder for task in TASKS} | {DEAD_LETTER_QUEUE_URL}
    for task in TASKS:
        key, _ = function_by_handler(synthesized, task.handler)
        assert substitutions[task.placeholder] == {"Fn::GetAtt": [key, "Arn"]}
        assert placeholder(task.placeholder) in machine["DefinitionString"]
    queue_key = _key(synthesized, "AWS::SQS::Queue", "SagaDeadLetterQueue")
    assert substitutions[DEAD_LETTER_QUEUE_URL] == {"Ref": queue_key}
    # Once substituted, nothing placeholder-like is left
    resolved = machine["DefinitionString"]
    for name in substitutions:
        resolved = resolved.replace(placeholder(name), "arn:aws:lambda:eu-west-1:123456789012:function:x")
    assert "${" not in resolved


@pytest.mark.parametrize(("app", "workflow"), [("synthesized", "STANDARD"), ("synthesized_express", "EXPRESS")])
def test_the_state_machine_logs_every_event_without_execution_data_and_traces(
    request: pytest.FixtureRequest, app: str, workflow: str
) -> None:
    # Standard by default, Express with -c sagaWorkflow=EXPRESS; logged alike (Express keeps no history but its logs)
    synthesized: Synthesized = request.getfixturevalue(app)
    machine = _state_machine(synthesized)
    assert machine["StateMachineType"] == workflow
    timeout = json.loads(machine["DefinitionString"])["TimeoutSeconds"]
    assert timeout == (300 if workflow == "EXPRESS" else load_definition()["TimeoutSeconds"])
    assert machine["TracingConfiguration"] == {"Enabled": True}
    logging = machine["LoggingConfiguration"]
    assert logging["Level"] == "ALL"
    # Every state's input holds the payment token
    assert logging["IncludeExecutionData"] is False
    (destination,) = logging["Destinations"]
    group = _props(synthesized, destination["CloudWatchLogsLogGroup"]["LogGroupArn"]["Fn::GetAtt"][0])
    assert group["LogGroupName"].startswith("/aws/vendedlogs/states/")
    assert group["RetentionInDays"] > 0


def test_the_state_machine_may_invoke_its_tasks_and_send_to_its_queue_only(synthesized: Synthesized) -> None:
    role_key = _state_machine(synthesized)["RoleArn"]["Fn::GetAtt"][0]
    actions = granted(synthesized, role_key)
    task_arns = [{"Fn::GetAtt": [function_by_handler(synthesized, t.handler)[0], "Arn"]} for t in TASKS]
    assert sorted(map(json.dumps, actions.pop("lambda:InvokeFunction"))) == sorted(map(json.dumps, task_arns))
    queue_key = _key(synthesized, "AWS::SQS::Queue", "SagaDeadLetterQueue")
    assert actions.pop("sqs:SendMessage") == [{"Fn::GetAtt": [queue_key, "Arn"]}]
    # The rest: log delivery and X-Ray, which have no resource-level permissions
    assert all(action.startswith(("logs:", "xray:")) for action in actions)
    assert all(resources == ["*"] for resources in actions.values())


@pytest.mark.parametrize("app", ["synthesized", "synthesized_express"])
def test_the_hold_timer_is_a_standard_workflow_running_its_asl_file_and_invoking_expire_hold_only(
    request: pytest.FixtureRequest, app: str
) -> None:
    # Standard whatever -c sagaWorkflow says: a hold waits up to a day, an Express execution 5 minutes
    synthesized: Synthesized = request.getfixturevalue(app)
    machine = _state_machine(synthesized, "HoldTimer")
    assert machine["StateMachineType"] == "STANDARD"
    assert json.loads(machine["DefinitionString"]) == load_definition(HOLD_ASL_PATH)
    (task,) = HOLD_TASKS
    key, _ = function_by_handler(synthesized, task.handler)
    assert machine["DefinitionSubstitutions"] == {task.placeholder: {"Fn::GetAtt": [key, "Arn"]}}
    assert machine["TracingConfiguration"] == {"Enabled": True}
    actions = granted(synthesized, machine["RoleArn"]["Fn::GetAtt"][0])
    assert actions.pop("lambda:InvokeFunction") == [{"Fn::GetAtt": [key, "Arn"]}]
    assert all(action.startswith(("logs:", "xray:")) for action in actions)


def test_the_hold_durations_come_from_the_context_checked_at_synth(
    synthesized: Synthesized, synthesized_express: Synthesized
) -> None:
    from appsync.fields import FUNCTIONS
    from infra.airline_infra.stack import _hold_environment

    _, default = function_by_handler(synthesized, FUNCTIONS["bookings"])
    _, given = function_by_handler(synthesized_express, FUNCTIONS["bookings"])
    # Not given: the function's own defaults (30 minutes, 24 hours)
    assert config.HOLD_DURATION_SECONDS not in default["Environment"]["Variables"]
    assert given["Environment"]["Variables"][config.HOLD_DURATION_SECONDS] == "600"
    assert given["Environment"]["Variables"][config.HOLD_MAX_SECONDS] == "7200"
    for duration, longest in [("0", None), ("soon", None), ("3600", "60")]:
        with pytest.raises(ValueError, match="holdDurationSeconds"):
            _hold_environment(duration, longest)


def test_a_hold_timer_that_fails_or_times_out_alarms(synthesized: Synthesized) -> None:
    timer_key = _key(synthesized, "AWS::StepFunctions::StateMachine", "HoldTimer")
    watching = [a for a in alarms(synthesized) if {"Ref": timer_key} in [d["Value"] for d in alarm_dimensions(a)]]
    assert sorted(next(iter(metric_names(a))) for a in watching) == ["ExecutionsFailed", "ExecutionsTimedOut"]
    assert all((a["Threshold"], a["ComparisonOperator"]) == (0, "GreaterThanThreshold") for a in watching)


def test_every_dead_letter_queue_keeps_14_days_encrypted_and_tls_only(synthesized: Synthesized) -> None:
    queues = synthesized.resources("AWS::SQS::Queue")
    assert {key.split("DeadLetterQueue")[0] for key in queues} == {
        "Saga",
        "EventsLoyalty",
        "EventsNotification",
        "Reconciler",
    }
    policies = [policy["Properties"] for policy in synthesized.resources("AWS::SQS::QueuePolicy").values()]
    for key, queue in queues.items():
        assert queue["Properties"]["MessageRetentionPeriod"] == FOURTEEN_DAYS
        assert queue["Properties"]["SqsManagedSseEnabled"] is True
        (policy,) = [p for p in policies if {"Ref": key} in p["Queues"]]
        assert {
            "Action": "sqs:*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Resource": {"Fn::GetAtt": [key, "Arn"]},
        } in policy["PolicyDocument"]["Statement"]


# Item 2 of the brief: the bookings API function starts the saga and publishes


def test_the_bookings_function_starts_this_saga_and_publishes_on_this_bus_only(synthesized: Synthesized) -> None:
    from appsync.fields import FUNCTIONS

    _, function = function_by_handler(synthesized, FUNCTIONS["bookings"])
    machine_key = _key(synthesized, "AWS::StepFunctions::StateMachine", "Saga")
    timer_key = _key(synthesized, "AWS::StepFunctions::StateMachine", "HoldTimer")
    variables = function["Environment"]["Variables"]
    assert variables[config.STATE_MACHINE_ARN] == {"Ref": machine_key}
    assert variables[config.HOLD_STATE_MACHINE_ARN] == {"Ref": timer_key}
    assert variables[config.EVENT_BUS_NAME] == {"Ref": _bus_key(synthesized)}
    actions = granted(synthesized, _role_key(function))
    assert actions["states:StartExecution"] == [{"Ref": machine_key}, {"Ref": timer_key}]
    assert actions["events:PutEvents"] == [{"Fn::GetAtt": [_bus_key(synthesized), "Arn"]}]


def test_only_the_publishers_may_put_events_and_only_bookings_may_start_the_saga(synthesized: Synthesized) -> None:
    from appsync.fields import FUNCTIONS

    publishers, starters = set(), set()
    for function in synthesized.resources("AWS::Lambda::Function").values():
        actions = granted(synthesized, _role_key(function["Properties"]))
        if "events:PutEvents" in actions:
            publishers.add(function["Properties"]["Handler"])
        if "states:StartExecution" in actions:
            starters.add(function["Properties"]["Handler"])
    # The catalog function publishes flight.delayed (delayFlight)
    # The reconciler publishes what the saga's compensation does (payment.refunded, booking.failed)
    assert publishers == PUBLISHING_TASKS | {FUNCTIONS["bookings"], FUNCTIONS["catalog"], RECONCILER_HANDLER}
    assert starters == {FUNCTIONS["bookings"]}


# Item 6: EventBridge


def test_the_bus_is_the_airlines_own(synthesized: Synthesized) -> None:
    bus = synthesized.one("AWS::Events::EventBus")
    assert bus["Name"] != "default"
    for rule in synthesized.resources("AWS::Events::Rule").values():
        # Schedules (the reconciler's) live on the default bus, where EventBridge keeps them.
        if "ScheduleExpression" not in rule["Properties"]:
            assert rule["Properties"]["EventBusName"] == {"Ref": _bus_key(synthesized)}


def test_booking_events_reach_the_loyalty_consumer_with_retries_and_a_dead_letter_queue(
    synthesized: Synthesized,
) -> None:
    key, function = function_by_handler(synthesized, LOYALTY_HANDLER)
    assert (function["MemorySize"], function["Timeout"]) == SIZES["api"]
    assert function["Architectures"] == ["arm64"]
    assert function["TracingConfig"] == {"Mode": "Active"}
    rule = _rule(synthesized, domain_events.BOOKING_CONFIRMED, "AWS::Lambda::Function")
    assert rule["EventPattern"] == {
        "source": [domain_events.SOURCE],
        "detail-type": list(loyalty_consumer.EVENT_TYPES),
    }
    (target,) = rule["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": [key, "Arn"]}
    queue_key = _key(synthesized, "AWS::SQS::Queue", "EventsLoyaltyDeadLetterQueue")
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [queue_key, "Arn"]}}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] > 0
    assert target["RetryPolicy"]["MaximumEventAgeInSeconds"] > 0
    # Events the function fails on (after Lambda's own retries) land in the same queue
    assert function["DeadLetterConfig"] == {"TargetArn": {"Fn::GetAtt": [queue_key, "Arn"]}}
    (permission,) = [
        p
        for p in synthesized.resources("AWS::Lambda::Permission").values()
        if p["Properties"]["FunctionName"] == {"Fn::GetAtt": [key, "Arn"]}
    ]
    assert permission["Properties"]["Principal"] == "events.amazonaws.com"
    assert permission["Properties"]["FunctionName"] == {"Fn::GetAtt": [key, "Arn"]}


def test_the_loyalty_consumer_may_only_do_its_table_actions(synthesized: Synthesized) -> None:
    _, function = function_by_handler(synthesized, LOYALTY_HANDLER)
    actions = granted(synthesized, _role_key(function))
    queue_key = _key(synthesized, "AWS::SQS::Queue", "EventsLoyaltyDeadLetterQueue")
    assert actions.pop("sqs:SendMessage") == [{"Fn::GetAtt": [queue_key, "Arn"]}]
    dynamodb = {action for action in actions if action.startswith("dynamodb:")}
    assert dynamodb == {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}
    assert set(actions) - dynamodb == BASELINE
    assert set(function["Environment"]["Variables"]) == {config.TABLE_NAME, config.PAGINATION_SECRET_ARN}


def test_booking_outcomes_and_flight_delays_reach_the_encrypted_notification_topic(synthesized: Synthesized) -> None:
    rule = _rule(synthesized, domain_events.BOOKING_FAILED, "AWS::SNS::Topic")
    assert rule["EventPattern"]["source"] == [domain_events.SOURCE]
    assert set(rule["EventPattern"]["detail-type"]) == {
        domain_events.BOOKING_CONFIRMED,
        domain_events.BOOKING_FAILED,
        domain_events.BOOKING_CANCELLED,
        # What delayFlight publishes
        domain_events.FLIGHT_DELAYED,
    }
    (target,) = rule["Targets"]
    topic_key = _key(synthesized, "AWS::SNS::Topic", "EventsNotificationTopic")
    assert target["Arn"] == {"Ref": topic_key}
    queue_key = _key(synthesized, "AWS::SQS::Queue", "EventsNotificationDeadLetterQueue")
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [queue_key, "Arn"]}}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] > 0
    # A key of its own (EventBridge cannot use SNS's AWS-managed key), rotated
    key_ref = _props(synthesized, topic_key)["KmsMasterKeyId"]
    key = _props(synthesized, key_ref["Fn::GetAtt"][0])
    assert key["EnableKeyRotation"] is True
    assert any(
        s.get("Principal") == {"Service": "events.amazonaws.com"} and "kms:Decrypt" in s["Action"]
        for s in key["KeyPolicy"]["Statement"]
    )


def test_only_the_notification_rule_may_publish_to_the_topic(synthesized: Synthesized) -> None:
    topic_key = _key(synthesized, "AWS::SNS::Topic", "EventsNotificationTopic")
    rule_key = _key(synthesized, "AWS::Events::Rule", "EventsNotificationRule")
    (policy,) = [
        p["Properties"]
        for p in synthesized.resources("AWS::SNS::TopicPolicy").values()
        if {"Ref": topic_key} in p["Properties"]["Topics"]
    ]
    statements = policy["PolicyDocument"]["Statement"]
    assert {
        "Action": "sns:Publish",
        "Condition": {"ArnNotEquals": {"aws:SourceArn": {"Fn::GetAtt": [rule_key, "Arn"]}}},
        "Effect": "Deny",
        "Principal": {"Service": "events.amazonaws.com"},
        "Resource": {"Ref": topic_key},
        "Sid": "OnlyTheNotificationRule",
    } in statements
    assert any(s["Effect"] == "Deny" and "aws:SecureTransport" in json.dumps(s) for s in statements)


# Item 9: alarms


def test_the_saga_alarms_on_any_failed_execution(synthesized: Synthesized) -> None:
    machine_key = _key(synthesized, "AWS::StepFunctions::StateMachine", "Saga")
    (alarm,) = [
        a
        for a in alarms(synthesized)
        if metric_names(a) == {"ExecutionsFailed"} and {"Ref": machine_key} in [d["Value"] for d in alarm_dimensions(a)]
    ]
    assert alarm["Namespace"] == "AWS/States"
    assert alarm["Dimensions"] == [{"Name": "StateMachineArn", "Value": {"Ref": machine_key}}]
    assert (alarm["Threshold"], alarm["ComparisonOperator"], alarm["Period"]) == (0, "GreaterThanThreshold", 300)
    assert alarm["Statistic"] == "Sum"


def test_every_dead_letter_queue_alarms_when_not_empty(synthesized: Synthesized) -> None:
    watched = {}
    for alarm in alarms(synthesized):
        if metric_names(alarm) == {"ApproximateNumberOfMessagesVisible"}:
            assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (0, "GreaterThanThreshold")
            (dimension,) = alarm["Dimensions"]
            watched[dimension["Value"]["Fn::GetAtt"][0]] = alarm
    assert set(watched) == set(synthesized.resources("AWS::SQS::Queue"))


@pytest.mark.parametrize(
    "handler", [*(task.handler for task in (*TASKS, *HOLD_TASKS)), LOYALTY_HANDLER, RECONCILER_HANDLER]
)
def test_a_new_function_alarms_on_1_percent_errors_and_p99_duration(synthesized: Synthesized, handler: str) -> None:
    key, function = function_by_handler(synthesized, handler)
    watching = [
        alarm
        for alarm in alarms(synthesized)
        if {"Name": "FunctionName", "Value": {"Ref": key}} in alarm_dimensions(alarm)
    ]
    (errors,) = [alarm for alarm in watching if metric_names(alarm) == {"Errors", "Invocations"}]
    assert (errors["Threshold"], errors["ComparisonOperator"]) == (1, "GreaterThanThreshold")
    (duration,) = [alarm for alarm in watching if metric_names(alarm) == {"Duration"}]
    assert duration["ExtendedStatistic"] == "p99"
    assert duration["Threshold"] < function["Timeout"] * 1000
