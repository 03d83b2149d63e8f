"""schema.graphql: builds with AppSync's built-ins, names its auth on every field, and matches the field map."""

from __future__ import annotations

from graphql import GraphQLObjectType, build_schema, parse
from graphql.language import FieldDefinitionNode, ObjectTypeDefinitionNode

from appsync.fields import BY_FIELD, SCHEMA_PATH, SUBSCRIPTION_FIELDS, full_schema_sdl

AUTH = {"aws_api_key", "aws_iam", "aws_cognito_user_pools", "aws_oidc", "aws_lambda"}
ROOTS = ("Query", "Mutation", "Subscription")


def _definitions():
    return [d for d in parse(SCHEMA_PATH.read_text()).definitions if isinstance(d, ObjectTypeDefinitionNode)]


def _auth(node) -> dict[str, list]:
    return {d.name.value: d.arguments for d in node.directives if d.name.value in AUTH}


def test_the_schema_builds_with_appsync_builtins_prepended():
    schema = build_schema(full_schema_sdl())

    assert schema.query_type is not None
    assert isinstance(schema.get_type("Flight"), GraphQLObjectType)


def test_the_schema_defines_none_of_appsyncs_builtins():
    text = SCHEMA_PATH.read_text()

    assert "scalar AWS" not in text
    assert "directive @aws" not in text


def test_every_root_field_names_its_auth_modes():
    for definition in _definitions():
        if definition.name.value in ROOTS:
            for field in definition.fields:
                assert _auth(field), f"{definition.name.value}.{field.name.value} has no auth directive"


def test_auth_follows_the_design():
    fields: dict[str, FieldDefinitionNode] = {
        f"{d.name.value}.{f.name.value}": f for d in _definitions() if d.name.value in ROOTS for f in d.fields
    }
    catalog = {"aws_api_key", "aws_cognito_user_pools", "aws_iam"}
    private = {"aws_cognito_user_pools", "aws_iam"}

    assert set(_auth(fields["Query.listFlights"])) == catalog
    assert set(_auth(fields["Query.getFlight"])) == catalog
    for name in ("Query.getBooking", "Query.listBookings", "Query.getLoyalty"):
        assert set(_auth(fields[name])) == private, name
    admin = _auth(fields["Mutation.createFlight"])
    assert set(admin) == private
    groups = admin["aws_cognito_user_pools"][0].value.values
    assert [g.value for g in groups] == ["Admins"]


def test_every_query_and_mutation_and_booking_flight_has_a_resolver_and_the_map_names_only_real_fields():
    schema = build_schema(full_schema_sdl())
    needed = {(root, name) for root in ("Query", "Mutation") for name in schema.get_type(root).fields}
    needed.add(("Booking", "outboundFlight"))

    assert needed - set(BY_FIELD) == set(), "fields without a resolver"
    for type_name, field_name in BY_FIELD:
        assert field_name in schema.get_type(type_name).fields, f"{type_name}.{field_name} is not in the schema"


def test_every_subscription_is_listed_with_its_code_and_triggered_by_a_mapped_mutation():
    schema = build_schema(full_schema_sdl())
    listed = {field.field_name: field for field in SUBSCRIPTION_FIELDS}

    assert set(listed) == set(schema.subscription_type.fields)
    for name, field in schema.subscription_type.fields.items():
        directive = next(d for d in field.ast_node.directives if d.name.value == "aws_subscribe")
        mutations = [value.value for value in directive.arguments[0].value.values]
        assert all(("Mutation", mutation) in BY_FIELD for mutation in mutations), name
        assert listed[name].code is None or listed[name].code.is_file(), name


def test_status_publishing_is_iam_only_and_delays_are_for_admins():
    fields = {f"{d.name.value}.{f.name.value}": f for d in _definitions() for f in d.fields}

    assert set(_auth(fields["Mutation.publishBookingStatus"])) == {"aws_iam"}
    delay = _auth(fields["Mutation.delayFlight"])
    assert set(delay) == {"aws_cognito_user_pools", "aws_iam"}
    assert [g.value for g in delay["aws_cognito_user_pools"][0].value.values] == ["Admins"]
    assert set(_auth(fields["Subscription.onFlightDelayed"])) == {"aws_api_key", "aws_cognito_user_pools", "aws_iam"}
    assert set(_auth(fields["Subscription.onBookingStatusChanged"])) == {"aws_cognito_user_pools", "aws_iam"}
