"""The Strawberry schema built from schema.graphql at start-up: the contract's types, fields, arguments, enums,
AppSync scalars and auth directives, with every field the contract maps to a Lambda served by `lambda_field`."""

from __future__ import annotations

import keyword
import types
from collections.abc import Callable, Mapping, Sequence
from enum import Enum
from functools import lru_cache
from typing import Any, Optional

import strawberry
from graphql import (
    Executor,
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLType,
    build_schema,
    is_specified_directive,
    value_from_ast_untyped,
)
from graphql.language import ConstDirectiveNode, DirectiveLocation
from strawberry.annotation import StrawberryAnnotation
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.schema_directive import Location
from strawberry.types import ExecutionContext
from strawberry.types.arguments import StrawberryArgument
from strawberry.types.base import has_object_definition
from strawberry.types.field import StrawberryField
from strawberry.types.fields.resolver import StrawberryResolver

from appsync.fields import BY_FIELD, FieldResolver, full_schema_sdl
from appsync.local.graphql.scalars import SCALAR_MAP, SCALARS

# What a field the contract maps to a Lambda resolves with: an async resolver(root, info, **arguments).
LambdaField = Callable[[FieldResolver], Callable[..., Any]]
# What a Subscription field subscribes with, by field name: an async resolver answering an async iterator.
SubscriptionField = Callable[[str], Callable[..., Any]]

_PYTHON_SCALARS: dict[str, Any] = {"String": str, "Int": int, "Float": float, "Boolean": bool, "ID": strawberry.ID}


@lru_cache(maxsize=1)
def contract() -> GraphQLSchema:
    """schema.graphql as graphql-core reads it, AppSync's built-ins prepended."""
    return build_schema(full_schema_sdl())


def _python_name(name: str) -> str:
    if keyword.iskeyword(name) or not name.isidentifier():
        raise ValueError(f"{name!r} cannot be a Python attribute: rename it in schema.graphql")
    return name


def _default_resolver(parent: Any, name: str) -> Any:
    # AppSync resolves a field without a resolver from the parent object's key of the same name.
    if isinstance(parent, Mapping):
        return parent.get(name)
    return getattr(parent, name, None)


class _Builder:
    def __init__(
        self, source: GraphQLSchema, lambda_field: LambdaField, subscription_field: SubscriptionField | None = None
    ) -> None:
        self.source = source
        self.lambda_field = lambda_field
        self.subscription_field = subscription_field
        self.namespace: dict[str, Any] = {**_PYTHON_SCALARS, **SCALARS}
        self.directives: dict[str, type] = {}

    def python_type(self, type_: GraphQLType) -> Any:
        if isinstance(type_, GraphQLNonNull):
            return self.non_null_type(type_.of_type)
        return Optional[self.non_null_type(type_)]  # noqa: UP045 (`|` fails on some type objects)

    def non_null_type(self, type_: GraphQLType) -> Any:
        if isinstance(type_, GraphQLList):
            return list[self.python_type(type_.of_type)]  # type: ignore[misc]
        assert isinstance(type_, GraphQLNamedType)
        return self.namespace[type_.name]

    def annotation(self, type_: GraphQLType) -> StrawberryAnnotation:
        return StrawberryAnnotation(self.python_type(type_))

    def build(self) -> dict[str, Any]:
        for directive in self.source.directives:
            if not is_specified_directive(directive):
                self.directives[directive.name] = self.directive(directive.name)
        named = [t for name, t in self.source.type_map.items() if not name.startswith("__")]
        # Classes first, fields after: types refer to each other in any order.
        for type_ in named:
            if isinstance(type_, GraphQLEnumType):
                self.namespace[type_.name] = self.enum(type_)
            elif isinstance(type_, GraphQLInputObjectType | GraphQLObjectType):
                self.namespace[type_.name] = types.new_class(type_.name)
        for type_ in named:
            if isinstance(type_, GraphQLInputObjectType):
                self.input(type_)
            elif isinstance(type_, GraphQLObjectType):
                self.object(type_)
        return self.namespace

    def decorate(self, name: str, fields: dict[str, StrawberryField]) -> type:
        cls: type = self.namespace[name]
        for field_name, field in fields.items():
            setattr(cls, field_name, field)
        return cls

    def directive(self, name: str) -> type:
        definition = self.source.get_directive(name)
        assert definition is not None
        fields = {
            arg_name: StrawberryField(
                python_name=_python_name(arg_name),
                graphql_name=arg_name,  # kept as AppSync spells it (cognito_groups), never camelCased
                type_annotation=self.annotation(arg.type),
                default=strawberry.UNSET,
            )
            for arg_name, arg in definition.args.items()
        }
        cls = types.new_class(name, (), {}, lambda ns: ns.update(fields))
        locations = [Location(DirectiveLocation(location).value) for location in definition.locations]
        wrapped: type = strawberry.schema_directive(locations=locations, name=name)(cls)
        return wrapped

    def applied(self, nodes: tuple[ConstDirectiveNode, ...] | None) -> list[object]:
        applied = []
        for node in nodes or ():
            name = node.name.value
            if name == "deprecated":
                continue  # carried as the deprecation reason
            if name not in self.directives:
                raise ValueError(f"@{name} is not a directive AppSync knows")
            arguments = {arg.name.value: value_from_ast_untyped(arg.value) for arg in node.arguments or ()}
            applied.append(self.directives[name](**arguments))
        return applied

    def enum(self, type_: GraphQLEnumType) -> Any:
        members = {
            name: strawberry.enum_value(name, description=v.description, deprecation_reason=v.deprecation_reason)
            for name, v in type_.values.items()
        }
        python_enum = Enum(type_.name, members)  # type: ignore[misc]
        return strawberry.enum(python_enum, name=type_.name, description=type_.description)

    def input(self, type_: GraphQLInputObjectType) -> type:
        fields = {}
        for name, field in type_.fields.items():
            default = field.ast_node.default_value if field.ast_node else None
            fields[name] = StrawberryField(
                python_name=_python_name(name),
                graphql_name=name,
                type_annotation=self.annotation(field.type),
                description=field.description,
                default=strawberry.UNSET if default is None else value_from_ast_untyped(default),
                directives=self.applied(field.ast_node.directives if field.ast_node else None),
            )
        return strawberry.input(self.decorate(type_.name, fields), name=type_.name, description=type_.description)

    def argument(self, name: str, arg: GraphQLArgument) -> StrawberryArgument:
        default = arg.ast_node.default_value if arg.ast_node else None
        return StrawberryArgument(
            python_name=_python_name(name),
            graphql_name=name,
            type_annotation=self.annotation(arg.type),
            description=arg.description,
            default=strawberry.UNSET if default is None else value_from_ast_untyped(default),
            deprecation_reason=arg.deprecation_reason,
            directives=self.applied(arg.ast_node.directives if arg.ast_node else None),
        )

    def object(self, type_: GraphQLObjectType) -> type:
        fields = {}
        is_subscription = type_ is self.source.subscription_type and self.subscription_field is not None
        for name, field in type_.fields.items():
            resolver = BY_FIELD.get((type_.name, name))
            base_resolver = None
            if is_subscription:
                assert self.subscription_field is not None
                base_resolver = StrawberryResolver(self.subscription_field(name))
            elif resolver:
                base_resolver = StrawberryResolver(self.lambda_field(resolver))
            strawberry_field = StrawberryField(
                python_name=_python_name(name),
                graphql_name=name,
                type_annotation=self.annotation(field.type),
                description=field.description,
                deprecation_reason=field.deprecation_reason,
                directives=self.applied(field.ast_node.directives if field.ast_node else None),
                base_resolver=base_resolver,
                is_subscription=is_subscription,
            )
            # Set even when empty: the arguments are the contract's, never read from the resolver's signature.
            strawberry_field.arguments = [self.argument(arg_name, arg) for arg_name, arg in field.args.items()]
            fields[name] = strawberry_field
        directives = self.applied(type_.ast_node.directives if type_.ast_node else None)
        cls = self.decorate(type_.name, fields)
        return strawberry.type(cls, name=type_.name, description=type_.description, directives=directives)


class ContractSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Strawberry logs every error with its stack; here only unexpected ones are logged, where they are
        formatted for the client (appsync/local/graphql/errors.py), with the request's correlation id."""


def unknown_resolvers(source: GraphQLSchema) -> list[str]:
    """Entries of the field map that name no field of the contract."""
    return [
        f"{f.type_name}.{f.field_name}"
        for f in BY_FIELD.values()
        if not isinstance(source.get_type(f.type_name), GraphQLObjectType)
        or f.field_name not in source.get_type(f.type_name).fields  # type: ignore[union-attr]
    ]


def build(
    lambda_field: LambdaField,
    extensions: Sequence[Callable[[], SchemaExtension]],
    subscription_field: SubscriptionField | None = None,
    execution_context_class: type[Executor] | None = None,
) -> strawberry.Schema:
    """The Strawberry schema of the contract, each Lambda-mapped field resolved by `lambda_field(resolver)`, each
    Subscription field subscribed by `subscription_field(name)`, executed by `execution_context_class` (Strawberry's
    own by default)."""
    source = contract()
    missing = unknown_resolvers(source)
    if missing:
        raise ValueError(f"appsync/fields.py maps fields schema.graphql does not have: {', '.join(missing)}")
    namespace = _Builder(source, lambda_field, subscription_field).build()

    def root(operation: GraphQLObjectType | None) -> Any:
        return namespace[operation.name] if operation is not None else None

    return ContractSchema(
        query=root(source.query_type),
        mutation=root(source.mutation_type),
        subscription=root(source.subscription_type),
        extensions=extensions,
        execution_context_class=execution_context_class,
        config=StrawberryConfig(auto_camel_case=False, default_resolver=_default_resolver, scalar_map=SCALAR_MAP),
    )


def to_arguments(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """Strawberry's parsed arguments back to the JSON AppSync puts in `arguments`: enum names, input objects as
    objects, and only the fields the client gave."""
    return {name: _plain(value) for name, value in kwargs.items() if value is not strawberry.UNSET}


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if has_object_definition(value):
        definition = value.__strawberry_definition__
        return {
            field.graphql_name or field.python_name: _plain(getattr(value, field.python_name))
            for field in definition.fields
            if getattr(value, field.python_name) is not strawberry.UNSET
        }
    return value
