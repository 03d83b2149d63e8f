"""The local AppSync over HTTP and WebSocket: /graphql (and GraphiQL in a browser) with AppSync's auth modes,
limits, error format and subscriptions (AppSync's real-time protocol at /graphql/realtime; graphql-transport-ws at
/graphql for GraphiQL), on Starlette and uvicorn."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property, partial
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.http import GraphQLHTTPResponse
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.types import ExecutionResult

from appsync.fields import FieldResolver, full_schema_sdl
from appsync.local.amplify_config import SectionProvider, amplify_config
from appsync.local.cognito.api import IdentityProviderApi
from appsync.local.cognito.pool import UserPool
from appsync.local.cognito.tokens import issuer_for
from appsync.local.events.runtime import LocalRuntime
from appsync.local.graphql.auth import (
    NOBODY,
    AuthError,
    AuthorizeFields,
    LocalCredentials,
    authenticate,
    field_rules,
    iam_headers,
)
from appsync.local.graphql.cost import BoundedValidation
from appsync.local.graphql.errors import format_error
from appsync.local.graphql.ide_assets import PREFIX as IDE_PREFIX
from appsync.local.graphql.ide_assets import IdeAssets
from appsync.local.graphql.invoke import TRACE_HEADER, AppendedErrors, LambdaInvoker, RequestContext
from appsync.local.graphql.limits import BodySizeLimit, Limits, send_error
from appsync.local.graphql.malformed import MalformedRequests
from appsync.local.graphql.schema import build, contract
from appsync.local.realtime.appsync_protocol import KEEP_ALIVE_SECONDS, AppSyncRealtime
from appsync.local.realtime.fanout import SharedEventExecution
from appsync.local.realtime.subscriptions import AppSyncStreamErrors, SubscriptionBroker
from appsync.local.tls import LocalCertificate
from appsync.local.web import WEB_DIST, WebApp
from resolvers.correlation import trace_id_of
from resolvers.domain.models import Booking
from resolvers.notifications import PUBLISH_BOOKING_STATUS, publish_input

logger = logging.getLogger("appsync.local")

PATH = "/graphql"
SHUTDOWN_SECONDS = 10
# AppSync's real-time protocol, where Amplify JS and gql derive it for a host that is not AppSync's own.
REALTIME_PATH = PATH + "/realtime"
AMPLIFY_CONFIG_PATH = "/amplify-config.json"
SCHEMA_PATH = "/schema.graphql"
# The request headers AppSync's clients send (Amplify JS, gql, SigV4 signers); a preflight asking for them passes.
CORS_HEADERS = [
    "authorization",
    "x-api-key",
    "content-type",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-user-agent",
    "x-amz-content-sha256",
    # Amplify Auth's calls to a user pool's API (the local one is served here too).
    "x-amz-target",
    "cache-control",
]
# Where the authenticated caller travels in the ASGI scope, from Authenticate to the GraphQL view.
PRINCIPAL_KEY = "appsync.principal"
_TRACE_KEY = "appsync.trace_id"
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


@dataclass
class ConnectionContext(RequestContext):
    """A WebSocket connection: its caller is known once its connection_init payload has been read."""

    source_ip: str = "127.0.0.1"
    # Set by Strawberry from the connection_init message.
    connection_params: dict[str, Any] | None = None


class TransportWSHandler(BaseGraphQLTransportWSHandler[RequestContext, None]):
    """graphql-transport-ws, closing with 4400 on a message that is not a JSON object (a number, null, an array),
    as the protocol says for any invalid message, where Strawberry's handler would drop the connection."""

    async def handle_message(self, message: Any) -> None:
        if not isinstance(message, dict):
            await self.handle_invalid_message("Failed to parse message")
            return
        await super().handle_message(message)  # type: ignore[arg-type]


