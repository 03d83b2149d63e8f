"""The schema the local AppSync serves is schema.graphql: printed by Strawberry and compared definition by
definition, AppSync's built-in definitions aside, applied directives included."""

from __future__ import annotations

import difflib

from graphql import (
    DirectiveDefinitionNode,
    SchemaDefinitionNode,
    StringValueNode,
    TypeDefinitionNode,
    Visitor,
    parse,
    print_ast,
    visit,
)

from appsync.fields import BUILTINS_PATH, SCHEMA_PATH
from appsync.local.server import LocalAppSync


class _PlainDescriptions(Visitor):
    """`"x"` and `\"\"\"x\"\"\"` say the same; print every description one way."""

    def enter_string_value(self, node: StringValueNode, *_: object) -> StringValueNode:
        return StringValueNode(value=node.value, block=False)


def definitions(sdl: str) -> dict[str, str]:
    """Each definition of an SDL document printed alone, by name (`@name` for directives, `schema` for roots)."""
    document = visit(parse(sdl), _PlainDescriptions())
    printed = {}
    for definition in document.definitions:
        if isinstance(definition, SchemaDefinitionNode):
            name = "schema"
        elif isinstance(definition, DirectiveDefinitionNode):
            name = f"@{definition.name.value}"
        else:
            assert isinstance(definition, TypeDefinitionNode)
            name = definition.name.value
        printed[name] = print_ast(definition)
    return printed


def drift(contract: str, served: str, builtins: str) -> list[str]:
    """What the served schema has that the contract does not, and the reverse, each named."""
    expected, actual, appsync = definitions(contract), definitions(served), definitions(builtins)
    problems = []
    for name in sorted(expected.keys() | actual.keys()):
        if name == "schema":
            continue  # Strawberry omits the roots block when the roots have their usual names; checked apart
        if name in appsync:
            if name in actual and actual[name] != appsync[name]:
                problems.append(f"AppSync built-in {name} is served differently:\n{_diff(appsync[name], actual[name])}")
            continue
        if name not in actual:
            problems.append(f"{name} is in schema.graphql but not served")
        elif name not in expected:
            problems.append(f"{name} is served but not in schema.graphql")
        elif expected[name] != actual[name]:
            problems.append(f"{name} differs:\n{_diff(expected[name], actual[name])}")
    return problems


def _diff(expected: str, actual: str) -> str:
    lines = difflib.unified_diff(
        expected.splitlines(), actual.splitlines(), "schema.graphql", "served", lineterm="", n=1
    )
    return "\n".join(lines)


def test_the_served_schema_is_the_contract(appsync: LocalAppSync) -> None:
    # Given the contract and AppSync's built-ins
    contract, builtins = SCHEMA_PATH.read_text(), BUILTINS_PATH.read_text()

    # When the schema the local AppSync serves is printed
    served = appsync.schema.as_str()

    # Then it has the contract's definitions, exactly, and the same root types
    assert drift(contract, served, builtins) == []
    schema = appsync.schema._schema
    roots = {"query": schema.query_type, "mutation": schema.mutation_type, "subscription": schema.subscription_type}
    contract_roots = definitions(contract).get("schema", "")
    for operation, root in roots.items():
        assert (f"{operation}: {root.name}" in contract_roots) if root else (f"{operation}:" not in contract_roots)


def test_a_drift_is_named() -> None:
    # Given a served schema with a field's type changed, a type missing and a directive argument camelCased
    contract = 'type Query { a: Int @aws_iam  b: Thing }\ntype Thing { id: ID! }\n"x"\nscalar AWSDate'
    builtins = "directive @aws_cognito_user_pools(cognito_groups: [String!]) on FIELD_DEFINITION | OBJECT"
    served = (
        'type Query { a: String @aws_iam  b: Thing }\n"""x"""\nscalar AWSDate\n'
        "directive @aws_cognito_user_pools(cognitoGroups: [String!]) on FIELD_DEFINITION | OBJECT"
    )

    # When they are compared
    problems = drift(contract, served, builtins)

    # Then each drift is named, and nothing else
    assert [problem.splitlines()[0] for problem in problems] == [
        "AppSync built-in @aws_cognito_user_pools is served differently:",
        "Query differs:",
        "Thing is in schema.graphql but not served",
    ]
    assert "-type Query { a: Int @aws_iam" not in problems[1]
    assert "+  a: String @aws_iam" in problems[1]
