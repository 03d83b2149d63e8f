"""AppSync's subscriptions locally: each Subscription field's @aws_subscribe read from the contract, the result of
every listed mutation fanned out to the subscriptions whose non-null arguments equal its fields, and the checks a
subscription passes when it starts (its auth directives, then its subscription resolver's rule)."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import strawberry
from graphql import GraphQLError, GraphQLSchema, value_from_ast_untyped
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import ExecutionResult

from appsync.fields import SUBSCRIPTION_FIELDS, FieldResolver
from appsync.local.graphql.auth import Principal, Rule, allows
from appsync.local.graphql.errors import AppSyncError, format_error
from appsync.local.graphql.schema import to_arguments
from resolvers.domain.identity import ADMINS_GROUP

log = logging.getLogger("appsync.local")

SUBSCRIBE_DIRECTIVE = "aws_subscribe"

# A subscription resolver's rule at subscribe time: may this caller subscribe with these arguments?
SubscribeRule = Callable[[Principal, Mapping[str, Any]], bool]


def only_own_bookings(principal: Principal, arguments: Mapping[str, Any]) -> bool:
    """appsync/subscriptions/on_booking_status_changed.js, line for line: a user pool caller subscribes only with
    their own id unless in Admins; callers without a `sub` (IAM) pass."""
    identity = principal.identity or {}
    groups = identity.get("groups") or []
    is_user = bool(identity.get("sub"))
    return not (is_user and arguments.get("customer") != identity.get("sub") and ADMINS_GROUP not in groups)


# The Python twin of each subscription resolver's APPSYNC_JS file (appsync/subscriptions/), by file name.
SUBSCRIBE_RULES: dict[str, SubscribeRule] = {
    "on_booking_status_changed.js": only_own_bookings,
}


def subscribe_rules() -> dict[str, SubscribeRule]:
    """Each subscription field's rule; a field with APPSYNC_JS code and no twin here stops the server at start."""
    rules: dict[str, SubscribeRule] = {}
    for subscription in SUBSCRIPTION_FIELDS:
        if subscription.code is None:
            continue
        rule = SUBSCRIBE_RULES.get(subscription.code.name)
        if rule is None:
            raise ValueError(f"{subscription.code.name} has no Python twin in appsync/local/realtime/subscriptions.py")
        rules[subscription.field_name] = rule
    return rules


def subscribed_mutations(schema: GraphQLSchema) -> dict[str, tuple[str, ...]]:
    """Each Subscription field and the mutations its @aws_subscribe(mutations: [...]) names."""
    subscription_type = schema.subscription_type
    if subscription_type is None:
        return {}
    mutations: dict[str, tuple[str, ...]] = {}
    for name, field_ in subscription_type.fields.items():
        for directive in (field_.ast_node.directives or ()) if field_.ast_node else ():
            if directive.name.value != SUBSCRIBE_DIRECTIVE:
                continue
            for argument in directive.arguments or ():
                if argument.name.value == "mutations":
                    mutations[name] = tuple(value_from_ast_untyped(argument.value) or ())
    known = schema.mutation_type.fields if schema.mutation_type else {}
    unknown = sorted({m for listed in mutations.values() for m in listed if m not in known})
    if unknown:
        raise ValueError(f"@aws_subscribe names mutations schema.graphql does not have: {', '.join(unknown)}")
    return mutations


@dataclass(eq=False)
class Subscriber:
    """One active subscription: what it listens to, and the queue its stream reads on its event loop."""

    field_name: str
    filters: dict[str, Any]
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[Mapping[str, Any]] = field(default_factory=asyncio.Queue)

    def matches(self, result: Mapping[str, Any]) -> bool:
        # AppSync's rule: every argument the subscriber gave equals the result's field of the same name.
        return all(result.get(name) == value for name, value in self.filters.items())


