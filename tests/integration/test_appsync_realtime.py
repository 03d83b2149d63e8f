"""AppSync's real-time protocol at /graphql/realtime: gql's AppSyncWebsocketsTransport (API key, user token, IAM)
and bare WebSocket clients speaking it message by message (handshakes, keep-alive, errors, drops)."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from gql import Client, GraphQLRequest, gql
from gql.transport.appsync_auth import AppSyncApiKeyAuthentication, AppSyncAuthentication, AppSyncJWTAuthentication
from gql.transport.appsync_websockets import AppSyncWebsocketsTransport
from gql.transport.exceptions import TransportQueryError, TransportServerError
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus

from appsync.local.graphql.auth import AuthorizeFields, LocalCredentials, iam_headers, user_sub
from appsync.local.graphql.limits import Limits
from appsync.local.realtime.fanout import PublishedEvent
from appsync.local.realtime.subscriptions import Subscriber
from appsync.local.server import LocalAppSync, serve_in_thread
from tests.integration.conftest import ClientFor
from tests.integration.test_live_updates import (
    DELAY,
    ON_DELAY,
    ON_STATUS,
    PATIENCE,
    PUBLISH,
    LiveServer,
    Subscribed,
    a_flight_in_the_catalog,
    book,
    delay,
    in_thread,
)

# Short, so a test sees keep-alives without waiting a minute; the test asserts that they come, never when.
KEEP_ALIVE_SECONDS = 0.2
ALICE_STATUS = {"customer": user_sub("alice")}


@pytest.fixture(scope="module")
def live(dynamodb: str, sample_flights: int, state_dir: Path) -> Iterator[LiveServer]:
    local = LocalAppSync(state_dir, limits=Limits(), keep_alive_seconds=KEEP_ALIVE_SECONDS)
    with serve_in_thread(local) as url:
        yield LiveServer(local, url)
    local.close()


@pytest.fixture(autouse=True)
def settled(live: LiveServer) -> Iterator[None]:
    yield
    live.appsync.runtime.settle()


@pytest.fixture
def client_for(live: LiveServer) -> ClientFor:
    from gql.transport.requests import RequestsHTTPTransport

    return lambda headers: Client(
        transport=RequestsHTTPTransport(url=live.http_url, headers=headers, timeout=30, retries=0)
    )


def realtime_url(server: LiveServer) -> str:
    return server.ws_url + "/realtime"


class LocalIam(AppSyncAuthentication):
    """The local server's in-process IAM principal, sent as AppSync's IAM headers would be."""

    def __init__(self, host: str) -> None:
        self.host = host

    def get_headers(self, data: str | None = None, headers: dict[str, Any] | None = None) -> dict[str, Any]:
        return {"host": self.host, **iam_headers()}


def auth_for(server: LiveServer, caller: str, credentials: LocalCredentials) -> AppSyncAuthentication:
    host = server.http_url.split("/")[2]
    if caller == "api_key":
        return AppSyncApiKeyAuthentication(host=host, api_key=credentials.api_key)
    if caller == "iam":
        return LocalIam(host)
    return AppSyncJWTAuthentication(host=host, jwt=credentials.issue_token(caller, admin=caller == "ops"))


@asynccontextmanager
async def appsync_subscribed(
    server: LiveServer, auth: AppSyncAuthentication, document: str, variables: dict[str, Any]
) -> AsyncIterator[Subscribed]:
    """gql's AppSyncWebsocketsTransport (the `?header=` handshake), subscribed to `document`."""
    transport = AppSyncWebsocketsTransport(url=realtime_url(server), auth=auth)
    subscription = Subscribed()
    async with Client(transport=transport) as session:

        async def consume() -> None:
            try:
                async for result in session.subscribe(GraphQLRequest(gql(document), variable_values=variables)):
                    subscription.results.put_nowait(result)
            except TransportQueryError as error:
                subscription.error.set_result(error)

        task = asyncio.create_task(consume())
        try:
            yield subscription
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


async def until_subscribed(server: LiveServer, field_name: str, count: int) -> None:
    await server.until(lambda: server.appsync.subscriptions.count(field_name) == count)


# -- through gql's AppSyncWebsocketsTransport ---------------------------------------------------------------------


