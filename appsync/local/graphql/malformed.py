"""Refuses malformed GraphQL requests with AppSync-like 4xx answers before anything else reads them: a body that
is not UTF-8 JSON of a request object (nested too deep, a number, null, a string...) is a 400, credentials
headers with bytes outside ASCII a 401, where the GraphQL view would otherwise fail with a 500."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from appsync.local.graphql.limits import send_error

MALFORMED = "MalformedHttpRequestException"
# Deeper than any legitimate request needs; json's own recursion guard stops far deeper ones cheaply.
MAX_NESTING = 64
_CREDENTIAL_HEADERS = (b"x-api-key", b"authorization", b"x-amz-security-token", b"x-amz-date")


def _nesting(value: Any, depth: int = 0) -> int:
    if depth > MAX_NESTING:
        return depth
    if isinstance(value, dict):
        return max((_nesting(item, depth + 1) for item in value.values()), default=depth + 1)
    if isinstance(value, list):
        return max((_nesting(item, depth + 1) for item in value), default=depth + 1)
    return depth


def problem_with(body: bytes) -> str | None:
    """Why `body` is not a GraphQL request AppSync would accept, or None."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "The request body is not valid UTF-8"
    try:
        request = json.loads(text)
    except RecursionError:
        return f"The request body nests deeper than {MAX_NESTING} levels"
    except ValueError:
        return "The request body is not valid JSON"
    requests = request if isinstance(request, list) else [request]
    if not requests or not all(isinstance(item, dict) for item in requests):
        return "The request body must be a JSON object with a query"
    for item in requests:
        if not isinstance(item.get("query"), str):
            return "The request must have a query string"
        if item.get("variables") is not None and not isinstance(item["variables"], dict):
            return "The request's variables must be a JSON object"
        if item.get("operationName") is not None and not isinstance(item["operationName"], str):
            return "The request's operationName must be a string"
    if _nesting(request) > MAX_NESTING:
        return f"The request body nests deeper than {MAX_NESTING} levels"
    return None


class MalformedRequests:
    """In front of the GraphQL view (behind the body size limit, which has read the whole body)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name in _CREDENTIAL_HEADERS and not value.isascii():
                await send_error(send, 401, "UnauthorizedException", "You are not authorized to make this call.")
                return
        if scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        problem = problem_with(body)
        if problem is not None:
            await send_error(send, 400, MALFORMED, problem)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
