"""Bounds checked before a document is validated or executed, so no document can stall the server.

Fragments let a short document stand for an enormous one (each of 35 chained fragments spreading the next
twice is 2^35 fields): the fields are counted with every fragment expanded, each fragment's count computed once,
and a document that expands past the token limit (no more than could be written out without fragments) is
refused. Validation of a larger document then runs in a worker thread with a time bound, off the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from functools import lru_cache

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
)
from graphql.validation import ASTValidationRule
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

VALIDATION_SECONDS = 5.0
# Distinct small documents whose validation is remembered (bounded: unique documents only churn it).
VALIDATED_DOCUMENTS = 256
# Documents of at most this many fields (fragments expanded) are validated as Strawberry does, on the loop.
INLINE_FIELDS = 500


def expanded_field_count(document: DocumentNode, cap: int) -> int:
    """The number of fields the document's operations select with every fragment spread expanded, counting
    each fragment once (memoized) and stopping early past `cap`. A fragment cycle counts as nothing here
    (validation refuses it)."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    memo: dict[str, int] = {}
    visiting: set[str] = set()

    def count(selection_set: SelectionSetNode | None) -> int:
        total = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                total += 1 + count(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                total += count(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                total += spread(selection.name.value)
            if total > cap:
                return total
        return total

    def spread(name: str) -> int:
        if name in memo:
            return memo[name]
        fragment = fragments.get(name)
        if fragment is None or name in visiting:
            return 0
        visiting.add(name)
        memo[name] = count(fragment.selection_set)
        visiting.discard(name)
        return memo[name]

    total = 0
    for definition in document.definitions:
        if not isinstance(definition, FragmentDefinitionNode) and hasattr(definition, "selection_set"):
            total += count(definition.selection_set)
        if total > cap:
            break
    return total


@lru_cache(maxsize=VALIDATED_DOCUMENTS)
def _validated(
    schema: GraphQLSchema, document: DocumentNode, rules: tuple[type[ASTValidationRule], ...]
) -> tuple[GraphQLError, ...]:
    """The errors of a document against the schema and the rules: they depend on nothing else (the rules are the
    same classes for every request: see LocalAppSync's extensions)."""
    return tuple(validate_document(schema, document, rules))


class BoundedValidation(SchemaExtension):
    """Refuses a document whose fields, fragments expanded, exceed `max_fields`; validates the rest in a thread,
    refusing one whose validation takes longer than `seconds`."""

    def __init__(self, *, max_fields: int, seconds: float = VALIDATION_SECONDS) -> None:
        self.max_fields = max_fields
        self.seconds = seconds

    async def on_validate(self) -> AsyncIterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.pre_execution_errors is None:
            fields = expanded_field_count(document, self.max_fields)
            if fields > self.max_fields:
                message = f"The query selects more than {self.max_fields} fields once its fragments are expanded"
                context.pre_execution_errors = [GraphQLError(message)]
            elif fields <= INLINE_FIELDS:
                # Small documents (nearly all) validate on the loop: no thread hop, no queueing. Once per distinct
                # document: clients send the same few again and again (every delayFlight, every subscription start)
                # and graphql-core takes milliseconds over even a small one, on the mutation's way to publishing.
                if context.validation_rules:
                    rules = context.validation_rules
                    context.pre_execution_errors = list(_validated(context.schema._schema, document, rules))
            elif context.validation_rules:
                work = asyncio.to_thread(validate_document, context.schema._schema, document, context.validation_rules)
                try:
                    context.pre_execution_errors = await asyncio.wait_for(work, self.seconds)
                except TimeoutError:
                    context.pre_execution_errors = [GraphQLError("The query took too long to validate")]
        yield
