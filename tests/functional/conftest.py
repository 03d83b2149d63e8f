"""Fixtures for booking tests: the local runtime (saga runner, event bus) over DynamoDB Local."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from appsync.local.events.runtime import LocalRuntime


@pytest.fixture
def runtime(dynamodb: str) -> Iterator[LocalRuntime]:
    """Sagas and events run as locally; retry intervals shrunk 1000x so retries do not slow the tests."""
    local = LocalRuntime(max_sagas=8, retry_interval_scale=0.001).start()
    yield local
    local.stop()
