"""AppSync's own real-time WebSocket protocol at <graphql path>/realtime, as Amplify JS and gql's
AppSyncWebsocketsTransport speak it: the handshake's auth headers (a `header-<base64url>` subprotocol beside
`graphql-ws`, or `?header=<base64>&payload=e30=`), connection_init/connection_ack, `ka`, start/start_ack/data/error,
stop/complete, connection_error. Subscriptions only; each one runs through the schema's subscribe path and the
SubscriptionBroker, authorized by its own `extensions.authorization` as AppSync does."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from graphql import GraphQLError, OperationType, get_operation_ast, parse
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry import Schema
from strawberry.types.execution import ExecutionResult, PreExecutionError

from appsync.local.graphql.auth import AuthError, LocalCredentials, Principal, authenticate
from appsync.local.graphql.errors import format_error
from appsync.local.graphql.invoke import TRACE_HEADER, RequestContext
from appsync.local.graphql.limits import Limits
from appsync.local.realtime.fanout import COMPACT, SharedData
from appsync.local.realtime.subscriptions import Outbox
from resolvers.correlation import trace_id_of

log = logging.getLogger("appsync.local")

SUBPROTOCOL = "graphql-ws"
HEADER_SUBPROTOCOL_PREFIX = "header-"
# AppSync's values: the client drops the connection after connectionTimeoutMs without a `ka`; AppSync sends one
# right after connection_ack and then about every minute.
CONNECTION_TIMEOUT_MS = 300_000
KEEP_ALIVE_SECONDS = 60.0
# How long an unauthenticated connection may stay open waiting for its connection_init, before connection_error.
INIT_WAIT_SECONDS = 10.0
NOT_AUTHORIZED = "You are not authorized to make this call."
# A client whose unread subscription events exceed Limits.subscription_backlog is disconnected with this code
# (policy violation; AppSync documents no code of its own for it), after at most this long trying to say so.
SLOW_CONSUMER_CLOSE_CODE = 1008
SLOW_CONSUMER_CLOSE_SECONDS = 1.0

Message = dict[str, Any]


def _decode_base64_json(text: str) -> dict[str, Any] | None:
    """The JSON object in standard or URL-safe base64, padded or not (a `+` may arrive as a space in a query)."""
    cleaned = text.strip().replace(" ", "+").replace("-", "+").replace("_", "/")
    try:
        decoded = json.loads(base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), validate=True))
    except (binascii.Error, ValueError):
        return None
    return decoded if isinstance(decoded, dict) else None


def handshake_headers(subprotocols: list[str], query_string: bytes) -> dict[str, str] | None:
    """The auth headers of the handshake: from the `header-…` subprotocol (Amplify JS v6), else the `header` query
    parameter (gql, older clients); None when neither carries a JSON object."""
    for subprotocol in subprotocols:
        if subprotocol.startswith(HEADER_SUBPROTOCOL_PREFIX):
            headers = _decode_base64_json(subprotocol[len(HEADER_SUBPROTOCOL_PREFIX) :])
            if headers is not None:
                return _lowercase(headers)
    # Read by hand: a standard base64 `+` left unescaped in the query must not become a space for good.
    for part in query_string.decode("latin-1").split("&"):
        name, _, value = part.partition("=")
        if name == "header":
            headers = _decode_base64_json(unquote(value))
            if headers is not None:
                return _lowercase(headers)
    return None


def _lowercase(headers: Mapping[str, Any]) -> dict[str, str]:
    return {str(name).lower(): value for name, value in headers.items() if isinstance(value, str)}


def _errors(*errors: Mapping[str, Any]) -> dict[str, Any]:
    return {"errors": list(errors)}


def _unauthorized() -> dict[str, Any]:
    return {"errorType": "UnauthorizedException", "message": NOT_AUTHORIZED, "errorCode": 401}


def _malformed(reason: str) -> dict[str, Any]:
    return {"errorType": "BadRequestException", "message": reason}


def _unsupported(what: str) -> dict[str, Any]:
    return {"errorType": "UnsupportedOperation", "message": f"{what} not supported through the realtime channel"}


@dataclass
class SubscriptionContext(RequestContext):
    """One subscription on a real-time connection: its own caller (from its start message's authorization), and
    the hook the broker calls once the subscription is registered, which sends start_ack."""

    on_subscribed: Callable[[], Awaitable[None]] | None = None
    # The connection's bound on events not yet sent, shared by its subscriptions.
    outbox: Outbox | None = None
    # Sends an answer executed once for several subscribers, as this subscription's data message.
    deliver_shared: Callable[[SharedData], Awaitable[None]] | None = None
    # The same, only if the socket takes it at once (answers whether it was sent).
    try_deliver_shared: Callable[[SharedData], Awaitable[bool]] | None = None


class AppSyncRealtime:
    """The /graphql/realtime endpoint: one `Connection` per WebSocket."""

    def __init__(
        self,
        schema: Schema,
        credentials: LocalCredentials,
        limits: Limits,
        keep_alive_seconds: float = KEEP_ALIVE_SECONDS,
    ) -> None:
        self.schema = schema
        self.credentials = credentials
        self.limits = limits
        self.keep_alive_seconds = keep_alive_seconds
        # The open connections (a slow consumer's leaves as soon as it is dropped, even if its socket lingers).
        self.connections: set[Connection] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        connection = Connection(self, WebSocket(scope, receive, send))
        self.connections.add(connection)
        try:
            await connection.run()
        finally:
            self.connections.discard(connection)


class Connection:
    """One client's WebSocket: authenticated by its handshake, then any number of subscriptions, each a task."""

    def __init__(self, endpoint: AppSyncRealtime, websocket: WebSocket) -> None:
        self.endpoint = endpoint
        self.websocket = websocket
        self.source_ip = websocket.client.host if websocket.client else "127.0.0.1"
        self.operations: dict[str, asyncio.Task[None]] = {}
        self._send_lock = asyncio.Lock()
        self._keep_alive: asyncio.Task[None] | None = None
        self.outbox = Outbox(endpoint.limits.subscription_backlog, self._slow_consumer)
        # The task reading the client's frames while it does; `_drop` stops it from another task.
        self._reader: asyncio.Task[Any] | None = None
        self._dropped = False

    async def run(self) -> None:
        offered = list(self.websocket.scope.get("subprotocols") or ())
        if SUBPROTOCOL not in offered:
            # As AppSync: the handshake must ask for graphql-ws (refused with HTTP 403 before the upgrade).
            await self.websocket.close(code=1002)
            return
        await self.websocket.accept(subprotocol=SUBPROTOCOL)
        headers = handshake_headers(offered, self.websocket.scope.get("query_string", b""))
        try:
            self._authenticate(headers)
        except AuthError:
            await self._refuse_connection()
            return
        self._reader = asyncio.current_task()
        try:
            while True:
                frame = await self.websocket.receive()
                if frame["type"] == "websocket.disconnect":
                    break
                # AppSync's messages are text; a binary frame is read as UTF-8 and refused if it is not JSON.
                text = frame.get("text") or (frame.get("bytes") or b"").decode("utf-8", "replace")
                await self._handle(text)
        except WebSocketDisconnect:
            pass
        except asyncio.CancelledError:
            if not self._dropped:
                raise
            asyncio.current_task().uncancel()  # type: ignore[union-attr]
        finally:
            self._reader = None
            await self._end()
        if self.outbox.overflowed:
            await self._close_slow_consumer()

    def _drop(self) -> None:
        """End the connection from the server's side: a client that reads nothing may never send another frame
        (nor its TCP close), so the reader is stopped rather than waited for; `run` then ends every subscription."""
        self._dropped = True
        if self._reader is not None:
            self._reader.cancel()

    def _slow_consumer(self) -> None:
        """The outbox is full: the client stopped reading. Its subscriptions end now (their backlog freed), then
        the connection closes, as a slow consumer's does on a server that cannot buffer without bound."""
        log.warning(
            "Disconnecting a real-time client at %s: %d subscription events were waiting for it to read them",
            self.source_ip,
            self.outbox.limit,
        )
        self._drop()

    async def _close_slow_consumer(self) -> None:
        # A client that reads nothing never lets the close frame out: give up after a moment and let the server
        # close the TCP connection (uvicorn does once this handler returns).
        reason = f"Slow consumer: over {self.outbox.limit} events unread"
        with contextlib.suppress(TimeoutError, WebSocketDisconnect, RuntimeError, OSError):
            async with asyncio.timeout(SLOW_CONSUMER_CLOSE_SECONDS):
                await self.websocket.close(code=SLOW_CONSUMER_CLOSE_CODE, reason=reason)

    def _authenticate(self, headers: dict[str, str] | None) -> Principal:
        if headers is None:
            raise AuthError(NOT_AUTHORIZED)
        return authenticate(headers, self.source_ip, self.endpoint.credentials)

    async def _refuse_connection(self) -> None:
        """AppSync answers the connection_init of a handshake without valid credentials with connection_error."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(INIT_WAIT_SECONDS):
                if (await self.websocket.receive())["type"] == "websocket.disconnect":
                    return
        with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
            await self._send({"type": "connection_error", "payload": _errors(_unauthorized())})
            await self.websocket.close(code=1000)

    async def _end(self) -> None:
        # Ending each subscription's task closes its stream, which takes it out of the broker's registry.
        tasks = [*self.operations.values(), *([self._keep_alive] if self._keep_alive else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self.operations.clear()

    async def _send(self, message: Message) -> None:
        await self._send_text(json.dumps(message, separators=COMPACT))

    async def _send_text(self, text: str) -> None:
        async with self._send_lock:
            await self.websocket.send_text(text)

    async def _try_send_text(self, text: str) -> bool:
        """Send `text` unless another send holds the socket (False, nothing sent). The send suspends only while the
        client reads too slowly, and then before writing anything: uvicorn's sans-I/O WebSocket (the server's `ws`)
        waits for the transport to be writable first, so the group writer may cancel it there (TryDeliver)."""
        if self._send_lock.locked():
            return False
        await self._send_text(text)
        return True

    async def _handle(self, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            message = None
        if not isinstance(message, dict):
            await self._send({"type": "error", "payload": _errors(_malformed("A message must be a JSON object"))})
            return
        kind = message.get("type")
        if kind == "connection_init":
            await self._acknowledge()
        elif kind == "start":
            await self._start(message)
        elif kind == "stop":
            await self._stop(message)
        else:
            error: Message = {"type": "error", "payload": _errors(_unsupported(str(kind)))}
            if isinstance(message.get("id"), str):
                error["id"] = message["id"]
            await self._send(error)

    async def _acknowledge(self) -> None:
        await self._send({"type": "connection_ack", "payload": {"connectionTimeoutMs": CONNECTION_TIMEOUT_MS}})
        if self._keep_alive is None:
            await self._send({"type": "ka"})
            self._keep_alive = asyncio.create_task(self._keep_alive_loop())

    async def _keep_alive_loop(self) -> None:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
            while True:
                await asyncio.sleep(self.endpoint.keep_alive_seconds)
                await self._send({"type": "ka"})
        # The socket failed (gone, or closed by the server's WebSocket ping timeout): nothing more can be sent.
        self._drop()

    async def _error(self, operation_id: str, *errors: Mapping[str, Any]) -> None:
        await self._send({"type": "error", "id": operation_id, "payload": _errors(*errors)})

    async def _start(self, message: Message) -> None:
        operation_id = message.get("id")
        payload = message.get("payload")
        if not isinstance(operation_id, str) or not operation_id or not isinstance(payload, dict):
            await self._send(
                {"type": "error", "payload": _errors(_malformed("A start message needs an id and a payload"))}
            )
            return
        if operation_id in self.operations:
            await self._error(
                operation_id,
                {"errorType": "DuplicatedOperationError", "message": f"Duplicated operation with id {operation_id}"},
            )
            return
        data = payload.get("data")
        try:
            request = json.loads(data) if isinstance(data, str) else data
        except ValueError:
            request = None
        extensions = payload.get("extensions") or {}
        authorization = extensions.get("authorization") if isinstance(extensions, dict) else None
        if not isinstance(request, dict) or not isinstance(request.get("query"), str):
            await self._error(operation_id, _malformed("payload.data must be a JSON string of {query, variables}"))
            return
        # Checked per subscription, as AppSync does: one connection may carry subscriptions of several callers.
        try:
            headers = _lowercase(authorization) if isinstance(authorization, dict) else None
            principal = self._authenticate(headers)
        except AuthError:
            await self._error(operation_id, _unauthorized())
            return
        assert headers is not None
        refusal = _not_a_subscription(request["query"], request.get("operationName"))
        if refusal is not None:
            await self._error(operation_id, refusal)
            return
        headers[TRACE_HEADER] = trace_id_of(headers)
        context = SubscriptionContext(
            principal=principal, headers=headers, limits=self.endpoint.limits, outbox=self.outbox
        )
        self.operations[operation_id] = asyncio.create_task(self._run(operation_id, request, context))

    async def _run(self, operation_id: str, request: dict[str, Any], context: SubscriptionContext) -> None:
        acknowledged = False

        async def acknowledge() -> None:
            nonlocal acknowledged
            if not acknowledged:
                acknowledged = True
                await self._send({"type": "start_ack", "id": operation_id})

        context.on_subscribed = acknowledge

        # The data message's start, made once: each event adds only its answer's JSON (serialized once per group).
        prefix = _data_prefix(operation_id)

        async def deliver_shared(data: SharedData) -> None:
            await self._send_text(_data_message(prefix, data))

        async def try_deliver_shared(data: SharedData) -> bool:
            return await self._try_send_text(_data_message(prefix, data))

        context.deliver_shared = deliver_shared
        context.try_deliver_shared = try_deliver_shared
        variables = request.get("variables")
        try:
            stream = await self.endpoint.schema.subscribe(
                request["query"],
                variable_values=variables if isinstance(variables, dict) else None,
                context_value=context,
                operation_name=request.get("operationName"),
            )
            async with contextlib.aclosing(stream):
                async for result in stream:
                    if isinstance(result, PreExecutionError) or not acknowledged:
                        # Refused before it was registered: its auth rule, validation, arguments.
                        await self._error(operation_id, *self._formatted(result, context))
                        return
                    await self._send_data(operation_id, result, context)
            await self._send({"type": "complete", "id": operation_id})
        except (WebSocketDisconnect, RuntimeError, OSError):
            log.debug("Subscription %s ended with its connection", operation_id)
            # As above: the connection cannot send any more, so all of it ends (not only this subscription).
            self._drop()
        finally:
            self.operations.pop(operation_id, None)

    def _formatted(self, result: ExecutionResult, context: SubscriptionContext) -> list[dict[str, Any]]:
        return [format_error(error, context.correlation_id) for error in result.errors or ()] or [
            {"errorType": "InternalFailure", "message": "The subscription ended before it started"}
        ]

    async def _send_data(self, operation_id: str, result: ExecutionResult, context: SubscriptionContext) -> None:
        if isinstance(result.data, SharedData) and not result.errors:
            # The same answer as other subscribers of the event got: serialized once for all of them.
            await self._send_text(_data_message(_data_prefix(operation_id), result.data))
            return
        await self._send({"type": "data", "id": operation_id, "payload": self._payload(result, context)})

    def _payload(self, result: ExecutionResult, context: SubscriptionContext) -> dict[str, Any]:
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [format_error(error, context.correlation_id) for error in result.errors]
        return payload

    async def _stop(self, message: Message) -> None:
        operation_id = message.get("id")
        if not isinstance(operation_id, str):
            await self._send({"type": "error", "payload": _errors(_malformed("A stop message needs an id"))})
            return
        task = self.operations.pop(operation_id, None)
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        # A stop of an id that is not (or no longer) running completes too: stopping is idempotent.
        await self._send({"type": "complete", "id": operation_id})


def _data_prefix(operation_id: str) -> str:
    """What comes before the payload in every data message of one subscription."""
    return f'{{"type":"data","id":{json.dumps(operation_id)},"payload":'


def _data_message(prefix: str, data: SharedData) -> str:
    """The data message of an answer shared with other subscribers: its JSON serialized once, in this one's."""
    return f"{prefix}{data.payload_json}}}"


def _not_a_subscription(query: str, operation_name: Any) -> dict[str, Any] | None:
    """AppSync's refusal of a query or mutation sent to the real-time endpoint; None for a subscription (a document
    that does not parse is left to the schema, which reports it in GraphQL's words)."""
    try:
        document = parse(query)
    except GraphQLError:
        return None
    operation = get_operation_ast(document, operation_name if isinstance(operation_name, str) else None)
    if operation is None or operation.operation is OperationType.SUBSCRIPTION:
        return None
    return _unsupported(operation.operation.value)