class GraphQLView(GraphQL[RequestContext, None]):
    graphql_transport_ws_handler_class = TransportWSHandler

    def __init__(self, appsync: LocalAppSync) -> None:
        super().__init__(
            appsync.schema,
            graphql_ide="graphiql",
            allow_queries_via_get=False,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            # Credentials travel in connection_init, never in cookies: a page on another origin gains nothing.
            allowed_origins=("*",),
        )
        self.appsync = appsync

    async def get_context(self, request: Any, response: Any) -> RequestContext:
        headers = {name.lower(): value for name, value in request.headers.items()}
        # A malformed trace header (any text a client sends) is replaced: the id is echoed in errors and logs.
        headers[TRACE_HEADER] = request.scope[_TRACE_KEY] = trace_id_of(headers)
        if isinstance(request, WebSocket):
            client = request.client
            return ConnectionContext(
                principal=NOBODY,
                headers=headers,
                limits=self.appsync.limits,
                source_ip=client.host if client else "127.0.0.1",
            )
        principal = request.scope.get(PRINCIPAL_KEY, NOBODY)
        return RequestContext(principal=principal, headers=headers, limits=self.appsync.limits)

    async def on_ws_connect(self, context: RequestContext) -> None:
        """Authenticates a WebSocket connection as AppSync does: with the credentials of its connection_init
        payload ({"x-api-key": ...} or {"Authorization": ...}) over those of the upgrade request."""
        assert isinstance(context, ConnectionContext)
        params = context.connection_params or {}
        given = {name.lower(): value for name, value in params.items() if isinstance(value, str)}
        context.headers.update(given)
        try:
            context.principal = authenticate(context.headers, context.source_ip, self.appsync.credentials)
        except AuthError as error:
            raise ConnectionRejectionError({"errorType": "UnauthorizedException", "message": str(error)}) from error

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        response: GraphQLHTTPResponse = {"data": result.data}
        if result.errors:
            correlation_id = request.scope.get(_TRACE_KEY) or trace_id_of(None)
            response["errors"] = [format_error(error, correlation_id) for error in result.errors]
        return response

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        # Open GraphiQL with a first query and the API key header, ready to run.
        headers = json.dumps({"x-api-key": self.appsync.credentials.api_key}, indent=2)
        html = self.graphql_ide_html.replace(
            "React.useState(parameters.headers)", f"React.useState(parameters.headers || {json.dumps(headers)})"
        ).replace("parameters.q || EXAMPLE_QUERY", f"parameters.q || {json.dumps(FIRST_QUERY)}")
        return HTMLResponse(self.appsync.ide_assets.rewrite(html))


