"""GraphQL errors in AppSync's shape: errorType, errorInfo, path, locations, message; internals never leak."""

from __future__ import annotations

import logging
from typing import Any

from graphql import GraphQLError

from resolvers.domain.errors import InternalFailure

logger = logging.getLogger("appsync.local")


class AppSyncError(Exception):
    """A GraphQL error as AppSync reports it: `errorType`, `message` and `errorInfo`."""

    def __init__(self, error_type: str | None, message: str, error_info: Any = None, data: Any = None) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.error_info = error_info
        # util.error's `data`: reported as the error's `data`.
        self.data = data


def format_error(error: GraphQLError, correlation_id: str) -> dict[str, Any]:
    """One entry of `errors[]`. Errors in the document (syntax, validation, limits) carry no errorType, as on
    AppSync; errors while resolving a field carry one; anything unexpected becomes a generic InternalFailure."""
    locations = [{"line": loc.line, "column": loc.column, "sourceName": None} for loc in error.locations or ()]
    original = error.original_error
    if not isinstance(original, AppSyncError):
        if error.path is None:
            return {"path": None, "locations": locations or None, "message": error.message}
        if original is None:
            # graphql-core's own execution errors, like a null for a non-null field.
            original = AppSyncError(None, error.message)
        else:
            logger.error("Unexpected error at %s (correlation id %s)", error.path, correlation_id, exc_info=original)
            failure = InternalFailure(correlation_id)
            original = AppSyncError(failure.error_type, failure.message, failure.error_info)
    return {
        "path": error.path,
        "data": original.data,
        "errorType": original.error_type,
        "errorInfo": original.error_info,
        "locations": locations or None,
        "message": original.message,
    }
