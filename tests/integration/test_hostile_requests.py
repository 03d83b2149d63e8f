"""Hostile requests over real HTTP with only the API key: a fragment bomb is refused at once while other clients
are served; malformed bodies and headers get AppSync-like 4xx answers, never a 500."""

from __future__ import annotations

import asyncio
import base64
import http.client
import json
import threading
import time
import urllib.parse
from typing import Any

import pytest
import requests
from graphql import print_ast
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from appsync.local.graphql import cost
from appsync.local.graphql.auth import LocalCredentials
from tests.integration.test_local_appsync import LIST_FLIGHTS, route

FRAGMENTS = 35


def fragment_bomb(depth: int = FRAGMENTS) -> str:
    """Each fragment spreads the next twice: 2^depth fields once expanded, in a few hundred tokens."""
    parts = ['query Bomb { listFlights(filter: {departureAirportCode: "LGW", arrivalAirportCode: "MAD"}) { ...F0 } }']
    for level in range(depth):
        parts.append(f"fragment F{level} on FlightConnection {{ nextToken ...F{level + 1} ...F{level + 1} }}")
    parts.append(f"fragment F{depth} on FlightConnection {{ nextToken }}")
    return "\n".join(parts)


def test_a_fragment_bomb_is_refused_at_once_while_another_client_is_served(
    api_url: str, callers: dict[str, dict[str, str]]
) -> None:
    answers: dict[str, Any] = {}

    def bomb() -> None:
        started = time.monotonic()
        answers["bomb"] = requests.post(
            api_url, json={"query": fragment_bomb()}, headers=callers["api_key"], timeout=10
        )
        answers["bomb_seconds"] = time.monotonic() - started

    attacker = threading.Thread(target=bomb)
    attacker.start()
    normal = requests.post(
        api_url, json={"query": LIST_FLIGHTS, "variables": route()}, headers=callers["api_key"], timeout=10
    )
    attacker.join(timeout=15)

    assert not attacker.is_alive()
    assert normal.status_code == 200
    assert normal.json()["data"]["listFlights"]["items"]
    refused = answers["bomb"]
    assert refused.status_code in {200, 400}
    (error,) = refused.json()["errors"]
    assert "fragments are expanded" in error["message"]
    assert refused.json().get("data") is None
    print(f"fragment bomb of {FRAGMENTS} fragments answered in {answers['bomb_seconds'] * 1000:.0f} ms")


def test_a_document_below_the_expansion_bound_still_runs(api_url: str, callers: dict[str, dict[str, str]]) -> None:
    answer = requests.post(api_url, json={"query": fragment_bomb(8)}, headers=callers["api_key"], timeout=10)

    assert answer.status_code == 200
    assert "errors" not in answer.json(), answer.text[:300]


