"""Issue 13: the reconciler on AWS: a schedule invokes its function, which may do only what reconciling needs."""

from __future__ import annotations

from typing import Any

from resolvers import config
from resolvers.config import ReconcilerSettings
from resolvers.store.models import TableItem
from tests.infra.conftest import Synthesized, function_by_handler, granted

HANDLER = "resolvers.handlers.reconciler.handler"
DEFAULTS = ReconcilerSettings()


def _key(synthesized: Synthesized, type_name: str, prefix: str) -> str:
    (key,) = [key for key in synthesized.resources(type_name) if key.startswith(prefix)]
    return key


def _schedule(synthesized: Synthesized) -> dict[str, Any]:
    (rule,) = [
        r["Properties"]
        for r in synthesized.resources("AWS::Events::Rule").values()
        if "ScheduleExpression" in r["Properties"]
    ]
    return rule


def test_a_schedule_runs_the_reconciler_every_few_minutes_with_retries_and_a_dead_letter_queue(
    synthesized: Synthesized,
) -> None:
    key, function = function_by_handler(synthesized, HANDLER)
    rule = _schedule(synthesized)
    minutes = int(DEFAULTS.interval.total_seconds() // 60)
    assert rule["ScheduleExpression"] == f"rate({minutes} minutes)"
    assert rule["State"] == "ENABLED"
    (target,) = rule["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": [key, "Arn"]}
    queue_key = _key(synthesized, "AWS::SQS::Queue", "ReconcilerDeadLetterQueue")
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [queue_key, "Arn"]}}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] > 0
    # A run ends before the next one starts
    assert function["Timeout"] < DEFAULTS.interval.total_seconds()


def test_the_reconciler_settles_after_more_than_an_express_execution_may_last(synthesized: Synthesized) -> None:
    _, function = function_by_handler(synthesized, HANDLER)
    variables = function["Environment"]["Variables"]
    assert int(variables[config.RECONCILE_AFTER_SECONDS]) > 300
    assert int(variables[config.RECONCILE_LOOKBACK_HOURS]) >= 6  # EventBridge's retry window of the loyalty rule
    machine_key = _key(synthesized, "AWS::StepFunctions::StateMachine", "Saga")
    assert variables[config.STATE_MACHINE_ARN] == {"Ref": machine_key}


def test_the_reconciler_may_only_do_what_reconciling_needs(synthesized: Synthesized) -> None:
    _, function = function_by_handler(synthesized, HANDLER)
    actions = granted(synthesized, function["Role"]["Fn::GetAtt"][0])
    dynamodb = {action: resources for action, resources in actions.items() if action.startswith("dynamodb:")}
    # What its code path does (resolvers/services/reconciler.py, booking_saga.py, resolvers/store/): bookings by
    # status, the compensation's writes, the ledger entries it reads and credits.
    assert set(dynamodb) == {
        "dynamodb:Query",
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
    }
    index = TableItem.gsi3.Meta.index_name
    table_arn, index_arn = dynamodb["dynamodb:Query"]
    assert table_arn == {"Fn::GetAtt": [_key(synthesized, "AWS::DynamoDB::Table", "Data"), "Arn"]}
    assert index_arn["Fn::Join"][1][-1] == f"/index/{index}"
    # Whether an execution runs: this saga's executions only, and nothing else of Step Functions
    states = {action: resources for action, resources in actions.items() if action.startswith("states:")}
    assert list(states) == ["states:DescribeExecution"]
    (arn,) = states["states:DescribeExecution"]
    machine_key = _key(synthesized, "AWS::StepFunctions::StateMachine", "Saga")
    assert arn["Fn::Join"][1][-3:] == [":execution:", {"Fn::GetAtt": [machine_key, "Name"]}, ":*"]
    assert "events:PutEvents" in actions
    assert "appsync:GraphQL" in actions
