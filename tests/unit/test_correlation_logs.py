"""Log lines carry their own request's correlation id when many requests run at once in threads sharing one Logger,
as the local runtime runs them (on AWS one Lambda runs one invocation at a time)."""

from __future__ import annotations

import io
import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any

from aws_lambda_powertools.event_handler.appsync import Router

from resolvers.correlation import TRACE_HEADER, new_trace_id
from resolvers.handlers.app import build_handler, logger

REQUESTS = 200


def an_event(trace_id: str) -> dict[str, Any]:
    return {
        "arguments": {"marker": trace_id},
        "identity": None,
        "source": None,
        "request": {"headers": {TRACE_HEADER: trace_id}},
        "info": {"fieldName": "probe", "parentTypeName": "Query", "variables": {}, "selectionSetList": []},
        "prev": None,
        "stash": {},
    }


def test_concurrent_requests_log_under_their_own_correlation_id() -> None:
    # Given a resolver that logs twice with a pause between, so that requests interleave
    router = Router()

    @router.resolver(type_name="Query", field_name="probe")
    def probe(marker: str) -> str:
        logger.info("start", extra={"marker": marker})
        time.sleep(0.001)
        logger.info("end", extra={"marker": marker})
        return marker

    handler = build_handler(router)
    stream = io.StringIO()
    lock = threading.Lock()

    class Collect(logging.StreamHandler):  # type: ignore[type-arg]
        def emit(self, record: logging.LogRecord) -> None:
            with lock:
                super().emit(record)

    collect = Collect(stream)
    collect.setFormatter(logger.registered_formatter)
    logger.addHandler(collect)
    level = logger.log_level
    logger.setLevel(logging.INFO)
    try:
        # When 200 requests, each with its own trace id, run on 16 threads at once
        trace_ids = [new_trace_id() for _ in range(REQUESTS)]

        def invoke(trace_id: str) -> Any:
            context = SimpleNamespace(
                function_name="f", memory_limit_in_mb=128, invoked_function_arn="arn", aws_request_id=trace_id[-8:]
            )
            return handler(an_event(trace_id), context)

        with ThreadPoolExecutor(16) as pool:
            results = list(pool.map(invoke, trace_ids))
    finally:
        logger.removeHandler(collect)
        logger.setLevel(level)

    # Then every line names the request it belongs to, and no key outlives its request
    assert results == trace_ids
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    probes = [line for line in lines if line.get("message") in ("start", "end")]
    assert len(probes) == 2 * REQUESTS
    wrong = [line for line in probes if line.get("correlation_id") != line["marker"]]
    assert wrong == []
    assert all(line["function_request_id"] == line["marker"][-8:] for line in probes)
    assert "correlation_id" not in logger.thread_safe_get_current_keys()
