"""One execution of a subscription's selection set per published event and group of subscribers that would get
the same answer, shared by all of them (and its JSON serialized once), instead of one execution per subscriber.

Subscribers share an execution when they sent the same selection (the subscription field's own arguments aside:
they only decide, through the filters, who receives an event), the same values of the variables that selection
reads, and the same auth mode and Cognito groups (what the field-level @aws_* checks read). A subscription field
whose answer may reach a Lambda-resolved field (which sees the caller's identity and headers) never shares."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, cast

from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    print_ast,
    visit,
)
from graphql.language import Visitor
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from appsync.fields import BY_FIELD

# Separators as the WebSocket protocols send JSON: no spaces.
COMPACT = (",", ":")


@dataclass(eq=False)
class PublishedEvent:
    """A mutation's result on its way to subscribers, with the executions already made for it, by sharing key."""

    result: Mapping[str, Any]
    executions: dict[Hashable, Any] = field(default_factory=dict)
    # Subscribers (by sharing key and event loop) that were idle when the event was published: instead of each
    # one's stream taking the event, the answer executed for one of their group is written to all of them at once.
    waiting: dict[Hashable, list[Any]] = field(default_factory=dict)
    # What writes it (the broker's): called with the waiting subscribers and the answer, None when there is none
    # to share (they then take the event themselves).
    deliver_waiting: Callable[[list[Any], PublishedEvent, SharedData | None], None] | None = None

    def answered(self, key: Hashable, result: ExecutionResult | None) -> None:
        """The execution for `key` is over (None: it failed, or never ran): its waiting subscribers get its answer,
        or the event back to execute themselves when it cannot be shared. Only the first call counts."""
        waiting = self.waiting.pop(key, None)
        if not waiting or self.deliver_waiting is None:
            return
        shareable = result is not None and isinstance(result.data, SharedData) and not result.errors
        self.deliver_waiting(waiting, self, cast(SharedData, result.data) if shareable and result else None)

    async def shared_answer(self, key: Hashable) -> SharedData | None:
        """The answer executed for the subscribers of `key` on this event loop (waiting for it if it is on its way),
        when it can be sent to another one as it is (no errors); None when there is none."""
        shared = await _settled(self.executions.get((key, id(asyncio.get_running_loop()))))
        if isinstance(shared, ExecutionResult) and isinstance(shared.data, SharedData) and not shared.errors:
            return shared.data
        return None


# An execution on its way: its (result, error) once it is done; cancelled if its subscriber left before the end.
Pending = asyncio.Future[tuple[ExecutionResult | None, Exception | None]]


async def _settled(shared: Any) -> Any:
    """An execution's result, waited for if it is pending; None if it failed or was abandoned."""
    if not isinstance(shared, asyncio.Future):
        return shared
    # asyncio.wait: a waiter that is cancelled does not cancel the execution the others wait for.
    await asyncio.wait({shared})
    if shared.cancelled():
        return None
    result, _error = shared.result()
    return result


class SharedData(dict[str, Any]):
    """The `data` of an execution shared by several subscribers, which serializes it once for all of them."""

    @cached_property
    def payload_json(self) -> str:
        """`{"data": ...}` as the WebSocket protocols send it."""
        return json.dumps({"data": self}, separators=COMPACT)


class _VariablesRead(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_variable(self, node: VariableNode, *_: Any) -> None:
        self.names.add(node.name.value)


def _without_root_arguments(operation: OperationDefinitionNode) -> OperationDefinitionNode:
    """The operation with its root fields' arguments dropped: they choose what a subscriber receives, not the answer
    to an event (a root field inside a fragment keeps them, which only shares less)."""
    selections = tuple(
        FieldNode(
            alias=selection.alias,
            name=selection.name,
            arguments=(),
            directives=selection.directives,
            selection_set=selection.selection_set,
        )
        if isinstance(selection, FieldNode)
        else selection
        for selection in operation.selection_set.selections
    )
    return OperationDefinitionNode(
        operation=operation.operation,
        name=operation.name,
        variable_definitions=operation.variable_definitions,
        directives=operation.directives,
        selection_set=SelectionSetNode(selections=selections),
    )


def _named(type_: Any) -> Any:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    return type_


@lru_cache(maxsize=8)
def _reaches_lambda(schema: GraphQLSchema) -> frozenset[str]:
    """The Subscription fields whose answer may reach a field the contract maps to a Lambda."""
    subscription = schema.subscription_type
    reaching: set[str] = set()
    for name, root_field in (subscription.fields if subscription else {}).items():
        seen: set[str] = set()
        pending = [_named(root_field.type)]
        while pending:
            type_ = pending.pop()
            if not isinstance(type_, GraphQLObjectType) or type_.name in seen:
                continue
            seen.add(type_.name)
            for field_name, child in type_.fields.items():
                if (type_.name, field_name) in BY_FIELD:
                    reaching.add(name)
                pending.append(_named(child.type))
    return frozenset(reaching)


def _variable_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=repr)