@pytest.mark.parametrize("caller", ["api_key", "alice", "iam"])
def test_a_delay_reaches_an_appsync_protocol_subscriber_of_any_auth_mode(
    live: LiveServer, client_for: ClientFor, credentials: LocalCredentials, callers: dict[str, Any], caller: str
) -> None:
    flight_id = a_flight_in_the_catalog()

    async def scenario() -> dict[str, Any]:
        async with appsync_subscribed(
            live, auth_for(live, caller, credentials), ON_DELAY, {"flightId": flight_id}
        ) as s:
            await until_subscribed(live, "onFlightDelayed", 1)
            _, errors = await in_thread(delay, client_for(callers["admin"]), flight_id, 20)
            assert errors == []
            event: dict[str, Any] = (await s.next())["onFlightDelayed"]
            return event

    assert asyncio.run(scenario()) == {"flightId": flight_id, "delayMinutes": 20, "reason": "Late crew"}
    asyncio.run(until_subscribed(live, "onFlightDelayed", 0))


def test_a_customer_receives_pending_then_confirmed_over_the_appsync_protocol(
    live: LiveServer, client_for: ClientFor, credentials: LocalCredentials, callers: dict[str, Any]
) -> None:
    async def scenario() -> tuple[list[dict[str, Any]], str]:
        # Given Alice subscribed to her own bookings with her token
        auth = auth_for(live, "alice", credentials)
        async with appsync_subscribed(live, auth, ON_STATUS, ALICE_STATUS) as mine:
            await until_subscribed(live, "onBookingStatusChanged", 1)
            # When she books a flight
            booking = await in_thread(book, client_for(callers["alice"]), a_flight_in_the_catalog(), "tok_visa")
            # Then she receives PENDING, then CONFIRMED
            return [(await mine.next())["onBookingStatusChanged"] for _ in range(2)], booking["id"]

    events, booking_id = asyncio.run(scenario())

    assert [event["status"] for event in events] == ["PENDING", "CONFIRMED"]
    assert {event["bookingId"] for event in events} == {booking_id}


@pytest.mark.parametrize("caller", ["bob", "api_key"])
def test_another_customers_channel_is_refused_with_appsyncs_error(
    live: LiveServer, credentials: LocalCredentials, caller: str
) -> None:
    async def scenario() -> TransportQueryError:
        async with appsync_subscribed(live, auth_for(live, caller, credentials), ON_STATUS, ALICE_STATUS) as refused:
            return await refused.refusal()

    error = asyncio.run(scenario())

    # gql hands over the error message's payload: AppSync's {"errors": [...]}
    assert error.errors is not None
    (appsync_error,) = error.errors[0]["errors"]
    assert appsync_error["errorType"] == "Unauthorized"
    assert appsync_error["message"] == "Not Authorized to access onBookingStatusChanged on type Subscription"
    assert live.appsync.subscriptions.count("onBookingStatusChanged") == 0


def test_a_connection_with_a_wrong_api_key_is_refused_with_connection_error(live: LiveServer) -> None:
    async def scenario() -> None:
        auth = AppSyncApiKeyAuthentication(host="127.0.0.1", api_key="da2-not-the-key")
        with pytest.raises(TransportServerError, match="UnauthorizedException"):
            async with Client(transport=AppSyncWebsocketsTransport(url=realtime_url(live), auth=auth)):
                pass

    asyncio.run(scenario())


# -- the protocol, message by message -----------------------------------------------------------------------------


def _encoded(headers: dict[str, str], url_safe: bool) -> str:
    raw = json.dumps(headers).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=") if url_safe else base64.b64encode(raw).decode()


async def opened(
    server: LiveServer, headers: dict[str, str] | None, handshake: str = "subprotocol"
) -> ClientConnection:
    """A bare WebSocket to /graphql/realtime with `headers` in the handshake, as Amplify JS v6 ("subprotocol") or
    gql ("query") put them."""
    if handshake == "subprotocol":
        protocols = ["graphql-ws"] + ([f"header-{_encoded(headers, url_safe=True)}"] if headers else [])
        return await connect(realtime_url(server), subprotocols=protocols)  # type: ignore[arg-type]
    query = f"?header={_encoded(headers, url_safe=False)}&payload=e30=" if headers else ""
    return await connect(realtime_url(server) + query, subprotocols=["graphql-ws"])  # type: ignore[list-item]


