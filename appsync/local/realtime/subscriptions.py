"""AppSync's subscriptions locally: each Subscription field's @aws_subscribe read from the contract, the result of
every listed mutation fanned out to the subscriptions it matches, and the checks a subscription passes when it
starts (its auth directives, then its subscription resolver's APPSYNC_JS, run in appsync/local/js/).

What a subscription receives is decided as on AppSync: by the filter its resolver set with
`extensions.setSubscriptionFilter` (AppSync's filter groups and operators, appsync/local/realtime/filters.py), or,
without one, by its arguments (every non-null argument equals the result's field of the same name). A mutation
whose resolver calls `extensions.invalidateSubscriptions({subscriptionField, payload})` ends the subscriptions of
that field whose invalidation filter (`extensions.setSubscriptionInvalidationFilter`) matches the payload."""

from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from collections import deque
from collections.abc import AsyncGenerator, Awaitable, Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import strawberry
from graphql import GraphQLError, GraphQLSchema, value_from_ast_untyped
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import ExecutionResult

from appsync.fields import SUBSCRIPTION_FIELDS, FieldResolver
from appsync.local.graphql.auth import Principal, Rule, allows
from appsync.local.graphql.errors import AppSyncError, format_error
from appsync.local.graphql.schema import to_arguments
from appsync.local.js import JsError, JsRuntime, shared_runtime
from appsync.local.realtime.fanout import PublishedEvent, SharedData, sharing_key
from appsync.local.realtime.filters import FilterError, SubscriptionFilter, argument_filter

log = logging.getLogger("appsync.local")

SUBSCRIBE_DIRECTIVE = "aws_subscribe"


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


# What a subscriber's queue gets when its subscription is invalidated: the stream ends after what came before.
_INVALIDATED: Mapping[str, Any] = {}
# What it gets instead of its backlog when it is ended as a slow consumer.
_OVERFLOWED: Mapping[str, Any] = {}
SLOW_CONSUMER = "SlowConsumer"


class Outbox:
    """The events handed to one connection's subscriptions and not yet sent. A client that stops reading makes it
    grow, so it holds at most `limit`: the event over it makes the connection a slow consumer (`on_overflow`,
    called once), and nothing more is queued for it."""

    def __init__(self, limit: int, on_overflow: Callable[[], None] | None = None) -> None:
        self.limit = limit
        self.on_overflow = on_overflow
        self.pending = 0
        self.overflowed = False


@dataclass(frozen=True)
class Filters:
    """What a subscription receives (None: everything) and what invalidates it (None: nothing)."""

    delivery: SubscriptionFilter | None = None
    invalidation: SubscriptionFilter | None = None


# Writes an answer shared with other subscribers as one subscription's data message, at once: False, with nothing
# written, if another send holds its socket; a write that has to wait for the socket suspends before writing
# anything, so it may be cancelled there.
TryDeliver = Callable[[SharedData], Awaitable[bool]]


@dataclass(eq=False)
class Subscriber:
    """One active subscription: what it listens to, and the queue its stream reads on its event loop."""

    field_name: str
    filters: Filters
    loop: asyncio.AbstractEventLoop
    outbox: Outbox
    queue: asyncio.Queue[PublishedEvent | Mapping[str, Any]] = field(default_factory=asyncio.Queue)
    # Who shares its answers (fanout.sharing_key), and how an answer is written to it without its stream.
    shared_key: Hashable | None = None
    try_deliver: TryDeliver | None = None
    # Clear while an event is being written to it by its group (see SubscriptionBroker._write_group): its stream
    # waits, so what comes after that event is not sent before it.
    delivered: asyncio.Event = field(default_factory=asyncio.Event)
    # Items its stream takes before its queue: an event its group handed back, and what arrived meanwhile.
    ready: deque[PublishedEvent | Mapping[str, Any]] = field(default_factory=deque)
    # True from the moment its stream takes an item until it asks for the next one.
    handling: bool = False
    active: bool = True

    def __post_init__(self) -> None:
        self.delivered.set()

    def idle(self) -> bool:
        """Nothing of it on its way: an event may be written to it now without overtaking anything."""
        return (
            self.delivered.is_set()
            and not self.handling
            and not self.ready
            and self.queue.empty()
            and not self.outbox.overflowed
        )

    def offer(self, item: Any) -> bool:
        """Queue `item` unless the connection's outbox is full (then the connection is a slow consumer); runs on
        the subscriber's event loop. Answers whether it was queued."""
        outbox = self.outbox
        if outbox.overflowed:
            return False
        if item is not _INVALIDATED:
            if outbox.pending >= outbox.limit:
                outbox.overflowed = True
                if outbox.on_overflow is not None:
                    outbox.on_overflow()
                else:
                    self.end_as_slow_consumer()
                return False
            outbox.pending += 1
        self.queue.put_nowait(item)
        return True

    def written_by_group(self, handed_back: PublishedEvent | None) -> None:
        """Its group is done with the event it waited for: written (None), or handed back for its stream."""
        if handed_back is not None and self.active and not self.outbox.overflowed:
            self.outbox.pending += 1
            self.ready.appendleft(handed_back)
        self.delivered.set()

    async def take(self) -> PublishedEvent | Mapping[str, Any]:
        """The next item for its stream, after the event its group may be writing to it."""
        while True:
            await self.delivered.wait()
            if self.ready:
                return self.ready.popleft()
            item = await self.queue.get()
            if self.delivered.is_set() and not self.ready:
                return item
            # Its group started writing an event to it while it waited: that one goes first.
            self.ready.append(item)

    def end_as_slow_consumer(self) -> None:
        """Drop the backlog at once (the stream may stay blocked on its socket) and end the stream with an error."""
        while not self.queue.empty():
            self.queue.get_nowait()
        self.ready.clear()
        self.outbox.pending = 0
        self.queue.put_nowait(_OVERFLOWED)

    def invalidated_by(self, payload: Mapping[str, Any]) -> bool:
        return self.filters.invalidation is not None and self.filters.invalidation.matches(payload)


