"""The local AppSync served over real HTTP for the integration tests, and clients for every kind of caller."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from gql import Client
from gql.transport.requests import RequestsHTTPTransport

from appsync.local.graphql.auth import LocalCredentials, iam_headers
from appsync.local.graphql.limits import Limits
from appsync.local.server import LocalAppSync, serve_in_thread

# Tight limits for the server that tests them; the defaults leave no legal query of this schema over the depth.
STRICT = Limits(query_depth=2, resolver_count=2, tokens=200, body_bytes=4096)

ClientFor = Callable[[dict[str, str]], Client]


@pytest.fixture(scope="session")
def sample_flights(dynamodb: str) -> int:
    from appsync.local.dynamodb.seed import seed

    return seed()


@pytest.fixture(scope="session")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The servers' keys (API key, JWT signing key), shared so every server accepts the same credentials."""
    return Path(tmp_path_factory.mktemp("appsync"))


@pytest.fixture(scope="session")
def appsync(dynamodb: str, sample_flights: int, state_dir: Path) -> Iterator[LocalAppSync]:
    local = LocalAppSync(state_dir, limits=Limits())
    yield local
    local.close()


@pytest.fixture(scope="session")
def api_url(appsync: LocalAppSync) -> Iterator[str]:
    with serve_in_thread(appsync) as url:
        yield url


@pytest.fixture(scope="session")
def strict_api_url(appsync: LocalAppSync, state_dir: Path) -> Iterator[str]:
    # The same runtime as the main server: sagas, events and notices are process-wide, like the ports behind them.
    local = LocalAppSync(state_dir, limits=STRICT, runtime=appsync.runtime)
    with serve_in_thread(local) as url:
        yield url
    local.close()


def _client(url: str, headers: dict[str, str]) -> Client:
    return Client(transport=RequestsHTTPTransport(url=url, headers=headers, timeout=30, retries=0))


@pytest.fixture
def client_for(api_url: str) -> ClientFor:
    """A gql client of the local API sending `headers` (the credentials of a caller)."""
    return lambda headers: _client(api_url, headers)


@pytest.fixture
def strict_client(strict_api_url: str, credentials: LocalCredentials) -> Client:
    return _client(strict_api_url, {"x-api-key": credentials.api_key})


@pytest.fixture(scope="session")
def credentials(appsync: LocalAppSync) -> LocalCredentials:
    return appsync.credentials


@pytest.fixture(scope="session")
def callers(credentials: LocalCredentials) -> dict[str, dict[str, str]]:
    """The headers of each kind of caller: API key, customers, an admin, the in-process IAM principal, nobody."""
    return {
        "api_key": {"x-api-key": credentials.api_key},
        "alice": {"Authorization": credentials.issue_token("alice")},
        "bob": {"Authorization": credentials.issue_token("bob")},
        "admin": {"Authorization": credentials.issue_token("ops", admin=True)},
        "iam": iam_headers(),
        "nobody": {},
    }
