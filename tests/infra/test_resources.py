"""Items 3, 4, 7, 8, 9 and the outputs: functions, table, user pool, least privilege, alarms."""

from __future__ import annotations

from typing import Any

import pytest

from appsync.fields import FUNCTIONS
from resolvers import config
from resolvers.domain.identity import ADMINS_GROUP
from resolvers.store.table import index_definitions, ttl_attribute_name
from tests.infra.conftest import Synthesized

# The seed figures of the issue: memory (MB) and timeout (s) of the API functions.
API_MEMORY_MB, API_TIMEOUT_S = 512, 10


def _function(synthesized: Synthesized, name: str) -> tuple[str, dict[str, Any]]:
    (found,) = [
        (key, res["Properties"])
        for key, res in synthesized.resources("AWS::Lambda::Function").items()
        if res["Properties"].get("Handler") == FUNCTIONS[name]
    ]
    return found


def _policy_statements(synthesized: Synthesized, role_key: str) -> list[dict[str, Any]]:
    statements = []
    for policy in synthesized.resources("AWS::IAM::Policy").values():
        if {"Ref": role_key} in policy["Properties"]["Roles"]:
            statements += policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


def _actions(statement: dict[str, Any]) -> list[str]:
    actions = statement["Action"]
    return [actions] if isinstance(actions, str) else actions


@pytest.mark.parametrize("name", FUNCTIONS)
def test_an_api_function_runs_the_resolvers_on_arm64_with_powertools(synthesized: Synthesized, name: str) -> None:
    _, function = _function(synthesized, name)
    assert function["Runtime"].startswith("python3.")
    assert function["Architectures"] == ["arm64"]
    assert function["TracingConfig"] == {"Mode": "Active"}
    assert (function["MemorySize"], function["Timeout"]) == (API_MEMORY_MB, API_TIMEOUT_S)
    (layer,) = function["Layers"]
    layer_arn = "".join(part if isinstance(part, str) else "" for part in layer["Fn::Join"][1])
    assert (
        f":017000801446:layer:AWSLambdaPowertoolsPythonV3-python{function['Runtime'][6:].replace('.', '')}-arm64:"
        in (layer_arn)
    )


@pytest.mark.parametrize("name", FUNCTIONS)
def test_an_api_function_logs_to_its_own_group_with_retention(synthesized: Synthesized, name: str) -> None:
    _, function = _function(synthesized, name)
    group = synthesized.template["Resources"][function["LoggingConfig"]["LogGroup"]["Ref"]]
    assert group["Type"] == "AWS::Logs::LogGroup"
    assert group["Properties"]["RetentionInDays"] > 0


@pytest.mark.parametrize("name", FUNCTIONS)
def test_an_api_function_is_configured_by_the_config_module_with_no_secret_in_clear(
    synthesized: Synthesized, name: str
) -> None:
    _, function = _function(synthesized, name)
    variables = function["Environment"]["Variables"]
    # AWS_REGION is the runtime's own; DYNAMODB_ENDPOINT is for DynamoDB Local only
    assert set(variables) == {config.TABLE_NAME, config.PAGINATION_SECRET}
    (table_key,) = synthesized.resources("AWS::DynamoDB::Table")
    assert variables[config.TABLE_NAME] == {"Ref": table_key}
    (secret_key,) = synthesized.resources("AWS::SecretsManager::Secret")
    # A dynamic reference CloudFormation resolves at deploy time: the template holds no secret
    assert variables[config.PAGINATION_SECRET] == {
        "Fn::Join": ["", ["{{resolve:secretsmanager:", {"Ref": secret_key}, ":SecretString:::}}"]]
    }


def test_the_pagination_secret_is_generated_long_enough(synthesized: Synthesized) -> None:
    generated = synthesized.one("AWS::SecretsManager::Secret")["GenerateSecretString"]
    assert generated["PasswordLength"] >= config.MIN_SECRET_LENGTH


def test_the_table_is_the_stores_single_table(synthesized: Synthesized) -> None:
    table = synthesized.one("AWS::DynamoDB::Table")
    assert table["KeySchema"] == [
        {"AttributeName": "PK", "KeyType": "HASH"},
        {"AttributeName": "SK", "KeyType": "RANGE"},
    ]
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert table["SSESpecification"]["SSEEnabled"] is True
    assert table["TimeToLiveSpecification"]["Enabled"] is True
    assert table["TimeToLiveSpecification"]["AttributeName"] == ttl_attribute_name()


def test_the_table_has_the_gsis_the_store_defines(synthesized: Synthesized) -> None:
    table = synthesized.one("AWS::DynamoDB::Table")
    deployed = {
        index["IndexName"]: {key["KeyType"]: key["AttributeName"] for key in index["KeySchema"]}
        for index in table["GlobalSecondaryIndexes"]
    }
    assert deployed == {
        index["name"]: {"HASH": index["partition"], "RANGE": index["sort"]} for index in index_definitions()
    }
    assert all(index["Projection"] == {"ProjectionType": "ALL"} for index in table["GlobalSecondaryIndexes"])


def test_the_table_outlives_the_stack(synthesized: Synthesized) -> None:
    (table,) = synthesized.resources("AWS::DynamoDB::Table").values()
    assert table["DeletionPolicy"] == "Retain"


