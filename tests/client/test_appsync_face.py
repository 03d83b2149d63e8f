"""The AppSync face, with no AWS account: the requests it signs (SigV4 with fixed fake credentials), the headers it
sends (API key, Cognito JWT), the realtime handshake URL it builds, and where it reads its settings from."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from airline_client import AirlineClient, ApiKey, Endpoint, Flight, Iam, Target, Token
from airline_client.connection import realtime_url_for, subscription_transport
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from gql.transport.appsync_websockets import AppSyncWebsocketsTransport

from tests.client.fakes import FLIGHT, scripted_server

FAKE = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
REGION = "eu-west-1"
APPSYNC_URL = "https://abcdefghijklmnopqrstuvwxyz.appsync-api.eu-west-1.amazonaws.com/graphql"
APPSYNC_HOST = urlsplit(APPSYNC_URL).netloc
ANSWER = (200, {"data": {"getFlight": FLIGHT}})


def test_iam_signs_each_request_with_sigv4_over_the_exact_body_sent() -> None:
    # Given the AppSync face with fixed fake AWS credentials (pointed at a recording server)
    iam = Iam(region=REGION, credentials=FAKE)
    with scripted_server(ANSWER) as (url, script), AirlineClient(url, target=Target.APPSYNC, auth=iam) as client:
        # When it reads a flight
        flight = client.get_flight(FLIGHT["id"])

    # Then the request carries a SigV4 signature for appsync in the region, by the fake key
    assert isinstance(flight, Flight)
    (sent,) = script.requests
    authorization = sent.headers["authorization"]
    assert authorization.startswith(f"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/{sent.headers['x-amz-date'][:8]}/")
    assert f"/{REGION}/appsync/aws4_request" in authorization
    signed_headers = authorization.split("SignedHeaders=")[1].split(",")[0].split(";")
    assert {"host", "x-amz-date", "content-type"} <= set(signed_headers)

    # And the signature is the one SigV4 gives for exactly the body and headers that went over the wire
    request = AWSRequest(
        method="POST",
        url=f"https://{sent.headers['host']}/graphql",
        headers={name: sent.headers[name] for name in signed_headers},
        data=sent.body,
    )
    request.context["timestamp"] = sent.headers["x-amz-date"]
    signer = SigV4Auth(FAKE, "appsync", REGION)
    expected = signer.signature(signer.string_to_sign(request, signer.canonical_request(request)), request)
    assert authorization.endswith(f"Signature={expected}")
    assert sent.json["operationName"] == "GetFlight"


def test_an_api_key_goes_in_x_api_key_and_a_user_token_in_authorization() -> None:
    with scripted_server(ANSWER) as (url, script):
        with AirlineClient(url, target="appsync", api_key="da2-fakekey") as client:
            client.get_flight(FLIGHT["id"])
        with AirlineClient(url, target="appsync", token="eyJ.fake.jwt") as client:
            client.get_flight(FLIGHT["id"])

    with_key, with_token = script.requests
    assert with_key.headers["x-api-key"] == "da2-fakekey"
    assert "authorization" not in with_key.headers
    assert with_token.headers["authorization"] == "eyJ.fake.jwt"
    assert "x-api-key" not in with_token.headers


def _handshake_header(url: str) -> dict[str, str]:
    query = parse_qs(urlsplit(url).query)
    assert query["payload"] == ["e30="]  # base64 of {}
    decoded: dict[str, str] = json.loads(base64.b64decode(query["header"][0]))
    return decoded


def test_the_realtime_handshake_url_carries_the_credentials_for_the_api_host() -> None:
    # Given the AppSync endpoint with an API key
    endpoint = Endpoint.resolve(APPSYNC_URL, api_key="da2-fakekey", environ={})

    # When the subscription transport is built
    url = subscription_transport(endpoint).adapter.url

    # Then it connects to the realtime host, the header naming the API host and the key
    assert url.startswith("wss://abcdefghijklmnopqrstuvwxyz.appsync-realtime-api.eu-west-1.amazonaws.com/graphql?")
    assert _handshake_header(url) == {"host": APPSYNC_HOST, "x-api-key": "da2-fakekey"}


def test_the_realtime_handshake_with_iam_is_signed_for_the_connect_path() -> None:
    endpoint = Endpoint.resolve(APPSYNC_URL, auth=Iam(region=REGION, credentials=FAKE), environ={})

    header = _handshake_header(subscription_transport(endpoint).adapter.url)

    assert header["host"] == APPSYNC_HOST
    assert header["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert f"/{REGION}/appsync/aws4_request" in header["Authorization"]
    assert "X-Amz-Date" in header or "x-amz-date" in header


def test_the_realtime_handshake_with_a_user_token() -> None:
    endpoint = Endpoint.resolve(APPSYNC_URL, token="eyJ.fake.jwt", environ={})

    header = _handshake_header(subscription_transport(endpoint).adapter.url)

    assert header == {"host": APPSYNC_HOST, "Authorization": "eyJ.fake.jwt"}


def test_a_custom_domain_uses_appsyncs_realtime_path() -> None:
    assert (
        realtime_url_for("https://api.example.com/graphql", Target.APPSYNC) == "wss://api.example.com/graphql/realtime"
    )
    # The local AppSync answers the same protocol where Amplify and gql look for it on a host that is not AppSync's
    assert realtime_url_for("http://127.0.0.1:4000/graphql", Target.LOCAL) == "ws://127.0.0.1:4000/graphql/realtime"
    assert realtime_url_for("https://127.0.0.1:4443/graphql", Target.LOCAL) == "wss://127.0.0.1:4443/graphql/realtime"


@pytest.mark.parametrize(
    ("credentials", "expected"),
    [
        ({"api_key": "da2-local"}, {"x-api-key": "da2-local"}),
        ({"token": "eyJ.local.jwt"}, {"Authorization": "eyJ.local.jwt"}),
        (
            {"headers": {"Authorization": "AWS4-HMAC-SHA256 Principal=p, Signature=s"}},
            {"Authorization": "AWS4-HMAC-SHA256 Principal=p, Signature=s"},
        ),
    ],
    ids=["api key", "user token", "in-process IAM headers"],
)
def test_the_local_face_subscribes_through_the_same_appsync_transport(
    credentials: dict[str, Any], expected: dict[str, str]
) -> None:
    # Given the local API
    endpoint = Endpoint.resolve("http://127.0.0.1:4000/graphql", **credentials, environ={})

    # When the subscription transport is built
    transport = subscription_transport(endpoint)

    # Then it is gql's AppSync transport, at <url>/realtime, with the credentials as plain headers in the handshake
    assert isinstance(transport, AppSyncWebsocketsTransport)
    assert transport.adapter.url.startswith("ws://127.0.0.1:4000/graphql/realtime?")
    assert _handshake_header(transport.adapter.url) == {"host": "127.0.0.1:4000", **expected}
    assert transport.auth.get_headers("{}") == {"host": "127.0.0.1:4000", **expected}


def test_settings_come_from_the_environment_when_not_given() -> None:
    environ = {"AIRLINE_API_URL": APPSYNC_URL, "AIRLINE_TOKEN": "eyJ.a.b", "AIRLINE_API_KEY": "da2-k"}

    from_env = Endpoint.resolve(environ=environ)
    with_key = Endpoint.resolve(environ={"AIRLINE_API_KEY": "da2-k"})
    iam = Endpoint.resolve(environ={"AIRLINE_API_URL": APPSYNC_URL, "AIRLINE_AUTH": "iam", "AWS_REGION": REGION})
    explicit = Endpoint.resolve("http://127.0.0.1:9/graphql", api_key="da2-arg", environ=environ)

    assert (from_env.url, from_env.target, from_env.auth) == (APPSYNC_URL, Target.APPSYNC, Token("eyJ.a.b"))
    assert (with_key.url, with_key.target, with_key.auth) == (
        "http://127.0.0.1:4000/graphql",
        Target.LOCAL,
        ApiKey("da2-k"),
    )
    assert iam.auth == Iam(region=REGION)
    assert (explicit.target, explicit.auth) == (Target.LOCAL, ApiKey("da2-arg"))


def test_iam_is_refused_for_the_local_server_whose_iam_is_in_process() -> None:
    with pytest.raises(ValueError, match="iam_headers"):
        Endpoint.resolve("http://127.0.0.1:4000/graphql", auth=Iam(region=REGION), environ={})
