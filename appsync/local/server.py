"""The local AppSync over HTTP: /graphql (and GraphiQL in a browser) with AppSync's auth modes, limits and
error format, on Starlette and uvicorn."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.extensions import DisableIntrospection, MaxTokensLimiter, QueryDepthLimiter, SchemaExtension
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from appsync.local.auth import NOBODY, AuthError, AuthorizeFields, LocalCredentials, authenticate, field_rules
from appsync.local.errors import format_error
from appsync.local.invoke import TRACE_HEADER, LambdaInvoker, RequestContext, new_trace_id
from appsync.local.limits import BodySizeLimit, Limits, send_error
from appsync.local.runtime import LocalRuntime
from appsync.local.schema import build, contract

PATH = "/graphql"
# Where the authenticated caller travels in the ASGI scope, from Authenticate to the GraphQL view.
PRINCIPAL_KEY = "appsync.principal"
# What GraphiQL opens with, and what the README tells you to paste: the next flights from London to Madrid.
FIRST_QUERY = """query NextFlights {
  listFlights(filter: {departureAirportCode: "LGW", arrivalAirportCode: "MAD"}, limit: 5) {
    items { id flightNumber departureDateTime arrivalDateTime ticketPrice ticketCurrency seatsAvailable }
    nextToken
  }
}
"""


def _wants_ide(scope: Scope) -> bool:
    headers = Headers(scope=scope)
    return scope["method"] == "GET" and "text/html" in headers.get("accept", "")


class Authenticate:
    """Refuses a request without valid credentials with 401, as AppSync does before running anything, and
    hands the caller to the GraphQL view."""

    def __init__(self, app: ASGIApp, credentials: LocalCredentials) -> None:
        self.app = app
        self.credentials = credentials

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not _wants_ide(scope):
            client = scope.get("client")
            try:
                principal = authenticate(Headers(scope=scope), client[0] if client else "127.0.0.1", self.credentials)
            except AuthError as error:
                await send_error(send, 401, "UnauthorizedException", str(error))
                return
            scope[PRINCIPAL_KEY] = principal
        await self.app(scope, receive, send)


class GraphQLView(GraphQL[RequestContext, None]):
    def __init__(self, appsync: LocalAppSync) -> None:
        super().__init__(appsync.schema, graphql_ide="graphiql", allow_queries_via_get=False)
        self.appsync = appsync

    async def get_context(self, request: Any, response: Any) -> RequestContext:
        headers = {name.lower(): value for name, value in request.headers.items()}
        headers.setdefault(TRACE_HEADER, new_trace_id())
        principal = request.scope.get(PRINCIPAL_KEY, NOBODY)
        return RequestContext(principal=principal, headers=headers, limits=self.appsync.limits)

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        response: GraphQLHTTPResponse = {"data": result.data}
        if result.errors:
            correlation_id = request.headers.get(TRACE_HEADER, "-")
            response["errors"] = [format_error(error, correlation_id) for error in result.errors]
        return response

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        # Open GraphiQL with a first query and the API key header, ready to run.
        headers = json.dumps({"x-api-key": self.appsync.credentials.api_key}, indent=2)
        html = self.graphql_ide_html.replace(
            "React.useState(parameters.headers)", f"React.useState(parameters.headers || {json.dumps(headers)})"
        ).replace("parameters.q || EXAMPLE_QUERY", f"parameters.q || {json.dumps(FIRST_QUERY)}")
        return HTMLResponse(html)


class LocalAppSync:
    """The API: the contract's schema, its resolvers invoking the Lambda handlers, AppSync's auth and limits."""

    def __init__(
        self, state_dir: Path, limits: Limits | None = None, workers: int = 32, runtime: LocalRuntime | None = None
    ) -> None:
        # What AWS runs around the Lambdas (the saga, the event bus and its consumers), in this process.
        self.runtime = runtime or LocalRuntime().start()
        self.credentials = LocalCredentials(state_dir)
        self.limits = limits or Limits.from_environ()
        self.invoker = LambdaInvoker(ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lambda"))
        # Factories, not instances: Strawberry makes one of each per request.
        extensions: list[Callable[[], SchemaExtension]] = [
            partial(AuthorizeFields, field_rules(contract())),
            partial(QueryDepthLimiter, max_depth=self.limits.query_depth),
            partial(MaxTokensLimiter, max_token_count=self.limits.tokens),
        ]
        if not self.limits.introspection:
            extensions.append(DisableIntrospection)
        self.schema = build(self.invoker.field, extensions)
        graphql = Authenticate(GraphQLView(self), self.credentials)
        self.app = Starlette(
            routes=[
                Route(PATH, BodySizeLimit(graphql, self.limits.body_bytes), methods=["GET", "POST"]),
                Route("/", self._home),
            ]
        )

    async def _home(self, request: Request) -> Response:
        return RedirectResponse(PATH)

    def close(self) -> None:
        self.invoker.executor.shutdown(wait=False, cancel_futures=True)
        self.runtime.stop()


def bind(host: str, port: int) -> socket.socket:
    """A listening socket, bound before the server starts so the URL can be announced (and used) at once."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}{PATH}"


@contextmanager
def serve_in_thread(appsync: LocalAppSync, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serves `appsync` from a background thread (tests, benchmarks, in-process callers); yields its URL."""
    sock = bind(host, port)
    server = uvicorn.Server(uvicorn.Config(appsync.app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="local-appsync", daemon=True)
    thread.start()
    try:
        yield url_of(sock)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
