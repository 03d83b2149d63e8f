"""The error boundary over real HTTP: an internal failure names a correlation id (the request's trace id when it
is one, else a fresh one) and nothing else; a trace header in another format never comes back."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import requests

from resolvers.store import flights as flight_store
from tests.integration.test_local_appsync import LIST_FLIGHTS, route

TRACE_ID = "Root=1-6740a1b2-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1"
X_RAY = re.compile(r"Root=1-[0-9a-f]{8}-[0-9a-f]{24}(;[A-Za-z]+=[A-Za-z0-9]+)*")


@pytest.fixture
def broken_store(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("table airline-local at http://127.0.0.1:8000 refused")

    monkeypatch.setattr(flight_store, "search_route", broken)


@pytest.mark.parametrize(
    ("sent", "echoed"),
    [
        (TRACE_ID, True),
        ("<script>alert(1)</script>", False),
        ("Root=1-6740a1b2-0123456789abcdef01234567<script>", False),
        ("Root=1-6740a1b2-0123456789abcdef01234567;Parent=x y", False),
        ("a" * 8000, False),
    ],
)
def test_an_internal_failure_answers_only_a_well_formed_correlation_id(
    api_url: str, callers: dict[str, dict[str, str]], broken_store: None, sent: str, echoed: bool
) -> None:
    headers = {**callers["api_key"], "x-amzn-trace-id": sent}

    answer = requests.post(api_url, json={"query": LIST_FLIGHTS, "variables": route()}, headers=headers, timeout=30)

    assert answer.status_code == 200
    (error,) = answer.json()["errors"]
    assert error["errorType"] == "InternalFailure"
    correlation_id = error["errorInfo"]["correlationId"]
    assert X_RAY.fullmatch(correlation_id)
    assert (correlation_id == sent) is echoed
    body = answer.text
    for leak in ("<script>", "airline-local", "127.0.0.1", "RuntimeError", sent if not echoed else "\0"):
        assert leak not in body
    assert json.loads(body)["data"] is None


def test_a_document_error_never_echoes_a_malformed_trace_header(
    api_url: str, callers: dict[str, dict[str, str]]
) -> None:
    headers = {**callers["api_key"], "x-amzn-trace-id": "<script>alert(1)</script>"}

    answer = requests.post(api_url, json={"query": "{ nope }"}, headers=headers, timeout=30)

    assert "<script>" not in answer.text
    assert answer.json()["errors"]
