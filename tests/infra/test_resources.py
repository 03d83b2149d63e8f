"""Items 3, 4, 7, 8, 9 and the outputs: functions, table, user pool, least privilege, alarms; phase 3's notifier
grant and delayFlight's permissions."""

from __future__ import annotations

import json
from typing import Any

import pytest
from graphql import OperationDefinitionNode, parse

from appsync.fields import FUNCTIONS
from resolvers import config, notifications
from resolvers.domain.identity import ADMINS_GROUP
from resolvers.store.table import index_definitions, ttl_attribute_name
from tests.infra.conftest import (
    Synthesized,
    actions_of,
    alarm_dimensions,
    alarms,
    function_by_handler,
    metric_names,
    policy_statements,
)

# The seed figures of the issue: memory (MB) and timeout (s) of the API functions.
API_MEMORY_MB, API_TIMEOUT_S = 512, 10
# Besides the table and the pagination secret, what each API function is configured for and may do: bookings
# starts the saga, publishes events and calls publishBookingStatus (PENDING, CANCELLED); catalog publishes
# flight.delayed (delayFlight).
EXTRA_VARIABLES = {
    "catalog": {config.EVENT_BUS_NAME},
    "bookings": {
        config.EVENT_BUS_NAME,
        config.STATE_MACHINE_ARN,
        config.HOLD_STATE_MACHINE_ARN,
        config.APPSYNC_GRAPHQL_URL,
    },
    "loyalty": set(),
}
EXTRA_ACTIONS = {
    "catalog": {"events:PutEvents"},
    "bookings": {"events:PutEvents", "states:StartExecution", "appsync:GraphQL"},
    "loyalty": set(),
}
# The one field a role may call: what the notifier (resolvers/notifications.py) calls.
NOTIFIER_FIELD = "publishBookingStatus"
# The reconciler tells subscribers of a booking it fails (FAILED), as NotifyBooking would have.
NOTIFIER_HANDLERS = {
    FUNCTIONS["bookings"],
    "resolvers.saga.tasks.notify_booking",
    # The hold timer's ExpireHold tells subscribers EXPIRED.
    "resolvers.saga.tasks.expire_hold",
    "resolvers.handlers.reconciler.handler",
}


def _function(synthesized: Synthesized, name: str) -> tuple[str, dict[str, Any]]:
    return function_by_handler(synthesized, FUNCTIONS[name])


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
    # AWS_REGION is the runtime's own; DYNAMODB_ENDPOINT is for DynamoDB Local only; the rest is for events, the
    # saga (tests/infra/test_saga_events.py) and the notifier
    assert set(variables) == {config.TABLE_NAME, config.PAGINATION_SECRET_ARN} | EXTRA_VARIABLES[name]
    (table_key,) = synthesized.resources("AWS::DynamoDB::Table")
    assert variables[config.TABLE_NAME] == {"Ref": table_key}
    (secret_key,) = synthesized.resources("AWS::SecretsManager::Secret")
    # The secret's ARN: the function reads the value at cold start, so neither the template nor the function's
    # configuration holds it
    assert variables[config.PAGINATION_SECRET_ARN] == {"Ref": secret_key}


def test_no_secret_value_is_resolved_into_the_template(synthesized: Synthesized) -> None:
    assert "resolve:secretsmanager" not in json.dumps(synthesized.template)


def test_every_function_may_read_the_pagination_secret_and_no_other(synthesized: Synthesized) -> None:
    (secret_key,) = synthesized.resources("AWS::SecretsManager::Secret")
    ours = [
        function
        for function in synthesized.resources("AWS::Lambda::Function").values()
        if function["Properties"]["Handler"].startswith("resolvers.")
    ]
    assert ours
    for function in ours:
        role_key = function["Properties"]["Role"]["Fn::GetAtt"][0]
        found = [s for s in policy_statements(synthesized, role_key) if "secretsmanager" in json.dumps(s["Action"])]
        assert found == [
            {"Action": "secretsmanager:GetSecretValue", "Effect": "Allow", "Resource": {"Ref": secret_key}}
        ]


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
    # Customers sign in with a user name (as with the local user pool) or their verified email
    assert "UsernameAttributes" not in pool
    assert pool["AliasAttributes"] == ["email"]
    client = synthesized.one("AWS::Cognito::UserPoolClient")
    # A public client: browsers and phones cannot keep a secret
    assert client.get("GenerateSecret", False) is False
    assert synthesized.one("AWS::Cognito::UserPoolGroup")["GroupName"] == ADMINS_GROUP


