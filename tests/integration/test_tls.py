"""The local AppSync over HTTPS and WSS with its local certificate: clients that trust the local CA (and only
those) query and subscribe, as Amplify JS must (it subscribes only over wss://)."""

from __future__ import annotations

import asyncio
import datetime
import json
import os
import socket
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import trustme
from cryptography import x509
from gql import Client, GraphQLRequest, gql
from gql.transport.websockets import WebsocketsTransport

from appsync.local.server import LocalAppSync, serve_in_thread
from appsync.local.tls import LocalCertificate
from resolvers.store import flights as flight_store
from tests.factories import a_flight

PATIENCE = 30.0
NODE_CLIENTS = Path(__file__).resolve().parents[1] / "node"
LIST = '{ listFlights(filter: {departureAirportCode: "LGW", arrivalAirportCode: "MAD"}, limit: 1) { items { id } } }'
ON_DELAY = "subscription($id: ID) { onFlightDelayed(flightId: $id) { flightId delayMinutes reason } }"
DELAY = "mutation($input: DelayFlightInput!) { delayFlight(input: $input) { flightId delayMinutes } }"


@pytest.fixture(scope="module")
def tls_url(appsync: LocalAppSync) -> Iterator[str]:
    with serve_in_thread(appsync, tls=True) as url:
        yield url


@pytest.fixture(scope="module")
def ca_path(appsync: LocalAppSync) -> Path:
    return appsync.certificate.ca_path


