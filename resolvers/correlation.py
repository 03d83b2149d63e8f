"""Correlation ids: the request's X-Ray trace header when it has that format, else a fresh one; never raw text.

A client can send any `x-amzn-trace-id`; the id comes back in error messages and goes into every log line, so
only the header's own grammar (`Root=1-<8 hex>-<24 hex>` and `;Key=value` fields) is taken as it is.

`keys_of_this_invocation` keeps an invocation's log keys (its request id, its correlation id) with the thread that
runs it: one Lambda runs one invocation at a time, but the local runtime runs many at once in threads sharing one
Logger, where keys appended to the Logger itself would stamp other requests' lines.
"""

from __future__ import annotations

import functools
import re
import secrets
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger

TRACE_HEADER = "x-amzn-trace-id"
# Compiled (and kept in `re`'s cache) by the first request that sends a header, not at import: saga tasks and
# consumers use only keys_of_this_invocation.
_TRACE_ID = (
    r"(?:Self=1-[0-9a-f]{8}-[0-9a-f]{24};)?Root=1-[0-9a-f]{8}-[0-9a-f]{24}"
    r"(?:;[A-Za-z]{1,16}=[A-Za-z0-9:._-]{1,64}){0,6}"
)


def new_trace_id() -> str:
    return f"Root=1-{int(time.time()):08x}-{secrets.token_hex(12)}"


def valid_trace_id(value: object) -> str | None:
    """`value` if it is an X-Ray trace header, else None."""
    if isinstance(value, str) and len(value) <= 256 and re.fullmatch(_TRACE_ID, value):
        return value
    return None


def trace_id_of(headers: dict[str, str] | None) -> str:
    """The trace id of a request's (lower-cased) headers if well formed, else a fresh one."""
    return valid_trace_id((headers or {}).get(TRACE_HEADER)) or new_trace_id()


def keys_of_this_invocation(
    logger: Logger, **keys_of: Callable[[Any, Any], object]
) -> Callable[[Callable[[Any, Any], Any]], Callable[[Any, Any], Any]]:
    """Decorates a Lambda handler: for the length of one invocation, each `name=keys_of(event, context)` (and the
    invocation's `function_request_id`) is a log key of the calling thread only (Powertools' thread-safe keys, a
    context variable); they are cleared when it returns."""

    def decorate(handler: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
        @functools.wraps(handler)
        def invoke(event: Any, context: Any) -> Any:
            keys = {name: key_of(event, context) for name, key_of in keys_of.items()}
            logger.thread_safe_append_keys(function_request_id=getattr(context, "aws_request_id", None), **keys)
            try:
                return handler(event, context)
            finally:
                logger.thread_safe_clear_keys()

        return invoke

    return decorate
