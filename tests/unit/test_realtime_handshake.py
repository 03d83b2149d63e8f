"""How the real-time endpoint reads a handshake's auth headers: from the `header-…` subprotocol (base64url, no
padding, as Amplify JS sends it) or from the `header` query parameter (standard base64, as gql sends it)."""

from __future__ import annotations

import base64
import json

import pytest

from appsync.local.realtime.appsync_protocol import handshake_headers

# Chosen so that its base64 holds both a `+` and a `/` (and its base64url a `-` and a `_`).
HEADERS = {"host": "127.0.0.1:4000", "x-api-key": "da2-~~~>>>???"}
RAW = json.dumps(HEADERS).encode()
STANDARD = base64.b64encode(RAW).decode()
URL_SAFE = base64.urlsafe_b64encode(RAW).decode().rstrip("=")
EXPECTED = {"host": "127.0.0.1:4000", "x-api-key": "da2-~~~>>>???"}


def test_the_chosen_headers_exercise_both_base64_alphabets() -> None:
    assert {"+", "/"} <= set(STANDARD)
    assert {"-", "_"} <= set(URL_SAFE)


def test_amplifys_header_subprotocol_is_read() -> None:
    assert handshake_headers(["graphql-ws", f"header-{URL_SAFE}"], b"") == EXPECTED


@pytest.mark.parametrize(
    "query",
    [f"header={STANDARD}&payload=e30=", f"payload=e30=&header={STANDARD.replace('+', '%2B')}"],
    ids=["as gql sends it, unescaped", "percent-escaped"],
)
def test_the_header_query_parameter_is_read(query: str) -> None:
    assert handshake_headers(["graphql-ws"], query.encode()) == EXPECTED


def test_header_names_are_read_case_insensitively() -> None:
    encoded = base64.b64encode(json.dumps({"Authorization": "eyJ.a.b", "X-Api-Key": "k"}).encode()).decode()

    assert handshake_headers(["graphql-ws"], f"header={encoded}".encode()) == {
        "authorization": "eyJ.a.b",
        "x-api-key": "k",
    }


@pytest.mark.parametrize(
    ("subprotocols", "query"),
    [
        (["graphql-ws"], b""),
        (["graphql-ws", "header-not base64!"], b""),
        (["graphql-ws"], b"header=" + base64.b64encode(b"[1, 2]")),
        (["graphql-ws"], b"header=" + base64.b64encode(b"not json")),
    ],
    ids=["none", "not base64", "not an object", "not JSON"],
)
def test_a_handshake_without_readable_headers_has_none(subprotocols: list[str], query: bytes) -> None:
    assert handshake_headers(subprotocols, query) is None
