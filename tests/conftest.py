"""Test session: DynamoDB Local started once, a Lambda-like environment, and a count of every DynamoDB call."""

from __future__ import annotations

import itertools
import os
import string
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.session
import pytest

from appsync.local import environment
from appsync.local.dynamodb.local import DynamoDBLocal

os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")


class DynamoDBCalls:
    """Every DynamoDB API call any botocore client of this process makes, by operation name, in order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.session: list[str] = []
        self.operations: list[str] = []

    def record(self, model: Any, **_: Any) -> None:
        with self._lock:
            self.session.append(model.name)
            self.operations.append(model.name)

    def reset(self) -> None:
        with self._lock:
            self.operations = []

    def count(self, operation: str) -> int:
        return self.operations.count(operation)


CALLS = DynamoDBCalls()
_create_client = botocore.session.Session.create_client


def _counting_create_client(self: botocore.session.Session, *args: Any, **kwargs: Any) -> Any:
    client = _create_client(self, *args, **kwargs)
    client.meta.events.register("before-call.dynamodb", CALLS.record)
    return client


botocore.session.Session.create_client = _counting_create_client  # type: ignore[method-assign]


@pytest.fixture(scope="session")
def dynamodb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """DynamoDB Local in memory for the whole session, with the table created; yields its endpoint."""
    with DynamoDBLocal() as local:
        environment.configure(local.endpoint, Path(tmp_path_factory.mktemp("state")))
        from resolvers.store.table import create_table_if_missing

        create_table_if_missing()
        yield local.endpoint
    # The whole suite's promise: no code path ever scans the table.
    assert "Scan" not in CALLS.session, f"a Scan was issued during the test session: {CALLS.session.count('Scan')}"


@pytest.fixture
def dynamodb_calls(dynamodb: str) -> DynamoDBCalls:
    """The DynamoDB calls made from this point of the test on."""
    CALLS.reset()
    return CALLS


_codes = (
    "".join(letters)
    for letters in itertools.product(string.ascii_uppercase, repeat=3)
    # No sample airport starts with these; ZZ* is left for the factories' default route.
    if letters[0] in "QX"
)
_codes_lock = threading.Lock()


@pytest.fixture
def new_airport() -> Any:
    """A fresh airport code per call, so tests on routes never see each other's flights."""

    def make() -> str:
        with _codes_lock:
            return next(_codes)

    return make