def sharing_key(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragment_definitions: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
    context: Any,
) -> Hashable | None:
    """What decides a subscription's answer to an event beside the event itself; None when it answers alone."""
    if operation.operation is not OperationType.SUBSCRIPTION:
        return None
    principal = getattr(context, "principal", None)
    root_fields = {s.name.value for s in operation.selection_set.selections if isinstance(s, FieldNode)}
    if principal is None or root_fields & _reaches_lambda(schema):
        return None
    selection = _without_root_arguments(operation)
    fragments = [fragment_definitions[name] for name in sorted(fragment_definitions)]
    read = _VariablesRead()
    for node in (selection, *fragments):
        visit(node, read)
    return (
        print_ast(selection),
        tuple(print_ast(fragment) for fragment in fragments),
        tuple((name, _variable_key(variables.get(name))) for name in sorted(read.names)),
        principal.mode,
        principal.groups,
    )


class SharedEventExecution(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, executing a `PublishedEvent` once per sharing key: every subscriber in a group gets
    the same result (the same `SharedData`), through the same Strawberry pipeline as before (its extensions, its
    error formatting per subscriber)."""

    _sharing_key: Hashable | None = None
    # The event a per-event copy executes (None: not a published event).
    published: PublishedEvent | None = None

    def build_per_event_executor(self, payload: Any) -> Any:
        if not isinstance(payload, PublishedEvent):
            return super().build_per_event_executor(payload)
        if self._sharing_key is None:
            # Once per subscription: the executor of its events are copies of this one.
            self._sharing_key = self.sharing_key()
        executor = cast(SharedEventExecution, super().build_per_event_executor(payload.result))
        executor.published = payload
        return executor

    def sharing_key(self) -> Hashable:
        """What decides this subscription's answer to an event, beside the event itself."""
        key = sharing_key(
            self.schema, self.operation, self.fragment_definitions, self.variable_values.coerced, self.context_value
        )
        return ("alone", id(self)) if key is None else key

    def execute_operation(self, serially: bool | None = None) -> Any:
        published = self.published
        if published is None:
            return super().execute_operation(serially)
        # Per event loop too: an execution awaiting resolvers runs in a task of its loop.
        key = (self._sharing_key, id(asyncio.get_running_loop()))
        shared = published.executions.get(key)
        if shared is None:
            try:
                result = super().execute_operation(serially)
            except Exception:
                published.answered(key, None)
                raise
            if not self.is_awaitable(result):
                shared = published.executions[key] = _share(cast(ExecutionResult, result))
                published.answered(key, shared)
                return shared
            # Awaited in this subscriber's own task, so an execution that never suspends is done before the
            # others of its group even look (they find the answer, not something to wait for).
            pending: Pending = asyncio.get_running_loop().create_future()
            published.executions[key] = pending
            return self._first(result, pending, key)
        if isinstance(shared, asyncio.Future):
            return self._later(shared, serially)
        return shared

    async def _first(self, result: Awaitable[ExecutionResult], pending: Pending, key: Hashable) -> ExecutionResult:
        published = self.published
        assert published is not None
        try:
            answer = _share(await result)
        except Exception as error:
            pending.set_result((None, error))
            published.answered(key, None)
            raise
        except BaseException:
            pending.cancel()
            published.answered(key, None)
            raise
        pending.set_result((answer, None))
        published.answered(key, answer)
        return answer

    async def _later(self, pending: Pending, serially: bool | None) -> ExecutionResult:
        await asyncio.wait({pending})
        if pending.cancelled():
            # The subscriber executing it left before the end: this one executes its own.
            result = super().execute_operation(serially)
            return cast(ExecutionResult, await result if self.is_awaitable(result) else result)
        answer, error = pending.result()
        if error is not None:
            raise error
        assert answer is not None
        return answer


def _share(result: ExecutionResult) -> ExecutionResult:
    data = SharedData(result.data) if isinstance(result.data, dict) else result.data
    return ExecutionResult(data, result.errors, result.extensions)
