"""Hostile requests over real HTTP with only the API key: a fragment bomb is refused at once while other clients
are served; malformed bodies and headers get AppSync-like 4xx answers, never a 500."""

from __future__ import annotations

import threading
import time
from typing import Any

import requests

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
