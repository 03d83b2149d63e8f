"""The local AppSync's limits (query depth, tokens, resolvers per request, body size): the deployed API's own
(`appsync/limits.py`, which the CDK app reads too) unless the environment overrides them, and the body size check in
front of the GraphQL view."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from appsync import limits as deployed

# Environment variables that override the defaults below.
QUERY_DEPTH_ENV = "LOCAL_APPSYNC_QUERY_DEPTH_LIMIT"
RESOLVER_COUNT_ENV = "LOCAL_APPSYNC_RESOLVER_COUNT_LIMIT"
TOKEN_ENV = "LOCAL_APPSYNC_TOKEN_LIMIT"  # noqa: S105 (query tokens, not a secret)
BODY_BYTES_ENV = "LOCAL_APPSYNC_MAX_BODY_BYTES"
SUBSCRIPTION_BACKLOG_ENV = "LOCAL_APPSYNC_SUBSCRIPTION_BACKLOG_LIMIT"


@dataclass(frozen=True)
class Limits:
    # What each means: appsync/limits.py.
    query_depth: int = deployed.QUERY_DEPTH
    resolver_count: int = deployed.RESOLVER_COUNT
    tokens: int = deployed.TOKENS
    body_bytes: int = deployed.BODY_BYTES
    # Subscription events waiting to be sent on one WebSocket connection; past it the client is a slow consumer.
    subscription_backlog: int = 1000
    introspection: bool = True

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] = os.environ) -> Limits:
        defaults = cls()

        def number(name: str, default: int) -> int:
            value = int(environ.get(name, default))
            if value < 1:
                raise ValueError(f"{name} must be a positive whole number")
            return value

        return cls(
            query_depth=number(QUERY_DEPTH_ENV, defaults.query_depth),
            resolver_count=number(RESOLVER_COUNT_ENV, defaults.resolver_count),
            tokens=number(TOKEN_ENV, defaults.tokens),
            body_bytes=number(BODY_BYTES_ENV, defaults.body_bytes),
            subscription_backlog=number(SUBSCRIPTION_BACKLOG_ENV, defaults.subscription_backlog),
        )


def error_body(error_type: str, message: str) -> bytes:
    """A request AppSync refuses before GraphQL runs answers with only `errors`, each with an errorType."""
    return json.dumps({"errors": [{"errorType": error_type, "message": message}]}).encode()


async def send_error(send: Send, status: int, error_type: str, message: str) -> None:
    body = error_body(error_type, message)
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodySizeLimit:
    """Refuses a request body over `max_bytes` with 413 before anything parses it, whether or not it declares
    its length."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        message = f"The request body is larger than the limit of {self.max_bytes} bytes"
        await send_error(send, 413, "PayloadTooLargeException", message)