@pytest.mark.parametrize(
    ("name", "actions"),
    [
        (
            "catalog",
            {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"},
        ),
        (
            "bookings",
            {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"},
        ),
        ("loyalty", {"dynamodb:GetItem"}),
    ],
)
def test_an_api_function_may_only_do_its_tableactions_of(
    synthesized: Synthesized, name: str, actions: set[str]
) -> None:
    _, function = _function(synthesized, name)
    role_key = function["Role"]["Fn::GetAtt"][0]
    statements = policy_statements(synthesized, role_key)
    granted = {action for statement in statements for action in actions_of(statement)}
    dynamodb = {action for action in granted if action.startswith("dynamodb:")}
    assert dynamodb == actions
    # Besides the table: its own logs, the pagination secret and X-Ray; events, the saga and the notifier's field
    # for the functions that use them (their resources: tests below and in test_saga_events.py). No other service
    assert granted - dynamodb == {
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "secretsmanager:GetSecretValue",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        *EXTRA_ACTIONS[name],
    }
    (table_statement,) = [s for s in statements if set(actions_of(s)) == actions]
    (table_key,) = synthesized.resources("AWS::DynamoDB::Table")
    # The indexes only for a function that queries them
    index_resources = [
        {"Fn::Join": ["", [{"Fn::GetAtt": [table_key, "Arn"]}, f"/index/{index['name']}"]]}
        for index in index_definitions()
        if "dynamodb:Query" in actions
    ]
    table_resources = (
        table_statement["Resource"] if isinstance(table_statement["Resource"], list) else [table_statement["Resource"]]
    )
    assert table_resources == [{"Fn::GetAtt": [table_key, "Arn"]}, *index_resources]
    # No managed policies on function roles
    assert "ManagedPolicyArns" not in synthesized.template["Resources"][role_key]["Properties"]


def test_the_notifier_calls_the_one_field_its_callers_may_call() -> None:
    (operation,) = parse(notifications.PUBLISH_BOOKING_STATUS).definitions
    assert isinstance(operation, OperationDefinitionNode)
    assert operation.operation.value == "mutation"
    assert [selection.name.value for selection in operation.selection_set.selections] == [NOTIFIER_FIELD]  # type: ignore[attr-defined]


def _field_arn(api_key: str, type_name: str, field_name: str) -> dict[str, Any]:
    return {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":appsync:",
                {"Ref": "AWS::Region"},
                ":",
                {"Ref": "AWS::AccountId"},
                ":apis/",
                {"Fn::GetAtt": [api_key, "ApiId"]},
                f"/types/{type_name}/fields/{field_name}",
            ],
        ]
    }


