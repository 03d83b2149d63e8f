"""The client against the contract, offline: every document it sends validates against schema.graphql (with
AppSync's built-ins), and every model has exactly its schema type's fields, types and nullability."""

from __future__ import annotations

import dataclasses
import typing
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest
from airline_client import documents, models
from airline_client.aio import AsyncAirlineClient
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    OperationDefinitionNode,
    SelectionSetNode,
    build_schema,
    get_named_type,
    parse,
    validate,
)

ROOT = Path(__file__).parents[2]
SCALARS: dict[str, Any] = {
    "ID": str,
    "String": str,
    "Int": int,
    "Float": float,
    "Boolean": bool,
    "AWSDateTime": datetime,
    "AWSDate": date,
}


def contract(sdl: str | None = None) -> GraphQLSchema:
    builtins = (ROOT / "appsync" / "builtins.graphql").read_text()
    return build_schema(builtins + "\n" + (sdl if sdl is not None else (ROOT / "schema.graphql").read_text()))


def type_problems(where: str, schema_type: Any, annotation: Any) -> list[str]:
    """How a model field's annotation differs from the schema field's type (nullability included)."""
    inner, optional = models.unwrap_optional(annotation)
    nullable = not isinstance(schema_type, GraphQLNonNull)
    if nullable != optional:
        return [f"{where}: schema says {schema_type}, model says {annotation}"]
    of_type = schema_type.of_type if isinstance(schema_type, GraphQLNonNull) else schema_type
    if isinstance(of_type, GraphQLList):
        if typing.get_origin(inner) is not list:
            return [f"{where}: schema has a list {schema_type}, model has {annotation}"]
        return type_problems(f"{where}[]", of_type.of_type, typing.get_args(inner)[0])
    if isinstance(of_type, GraphQLScalarType):
        expected = SCALARS.get(of_type.name)
        return [] if inner is expected else [f"{where}: {of_type.name} should be {expected}, model has {inner}"]
    if isinstance(of_type, GraphQLEnumType):
        ok = isinstance(inner, type) and issubclass(inner, StrEnum) and inner.__name__ == of_type.name
        if not ok:
            return [f"{where}: enum {of_type.name}, model has {inner}"]
        if {member.value for member in inner} != set(of_type.values):
            return [f"{where}: {inner.__name__} values {sorted(inner)} != schema's {sorted(of_type.values)}"]
        return []
    expected_model = {**models.OUTPUT_TYPES, **models.INPUT_TYPES}.get(of_type.name)
    return [] if inner is expected_model else [f"{where}: {of_type.name} should be {expected_model}, has {inner}"]


def model_problems(schema: GraphQLSchema) -> list[str]:
    problems: list[str] = []
    for type_name, model in {**models.OUTPUT_TYPES, **models.INPUT_TYPES}.items():
        schema_type = schema.get_type(type_name)
        if not isinstance(schema_type, GraphQLObjectType | GraphQLInputObjectType):
            problems.append(f"{model.__name__}: the schema has no type {type_name}")
            continue
        hints = models.field_types(model)
        fields = {models.graphql_name(f.name): f.name for f in dataclasses.fields(model)}  # type: ignore[arg-type]
        for missing in sorted(set(schema_type.fields) - set(fields)):
            problems.append(f"{model.__name__} lacks {type_name}.{missing}")
        for extra in sorted(set(fields) - set(schema_type.fields)):
            problems.append(f"{model.__name__}.{fields[extra]}: {type_name} has no field {extra}")
        for name, python_name in fields.items():
            if name in schema_type.fields:
                where = f"{model.__name__}.{python_name}"
                problems += type_problems(where, schema_type.fields[name].type, hints[python_name])
    return problems


def _selected(selection_set: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode]) -> list[FieldNode]:
    fields: list[FieldNode] = []
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            fields.append(selection)
        elif isinstance(selection, FragmentSpreadNode):
            fields += _selected(fragments[selection.name.value].selection_set, fragments)
    return fields