class LocalAppSync:
    """The API: the contract's schema, its resolvers invoking the Lambda handlers, AppSync's auth and limits."""

    def __init__(
        self,
        state_dir: Path,
        limits: Limits | None = None,
        workers: int = 32,
        runtime: LocalRuntime | None = None,
        web_dist: Path = WEB_DIST,
        keep_alive_seconds: float = KEEP_ALIVE_SECONDS,
        public_url: str | None = None,
    ) -> None:
        # What AWS runs around the Lambdas (the saga, the event bus and its consumers), in this process.
        self._owns_runtime = runtime is None
        self.runtime = runtime or LocalRuntime().start()
        # The user pool's issuer is a URL this server answers: <public_url>/cognito/<pool id> (public_url is where
        # `airline dev` serves; without one, the issuer `airline dev` last recorded in the state dir, or its default's).
        self.credentials = LocalCredentials(state_dir, issuer_for(public_url) if public_url else None)
        self.user_pool = UserPool(state_dir, self.credentials)
        self.limits = limits or Limits.from_environ()
        self.invoker = LambdaInvoker(ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lambda"))
        self.state_dir = state_dir
        # The web app's build at / (GraphiQL there without one).
        self.web = WebApp(web_dist, PATH)
        # Where the API is also served over HTTPS/WSS (set by `serving`): the endpoint /amplify-config.json gives.
        self.tls_url: str | None = None
        # Sections /amplify-config.json adds beside API, e.g. the local user pool's {"Auth": {"Cognito": ...}}.
        self.amplify_sections: list[SectionProvider] = [self.user_pool.amplify_section]
        rules = field_rules(contract())
        # The active subscriptions, and the fan-out of the results of the mutations @aws_subscribe lists.
        self.subscriptions = SubscriptionBroker(
            contract(), rules, self.invoker.js, backlog_limit=self.limits.subscription_backlog
        )
        # extensions.invalidateSubscriptions in a mutation's response code ends the subscriptions it matches.
        self.invoker.invalidate = self.subscriptions.invalidate
        # Factories, not instances: Strawberry makes one of each per request.
        extensions: list[Callable[[], SchemaExtension]] = [
            partial(AuthorizeFields, rules),
            # The depth rule made once, not per request, so a document's validation can be remembered.
            partial(AddValidationRules, QueryDepthLimiter(max_depth=self.limits.query_depth).validation_rules),
            partial(MaxTokensLimiter, max_token_count=self.limits.tokens),
            AppSyncStreamErrors,
            AppendedErrors,
            # Last: counts fields with fragments expanded, then validates off the event loop with a time bound.
            partial(BoundedValidation, max_fields=self.limits.tokens),
        ]
        if not self.limits.introspection:
            extensions.append(DisableIntrospection)
        self.schema = build(self._lambda_field, extensions, self.subscriptions.field, SharedEventExecution)
        view = GraphQLView(self)
        self.ide_assets = IdeAssets.for_page(view.graphql_ide_html)
        graphql = MalformedRequests(Authenticate(view, self.credentials))
        self.realtime = AppSyncRealtime(self.schema, self.credentials, self.limits, keep_alive_seconds)
        self.app = Starlette(
            routes=[
                Route(PATH, BodySizeLimit(graphql, self.limits.body_bytes), methods=["GET", "POST"]),
                WebSocketRoute(PATH, view),
                WebSocketRoute(REALTIME_PATH, self.realtime),
                Route("/", self._home),
                Route(IDE_PREFIX + "{spec:path}", self.ide_assets.serve, methods=["GET"]),
                *IdentityProviderApi(self.user_pool).routes(),
            ]
        )
        # Browsers on another origin (a Vite dev server, the built app elsewhere) may call every route, as AppSync
        # allows; outside the routes, so 401 and 413 answers carry the headers too.
        self.app.add_middleware(
            CORSMiddleware,
            allow_origins=["*"],
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=CORS_HEADERS,
            max_age=86400,
        )
        self.app.router.routes.extend(
            [
                Route(AMPLIFY_CONFIG_PATH, self._amplify_config, methods=["GET"]),
                Route(SCHEMA_PATH, self._schema_sdl, methods=["GET"]),
                # Last: every path no other route takes is the web app's (its files, else its index.html).
                Mount("/", self.web),
            ]
        )
        # The saga's notices reach subscribers as on AWS: through publishBookingStatus, called as IAM.
        self.runtime.notifier.listeners.append(self._publish_booking_status)

    @cached_property
    def certificate(self) -> LocalCertificate:
        """The certificate HTTPS/WSS is served with, made on first use in the state folder."""
        return LocalCertificate(self.state_dir)

    def _lambda_field(self, resolver: FieldResolver) -> Callable[..., Awaitable[Any]]:
        return self.subscriptions.publishing(resolver, self.invoker.field(resolver))

    async def _home(self, request: Request) -> Response:
        return await self.web.response(request.scope)

    async def _amplify_config(self, request: Request) -> Response:
        own = str(request.url.replace(path=PATH, query="", fragment=""))
        # Amplify JS subscribes only over wss://, so a frontend is pointed at the TLS endpoint when there is one.
        endpoint = own if request.url.scheme == "https" or self.tls_url is None else self.tls_url
        base_url = endpoint.removesuffix(PATH)
        config = amplify_config(endpoint, self.credentials.api_key, base_url, self.amplify_sections)
        return JSONResponse(config, headers={"Cache-Control": "no-cache"})

    async def _schema_sdl(self, request: Request) -> Response:
        # What codegen tools read: the contract with AppSync's scalars and directives, so it builds as it is.
        return PlainTextResponse(full_schema_sdl(), media_type="application/graphql")

    async def execute_in_process(
        self, query: str, variables: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> ExecutionResult:
        """Runs an operation for a caller in this process (IAM by default), through the same schema and checks as
        a request, with the handlers in the calling thread."""
        given = {name.lower(): value for name, value in (headers or iam_headers()).items()}
        given[TRACE_HEADER] = trace_id_of(given)
        principal = authenticate(given, "127.0.0.1", self.credentials)
        context = RequestContext(principal=principal, headers=given, limits=self.limits, inline=True)
        return await self.schema.execute(query, variable_values=variables, context_value=context)

    def _publish_booking_status(self, booking: Booking) -> None:
        # Called from the thread that changed the booking (a handler, a saga task): run to the end there, so the
        # notices of one booking reach subscribers in the order they were made.
        result = asyncio.run(self.execute_in_process(PUBLISH_BOOKING_STATUS, {"input": publish_input(booking)}))
        if result.errors:
            # As AppSyncNotifier does on AWS: the saga's Notify step fails and dead-letters the notice.
            raise RuntimeError(f"publishBookingStatus failed: {[error.message for error in result.errors]}")

    def close(self) -> None:
        if self._publish_booking_status in self.runtime.notifier.listeners:
            self.runtime.notifier.listeners.remove(self._publish_booking_status)
        self.invoker.executor.shutdown(wait=False, cancel_futures=True)
        if self._owns_runtime:
            self.runtime.stop()


def bind(host: str, port: int) -> socket.socket:
    """A listening socket, bound before the server starts so the URL can be announced (and used) at once."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def url_of(sock: socket.socket, tls: bool = False) -> str:
    host, port = sock.getsockname()[:2]
    return f"{'https' if tls else 'http'}://{host}:{port}{PATH}"


def uvicorn_config(appsync: LocalAppSync, tls: bool = False, log_level: str = "warning") -> uvicorn.Config:
    """How uvicorn serves `appsync`: plain HTTP/WS, or HTTPS/WSS with the local certificate (`appsync.certificate`)."""
    ssl = appsync.certificate.server_ssl_kwargs() if tls else {}
    # WebSocket frames are capped like HTTP bodies: a bigger one closes the connection with 1009 (message too big).
    # Stopping waits at most SHUTDOWN_SECONDS for connections to close: a client that never reads never lets its
    # socket close, and would otherwise hold up Ctrl-C (or airline dev stopping after DynamoDB Local died) for good.
    # Frames go uncompressed (no permessage-deflate): compressing one event for each of a thousand subscribers was
    # most of the CPU of a fan-out, for no gain on a local network.
    return uvicorn.Config(
        appsync.app,
        log_level=log_level,
        lifespan="off",
        ws_max_size=appsync.limits.body_bytes,
        timeout_graceful_shutdown=SHUTDOWN_SECONDS,
        ws_per_message_deflate=False,
        # Named, not "auto": the real-time fan-out's non-waiting send relies on this implementation suspending a
        # send only before writing it (appsync_protocol.Connection._try_send_text).
        ws="websockets-sansio",
        **ssl,
    )


@contextmanager
def serving(appsync: LocalAppSync, sock: socket.socket, tls: bool = False, log_level: str = "warning") -> Iterator[str]:
    """Serves `appsync` on a bound socket from a background thread (no signal handlers there); yields its URL."""
    server = uvicorn.Server(uvicorn_config(appsync, tls, log_level))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="local-appsync", daemon=True)
    thread.start()
    url = url_of(sock, tls)
    if tls:
        appsync.tls_url = url
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        if appsync.tls_url == url:
            appsync.tls_url = None


@contextmanager
def serve_in_thread(appsync: LocalAppSync, host: str = "127.0.0.1", port: int = 0, tls: bool = False) -> Iterator[str]:
    """Serves `appsync` from a background thread (tests, benchmarks, in-process callers); yields its URL,
    `https://...` over TLS with the local certificate when `tls` (clients trust `appsync.certificate.ca_path`)."""
    sock = bind(host, port)
    try:
        with serving(appsync, sock, tls) as url:
            yield url
    finally:
        sock.close()
