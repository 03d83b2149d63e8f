"""What every handler shares: the Logger, the caller, and the one mapping of domain errors to errorType."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import AppSyncResolver
from aws_lambda_powertools.event_handler.appsync import Router
from aws_lambda_powertools.utilities.data_classes import AppSyncResolverEvent

from resolvers.config import SERVICE
from resolvers.correlation import TRACE_HEADER, keys_of_this_invocation, new_trace_id, valid_trace_id
from resolvers.domain.errors import DomainError, InternalFailure
from resolvers.domain.identity import Caller

# A resolver result carrying this key is a GraphQL error: AppSync's response code (appsync/lambda_resolver.js)
# and the local AppSync both raise it as an error with `errorType`, `message` and `errorInfo`.
ERROR_KEY = "__error"

logger = Logger(service=SERVICE)
# No Powertools Tracer here: the X-Ray SDK it loads builds a botocore client at import and doubles the cold
# start (bench/cold_start.py). Lambda's active tracing still records every invocation.

Handler = Callable[[Any, Any], Any]


def error_result(error: DomainError) -> dict[str, Any]:
    return {ERROR_KEY: {"errorType": error.error_type, "message": error.message, "errorInfo": error.error_info}}


# Error codes of a dependency that a later try may not meet (botocore already retried them a few times).
_TRANSIENT_CODES = frozenset(
    {"ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded", "InternalServerError"}
)


def is_transient(error: BaseException) -> bool:
    """Whether an unexpected error came from an unreachable, slow or throttling dependency (retrying may help)."""
    from botocore.exceptions import ClientError, HTTPClientError
    from botocore.exceptions import ConnectionError as EndpointUnreachable

    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, EndpointUnreachable | HTTPClientError | ConnectionError | TimeoutError):
            return True
        if isinstance(current, ClientError) and current.response.get("Error", {}).get("Code") in _TRANSIENT_CODES:
            return True
        cause = getattr(current, "cause", None)  # PynamoDB's wrapped botocore error
        current = cause if isinstance(cause, BaseException) else current.__cause__ or current.__context__
    return False


def correlation_id_of(event: Any, context: Any) -> str:
    """The request's trace id when well formed (AppSync's header), else the invocation's request id."""
    first = event[0] if isinstance(event, list) and event else event
    request = first.get("request") if isinstance(first, dict) else None
    headers = request.get("headers") if isinstance(request, dict) else None
    trace_id = valid_trace_id(headers.get(TRACE_HEADER)) if isinstance(headers, dict) else None
    return trace_id or getattr(context, "aws_request_id", None) or new_trace_id()


# The event this thread's invocation is resolving. Not Powertools' `Router.current_event`: that is an attribute of
# the Router class, shared by every thread, and the local AppSync runs a function's invocations on several threads
# at once (AWS gives each execution environment one event at a time).
_invocation: ContextVar[Any] = ContextVar("appsync_event")


def current_caller() -> Caller:
    """The caller of the event this invocation is resolving (a batch's callers are one request's: the first's)."""
    event = _invocation.get(None)
    first = event[0] if isinstance(event, list) and event else event
    if not isinstance(first, dict):
        raise RuntimeError("current_caller() is only meaningful while resolving an event")
    return Caller.from_identity(first.get("identity"))


class _InvocationResolver(AppSyncResolver):
    """Powertools' resolver, with the batch being resolved kept on the instance: Powertools keeps it on the Router
    class, where another thread's batch could replace it between being set and being handed to the resolver."""

    def resolve(
        self,
        event: dict[Any, Any] | list[dict[Any, Any]],
        context: Any,
        data_model: type[AppSyncResolverEvent] = AppSyncResolverEvent,
    ) -> Any:
        if isinstance(event, list):
            self.current_batch_event = [data_model(item) for item in event]
        return super().resolve(event, context, data_model)


def _resolver_app(routers: tuple[Router, ...]) -> AppSyncResolver:
    app = _InvocationResolver()
    for router in routers:
        app.include_router(router)

    @app.exception_handler(DomainError)
    def handle_domain_error(error: DomainError) -> dict[str, Any]:
        logger.info("Request refused", extra={"errorType": error.error_type, "reason": error.message})
        return error_result(error)

    return app


def build_handler(*routers: Router) -> Handler:
    """A Lambda handler serving the fields of `routers`, logging with AppSync's correlation id.

    Each thread resolves with its own resolver app (Powertools' keeps the event being resolved on itself), so
    concurrent invocations in the local AppSync never see each other's arguments or caller."""
    per_thread = threading.local()

    def resolver_app() -> AppSyncResolver:
        app: AppSyncResolver | None = getattr(per_thread, "app", None)
        if app is None:
            app = per_thread.app = _resolver_app(routers)
        return app

    @logger.inject_lambda_context
    @keys_of_this_invocation(logger, correlation_id=correlation_id_of)
    def handler(event: Any, context: Any) -> Any:
        token = _invocation.set(event)
        try:
            return resolver_app().resolve(event, context)
        except Exception as error:
            # The one boundary: the stack goes to the log, the client gets a generic error and the correlation id.
            retryable = is_transient(error)
            logger.exception(
                "Unexpected error", extra={"errorType": InternalFailure.error_type, "retryable": retryable}
            )
            failure = error_result(InternalFailure(correlation_id_of(event, context), retryable))
            return [failure for _ in event] if isinstance(event, list) else failure
        finally:
            _invocation.reset(token)

    return handler
