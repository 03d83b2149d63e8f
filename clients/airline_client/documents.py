"""The operations the client sends, read from the packaged operations.graphql: one document per operation, holding
that operation and the fragments it uses (and nothing else, so a request stays small)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    Node,
    OperationDefinitionNode,
    Visitor,
    parse,
    visit,
)


def source() -> str:
    """The text of operations.graphql as shipped in the package."""
    return resources.files(__package__).joinpath("operations.graphql").read_text(encoding="utf-8")


class _Spreads(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_: object) -> None:
        self.names.add(node.name.value)


def _spread_names(node: Node) -> set[str]:
    spreads = _Spreads()
    visit(node, spreads)
    return spreads.names


@cache
def operations() -> dict[str, DocumentNode]:
    """Each operation's own document, by operation name."""
    parsed = parse(source())
    fragments = {d.name.value: d for d in parsed.definitions if isinstance(d, FragmentDefinitionNode)}
    documents: dict[str, DocumentNode] = {}
    for definition in parsed.definitions:
        if not isinstance(definition, OperationDefinitionNode) or definition.name is None:
            continue
        needed: list[str] = []
        pending = sorted(_spread_names(definition))
        while pending:
            name = pending.pop()
            if name not in needed:
                needed.append(name)
                pending.extend(sorted(_spread_names(fragments[name])))
        documents[definition.name.value] = DocumentNode(
            definitions=(definition, *(fragments[name] for name in sorted(needed)))
        )
    return documents


def document(operation: str) -> DocumentNode:
    return operations()[operation]