def selection_problems(schema: GraphQLSchema, operation: str, doc: DocumentNode) -> list[str]:
    """Where an operation's selection of an object type is not exactly its model's fields (from_graphql reads
    every field, and AppSync only delivers to subscribers what a mutation selected)."""
    fragments = {d.name.value: d for d in doc.definitions if isinstance(d, FragmentDefinitionNode)}
    problems: list[str] = []

    def check(type_: GraphQLObjectType, selection_set: SelectionSetNode, where: str) -> None:
        selected = _selected(selection_set, fragments)
        model = models.OUTPUT_TYPES.get(type_.name)
        if model is not None:
            wanted = {models.graphql_name(f.name) for f in dataclasses.fields(model)}  # type: ignore[arg-type]
            names = {node.name.value for node in selected}
            if names != wanted:
                problems.append(f"{where} ({type_.name}): selects {sorted(names ^ wanted)} unlike {model.__name__}")
        for node in selected:
            field_type = get_named_type(type_.fields[node.name.value].type) if node.name.value in type_.fields else None
            if isinstance(field_type, GraphQLObjectType) and node.selection_set is not None:
                check(field_type, node.selection_set, f"{where}.{node.name.value}")

    (definition,) = [d for d in doc.definitions if isinstance(d, OperationDefinitionNode)]
    root = schema.get_root_type(definition.operation)
    assert root is not None
    for node in _selected(definition.selection_set, fragments):
        field_type = get_named_type(root.fields[node.name.value].type)
        if isinstance(field_type, GraphQLObjectType) and node.selection_set is not None:
            check(field_type, node.selection_set, f"{operation}.{node.name.value}")
    return problems


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return contract()


@pytest.mark.parametrize("operation", sorted(documents.operations()))
def test_every_operation_the_client_sends_validates_against_the_contract(schema: GraphQLSchema, operation: str) -> None:
    # Given the document the client sends for the operation, When validated offline, Then nothing is wrong
    doc = documents.document(operation)

    assert [error.message for error in validate(schema, doc)] == []
    assert selection_problems(schema, operation, doc) == []


def test_the_shipped_operations_file_validates_as_a_whole(schema: GraphQLSchema) -> None:
    assert [error.message for error in validate(schema, parse(documents.source()))] == []


def test_every_operation_is_sent_by_the_client_and_covers_every_mutation_a_partner_uses() -> None:
    import inspect

    code = inspect.getsource(AsyncAirlineClient)

    assert [name for name in documents.operations() if f'"{name}"' not in code] == []


def test_the_models_match_the_schema_types_field_for_field(schema: GraphQLSchema) -> None:
    assert model_problems(schema) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("  statusReason: String\n  customer: ID!\n", "  statusReason: String!\n  customer: ID!\n"), "status_reason"),
        (("  checkedIn: Boolean!\n", ""), "checkedIn"),
        (
            ("  delayMinutes: Int!\n}\n\ntype FlightConnection", "  delayMinutes: Int\n}\n\ntype FlightConnection"),
            "delay_minutes",
        ),
        (("  SILVER\n", "  SILVER\n  PLATINUM\n"), "LoyaltyLevel"),
        (("  seatCapacity: Int!\n}\n", "  seatCapacity: Int!\n  cabin: String!\n}\n"), "cabin"),
    ],
    ids=["nullability", "field-removed", "made-nullable", "enum-value-added", "input-field-added"],
)
def test_a_contract_change_that_breaks_the_client_is_caught(change: tuple[str, str], expected: str) -> None:
    # Given schema.graphql with one change the client does not follow
    sdl = (ROOT / "schema.graphql").read_text()
    old, new = change
    assert old in sdl
    changed = contract(sdl.replace(old, new, 1))

    # When the models and documents are checked against it
    problems = model_problems(changed) + [
        str(error.message) for name, doc in documents.operations().items() for error in validate(changed, doc)
    ]

    # Then the check fails, naming what drifted
    assert any(expected in problem for problem in problems), problems


def test_scalars_convert_to_aware_datetimes_and_dates() -> None:
    flight = models.FlightDelay.from_graphql(
        {
            "flightId": "F1",
            "flightNumber": "AW1",
            "departureAirportCode": "LGW",
            "arrivalAirportCode": "MAD",
            "delayMinutes": 30,
            "reason": "crew",
            "departureDateTime": "2030-05-01T10:00:00Z",
            "arrivalDateTime": "2030-05-01T12:00:00.123+02:00",
            "affectedBookings": 0,
            "occurredAt": "2030-05-01T09:00:00.000Z",
        }
    )

    assert flight.departure_date_time.tzinfo is not None
    assert flight.departure_date_time.isoformat() == "2030-05-01T10:00:00+00:00"
    assert models.format_datetime(flight.arrival_date_time) == "2030-05-01T10:00:00.123000Z"
    with pytest.raises(ValueError, match="naive"):
        models.format_datetime(datetime(2030, 5, 1, 10))