def test_a_document_sent_again_is_not_validated_again_and_a_wrong_one_is_still_refused(
    api_url: str, callers: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    validated: list[str] = []
    validate = cost.validate_document

    def counted(schema: Any, document: Any, rules: Any) -> Any:
        validated.append(print_ast(document))
        return validate(schema, document, rules)

    monkeypatch.setattr(cost, "validate_document", counted)
    # Given a document this server has not seen, and one that asks for a field that does not exist
    fresh = "query SentAgain { __typename }"
    wrong = "query SentAgainWrong { __typename noSuchField }"

    # When each is sent three times
    answers = [
        requests.post(api_url, json={"query": query}, headers=callers["api_key"], timeout=10).json()
        for query in (fresh, wrong)
        for _ in range(3)
    ]

    # Then each got the same answer every time, the wrong one refused by validation
    assert answers[:3] == [{"data": {"__typename": "Query"}}] * 3
    assert all("noSuchField" in answer["errors"][0]["message"] for answer in answers[3:])
    # And each was validated once, not three times
    assert len(validated) == 2


DEEP = 100_000
QUERY = b'{"query": "{ __typename }"}'
# (case, body bytes, extra headers as raw bytes) -> an AppSync-like 4xx
MALFORMED = [
    ("invalid utf-8", b'{"query": "\xff\xfe{ __typename }"}', {}),
    ("json number", b"42", {}),
    ("json null", b"null", {}),
    ("json string", b'"{ __typename }"', {}),
    ("json array", b"[1, 2]", {}),
    ("not json", b"{query", {}),
    ("deep nesting", b"[" * DEEP + b"]" * DEEP, {}),
    ("deep object", b'{"query": "{ __typename }", "variables": ' + b'{"a":' * DEEP + b"1" + b"}" * DEEP + b"}", {}),
    ("variables not an object", b'{"query": "{ __typename }", "variables": 5}', {}),
    ("query not a string", b'{"query": 5}', {}),
    ("non-ascii api key", QUERY, {b"x-api-key": "clé-\u00e9".encode("latin-1")}),
    ("raw bytes api key", QUERY, {b"x-api-key": b"\xff\xfe\x80"}),
    ("non-ascii authorization", QUERY, {b"authorization": b"Bearer \xe9\xff"}),
]


@pytest.mark.parametrize(("body", "headers"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_a_malformed_request_gets_a_4xx_with_appsync_errors(
    api_url: str, callers: dict[str, dict[str, str]], body: bytes, headers: dict[bytes, bytes]
) -> None:
    parsed = urllib.parse.urlsplit(api_url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    sent = {b"content-type": b"application/json", **{k.encode(): v.encode() for k, v in callers["api_key"].items()}}
    sent.update(headers)
    connection.putrequest("POST", parsed.path)
    for name, value in sent.items():
        connection.putheader(name, value)
    connection.putheader(b"content-length", str(len(body)).encode())
    connection.endheaders(body)
    answer = connection.getresponse()
    payload = answer.read()
    connection.close()

    assert 400 <= answer.status < 500, (answer.status, payload[:300])
    errors = json.loads(payload)["errors"]
    assert errors
    assert all(error.get("message") for error in errors)
    assert b"Traceback" not in payload


async def closing_code(socket: ClientConnection) -> int | None:
    """The close code the server ends the connection with (messages before it are skipped); bounded wait."""
    try:
        async with asyncio.timeout(10):
            while True:
                await socket.recv()
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None


def test_a_websocket_frame_over_the_body_limit_closes_the_connection_with_1009(
    api_url: str, credentials: LocalCredentials
) -> None:
    headers = json.dumps({"x-api-key": credentials.api_key, "host": "127.0.0.1"}).encode()
    url = (
        api_url.replace("http://", "ws://") + "/realtime?header=" + base64.b64encode(headers).decode() + "&payload=e30="
    )

    async def oversized() -> int | None:
        async with connect(url, subprotocols=[Subprotocol("graphql-ws")], max_size=None) as socket:
            await socket.send(json.dumps({"type": "connection_init"}))
            ack = json.loads(await asyncio.wait_for(socket.recv(), 10))
            assert ack["type"] == "connection_ack"
            try:
                await socket.send(
                    json.dumps({"type": "start", "id": "1", "payload": {"data": "x" * (2 * 1024 * 1024)}})
                )
            except ConnectionClosed as closed:
                # the server may close while the frame is still being written: its close code is the answer
                return closed.rcvd.code if closed.rcvd else None
            return await closing_code(socket)

    assert asyncio.run(oversized()) == 1009


NON_ASCII_KEY = "cl\u00e9-\u00ff"


@pytest.mark.parametrize(
    ("case", "protocol", "frames", "expected"),
    [
        ("number", "graphql-transport-ws", ["42"], 4400),
        ("null", "graphql-transport-ws", ["null"], 4400),
        ("array", "graphql-transport-ws", ["[1, 2]"], 4400),
        ("string", "graphql-transport-ws", ['"connection_init"'], 4400),
        (
            "non-ascii key",
            "graphql-transport-ws",
            [json.dumps({"type": "connection_init", "payload": {"x-api-key": NON_ASCII_KEY}})],
            4403,
        ),
        ("non-ascii key", "graphql-ws", [json.dumps({"type": "connection_init"})], 1000),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 24 else None,
)
def test_a_malformed_websocket_frame_or_credential_gets_a_close_code(
    api_url: str, credentials: LocalCredentials, case: str, protocol: str, frames: list[str], expected: int
) -> None:
    url = api_url.replace("http://", "ws://")
    if protocol == "graphql-ws":
        # AppSync's real-time protocol: the credentials ride in the handshake; these ones are not ASCII
        headers = json.dumps({"x-api-key": NON_ASCII_KEY, "host": "127.0.0.1"}).encode()
        url += "/realtime?header=" + base64.b64encode(headers).decode() + "&payload=e30="

    async def exchange() -> tuple[list[dict[str, Any]], int | None]:
        async with connect(url, subprotocols=[Subprotocol(protocol)]) as socket:
            for frame in frames:
                await socket.send(frame)
            received: list[dict[str, Any]] = []
            try:
                async with asyncio.timeout(10):
                    while True:
                        received.append(json.loads(await socket.recv()))
            except ConnectionClosed as closed:
                return received, closed.rcvd.code if closed.rcvd else None

    received, code = asyncio.run(exchange())

    assert code == expected
    if protocol == "graphql-ws":
        assert [message["type"] for message in received] == ["connection_error"]
        assert received[0]["payload"]["errors"][0]["errorType"] == "UnauthorizedException"
