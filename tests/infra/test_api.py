"""Item 1, 2 and the WAF: the AppSync API as deployed, and a resolver for every field that needs one; phase 3's
subscription checks."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import Any

import pytest
from graphql import GraphQLObjectType, build_schema, get_named_type

from appsync.fields import FIELD_RESOLVERS, FUNCTIONS, SCHEMA_PATH, SUBSCRIPTION_FIELDS, full_schema_sdl
from appsync.local.graphql.limits import Limits
from resolvers.domain import delays, loyalty, models
from tests.infra.conftest import Synthesized

ROOT_TYPES = ("Query", "Mutation", "Subscription")
APPSYNC_DIR = SCHEMA_PATH.parent / "appsync"


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _fields_the_parent_carries(type_name: str) -> set[str] | None:
    """What a handler's result already holds for an object of `type_name` (see resolvers/handlers/wire.py):
    a connection's items and nextToken, or the fields of the domain dataclass of that name. None if unknown."""
    if type_name.endswith("Connection"):
        return {"items", "nextToken"}
    # The domain's output types, wherever each is defined.
    domain_type = next(
        (getattr(module, type_name) for module in (models, loyalty, delays) if hasattr(module, type_name)), None
    )
    if is_dataclass(domain_type):
        return {_camel(field.name) for field in fields(domain_type)}
    return None


def fields_needing_a_resolver() -> set[tuple[str, str]]:
    schema = build_schema(full_schema_sdl())
    needed = set()
    for type_name, graphql_type in schema.type_map.items():
        if not isinstance(graphql_type, GraphQLObjectType) or type_name.startswith("__"):
            continue
        if type_name in ROOT_TYPES:
            needed |= {(type_name, field) for field in graphql_type.fields}
            continue
        carried = _fields_the_parent_carries(type_name)
        if carried is not None:
            needed |= {(type_name, field) for field in graphql_type.fields if field not in carried}
    return needed


def test_every_field_that_needs_a_resolver_has_one_in_the_map() -> None:
    # Given the schema, the field map and the subscriptions (AppSync delivers those by @aws_subscribe; the ones
    # with code get a resolver for it)
    mapped = {(field.type_name, field.field_name) for field in FIELD_RESOLVERS}
    subscribed = {("Subscription", field.field_name) for field in SUBSCRIPTION_FIELDS}
    # Then no field that a handler's result does not carry is left without a resolver
    assert fields_needing_a_resolver() - mapped - subscribed == set()
    # And subscriptions are never Lambda-resolved
    assert not {type_name for type_name, _ in mapped} & {"Subscription"}


def test_the_subscriptions_are_the_schemas_and_each_subscribes_to_mutations_of_the_map() -> None:
    schema = build_schema(full_schema_sdl())
    subscription = schema.subscription_type
    assert subscription is not None
    assert {field.field_name for field in SUBSCRIPTION_FIELDS} == set(subscription.fields)
    mapped_mutations = {field.field_name for field in FIELD_RESOLVERS if field.type_name == "Mutation"}
    for name, field in subscription.fields.items():
        (directive,) = [d for d in field.ast_node.directives if d.name.value == "aws_subscribe"]  # type: ignore[union-attr]
        (argument,) = directive.arguments
        mutations = {value.value for value in argument.value.values}  # type: ignore[attr-defined]
        assert mutations, f"{name} subscribes to no mutation"
        assert mutations <= mapped_mutations, f"{name} subscribes to {mutations}"
    for field in SUBSCRIPTION_FIELDS:
        assert field.code is None or field.code.is_file()


def test_the_map_names_only_fields_the_schema_has() -> None:
    schema = build_schema(full_schema_sdl())
    for field in FIELD_RESOLVERS:
        graphql_type = schema.get_type(field.type_name)
        assert isinstance(graphql_type, GraphQLObjectType), f"{field.type_name} is not an object type of the schema"
        assert field.field_name in graphql_type.fields, f"{field.type_name}.{field.field_name} is not in the schema"
        assert field.function in FUNCTIONS


def test_booking_outbound_flight_is_resolved_by_a_field_resolver() -> None:
    # The rule above, pinned on the one nested field the contract names: bookings carry only the flight's id.
    assert ("Booking", "outboundFlight") in fields_needing_a_resolver()
    assert get_named_type(build_schema(full_schema_sdl()).get_type("Booking").fields["outboundFlight"].type).name == (  # type: ignore[union-attr]
        "Flight"
    )


