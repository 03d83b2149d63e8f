"""Correlation ids: the request's X-Ray trace header when it has that format, else a fresh one; never raw text.

A client can send any `x-amzn-trace-id`; the id comes back in error messages and goes into every log line, so
only the header's own grammar (`Root=1-<8 hex>-<24 hex>` and `;Key=value` fields) is taken as it is.
"""

from __future__ import annotations

import re
import secrets
import time

TRACE_HEADER = "x-amzn-trace-id"
_TRACE_ID = re.compile(
    r"(?:Self=1-[0-9a-f]{8}-[0-9a-f]{24};)?Root=1-[0-9a-f]{8}-[0-9a-f]{24}(?:;[A-Za-z]{1,16}=[A-Za-z0-9:._-]{1,64}){0,6}"
)


def new_trace_id() -> str:
    return f"Root=1-{int(time.time()):08x}-{secrets.token_hex(12)}"


def valid_trace_id(value: object) -> str | None:
    """`value` if it is an X-Ray trace header, else None."""
    if isinstance(value, str) and len(value) <= 256 and _TRACE_ID.fullmatch(value):
        return value
    return None


def trace_id_of(headers: dict[str, str] | None) -> str:
    """The trace id of a request's (lower-cased) headers if well formed, else a fresh one."""
    return valid_trace_id((headers or {}).get(TRACE_HEADER)) or new_trace_id()