async def receive(socket: ClientConnection, skip_keep_alive: bool = True) -> dict[str, Any]:
    async with asyncio.timeout(PATIENCE):
        while True:
            message: dict[str, Any] = json.loads(await socket.recv())
            if not (skip_keep_alive and message["type"] == "ka"):
                return message


async def send(socket: ClientConnection, message: dict[str, Any]) -> None:
    await socket.send(json.dumps(message))


def start(operation_id: str, query: str, variables: dict[str, Any], authorization: dict[str, str]) -> dict[str, Any]:
    data = json.dumps({"query": query, "variables": variables})
    return {
        "id": operation_id,
        "type": "start",
        "payload": {"data": data, "extensions": {"authorization": authorization}},
    }


@asynccontextmanager
async def acknowledged(
    server: LiveServer, headers: dict[str, str], handshake: str = "subprotocol"
) -> AsyncIterator[ClientConnection]:
    socket = await opened(server, headers, handshake)
    try:
        await send(socket, {"type": "connection_init"})
        ack = await receive(socket)
        assert ack == {"type": "connection_ack", "payload": {"connectionTimeoutMs": 300000}}
        yield socket
    finally:
        await socket.close()


@pytest.mark.parametrize("handshake", ["subprotocol", "query"])
def test_both_handshakes_are_acknowledged_and_a_subscription_started_and_stopped(
    live: LiveServer, callers: dict[str, dict[str, str]], handshake: str
) -> None:
    api_key = callers["api_key"]

    async def scenario() -> list[dict[str, Any]]:
        async with acknowledged(live, api_key, handshake) as socket:
            await send(socket, start("sub-1", ON_DELAY, {"flightId": "F1"}, api_key))
            started = await receive(socket)
            assert live.appsync.subscriptions.count("onFlightDelayed") == 1
            await send(socket, {"type": "stop", "id": "sub-1"})
            return [started, await receive(socket)]

    assert asyncio.run(scenario()) == [{"type": "start_ack", "id": "sub-1"}, {"type": "complete", "id": "sub-1"}]
    assert live.appsync.subscriptions.count("onFlightDelayed") == 0


def test_the_subscriber_receives_data_messages_shaped_by_its_selection(
    live: LiveServer, client_for: ClientFor, callers: dict[str, dict[str, str]]
) -> None:
    flight_id = a_flight_in_the_catalog()

    async def scenario() -> dict[str, Any]:
        async with acknowledged(live, callers["bob"]) as socket:
            await send(socket, start("d", "subscription { onFlightDelayed { flightId } }", {}, callers["bob"]))
            assert (await receive(socket))["type"] == "start_ack"
            await in_thread(delay, client_for(callers["admin"]), flight_id, 5)
            return await receive(socket)

    assert asyncio.run(scenario()) == {
        "type": "data",
        "id": "d",
        "payload": {"data": {"onFlightDelayed": {"flightId": flight_id}}},
    }


@pytest.mark.parametrize(
    "headers",
    [None, {"x-api-key": "da2-not-the-key"}, {"Authorization": "not-a-jwt"}],
    ids=["no headers", "a wrong API key", "a malformed token"],
)
def test_a_handshake_without_valid_credentials_gets_connection_error(
    live: LiveServer, headers: dict[str, str] | None
) -> None:
    async def scenario() -> dict[str, Any]:
        socket = await opened(live, headers)
        await send(socket, {"type": "connection_init"})
        return await receive(socket)

    assert asyncio.run(scenario()) == {
        "type": "connection_error",
        "payload": {
            "errors": [
                {
                    "errorType": "UnauthorizedException",
                    "message": "You are not authorized to make this call.",
                    "errorCode": 401,
                }
            ]
        },
    }


