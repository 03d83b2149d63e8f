"""Real AppSync clients against the local AppSync over TLS, as a frontend meets it: Amplify JS v6 in Node
(tests/node/realtime.mjs, which finds wss://<host>/graphql/realtime on its own) and gql's AppSyncWebsocketsTransport
over wss://, trusting the local certificate authority."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gql import Client, GraphQLRequest, gql
from gql.transport.appsync_auth import AppSyncJWTAuthentication
from gql.transport.appsync_websockets import AppSyncWebsocketsTransport
from gql.transport.requests import RequestsHTTPTransport

from appsync.local.graphql.auth import LocalCredentials, user_sub
from appsync.local.graphql.limits import Limits
from appsync.local.server import LocalAppSync, serve_in_thread
from tests.integration.test_live_updates import DELAY, ON_DELAY, PATIENCE, a_flight_in_the_catalog

NODE_CLIENTS = Path(__file__).resolve().parents[1] / "node"


class TlsServer:
    def __init__(self, appsync: LocalAppSync, url: str) -> None:
        self.appsync = appsync
        self.url = url
        self.ca_path = str(appsync.certificate.ca_path)


@pytest.fixture(scope="module")
def tls(dynamodb: str, sample_flights: int, state_dir: Path) -> Iterator[TlsServer]:
    local = LocalAppSync(state_dir, limits=Limits())
    with serve_in_thread(local, tls=True) as url:
        yield TlsServer(local, url)
    local.close()


@pytest.fixture(autouse=True)
def settled(tls: TlsServer) -> Iterator[None]:
    yield
    tls.appsync.runtime.settle()


def amplify(server: TlsServer, scenario: str, **settings: str) -> dict[str, Any]:
    """Runs one scenario of the Amplify JS client; answers what it received: {"events": [...], "errors": [...]}."""
    env = {
        **os.environ,
        "NODE_EXTRA_CA_CERTS": server.ca_path,
        # All a frontend is told: where its configuration is (the endpoint, the API key, the auth mode).
        "AIRLINE_CONFIG_URL": server.url.removesuffix("/graphql") + "/amplify-config.json",
        "AIRLINE_SCENARIO": scenario,
        **{f"AIRLINE_{name.upper()}": value for name, value in settings.items()},
    }
    completed = subprocess.run(
        ["node", "realtime.mjs"], cwd=NODE_CLIENTS, env=env, capture_output=True, text=True, timeout=PATIENCE * 2
    )
    lines = completed.stdout.strip().splitlines()
    assert lines, f"no answer from node (exit {completed.returncode}): {completed.stderr[-2000:]}"
    answer: dict[str, Any] = json.loads(lines[-1])
    return answer


def test_amplify_receives_a_flight_delay_over_wss(tls: TlsServer, credentials: LocalCredentials) -> None:
    # Given an Amplify JS app configured from /amplify-config.json (the https endpoint, the API key), watching a flight
    flight_id = a_flight_in_the_catalog()

    # When an Admin (signed in, through the same app) delays it
    answer = amplify(tls, "delay", flight=flight_id, admin_token=credentials.issue_token("ops", admin=True))

    # Then the app's subscription receives the delay
    assert answer == {
        "events": [{"onFlightDelayed": {"flightId": flight_id, "delayMinutes": 20, "reason": "Late inbound aircraft"}}],
        "errors": [],
    }


def test_amplify_follows_a_customers_booking_from_pending_to_confirmed(
    tls: TlsServer, credentials: LocalCredentials
) -> None:
    alice = user_sub("alice")

    answer = amplify(
        tls, "booking", flight=a_flight_in_the_catalog(), token=credentials.issue_token("alice"), customer=alice
    )

    assert answer["errors"] == []
    statuses = [event["onBookingStatusChanged"] for event in answer["events"]]
    assert [status["status"] for status in statuses] == ["PENDING", "CONFIRMED"]
    assert {status["customer"] for status in statuses} == {alice}
    assert len({status["bookingId"] for status in statuses}) == 1


def test_amplify_is_refused_another_customers_channel_with_appsyncs_error(
    tls: TlsServer, credentials: LocalCredentials
) -> None:
    answer = amplify(tls, "refused", token=credentials.issue_token("bob"), customer=user_sub("alice"))

    assert answer["events"] == []
    (error,) = answer["errors"]
    # Amplify reports AppSync's error message as it came: {"errors": [{"errorType": "Unauthorized", ...}]}
    assert '"errorType":"Unauthorized"' in error["message"]
    assert "Not Authorized to access onBookingStatusChanged on type Subscription" in error["message"]
    assert tls.appsync.subscriptions.count("onBookingStatusChanged") == 0


def test_gql_subscribes_over_wss_with_a_user_token(tls: TlsServer, credentials: LocalCredentials) -> None:
    flight_id = a_flight_in_the_catalog()
    host = tls.url.split("/")[2]
    admin = Client(
        transport=RequestsHTTPTransport(
            url=tls.url,
            headers={"Authorization": credentials.issue_token("ops", admin=True)},
            verify=tls.ca_path,
            timeout=30,
        )
    )

    async def scenario() -> dict[str, Any]:
        transport = AppSyncWebsocketsTransport(
            url=tls.url.replace("https://", "wss://") + "/realtime",
            auth=AppSyncJWTAuthentication(host=host, jwt=credentials.issue_token("carol")),
            ssl=tls.appsync.certificate.client_context(),
        )
        async with Client(transport=transport) as session:
            events = session.subscribe(GraphQLRequest(gql(ON_DELAY), variable_values={"flightId": flight_id}))
            first = asyncio.ensure_future(anext(events))
            async with asyncio.timeout(PATIENCE):
                while tls.appsync.subscriptions.count("onFlightDelayed") == 0:
                    await asyncio.sleep(0.01)
            variables = {"input": {"flightId": flight_id, "delayMinutes": 5, "reason": "Fog"}}
            await asyncio.to_thread(admin.execute, GraphQLRequest(gql(DELAY), variable_values=variables))
            async with asyncio.timeout(PATIENCE):
                event: dict[str, Any] = await first
            await events.aclose()
            return event

    assert asyncio.run(scenario()) == {"onFlightDelayed": {"flightId": flight_id, "delayMinutes": 5, "reason": "Fog"}}
