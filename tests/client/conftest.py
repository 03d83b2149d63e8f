"""The partner client against the local AppSync of the integration tests, through both of its faces."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from airline_client import AirlineClient, AsyncAirlineClient, Backoff

from appsync.local.graphql.auth import LocalCredentials, iam_headers

# The session's local AppSync, DynamoDB Local and credentials: the integration tests' fixtures.
from tests.integration.conftest import api_url, appsync, credentials, sample_flights, state_dir  # noqa: F401

# Short waits between retries, so tests of failures stay quick.
QUICK = Backoff(attempts=3, initial=0.01, maximum=0.05)


async def _collect(iterator: AsyncIterator[Any]) -> list[Any]:
    return [item async for item in iterator]


class AsyncFace:
    """AsyncAirlineClient behind AirlineClient's blocking interface (coroutines run to their end, async iterators
    collected), so one test body exercises both faces."""

    def __init__(self, client: AsyncAirlineClient) -> None:
        self.client = client
        self.endpoint = client.endpoint
        self.loop = asyncio.new_event_loop()

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.client, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            result = method(*args, **kwargs)
            if inspect.iscoroutine(result):
                return self.loop.run_until_complete(result)
            if inspect.isasyncgen(result):
                return iter(self.loop.run_until_complete(_collect(result)))
            return result

        return call

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.loop.close()


def credentials_of(local: LocalCredentials, caller: str) -> dict[str, Any]:
    """The client arguments of a kind of caller: "api_key", "iam", "nobody", a user name, or "admin"."""
    if caller == "api_key":
        return {"api_key": local.api_key}
    if caller == "iam":
        return {"headers": iam_headers()}
    if caller == "nobody":
        return {}
    if caller == "admin":
        return {"token": local.issue_token("ops", admin=True)}
    return {"token": local.issue_token(caller)}


Connect = Callable[..., Any]


@pytest.fixture(params=["sync", "async"])
def connect(request: pytest.FixtureRequest, api_url: str, credentials: LocalCredentials) -> Iterator[Connect]:  # noqa: F811
    """Makes a client of the local API for a caller, through the blocking face or the async one."""
    opened: list[Any] = []

    def make(caller: str, **kwargs: Any) -> Any:
        arguments = {"url": api_url, "backoff": QUICK, **credentials_of(credentials, caller), **kwargs}
        client = AirlineClient(**arguments) if request.param == "sync" else AsyncFace(AsyncAirlineClient(**arguments))
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.close()
