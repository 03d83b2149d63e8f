"""What every handler shares: the Logger, the caller, and the one mapping of domain errors to errorType."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import AppSyncResolver
from aws_lambda_powertools.event_handler.appsync import Router
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.data_classes import AppSyncResolverEvent

from resolvers.config import SERVICE
from resolvers.domain.errors import DomainError
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


def caller_of(router: Router) -> Caller:
    """The caller of the event `router` is resolving."""
    event: AppSyncResolverEvent | None = router.current_event
    if event is None:
        raise RuntimeError("caller_of() is only meaningful while resolving an event")
    return Caller.from_identity(event.raw_event.get("identity"))


def build_handler(*routers: Router) -> Handler:
    """A Lambda handler serving the fields of `routers`, logging with AppSync's correlation id."""
    app = AppSyncResolver()
    for router in routers:
        app.include_router(router)

    @app.exception_handler(DomainError)
    def handle_domain_error(error: DomainError) -> dict[str, Any]:
        logger.info("Request refused", extra={"errorType": error.error_type, "reason": error.message})
        return error_result(error)

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.APPSYNC_RESOLVER)
    def handler(event: Any, context: Any) -> Any:
        return app.resolve(event, context)

    return handler
