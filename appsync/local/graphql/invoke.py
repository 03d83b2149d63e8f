"""Runs a Lambda-mapped field as AppSync does for a Lambda data source: the field's APPSYNC_JS `request(ctx)`
(appsync/fields.py names the file) makes the invocation, whose `payload` is the handler's event; the handler runs off
the event loop (BatchInvoke for batch fields: one call for every parent, each parent's own request and response);
then `response(ctx)` with `ctx.result` (or `ctx.error`) makes the field's value or its GraphQL error."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import strawberry
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from strawberry.dataloader import DataLoader
from strawberry.extensions import SchemaExtension
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from appsync.fields import FieldResolver, load_handler
from appsync.local.graphql.auth import Principal
from appsync.local.graphql.errors import AppSyncError
from appsync.local.graphql.limits import Limits
from appsync.local.graphql.schema import to_arguments
from appsync.local.js import JsError, JsRuntime, JsRuntimeError, Outcome, shared_runtime
from appsync.local.lambda_context import LocalLambdaContext

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
    loaders: dict[tuple[str, str], DataLoader[Any, Any]] = field(default_factory=dict)
    # util.appendError: errors a resolver added beside its value, by the field's path (AppendedErrors reports them).
    appended_errors: list[tuple[list[str | int], AppSyncError]] = field(default_factory=list)

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


LAMBDA_UNHANDLED = "Lambda:Unhandled"
# util.error's error, with AppSync's errorType; appended errors carry the same.
Invocation = tuple[Any, dict[str, Any] | None]


def _as_error(error: JsError) -> AppSyncError:
    return AppSyncError(error.error_type, error.message, error.error_info, error.data)


class LambdaInvoker:
    """Serves the Lambda-mapped fields by invoking their handlers in a thread pool (they block on DynamoDB)."""

    def __init__(self, executor: ThreadPoolExecutor, js: JsRuntime | None = None) -> None:
        self.executor = executor
        self._handlers: dict[str, Callable[[Any, Any], Any]] = {}
        self.js = js or shared_runtime()
        # Where extensions.invalidateSubscriptions goes (the server sets its subscription broker's).
        self.invalidate: Callable[[Any], int] | None = None

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

    async def _call(self, resolver: FieldResolver, payload: Any, correlation_id: str, inline: bool) -> Invocation:
        """The invocation as the response handler sees it: (ctx.result, None) or (None, ctx.error)."""
        try:
            return await self.invoke(resolver, payload, correlation_id, inline), None
        except AppSyncError as error:
            return None, {"message": error.message, "type": error.error_type}

    def _run(
        self,
        code: str,
        handler: str,
        ctx: dict[str, Any],
        where: tuple[str, str],
        path: list[str | int],
        context: RequestContext,
    ) -> Outcome:
        """One handler of the field's code; its util.error / util.unauthorized raised as the field's error."""
        try:
            outcome = self.js.run(code, handler, ctx)
        except JsRuntimeError as error:
            logger.error("%s (correlation id %s)", error, context.correlation_id)
            raise AppSyncError(
                "Code",
                f"The resolver code failed; the server log has it under correlation id {context.correlation_id}",
                {"correlationId": context.correlation_id},
            ) from error
        context.appended_errors.extend((path, _as_error(error)) for error in outcome.appended_errors)
        if self.invalidate is not None:
            for invalidation in outcome.invalidations:
                self.invalidate(invalidation)
        if outcome.unauthorized:
            raise AppSyncError("Unauthorized", f"Not Authorized to access {where[1]} on type {where[0]}")
        if outcome.error is not None:
            failure = _as_error(outcome.error)
            if failure.error_type == LAMBDA_UNHANDLED and failure.error_info is None:
                # The local server log's correlation id, which AppSync's own message does not have.
                failure.error_info = {"correlationId": context.correlation_id}
            raise failure
        return outcome

    def field(self, resolver: FieldResolver) -> Callable[..., Awaitable[Any]]:
        """The Strawberry resolver of a Lambda-mapped field: request(ctx), the Lambda, response(ctx)."""
        code = self.js.load(resolver.code)
        where = (resolver.type_name, resolver.field_name)
        operation = "BatchInvoke" if resolver.is_batch else "Invoke"

        async def resolve(root: Any, info: strawberry.Info, **kwargs: Any) -> Any:
            context: RequestContext = info.context
            context.resolver_count += 1
            if context.resolver_count > context.limits.resolver_count:
                raise AppSyncError(
                    "ResolverCountLimitExceeded",
                    f"The request runs more than {context.limits.resolver_count} resolvers",
                )
            path = list(info.path.as_list())
            ctx: dict[str, Any] = {
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
            request = self._run(code, "request", ctx, where, path, context)
            if request.early_return:
                return request.value
            invocation = request.value if isinstance(request.value, dict) else {}
            if invocation.get("operation") != operation:
                raise AppSyncError(
                    "Code", f"{resolver.code.name}: request must return {{operation: '{operation}', payload}}"
                )
            payload = invocation.get("payload")
            if resolver.is_batch:
                result, error = await self._loader(resolver, context).load(payload)
            else:
                result, error = await self._call(resolver, payload, context.correlation_id, context.inline)
            ctx["stash"] = request.stash
            ctx["result"] = result
            ctx["error"] = error
            return self._run(code, "response", ctx, where, path, context).value

        return resolve

    def _loader(self, resolver: FieldResolver, context: RequestContext) -> DataLoader[Any, Invocation]:
        """One loader per request and field: every parent resolved in the same tick goes in one BatchInvoke."""
        key = (resolver.type_name, resolver.field_name)
        if key not in context.loaders:

            async def batch_invoke(payloads: list[Any]) -> list[Invocation]:
                results, error = await self._call(resolver, payloads, context.correlation_id, context.inline)
                if error is None and (not isinstance(results, list) or len(results) != len(payloads)):
                    error = {"message": "A batch resolver must return one result per source", "type": LAMBDA_UNHANDLED}
                if error is not None:
                    return [(None, error)] * len(payloads)
                return [(result, None) for result in results]

            context.loaders[key] = DataLoader(load_fn=batch_invoke, max_batch_size=resolver.max_batch_size, cache=False)
        return context.loaders[key]


class AppendedErrors(SchemaExtension):
    """util.appendError: the errors resolvers appended beside their values join the response's `errors`."""

    def on_execute(self) -> Iterator[None]:
        yield
        context = self.execution_context.context
        result = self.execution_context.result
        appended = getattr(context, "appended_errors", None)
        if not appended or not isinstance(result, GraphQLExecutionResult):
            return
        errors = list(result.errors or ())
        errors.extend(GraphQLError(error.message, path=path, original_error=error) for path, error in appended)
        result.errors = errors