def test_the_api_deploys_schema_graphql_as_is(synthesized: Synthesized) -> None:
    assert synthesized.one("AWS::AppSync::GraphQLSchema")["Definition"] == SCHEMA_PATH.read_text()


def test_the_api_authorizes_with_user_pools_by_default_and_api_key_and_iam(synthesized: Synthesized) -> None:
    api = synthesized.one("AWS::AppSync::GraphQLApi")
    assert api["AuthenticationType"] == "AMAZON_COGNITO_USER_POOLS"
    assert api["UserPoolConfig"]["DefaultAction"] == "ALLOW"
    additional = {provider["AuthenticationType"] for provider in api["AdditionalAuthenticationProviders"]}
    assert additional == {"API_KEY", "AWS_IAM"}
    assert synthesized.one("AWS::AppSync::ApiKey")["Expires"] > 0


def test_the_api_traces_logs_fields_and_limits_queries(synthesized: Synthesized) -> None:
    api = synthesized.one("AWS::AppSync::GraphQLApi")
    assert api["XrayEnabled"] is True
    assert api["LogConfig"]["FieldLogLevel"] == "ERROR"
    assert "CloudWatchLogsRoleArn" in api["LogConfig"]
    assert 1 <= api["QueryDepthLimit"] <= 75
    assert 1 <= api["ResolverCountLimit"] <= 10_000


def test_the_deployed_api_refuses_what_the_local_one_refuses(synthesized: Synthesized) -> None:
    # A frontend built against `airline dev` meets the same depth and resolver-count limits once deployed
    api = synthesized.one("AWS::AppSync::GraphQLApi")
    local = Limits()
    assert (api["QueryDepthLimit"], api["ResolverCountLimit"]) == (local.query_depth, local.resolver_count)


def _resolvers(synthesized: Synthesized) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (res["Properties"]["TypeName"], res["Properties"]["FieldName"]): res["Properties"]
        for res in synthesized.resources("AWS::AppSync::Resolver").values()
    }


def _data_source_functions(synthesized: Synthesized) -> dict[str, str]:
    """Lambda data source name → logical id of the function it invokes."""
    return {
        res["Properties"]["Name"]: res["Properties"]["LambdaConfig"]["LambdaFunctionArn"]["Fn::GetAtt"][0]
        for res in synthesized.resources("AWS::AppSync::DataSource").values()
        if res["Properties"]["Type"] == "AWS_LAMBDA"
    }


def _function_by_handler(synthesized: Synthesized) -> dict[str, str]:
    return {res["Properties"]["Handler"]: key for key, res in synthesized.resources("AWS::Lambda::Function").items()}


def test_each_mapped_field_and_each_subscription_with_code_has_exactly_its_resolver(synthesized: Synthesized) -> None:
    resolvers = _resolvers(synthesized)
    assert set(resolvers) == {(field.type_name, field.field_name) for field in FIELD_RESOLVERS} | {
        ("Subscription", field.field_name) for field in SUBSCRIPTION_FIELDS if field.code is not None
    }


@pytest.mark.parametrize("field", FIELD_RESOLVERS, ids=lambda f: f"{f.type_name}.{f.field_name}")
def test_a_field_resolver_is_js_code_on_its_domain_function(synthesized: Synthesized, field: Any) -> None:
    resolver = _resolvers(synthesized)[(field.type_name, field.field_name)]
    # An APPSYNC_JS unit resolver, its code the file in appsync/ (inline, so the template is self-contained)
    assert resolver["Runtime"] == {"Name": "APPSYNC_JS", "RuntimeVersion": "1.0.0"}
    assert resolver.get("Kind", "UNIT") == "UNIT"
    # (the file appsync/fields.py names, the one the local AppSync runs: the shared Lambda code or the field's own)
    assert resolver["Code"] == field.code.read_text()
    assert field.code.parent in (APPSYNC_DIR, APPSYNC_DIR / "resolvers")
    # On the data source of the function the map names
    data_source = resolver["DataSourceName"]
    expected_function = _function_by_handler(synthesized)[FUNCTIONS[field.function]]
    assert _data_source_functions(synthesized)[data_source] == expected_function
    # Batch fields are gathered into BatchInvokes of the map's size
    assert resolver.get("MaxBatchSize") == (field.max_batch_size or None)