class SubscriptionBroker:
    """The registry of active subscriptions of one server, and the fan-out of mutation results to them.

    Publishing is thread-safe: a result published from any thread reaches each subscriber through its own event
    loop, in the order it was published.
    """

    def __init__(self, schema: GraphQLSchema, field_rules: Mapping[tuple[str, str], Rule]) -> None:
        self.subscription_type = schema.subscription_type.name if schema.subscription_type else "Subscription"
        self.mutation_type = schema.mutation_type.name if schema.mutation_type else "Mutation"
        self.mutations = subscribed_mutations(schema)
        self._fields_of: dict[str, list[str]] = {}
        for field_name, mutations in self.mutations.items():
            for mutation in mutations:
                self._fields_of.setdefault(mutation, []).append(field_name)
        self._field_rules = field_rules
        self._rules = subscribe_rules()
        self._lock = threading.Lock()
        self._subscribers: dict[str, set[Subscriber]] = {name: set() for name in self.mutations}

    def __len__(self) -> int:
        with self._lock:
            return sum(len(subscribers) for subscribers in self._subscribers.values())

    def count(self, field_name: str) -> int:
        with self._lock:
            return len(self._subscribers.get(field_name, ()))

    def publish(self, mutation: str, result: Any) -> int:
        """Hand a mutation's result to every matching subscriber; answers how many."""
        if not isinstance(result, Mapping):
            return 0
        with self._lock:
            targets = [
                subscriber
                for field_name in self._fields_of.get(mutation, ())
                for subscriber in self._subscribers[field_name]
                if subscriber.matches(result)
            ]
        for subscriber in targets:
            try:
                subscriber.loop.call_soon_threadsafe(subscriber.queue.put_nowait, result)
            except RuntimeError:
                log.debug("Dropped an event for a subscriber whose event loop has closed")
        return len(targets)

    def publishing(
        self, resolver: FieldResolver, resolve: Callable[..., Awaitable[Any]]
    ) -> Callable[..., Awaitable[Any]]:
        """`resolve`, publishing its result when it succeeds if the field is a mutation a subscription lists."""
        if resolver.type_name != self.mutation_type or resolver.field_name not in self._fields_of:
            return resolve

        async def resolve_and_publish(root: Any, info: strawberry.Info, **kwargs: Any) -> Any:
            result = await resolve(root, info, **kwargs)
            self.publish(resolver.field_name, result)
            return result

        return resolve_and_publish

    async def _stream(
        self,
        field_name: str,
        filters: dict[str, Any],
        on_subscribed: Callable[[], Awaitable[None]] | None = None,
    ) -> AsyncGenerator[Mapping[str, Any], None]:
        # Registered on the first read and removed however the stream ends: completed, cancelled or closed
        # because its socket dropped.
        subscriber = Subscriber(field_name, filters, asyncio.get_running_loop())
        with self._lock:
            self._subscribers[field_name].add(subscriber)
        try:
            if on_subscribed is not None:
                # A protocol that acknowledges a subscription (AppSync's start_ack) does so only now, so whatever is
                # published after the acknowledgement reaches this subscriber.
                await on_subscribed()
            while True:
                yield await subscriber.queue.get()
        finally:
            with self._lock:
                self._subscribers[field_name].discard(subscriber)

    def field(self, field_name: str) -> Callable[..., Awaitable[AsyncGenerator[Mapping[str, Any], None]]]:
        """The subscribe resolver of a Subscription field: the checks AppSync makes when a client subscribes, then
        the stream of matching results."""
        if field_name not in self.mutations:
            raise ValueError(f"{self.subscription_type}.{field_name} has no @{SUBSCRIBE_DIRECTIVE}")
        rule = self._field_rules[self.subscription_type, field_name]
        check = self._rules.get(field_name)

        async def subscribe(root: Any, info: strawberry.Info, **kwargs: Any) -> AsyncGenerator[Mapping[str, Any]]:
            principal: Principal = info.context.principal
            arguments = to_arguments(kwargs)
            if not allows(rule, principal) or (check is not None and not check(principal, arguments)):
                raise AppSyncError(
                    "Unauthorized", f"Not Authorized to access {field_name} on type {self.subscription_type}"
                )
            filters = {name: value for name, value in arguments.items() if value is not None}
            return self._stream(field_name, filters, getattr(info.context, "on_subscribed", None))

        return subscribe


class _AppSyncFormattedError(GraphQLError):
    """A field error that formats itself as AppSync does, for the WebSocket transport (which sends `formatted`)."""

    correlation_id: str = "-"

    @property
    def formatted(self) -> Any:
        return format_error(self, self.correlation_id)


class AppSyncStreamErrors(SchemaExtension):
    """Errors of results sent over WebSocket in the same shape as over HTTP (errorType, errorInfo)."""

    def on_stream_result(self, result: Any) -> Iterator[None]:
        if isinstance(result, ExecutionResult) and result.errors:
            context = self.execution_context.context
            correlation_id = getattr(context, "correlation_id", "-")
            result.errors = [_appsync_formatted(error, correlation_id) for error in result.errors]
        yield


def _appsync_formatted(error: GraphQLError, correlation_id: str) -> GraphQLError:
    # Errors of the document (syntax, validation) keep graphql-core's type: the transport decides on them.
    if error.path is None:
        return error
    formatted = _AppSyncFormattedError(
        error.message, error.nodes, error.source, error.positions, error.path, error.original_error, error.extensions
    )
    formatted.correlation_id = correlation_id
    return formatted