def test_the_url_is_https_and_the_certificate_names_every_local_host(tls_url: str, ca_path: Path) -> None:
    # Given the server over TLS
    parts = urlsplit(tls_url)
    assert parts.scheme == "https"

    # When a Python client that trusts the local CA (and nothing else) connects to it by address
    context = ssl.create_default_context(cafile=str(ca_path))
    with (
        socket.create_connection((parts.hostname, parts.port), timeout=PATIENCE) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        der = tls.getpeercert(binary_form=True)

    # Then the handshake verified, and the certificate is for 127.0.0.1, ::1 and localhost
    assert der is not None
    names = x509.load_der_x509_certificate(der).extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert set(names.value.get_values_for_type(x509.DNSName)) == {"localhost"}
    assert {str(ip) for ip in names.value.get_values_for_type(x509.IPAddress)} == {"127.0.0.1", "::1"}


def test_a_client_that_trusts_the_ca_queries_and_one_that_does_not_is_refused(
    tls_url: str, ca_path: Path, credentials: Any, sample_flights: int
) -> None:
    headers = {"x-api-key": credentials.api_key}

    # When requests trusts the local CA, the query answers
    answer = requests.post(tls_url, json={"query": LIST}, headers=headers, verify=str(ca_path), timeout=PATIENCE)
    assert answer.status_code == 200
    assert len(answer.json()["data"]["listFlights"]["items"]) == 1

    # And the same query under the system's CAs alone fails verification: the certificate is really checked
    with pytest.raises(requests.exceptions.SSLError):
        requests.post(tls_url, json={"query": LIST}, headers=headers, timeout=PATIENCE)


def test_a_wss_subscriber_receives_a_delay_made_over_https(
    appsync: LocalAppSync, tls_url: str, ca_path: Path, credentials: Any
) -> None:
    # Given a flight, and a subscriber to its delays over wss:// (graphql-transport-ws) with the API key
    flight = a_flight()
    flight_store.put_flight(flight)
    context = ssl.create_default_context(cafile=str(ca_path))
    admin = {"Authorization": credentials.issue_token("ops", admin=True)}

    async def scenario() -> dict[str, Any]:
        transport = WebsocketsTransport(
            url=tls_url.replace("https://", "wss://"),
            init_payload={"x-api-key": credentials.api_key},
            subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
            ssl=context,
        )
        before = appsync.subscriptions.count("onFlightDelayed")
        async with Client(transport=transport) as session, asyncio.timeout(PATIENCE):
            events = session.subscribe(GraphQLRequest(gql(ON_DELAY), variable_values={"id": flight.id}))
            first = asyncio.ensure_future(anext(events))
            while appsync.subscriptions.count("onFlightDelayed") == before:
                await asyncio.sleep(0.01)

            # When an admin delays the flight over HTTPS
            variables = {"input": {"flightId": flight.id, "delayMinutes": 25, "reason": "TLS test"}}
            answer = await asyncio.to_thread(
                requests.post,
                tls_url,
                json={"query": DELAY, "variables": variables},
                headers=admin,
                verify=str(ca_path),
                timeout=PATIENCE,
            )
            assert answer.json()["data"]["delayFlight"]["delayMinutes"] == 25
            event: dict[str, Any] = await first
            await events.aclose()
            return event

    # Then the subscriber receives it over wss://
    assert asyncio.run(scenario()) == {
        "onFlightDelayed": {"flightId": flight.id, "delayMinutes": 25, "reason": "TLS test"}
    }


def test_the_certificate_is_made_once_and_kept(tmp_path: Path) -> None:
    # Given a certificate made in a fresh state folder
    first = LocalCertificate(tmp_path)
    ca = first.ca_path.read_bytes()
    server = first.cert_path.read_bytes()

    # When the server starts again
    again = LocalCertificate(tmp_path)

    # Then it serves the same certificate under the same CA, and the keys are readable by their owner only
    assert again.ca_path.read_bytes() == ca
    assert again.cert_path.read_bytes() == server
    assert again.key_path.stat().st_mode & 0o077 == 0
    assert again.ca_key_path.stat().st_mode & 0o077 == 0


def test_a_server_certificate_near_its_end_is_renewed_under_the_same_ca(tmp_path: Path) -> None:
    # Given a kept certificate that has expired
    first = LocalCertificate(tmp_path)
    ca = first.ca_path.read_bytes()
    authority = trustme.CA.from_pem(ca, first.ca_key_path.read_bytes())
    past = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=2)
    old = authority.issue_cert("127.0.0.1", not_before=past - datetime.timedelta(days=1), not_after=past)
    first.cert_path.write_bytes(b"".join(blob.bytes() for blob in old.cert_chain_pems))

    # When the server starts again
    renewed = LocalCertificate(tmp_path)

    # Then it has a valid certificate that the CA clients already trust verifies
    cert = x509.load_pem_x509_certificate(renewed.cert_path.read_bytes())
    assert cert.not_valid_after_utc > datetime.datetime.now(datetime.UTC)
    assert renewed.ca_path.read_bytes() == ca
    cert.verify_directly_issued_by(x509.load_pem_x509_certificate(ca))


def test_amplify_js_configured_from_the_served_config_queries_over_tls(
    tls_url: str, ca_path: Path, credentials: Any, sample_flights: int
) -> None:
    # Given Amplify JS v6 in Node, trusting the local CA as the README says (NODE_EXTRA_CA_CERTS)
    environ = {
        **os.environ,
        "NODE_EXTRA_CA_CERTS": str(ca_path),
        "CONFIG_URL": tls_url.removesuffix("/graphql") + "/amplify-config.json",
        "QUERY": LIST,
    }

    # When it configures itself from /amplify-config.json and queries with its default auth mode
    done = subprocess.run(
        ["node", str(NODE_CLIENTS / "configured_query.mjs")],
        capture_output=True,
        text=True,
        env=environ,
        cwd=NODE_CLIENTS,
        timeout=120,
    )

    # Then it reached the TLS endpoint with the API key and got flights
    assert done.returncode == 0, done.stderr
    output = json.loads(done.stdout)
    assert output["config"]["API"]["GraphQL"]["endpoint"] == tls_url
    assert output["config"]["API"]["GraphQL"]["apiKey"] == credentials.api_key
    assert len(output["result"]["data"]["listFlights"]["items"]) == 1