def test_customers_sign_in_to_a_user_pool_with_an_admins_group(synthesized: Synthesized) -> None:
    pool = synthesized.one("AWS::Cognito::UserPool")
    assert pool["UsernameAttributes"] == ["email"]
    client = synthesized.one("AWS::Cognito::UserPoolClient")
    # A public client: browsers and phones cannot keep a secret
    assert client.get("GenerateSecret", False) is False
    assert synthesized.one("AWS::Cognito::UserPoolGroup")["GroupName"] == ADMINS_GROUP


@pytest.mark.parametrize(
    ("name", "actions"),
    [
        ("catalog", {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:PutItem"}),
        (
            "bookings",
            {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"},
        ),
        ("loyalty", {"dynamodb:GetItem"}),
    ],
)
def test_an_api_function_may_only_do_its_table_actions(synthesized: Synthesized, name: str, actions: set[str]) -> None:
    _, function = _function(synthesized, name)
    role_key = function["Role"]["Fn::GetAtt"][0]
    statements = _policy_statements(synthesized, role_key)
    granted = {action for statement in statements for action in _actions(statement)}
    dynamodb = {action for action in granted if action.startswith("dynamodb:")}
    assert dynamodb == actions
    # Besides the table: its own logs and X-Ray, nothing else (no AppSync fields, no other service)
    assert granted - dynamodb <= {
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
    }
    (table_statement,) = [s for s in statements if set(_actions(s)) == actions]
    (table_key,) = synthesized.resources("AWS::DynamoDB::Table")
    index_resources = [
        {"Fn::Join": ["", [{"Fn::GetAtt": [table_key, "Arn"]}, f"/index/{index['name']}"]]}
        for index in index_definitions()
    ]
    assert table_statement["Resource"] == [{"Fn::GetAtt": [table_key, "Arn"]}, *index_resources]
    # No managed policies on function roles
    assert "ManagedPolicyArns" not in synthesized.template["Resources"][role_key]["Properties"]


def test_no_role_may_call_appsync_fields_yet(synthesized: Synthesized) -> None:
    # Phase 2 grants publishBookingStatus to the saga's notifier, and nothing wider
    granted = {
        action
        for policy in synthesized.resources("AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        for action in _actions(statement)
    }
    assert not {action for action in granted if action.startswith("appsync:")}
    assert not {action for action in granted if action.endswith("*")}


def test_a_data_source_may_invoke_only_its_function(synthesized: Synthesized) -> None:
    for source in synthesized.resources("AWS::AppSync::DataSource").values():
        role_key = source["Properties"]["ServiceRoleArn"]["Fn::GetAtt"][0]
        (statement,) = _policy_statements(synthesized, role_key)
        assert _actions(statement) == ["lambda:InvokeFunction"]
        assert statement["Resource"] == source["Properties"]["LambdaConfig"]["LambdaFunctionArn"]


def _alarms(synthesized: Synthesized) -> list[dict[str, Any]]:
    return [alarm["Properties"] for alarm in synthesized.resources("AWS::CloudWatch::Alarm").values()]


def _metric_names(alarm: dict[str, Any]) -> set[str]:
    if "MetricName" in alarm:
        return {alarm["MetricName"]}
    return {query["MetricStat"]["Metric"]["MetricName"] for query in alarm["Metrics"] if "MetricStat" in query}


@pytest.mark.parametrize("name", FUNCTIONS)
def test_a_function_alarms_on_1_percent_errors_and_on_p99_duration(synthesized: Synthesized, name: str) -> None:
    function_key, _ = _function(synthesized, name)

    def watches_function(alarm: dict[str, Any]) -> bool:
        dimensions = alarm.get("Dimensions") or [
            d for q in alarm.get("Metrics", []) if "MetricStat" in q for d in q["MetricStat"]["Metric"]["Dimensions"]
        ]
        return {"Name": "FunctionName", "Value": {"Ref": function_key}} in dimensions

    alarms = [alarm for alarm in _alarms(synthesized) if watches_function(alarm)]
    (errors,) = [alarm for alarm in alarms if _metric_names(alarm) == {"Errors", "Invocations"}]
    assert errors["Threshold"] == 1
    assert errors["ComparisonOperator"] == "GreaterThanThreshold"
    (duration,) = [alarm for alarm in alarms if _metric_names(alarm) == {"Duration"}]
    assert duration["ExtendedStatistic"] == "p99"
    assert duration["Threshold"] < API_TIMEOUT_S * 1000


def test_the_api_alarms_on_half_a_percent_5xx_and_on_p99_latency(synthesized: Synthesized) -> None:
    alarms = _alarms(synthesized)
    (server_errors,) = [alarm for alarm in alarms if _metric_names(alarm) == {"5XXError"}]
    assert server_errors["Threshold"] == 0.5
    (latency,) = [alarm for alarm in alarms if _metric_names(alarm) == {"Latency"}]
    assert latency["ExtendedStatistic"] == "p99"


def test_every_alarm_notifies_the_encrypted_alarm_topic(synthesized: Synthesized) -> None:
    (topic_key,) = synthesized.resources("AWS::SNS::Topic")
    assert synthesized.one("AWS::SNS::Topic")["KmsMasterKeyId"]
    assert all(alarm["AlarmActions"] == [{"Ref": topic_key}] for alarm in _alarms(synthesized))


def test_the_outputs_tell_clients_where_the_api_is(synthesized: Synthesized) -> None:
    assert {"GraphQLUrl", "RealtimeUrl", "ApiKey", "UserPoolId", "UserPoolClientId", "Region"} <= set(
        synthesized.template["Outputs"]
    )