def test_only_the_notifiers_may_call_appsync_and_only_publish_booking_status(synthesized: Synthesized) -> None:
    (api_key,) = synthesized.resources("AWS::AppSync::GraphQLApi")
    # Every appsync: statement of every policy in the stack, by role
    callers: dict[str, list[dict[str, Any]]] = {}
    for policy in synthesized.resources("AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if any(action.startswith("appsync:") for action in actions_of(statement)):
                for role in policy["Properties"]["Roles"]:
                    callers.setdefault(role["Ref"], []).append(statement)
    # Exactly the bookings function (PENDING, CANCELLED), the NotifyBooking task (CONFIRMED, FAILED), the reconciler
    expected_roles = {function_by_handler(synthesized, h)[1]["Role"]["Fn::GetAtt"][0] for h in NOTIFIER_HANDLERS}
    assert set(callers) == expected_roles
    for statements in callers.values():
        # Exactly GraphQL on exactly Mutation.publishBookingStatus of this API: no other field, no wildcard
        assert statements == [
            {
                "Action": "appsync:GraphQL",
                "Effect": "Allow",
                "Resource": _field_arn(api_key, "Mutation", NOTIFIER_FIELD),
            }
        ]
    # No managed policy or inline role policy grants anything in AppSync either
    for role in synthesized.resources("AWS::IAM::Role").values():
        assert "appsync:" not in json.dumps(role["Properties"].get("Policies", []))
        assert "AWSAppSync" not in json.dumps(role["Properties"].get("ManagedPolicyArns", []))
    # And no action of ours is a wildcard (CDK's own BucketDeployment, which copies the web app, grants itself s3:*
    # object actions on the app's bucket alone; nag.py says why that is accepted)
    granted = {
        action
        for name, policy in synthesized.resources("AWS::IAM::Policy").items()
        if not name.startswith("CustomCDKBucketDeployment")
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        for action in actions_of(statement)
    }
    assert not {action for action in granted if action.endswith("*")}


def test_the_notifiers_are_told_the_apis_graphql_url_and_no_other_function_is(synthesized: Synthesized) -> None:
    (api_key,) = synthesized.resources("AWS::AppSync::GraphQLApi")
    told = {
        function["Properties"]["Handler"]: function["Properties"]["Environment"]["Variables"][
            config.APPSYNC_GRAPHQL_URL
        ]
        for function in synthesized.resources("AWS::Lambda::Function").values()
        if config.APPSYNC_GRAPHQL_URL in function["Properties"].get("Environment", {}).get("Variables", {})
    }
    assert told == {handler: {"Fn::GetAtt": [api_key, "GraphQLUrl"]} for handler in NOTIFIER_HANDLERS}


def test_the_catalog_function_publishes_flight_delays_on_this_bus_only(synthesized: Synthesized) -> None:
    _, function = _function(synthesized, "catalog")
    (bus_key,) = synthesized.resources("AWS::Events::EventBus")
    assert function["Environment"]["Variables"][config.EVENT_BUS_NAME] == {"Ref": bus_key}
    statements = policy_statements(synthesized, function["Role"]["Fn::GetAtt"][0])
    (put_events,) = [s for s in statements if "events:PutEvents" in actions_of(s)]
    assert put_events["Action"] == "events:PutEvents"
    assert put_events["Resource"] == {"Fn::GetAtt": [bus_key, "Arn"]}


def test_a_data_source_may_invoke_only_its_function(synthesized: Synthesized) -> None:
    for source in synthesized.resources("AWS::AppSync::DataSource").values():
        if source["Properties"]["Type"] == "NONE":
            # The subscription checks' data source reaches nothing, so it has no role
            assert "ServiceRoleArn" not in source["Properties"]
            continue
        assert source["Properties"]["Type"] == "AWS_LAMBDA"
        role_key = source["Properties"]["ServiceRoleArn"]["Fn::GetAtt"][0]
        (statement,) = policy_statements(synthesized, role_key)
        assert actions_of(statement) == ["lambda:InvokeFunction"]
        assert statement["Resource"] == source["Properties"]["LambdaConfig"]["LambdaFunctionArn"]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_a_function_alarms_on_1_percent_errors_and_on_p99_duration(synthesized: Synthesized, name: str) -> None:
    function_key, _ = _function(synthesized, name)

    def watches_function(alarm: dict[str, Any]) -> bool:
        return {"Name": "FunctionName", "Value": {"Ref": function_key}} in alarm_dimensions(alarm)

    watching = [alarm for alarm in alarms(synthesized) if watches_function(alarm)]
    (errors,) = [alarm for alarm in watching if metric_names(alarm) == {"Errors", "Invocations"}]
    assert errors["Threshold"] == 1
    assert errors["ComparisonOperator"] == "GreaterThanThreshold"
    (duration,) = [alarm for alarm in watching if metric_names(alarm) == {"Duration"}]
    assert duration["ExtendedStatistic"] == "p99"
    assert duration["Threshold"] < API_TIMEOUT_S * 1000


def test_the_api_alarms_on_half_a_percent_5xx_and_on_p99_latency(synthesized: Synthesized) -> None:
    found = alarms(synthesized)
    (server_errors,) = [alarm for alarm in found if metric_names(alarm) == {"5XXError"}]
    assert server_errors["Threshold"] == 0.5
    (latency,) = [alarm for alarm in found if metric_names(alarm) == {"Latency"}]
    assert latency["ExtendedStatistic"] == "p99"


def test_every_alarm_notifies_the_encrypted_alarm_topic(synthesized: Synthesized) -> None:
    (topic_key,) = [key for key in synthesized.resources("AWS::SNS::Topic") if key.startswith("MonitoringAlarmTopic")]
    assert synthesized.template["Resources"][topic_key]["Properties"]["KmsMasterKeyId"]
    assert all(alarm["AlarmActions"] == [{"Ref": topic_key}] for alarm in alarms(synthesized))


def test_the_outputs_tell_clients_where_the_api_is(synthesized: Synthesized) -> None:
    assert {"GraphQLUrl", "RealtimeUrl", "ApiKey", "UserPoolId", "UserPoolClientId", "Region"} <= set(
        synthesized.template["Outputs"]
    )