class SubscriptionBroker:
    """The registry of active subscriptions of one server, and the fan-out of mutation results to them.

    Publishing is thread-safe: a result published from any thread reaches each subscriber through its own event
    loop, in the order it was published.
    """

    def __init__(
        self,
        schema: GraphQLSchema,
        field_rules: Mapping[tuple[str, str], Rule],
        js: JsRuntime | None = None,
        backlog_limit: int = 1000,
    ) -> None:
        # A subscription whose context brings no Outbox (graphql-transport-ws) gets its own, of this size.
        self.backlog_limit = backlog_limit
        self.subscription_type = schema.subscription_type.name if schema.subscription_type else "Subscription"
        self.mutation_type = schema.mutation_type.name if schema.mutation_type else "Mutation"
        self.mutations = subscribed_mutations(schema)
        self._fields_of: dict[str, list[str]] = {}
        for field_name, mutations in self.mutations.items():
            for mutation in mutations:
                self._fields_of.setdefault(mutation, []).append(field_name)
        self._field_rules = field_rules
        # Each subscription resolver's APPSYNC_JS file, loaded (and checked: a file using what the local runtime
        # does not implement stops the server here) once.
        self.js = js or shared_runtime()
        self._code = {s.field_name: self.js.load(s.code) for s in SUBSCRIPTION_FIELDS if s.code is not None}
        self._lock = threading.Lock()
        self._subscribers: dict[str, set[Subscriber]] = {name: set() for name in self.mutations}
        # One instance per distinct delivery filter of the active subscriptions, so publishing evaluates it once.
        self._filters: weakref.WeakValueDictionary[str, SubscriptionFilter] = weakref.WeakValueDictionary()

    def __len__(self) -> int:
        with self._lock:
            return sum(len(subscribers) for subscribers in self._subscribers.values())

    def count(self, field_name: str) -> int:
        with self._lock:
            return len(self._subscribers.get(field_name, ()))

    def publish(self, mutation: str, result: Any) -> int:
        """Hand a mutation's result to every matching subscriber; answers how many. Each distinct filter is
        evaluated once, and the subscribers that would get the same answer share one execution of their selection
        (appsync/local/realtime/fanout.py)."""
        if not isinstance(result, Mapping):
            return 0
        # Subscribers with equal filters hold the same instance (interned when they subscribe): each distinct
        # filter is evaluated once.
        matched: dict[int, bool] = {}

        def matches(delivery: SubscriptionFilter | None) -> bool:
            if delivery is None:
                return True
            if id(delivery) not in matched:
                matched[id(delivery)] = delivery.matches(result)
            return matched[id(delivery)]

        with self._lock:
            targets = [
                subscriber
                for field_name in self._fields_of.get(mutation, ())
                for subscriber in self._subscribers[field_name]
                if matches(subscriber.filters.delivery)
            ]
        self._hand_all(targets, PublishedEvent(result, deliver_waiting=self._deliver_waiting))
        return len(targets)

    def invalidate(self, invalidation: Any) -> int:
        """`extensions.invalidateSubscriptions({subscriptionField, payload})`: end the subscriptions of that field
        whose invalidation filter matches the payload (after the events already on their way); answers how many."""
        if not isinstance(invalidation, Mapping):
            return 0
        field_name, payload = invalidation.get("subscriptionField"), invalidation.get("payload")
        if not isinstance(payload, Mapping):
            return 0
        with self._lock:
            targets = [s for s in self._subscribers.get(str(field_name), ()) if s.invalidated_by(payload)]
        self._hand_all(targets, _INVALIDATED)
        return len(targets)

    def _hand_all(self, subscribers: list[Subscriber], item: Any) -> None:
        # One wake-up of each event loop for all its subscribers (not one per subscriber); each loop runs its
        # callbacks in order, so every subscriber still gets the items in the order they were published.
        by_loop: dict[asyncio.AbstractEventLoop, list[Subscriber]] = {}
        for subscriber in subscribers:
            by_loop.setdefault(subscriber.loop, []).append(subscriber)
        for loop, group in by_loop.items():
            try:
                loop.call_soon_threadsafe(self._put_all, group, item)
            except RuntimeError:
                log.debug("Dropped an event for %d subscribers whose event loop has closed", len(group))

    @classmethod
    def _put_all(cls, subscribers: list[Subscriber], item: Any) -> None:
        if not isinstance(item, PublishedEvent):
            for subscriber in subscribers:
                cls._hand(subscriber, item)
            return
        # Of the idle subscribers of a group (same sharing key), the first takes the event and executes it; the
        # others wait, and its answer is written to all of them in one go (_write_group) rather than waking each
        # one's stream. The rest (busy, or answering alone) take it from their queues as before.
        loop = id(asyncio.get_running_loop())
        for subscriber in subscribers:
            if subscriber.shared_key is None or not subscriber.idle():
                cls._hand(subscriber, item)
                continue
            group = (subscriber.shared_key, loop)
            waiting = item.waiting.get(group)
            if waiting is not None:
                subscriber.delivered.clear()
                waiting.append(subscriber)
            elif subscriber.offer(item):
                item.waiting[group] = []

    @classmethod
    def _deliver_waiting(cls, waiting: list[Subscriber], event: PublishedEvent, data: SharedData | None) -> None:
        if data is None:
            for subscriber in waiting:
                subscriber.written_by_group(event)
            return
        try:
            asyncio.get_running_loop().create_task(cls._write_group(waiting, event, data))
        except RuntimeError:  # no running loop: the event loop is closing
            for subscriber in waiting:
                subscriber.written_by_group(event)

    @staticmethod
    async def _write_group(waiting: list[Subscriber], event: PublishedEvent, data: SharedData) -> None:
        """One task writes the answer to every waiting subscriber in turn, each write done at once, with no other
        task run in between; a subscriber whose socket cannot take it now gets the event back, for its own stream
        to send when it can (so a client that reads slowly holds up nobody else)."""
        done = 0
        try:
            while done < len(waiting):
                try:
                    # A timeout of zero fires only if a write suspends (TryDeliver: before writing anything).
                    async with asyncio.timeout(0):
                        while done < len(waiting):
                            subscriber = waiting[done]
                            written = False
                            if subscriber.active and subscriber.try_deliver is not None:
                                try:
                                    written = await subscriber.try_deliver(data)
                                except Exception:  # its socket is gone: its stream finds out when it sends
                                    written = False
                            subscriber.written_by_group(None if written else event)
                            done += 1
                except TimeoutError:
                    waiting[done].written_by_group(event)
                    done += 1
        finally:
            for subscriber in waiting[done:]:
                subscriber.written_by_group(event)

    @staticmethod
    def _hand(subscriber: Subscriber, item: Any) -> None:
        """On the subscriber's own event loop: the item joins its queue, unless its connection is a slow consumer."""
        subscriber.offer(item)

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
        filters: Filters,
        on_subscribed: Callable[[], Awaitable[None]] | None = None,
        outbox: Outbox | None = None,
        shared: tuple[Hashable, Callable[[SharedData], Awaitable[None]], TryDeliver] | None = None,
    ) -> AsyncGenerator[PublishedEvent, None]:
        # Registered on the first read and removed however the stream ends: completed, cancelled or closed
        # because its socket dropped.
        outbox = outbox or Outbox(self.backlog_limit)
        loop = asyncio.get_running_loop()
        subscriber = Subscriber(field_name, filters, loop, outbox)
        if shared is not None:
            subscriber.shared_key, subscriber.try_deliver = shared[0], shared[2]
        group = (subscriber.shared_key, id(loop))
        with self._lock:
            self._subscribers[field_name].add(subscriber)
        try:
            if on_subscribed is not None:
                # A protocol that acknowledges a subscription (AppSync's start_ack) does so only now, so whatever is
                # published after the acknowledgement reaches this subscriber.
                await on_subscribed()
            while True:
                subscriber.handling = False
                item = await subscriber.take()
                subscriber.handling = True
                if item is _INVALIDATED:
                    return
                if item is _OVERFLOWED:
                    message = f"{outbox.limit} events were waiting for this client to read them"
                    raise AppSyncError(SLOW_CONSUMER, message)
                outbox.pending -= 1
                event = cast(PublishedEvent, item)
                if shared is not None:
                    # Another subscriber with the same sharing key already had this event executed: its answer
                    # goes out as it is, without a pass through the execution pipeline.
                    key, deliver, _ = shared
                    answer = await event.shared_answer(key)
                    if answer is not None:
                        await deliver(answer)
                        continue
                try:
                    yield event
                finally:
                    # Executed (or not, if it failed or this stream ended first): whoever of its group waits for
                    # the answer gets it, or the event back.
                    event.answered(group, None)
        finally:
            subscriber.active = False
            with self._lock:
                self._subscribers[field_name].discard(subscriber)
            # What it leaves unsent no longer counts against its connection's other subscriptions; the subscribers
            # that wait for it to execute an event it leaves execute it themselves.
            left_over = [*subscriber.ready]
            subscriber.ready.clear()
            while not subscriber.queue.empty():
                left_over.append(subscriber.queue.get_nowait())
            for left in left_over:
                if left is not _INVALIDATED and left is not _OVERFLOWED:
                    outbox.pending -= 1
                    cast(PublishedEvent, left).answered(group, None)

    def field(self, field_name: str) -> Callable[..., Awaitable[AsyncGenerator[PublishedEvent, None]]]:
        """The subscribe resolver of a Subscription field: the checks AppSync makes when a client subscribes, then
        the stream of matching results."""
        if field_name not in self.mutations:
            raise ValueError(f"{self.subscription_type}.{field_name} has no @{SUBSCRIBE_DIRECTIVE}")
        rule = self._field_rules[self.subscription_type, field_name]

        async def subscribe(root: Any, info: strawberry.Info, **kwargs: Any) -> AsyncGenerator[PublishedEvent]:
            principal: Principal = info.context.principal
            arguments = to_arguments(kwargs)
            if not allows(rule, principal):
                self._refuse(field_name, None, unauthorized=True)
            filters = self._interned(
                self.resolve(field_name, principal, arguments, getattr(info.context, "headers", {}))
            )
            context = info.context
            deliver = getattr(context, "deliver_shared", None)
            try_deliver = getattr(context, "try_deliver_shared", None)
            shared = None
            if deliver is not None and try_deliver is not None:
                raw = info._raw_info
                key = sharing_key(raw.schema, raw.operation, raw.fragments, info.variable_values, context)
                shared = (key, deliver, try_deliver) if key is not None else None
            return self._stream(
                field_name, filters, getattr(context, "on_subscribed", None), getattr(context, "outbox", None), shared
            )

        return subscribe

    def _interned(self, filters: Filters) -> Filters:
        if filters.delivery is None:
            return filters
        with self._lock:
            delivery = self._filters.setdefault(repr(filters.delivery), filters.delivery)
        return Filters(delivery, filters.invalidation)

    def resolve(
        self, field_name: str, principal: Principal, arguments: Mapping[str, Any], headers: Mapping[str, str]
    ) -> Filters:
        """The subscription resolver, as AppSync runs it when a client subscribes: its request, whose `payload`
        (a NONE data source) is the response's `ctx.result`, then its response, which may refuse the subscription
        and set its filters. A field without a resolver is filtered by its arguments."""
        name = self._code.get(field_name)
        if name is None:
            return Filters(delivery=argument_filter(arguments))
        ctx: dict[str, Any] = {
            "arguments": dict(arguments),
            "identity": principal.identity,
            "source": None,
            "request": {"headers": dict(headers), "domainName": None},
            "info": {"fieldName": field_name, "parentTypeName": self.subscription_type, "variables": {}},
            "prev": None,
            "stash": {},
        }
        request = self.js.run(name, "request", ctx)
        self._refuse(field_name, request.error, request.unauthorized)
        if request.early_return:
            return Filters(delivery=argument_filter(arguments))
        ctx["stash"] = request.stash
        ctx["result"] = request.value.get("payload") if isinstance(request.value, Mapping) else None
        response = self.js.run(name, "response", ctx)
        self._refuse(field_name, response.error, response.unauthorized)
        try:
            delivery = (
                SubscriptionFilter.parse(response.subscription_filter)
                if response.subscription_filter is not None
                else argument_filter(arguments)
            )
            invalidation = (
                SubscriptionFilter.parse(response.invalidation_filter)
                if response.invalidation_filter is not None
                else None
            )
        except FilterError as error:
            raise AppSyncError("ValidationError", f"{field_name}: {error}") from error
        return Filters(delivery, invalidation)

    def _refuse(self, field_name: str, error: JsError | None, unauthorized: bool) -> None:
        if unauthorized:
            message = f"Not Authorized to access {field_name} on type {self.subscription_type}"
            raise AppSyncError("Unauthorized", message)
        if error is not None:
            raise AppSyncError(error.error_type, error.message, error.error_info, error.data)


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