def test_a_handshake_without_the_graphql_ws_subprotocol_is_refused(live: LiveServer) -> None:
    async def scenario() -> None:
        with pytest.raises(InvalidStatus) as refused:
            await connect(realtime_url(live), subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
        assert refused.value.response.status_code == 403

    asyncio.run(scenario())


def test_a_start_is_authorized_by_its_own_credentials_not_the_connections(
    live: LiveServer, callers: dict[str, dict[str, str]]
) -> None:
    async def scenario() -> list[dict[str, Any]]:
        # Given a connection opened with the API key
        async with acknowledged(live, callers["api_key"]) as socket:
            # When a start carries a wrong key, and another Alice's token for her own channel
            await send(socket, start("bad", ON_DELAY, {}, {"x-api-key": "da2-not-the-key"}))
            refused = await receive(socket)
            await send(socket, start("mine", ON_STATUS, ALICE_STATUS, callers["alice"]))
            return [refused, await receive(socket)]

    refused, started = asyncio.run(scenario())

    # Then the first is refused as AppSync refuses bad credentials, and the second runs as Alice on the same socket
    assert refused == {
        "type": "error",
        "id": "bad",
        "payload": {
            "errors": [
                {
                    "errorType": "UnauthorizedException",
                    "message": "You are not authorized to make this call.",
                    "errorCode": 401,
                }
            ]
        },
    }
    assert started == {"type": "start_ack", "id": "mine"}


@pytest.mark.parametrize(
    ("document", "operation"),
    [('query { getFlight(id: "F1") { id } }', "query"), (DELAY, "mutation")],
)
def test_queries_and_mutations_are_refused_on_the_realtime_endpoint(
    live: LiveServer, callers: dict[str, dict[str, str]], document: str, operation: str
) -> None:
    admin = callers["admin"]

    async def scenario() -> dict[str, Any]:
        async with acknowledged(live, admin) as socket:
            await send(
                socket, start("q", document, {"input": {"flightId": "F1", "delayMinutes": 1, "reason": "r"}}, admin)
            )
            return await receive(socket)

    assert asyncio.run(scenario()) == {
        "type": "error",
        "id": "q",
        "payload": {
            "errors": [
                {
                    "errorType": "UnsupportedOperation",
                    "message": f"{operation} not supported through the realtime channel",
                }
            ]
        },
    }


def test_an_unknown_message_type_is_an_error_and_the_connection_carries_on(
    live: LiveServer, callers: dict[str, dict[str, str]]
) -> None:
    api_key = callers["api_key"]

    async def scenario() -> list[dict[str, Any]]:
        async with acknowledged(live, api_key) as socket:
            await send(socket, {"type": "subscribe", "id": "x"})
            unknown = await receive(socket)
            await send(socket, start("after", ON_DELAY, {}, api_key))
            return [unknown, await receive(socket)]

    unknown, started = asyncio.run(scenario())

    assert unknown == {
        "type": "error",
        "id": "x",
        "payload": {
            "errors": [
                {"errorType": "UnsupportedOperation", "message": "subscribe not supported through the realtime channel"}
            ]
        },
    }
    assert started == {"type": "start_ack", "id": "after"}


def test_a_message_that_is_not_json_is_an_error_and_the_connection_carries_on(
    live: LiveServer, callers: dict[str, dict[str, str]]
) -> None:
    async def scenario() -> list[dict[str, Any]]:
        async with acknowledged(live, callers["api_key"]) as socket:
            await socket.send("not json")
            await socket.send(b"\x00\xff")
            errors = [await receive(socket), await receive(socket)]
            await send(socket, start("s", ON_DELAY, {}, callers["api_key"]))
            return [*errors, await receive(socket)]

    malformed = {
        "type": "error",
        "payload": {"errors": [{"errorType": "BadRequestException", "message": "A message must be a JSON object"}]},
    }
    assert asyncio.run(scenario()) == [malformed, malformed, {"type": "start_ack", "id": "s"}]


def test_stop_of_an_unknown_id_completes_it_and_the_connection_carries_on(
    live: LiveServer, callers: dict[str, dict[str, str]]
) -> None:
    async def scenario() -> list[dict[str, Any]]:
        async with acknowledged(live, callers["api_key"]) as socket:
            await send(socket, {"type": "stop", "id": "never-started"})
            completed = await receive(socket)
            await send(socket, start("s", ON_DELAY, {}, callers["api_key"]))
            return [completed, await receive(socket)]

    assert asyncio.run(scenario()) == [{"type": "complete", "id": "never-started"}, {"type": "start_ack", "id": "s"}]


def test_keep_alive_messages_follow_the_acknowledgement_and_keep_coming(
    live: LiveServer, callers: dict[str, dict[str, str]]
) -> None:
    async def scenario() -> list[dict[str, Any]]:
        async with acknowledged(live, callers["api_key"]) as socket:
            # Nothing sent after connection_init: whatever arrives is the server's own.
            return [await receive(socket, skip_keep_alive=False) for _ in range(3)]

    assert asyncio.run(scenario()) == [{"type": "ka"}] * 3


def test_connections_dropped_abruptly_leave_no_subscription_behind(
    live: LiveServer, callers: dict[str, dict[str, str]]
) -> None:
    api_key = callers["api_key"]
    registry = live.appsync.subscriptions

    async def subscribed_socket(index: int) -> ClientConnection:
        socket = await opened(live, api_key, "subprotocol" if index % 2 else "query")
        await send(socket, {"type": "connection_init"})
        assert (await receive(socket))["type"] == "connection_ack"
        await send(socket, start("1", ON_DELAY, {"flightId": "F1"}, api_key))
        await send(socket, start("2", ON_STATUS, {"customer": "c"}, iam_headers()))
        assert [(await receive(socket))["type"] for _ in range(2)] == ["start_ack", "start_ack"]
        return socket

    async def scenario() -> None:
        for _ in range(3):
            sockets = await asyncio.gather(*(subscribed_socket(index) for index in range(100)))
            await live.until(lambda: len(registry) == 200)
            for socket in sockets:
                # Cut the TCP connection: no stop, no close frame.
                socket.transport.abort()
            await live.until(lambda: len(registry) == 0)

    asyncio.run(scenario())
    assert len(registry) == 0


def test_iam_publishes_to_an_appsync_protocol_subscriber(live: LiveServer, credentials: LocalCredentials) -> None:
    bob = user_sub("bob")
    status = {
        "bookingId": "01J00000000000000000000000",
        "customer": bob,
        "status": "CANCELLED",
        "bookingReference": "ABC234",
        "statusReason": "Cancelled by an administrator",
        "occurredAt": "2030-01-01T00:00:00Z",
    }

    async def scenario() -> dict[str, Any]:
        async with AsyncExitStack() as stack:
            bobs = await stack.enter_async_context(
                appsync_subscribed(live, auth_for(live, "bob", credentials), ON_STATUS, {"customer": bob})
            )
            await until_subscribed(live, "onBookingStatusChanged", 1)
            result = await live.appsync.execute_in_process(PUBLISH, {"input": status})
            assert result.errors is None
            event: dict[str, Any] = (await bobs.next())["onBookingStatusChanged"]
            return event

    assert asyncio.run(scenario())["status"] == "CANCELLED"


# -- fan-out: one execution per distinct answer --------------------------------------------------------------------

BRIEF_DELAY = "subscription($flightId: ID) { onFlightDelayed(flightId: $flightId) { flightId flightNumber } }"


def test_a_delay_is_executed_once_per_distinct_selection_and_reaches_every_subscriber_of_its_flight(
    live: LiveServer,
    client_for: ClientFor,
    callers: dict[str, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every field the server resolves passes the field-level auth check once: count those of the subscription's.
    executed: list[str] = []
    check = AuthorizeFields.resolve

    def counted(self: AuthorizeFields, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        if info.path.prev is not None and info.path.prev.key == "onFlightDelayed":
            executed.append(info.field_name)
        return check(self, _next, root, info, *args, **kwargs)

    monkeypatch.setattr(AuthorizeFields, "resolve", counted)
    # Every event a subscription's own stream takes (the rest are written to it by its group, at once).
    taken: list[PublishedEvent] = []
    take = Subscriber.take

    async def counted_take(self: Subscriber) -> Any:
        item = await take(self)
        if isinstance(item, PublishedEvent):
            taken.append(item)
        return item

    monkeypatch.setattr(Subscriber, "take", counted_take)
    delayed, other = a_flight_in_the_catalog(), a_flight_in_the_catalog()
    # Given 50 API-key subscribers of a flight with one selection, 5 signed-in ones with the same selection (another
    # auth mode: answered apart), 5 API-key ones with another selection, and 10 subscribers of another flight
    groups = {
        "api_key": (callers["api_key"], ON_DELAY, delayed, 50),
        "alice": (callers["alice"], ON_DELAY, delayed, 5),
        "brief": (callers["api_key"], BRIEF_DELAY, delayed, 5),
        "other": (callers["api_key"], ON_DELAY, other, 10),
    }

    async def subscribed(name: str, index: int) -> ClientConnection:
        headers, query, flight_id, _ = groups[name]
        socket = await opened(live, headers)
        await send(socket, {"type": "connection_init"})
        assert (await receive(socket))["type"] == "connection_ack"
        await send(socket, start(f"{name}-{index}", query, {"flightId": flight_id}, headers))
        assert (await receive(socket)) == {"type": "start_ack", "id": f"{name}-{index}"}
        return socket

    async def scenario() -> dict[str, list[dict[str, Any]]]:
        sockets = {
            name: await asyncio.gather(*(subscribed(name, index) for index in range(count)))
            for name, (_, _, _, count) in groups.items()
        }
        try:
            # When the flight is delayed once
            _, errors = await in_thread(delay, client_for(callers["admin"]), delayed, 20)
            assert errors == []
            received = {
                name: [await receive(socket) for socket in sockets[name]] for name in ("api_key", "alice", "brief")
            }
            # ... and then the other flight (so what its subscribers receive first shows they missed the first)
            _, errors = await in_thread(delay, client_for(callers["admin"]), other, 5)
            assert errors == []
            received["other"] = [await receive(socket) for socket in sockets["other"]]
            return received
        finally:
            for socket in (s for group in sockets.values() for s in group):
                await socket.close()

    received = asyncio.run(scenario())

    # Then each subscriber got its own selection of the event, under its own operation id
    full = {"flightId": delayed, "delayMinutes": 20, "reason": "Late crew"}
    for name, expected in (("api_key", full), ("alice", full), ("brief", {"flightId": delayed})):
        for index, message in enumerate(received[name]):
            assert message["type"] == "data"
            assert message["id"] == f"{name}-{index}"
            answer = message["payload"]["data"]["onFlightDelayed"]
            assert {key: answer[key] for key in expected} == expected
            assert answer.keys() == (full.keys() if name != "brief" else {"flightId", "flightNumber"})
    assert {m["payload"]["data"]["onFlightDelayed"]["delayMinutes"] for m in received["other"]} == {5}
    # And the first delay's selections were executed three times (one per distinct selection and auth mode), not
    # sixty; the second delay's once
    assert sorted(executed) == sorted(
        ["flightId", "delayMinutes", "reason"] * 2
        + ["flightId", "flightNumber"]
        + ["flightId", "delayMinutes", "reason"]
    )
    # And only the subscriber executing each group's answer took the event from its own queue (3 for the first
    # delay, 1 for the second): the answer was written to the 57 + 9 others by their group, without waking them
    assert len(taken) == 4


def test_subscribers_whose_variables_change_the_selection_get_their_own_answers(
    live: LiveServer, client_for: ClientFor, callers: dict[str, dict[str, str]]
) -> None:
    flight_id = a_flight_in_the_catalog()
    query = """subscription($flightId: ID, $full: Boolean!) {
      onFlightDelayed(flightId: $flightId) { flightId reason @include(if: $full) } }"""
    api_key = callers["api_key"]

    async def scenario() -> list[dict[str, Any]]:
        # Given two subscribers of the same flight with the same document, one asking for the reason
        async with acknowledged(live, api_key) as full, acknowledged(live, api_key) as brief:
            for socket, value in ((full, True), (brief, False)):
                await send(socket, start("1", query, {"flightId": flight_id, "full": value}, api_key))
                assert (await receive(socket))["type"] == "start_ack"
            # When the flight is delayed
            _, errors = await in_thread(delay, client_for(callers["admin"]), flight_id, 10)
            assert errors == []
            return [(await receive(socket))["payload"]["data"]["onFlightDelayed"] for socket in (full, brief)]

    # Then each got the answer its own variables ask for
    assert asyncio.run(scenario()) == [{"flightId": flight_id, "reason": "Late crew"}, {"flightId": flight_id}]
