"""The handlers' one error boundary: an unexpected exception is an InternalFailure carrying the correlation id,
logged with its stack; no exception text, endpoint or table name reaches the client; trace ids only in their
format; a saga's statusReason only from the known reasons."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest
from botocore.exceptions import EndpointConnectionError

from resolvers.handlers.app import logger
from resolvers.handlers.flights import handler
from resolvers.services.booking_saga import DEFAULT_REASON, FAILURE_REASONS, failure_reason
from resolvers.store import flights as flight_store
from tests.factories import batch_event, context, error_of, event

TRACE_ID = "Root=1-6740a1b2-0123456789abcdef01234567"
SECRET = "table airline-prod at https://dynamodb.eu-west-1.amazonaws.com, key AKIAEXAMPLE"


def list_flights(trace_id: str | None = TRACE_ID) -> Any:
    request = event("query_list_flights")
    request["request"]["headers"]["x-amzn-trace-id"] = trace_id
    return handler(request, context("catalog"))


def _fail_with(monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    def broken(*_: Any, **__: Any) -> Any:
        raise error

    monkeypatch.setattr(flight_store, "search_route", broken)
    monkeypatch.setattr(flight_store, "get_flights", broken)


def test_an_unexpected_exception_is_a_generic_internal_failure_with_the_correlation_id_and_a_logged_stack(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _fail_with(monkeypatch, RuntimeError(SECRET))
    lines = io.StringIO()
    formatted = logging.StreamHandler(lines)
    formatted.setFormatter(logger.registered_formatter)
    logger.addHandler(formatted)
    try:
        error = error_of(list_flights())
    finally:
        logger.removeHandler(formatted)

    assert error["errorType"] == "InternalFailure"
    assert error["errorInfo"] == {"retryable": False, "correlationId": TRACE_ID}
    assert TRACE_ID in error["message"]
    for leak in ("airline-prod", "amazonaws", "AKIA", "RuntimeError", "Traceback"):
        assert leak not in json.dumps(error)
    (record,) = [r for r in caplog.records if r.getMessage() == "Unexpected error"]
    assert record.exc_info is not None
    assert record.exc_info[0] is RuntimeError
    (logged,) = [json.loads(line) for line in lines.getvalue().splitlines() if "Unexpected error" in line]
    assert logged["correlation_id"] == TRACE_ID
    assert "RuntimeError" in logged["exception"]


def test_an_unreachable_database_is_a_retryable_internal_failure_without_its_endpoint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _fail_with(monkeypatch, EndpointConnectionError(endpoint_url="http://10.0.0.7:8000"))

    error = error_of(list_flights())

    assert error["errorType"] == "InternalFailure"
    assert error["errorInfo"]["retryable"] is True
    assert "10.0.0.7" not in json.dumps(error)


@pytest.mark.parametrize(
    "trace_id",
    ["<script>alert(1)</script>", "Root=1-6740a1b2-0123456789abcdef01234567<script>", "x" * 10_000, "", None],
)
def test_a_trace_id_not_in_the_x_ray_format_is_never_echoed(monkeypatch: pytest.MonkeyPatch, trace_id: Any) -> None:
    _fail_with(monkeypatch, RuntimeError(SECRET))

    error = error_of(list_flights(trace_id))

    correlation_id = error["errorInfo"]["correlationId"]
    assert correlation_id != trace_id
    assert correlation_id in error["message"]
    assert "<" not in json.dumps(error)
    assert len(correlation_id) < 100


def test_a_failing_batch_answers_one_internal_failure_per_source(monkeypatch: pytest.MonkeyPatch) -> None:
    _fail_with(monkeypatch, RuntimeError(SECRET))
    sources = [{"id": f"b{i}", "outboundFlightId": "01J0000000000000000000000A"} for i in range(3)]

    results = handler(batch_event("batch_booking_outbound_flight", sources, None), context("catalog"))

    assert [error_of(result)["errorType"] for result in results] == ["InternalFailure"] * 3
    assert "airline-prod" not in json.dumps(results)


@pytest.mark.parametrize(
    "error",
    [
        {"Error": "RuntimeError", "Cause": json.dumps({"errorMessage": SECRET})},
        {"Error": "Lambda.Unknown", "Cause": "Task timed out after 15.00 seconds at 10.0.0.7"},
        {"Error": "<script>", "Cause": "{}"},
        {"Error": 42, "Cause": None},
        None,
    ],
)
def test_a_saga_failure_reason_is_only_ever_a_known_reason(error: Any) -> None:
    reason = failure_reason(error)

    assert reason == DEFAULT_REASON
    assert reason in {DEFAULT_REASON, *FAILURE_REASONS.values()}


def test_a_known_saga_failure_keeps_its_specific_reason() -> None:
    assert failure_reason({"Error": "CardDeclined", "Cause": "{}"}) == FAILURE_REASONS["CardDeclined"]
