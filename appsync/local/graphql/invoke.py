"""Runs a field's Lambda handler as AppSync's direct resolver does: the event, the handler called off the event
loop, BatchInvoke for batch fields, and an error result (`__error`) raised as the GraphQL error."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from appsync.fields import FieldResolver, load_handler
from appsync.local.graphql.auth import Principal
from appsync.local.graphql.errors import AppSyncError
from appsync.local.graphql.limits import Limits
from appsync.local.graphql.schema import to_arguments
from appsync.local.lambda_context import LocalLambdaContext
from resolvers.handlers.app import ERROR_KEY

logger = logging.getLogger("appsync.local")

# The header AppSync adds to every request; the handlers' Logger takes it as the correlation id.
TRACE_HEADER = "x-amzn-trace-id"


def new_trace_id() -> str:
    return f"Root=1-{int(time.time()):08x}-{secrets.token_hex(12)}"


@dataclass
class RequestContext:
    """One GraphQL request: who calls, its headers, and what is counted and batched per request."""

    principal: Principal
    headers: dict[str, str]
    limits: Limits
    resolver_count: int = 0
    # In-process callers (the saga's notices) run the handlers in their own thread, not the shared pool: a pool
    # thread waiting on a notice that needs a pool thread could otherwise wait forever.
    inline: bool = False
    loaders: dict[tuple[str, str], DataLoader[dict[str, Any], Any]] = field(default_factory=dict)

    @property
    def correlation_id(self) -> str:
        return self.headers[TRACE_HEADER]


def selection_set_list(selections: list[Selection], prefix: str = "") -> list[str]:
    """AppSync's info.selectionSetList: every selected field as a slash-separated path, fragments flattened."""
    paths: list[str] = []
    for selection in selections:
        if isinstance(selection, SelectedField):
            if selection.name.startswith("__"):
                continue
            path = prefix + selection.name
            paths.append(path)
            paths.extend(selection_set_list(selection.selections, path + "/"))
        elif isinstance(selection, FragmentSpread | InlineFragment):
            paths.extend(selection_set_list(selection.selections, prefix))
    return list(dict.fromkeys(paths))


def _raise_on_error(result: Any) -> Any:
    # The same rule as appsync/lambda_resolver.js applies on AWS.
    if isinstance(result, dict) and ERROR_KEY in result:
        failure = result[ERROR_KEY] or {}
        raise AppSyncError(failure.get("errorType"), failure.get("message", ""), failure.get("errorInfo"))
    return result


class LambdaInvoker:
    """Serves the Lambda-mapped fields by invoking their handlers in a thread pool (they block on DynamoDB)."""

    def __init__(self, executor: ThreadPoolExecutor) -> None:
        self.executor = executor
        self._handlers: dict[str, Callable[[Any, Any], Any]] = {}

    def handler(self, function: str) -> Callable[[Any, Any], Any]:
        if function not in self._handlers:
            self._handlers[function] = load_handler(function)
        return self._handlers[function]

    async def invoke(self, resolver: FieldResolver, payload: Any, correlation_id: str, inline: bool = False) -> Any:
        handler = self.handler(resolver.function)
        context = LocalLambdaContext(function_name=f"airline-local-{resolver.function}")
        loop = asyncio.get_running_loop()
        try:
            if inline:
                return handler(payload, context)
            return await loop.run_in_executor(self.executor, handler, payload, context)
        except Exception as exc:
            # AppSync would pass the exception's message on; a generic one keeps internals out of the client.
            logger.exception(
                "Unhandled error in %s resolving %s.%s (correlation id %s)",
                resolver.function,
                resolver.type_name,
                resolver.field_name,
                correlation_id,
            )
            raise AppSyncError(
                "Lambda:Unhandled",
                f"An internal error occurred; the server log has it under correlation id {correlation_id}",
                {"correlationId": correlation_id},
            ) from exc

    def field(self, resolver: FieldResolver) -> Callable[..., Awaitable[Any]]:
        """The Strawberry resolver of a Lambda-mapped field."""

        async def resolve(root: Any, info: strawberry.Info, **kwargs: Any) -> Any:
            context: RequestContext = info.context
            context.resolver_count += 1
            if context.resolver_count > context.limits.resolver_count:
                raise AppSyncError(
                    "ResolverCountLimitExceeded",
                    f"The request runs more than {context.limits.resolver_count} resolvers",
                )
            event = {
                "arguments": to_arguments(kwargs),
                "identity": context.principal.identity,
                "source": root,
                "request": {"headers": context.headers, "domainName": None},
                "info": {
                    "fieldName": resolver.field_name,
                    "parentTypeName": resolver.type_name,
                    "variables": info.variable_values,
                    "selectionSetList": selection_set_list(info.selected_fields[0].selections),
                },
                "prev": None,
                "stash": {},
            }
            if resolver.is_batch:
                return await self._loader(resolver, context).load(event)
            return _raise_on_error(await self.invoke(resolver, event, context.correlation_id, context.inline))

        return resolve

    def _loader(self, resolver: FieldResolver, context: RequestContext) -> DataLoader[dict[str, Any], Any]:
        """One loader per request and field: every parent resolved in the same tick goes in one BatchInvoke."""
        key = (resolver.type_name, resolver.field_name)
        if key not in context.loaders:

            async def batch_invoke(events: list[dict[str, Any]]) -> list[Any]:
                results = await self.invoke(resolver, events, context.correlation_id, context.inline)
                if not isinstance(results, list) or len(results) != len(events):
                    raise AppSyncError("Lambda:Unhandled", "A batch resolver must return one result per source")
                mapped: list[Any] = []
                for result in results:
                    try:
                        mapped.append(_raise_on_error(result))
                    except AppSyncError as error:
                        mapped.append(error)
                return mapped

            context.loaders[key] = DataLoader(load_fn=batch_invoke, max_batch_size=resolver.max_batch_size, cache=False)
        return context.loaders[key]