def test_publish_booking_status_is_resolved_by_the_bookings_function(synthesized: Synthesized) -> None:
    # The notifier's IAM-signed mutation: AppSync runs it on the bookings function, then delivers its result
    resolver = _resolvers(synthesized)[("Mutation", "publishBookingStatus")]
    expected_function = _function_by_handler(synthesized)[FUNCTIONS["bookings"]]
    assert _data_source_functions(synthesized)[resolver["DataSourceName"]] == expected_function


@pytest.mark.parametrize(
    "field", [f for f in SUBSCRIPTION_FIELDS if f.code is not None], ids=lambda f: f"Subscription.{f.field_name}"
)
def test_a_subscription_check_is_its_js_code_on_a_none_data_source(synthesized: Synthesized, field: Any) -> None:
    resolver = _resolvers(synthesized)[("Subscription", field.field_name)]
    assert resolver["Runtime"] == {"Name": "APPSYNC_JS", "RuntimeVersion": "1.0.0"}
    assert resolver.get("Kind", "UNIT") == "UNIT"
    assert resolver["Code"] == field.code.read_text()
    (source,) = [
        res["Properties"]
        for res in synthesized.resources("AWS::AppSync::DataSource").values()
        if res["Properties"]["Name"] == resolver["DataSourceName"]
    ]
    # No data, no role: the code refuses a subscription or sets its filters (enhanced subscription filtering)
    assert source["Type"] == "NONE"
    assert "ServiceRoleArn" not in source
    assert "extensions.setSubscriptionFilter(" in resolver["Code"]


def test_cancel_booking_invalidates_the_bookings_status_subscriptions(synthesized: Synthesized) -> None:
    cancel = _resolvers(synthesized)[("Mutation", "cancelBooking")]["Code"]
    status = _resolvers(synthesized)[("Subscription", "onBookingStatusChanged")]["Code"]
    assert "extensions.invalidateSubscriptions(" in cancel
    assert "subscriptionField: 'onBookingStatusChanged'" in cancel
    assert "extensions.setSubscriptionInvalidationFilter(" in status


def test_the_batch_resolver_code_batch_invokes_and_raises_error_results() -> None:
    code = (APPSYNC_DIR / "lambda_batch_resolver.js").read_text()
    single = (APPSYNC_DIR / "lambda_resolver.js").read_text()
    assert "operation: 'BatchInvoke'" in code
    assert "operation: 'Invoke'" in single
    cancel = (APPSYNC_DIR / "resolvers" / "cancel_booking.js").read_text()
    # Each raises an {"__error"} result as the GraphQL error, with errorType and errorInfo
    for source in (code, single, cancel):
        assert "util.error(failure.message, failure.errorType, null, failure.errorInfo)" in source


def test_the_resolver_code_never_forwards_an_invocation_error_message() -> None:
    # A failed invocation's message can name internals (a stack, a table, an endpoint): clients get a generic one
    for name in ("lambda_resolver.js", "lambda_batch_resolver.js"):
        source = (APPSYNC_DIR / name).read_text()
        assert "ctx.error.message" not in source
        assert "util.error('An internal error occurred', 'InternalFailure', null, { retryable: !crashed })" in source


def test_a_waf_rate_rule_blocks_an_ip_over_2000_requests_in_5_minutes(synthesized: Synthesized) -> None:
    acl = synthesized.one("AWS::WAFv2::WebACL")
    assert acl["Scope"] == "REGIONAL"
    (rule,) = [rule for rule in acl["Rules"] if "RateBasedStatement" in rule["Statement"]]
    assert rule["Statement"]["RateBasedStatement"] == {
        "AggregateKeyType": "IP",
        "Limit": 2000,
        "EvaluationWindowSec": 300,
    }
    assert rule["Action"] == {"Block": {}}
    association = synthesized.one("AWS::WAFv2::WebACLAssociation")
    (api_id,) = synthesized.resources("AWS::AppSync::GraphQLApi")
    assert association["ResourceArn"] == {"Fn::GetAtt": [api_id, "Arn"]}
