"""What a frontend on another origin meets: CORS as AppSync answers it (errors included), /amplify-config.json,
/schema.graphql for codegen, and the web app's build served at / with a single-page app's fallback."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from graphql import build_schema

from appsync.fields import full_schema_sdl
from appsync.local.graphql.auth import LocalCredentials
from appsync.local.graphql.limits import Limits
from appsync.local.server import LocalAppSync, serve_in_thread
from resolvers import config

ORIGIN = "http://localhost:5173"
APPSYNC_CLIENT_HEADERS = [
    "authorization",
    "x-api-key",
    "content-type",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-user-agent",
    "x-amz-content-sha256",
]
LIST = '{ listFlights(filter: {departureAirportCode: "LGW", arrivalAirportCode: "MAD"}, limit: 1) { items { id } } }'
INDEX = "<!doctype html><title>Airline</title><div id=app></div>"
SCRIPT = "console.log('airline');"
TIMEOUT = 30
# Debian's chromium (apt-get install chromium), which the browser tests of this project drive.
CHROMIUM = "/usr/bin/chromium"
# Prints the page once its script is done (virtual time waits for its requests); no calls home on a closed network.
BROWSER_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--virtual-time-budget=20000",
    "--dump-dom",
]


@dataclass
class Served:
    appsync: LocalAppSync
    url: str

    @property
    def base(self) -> str:
        return self.url.removesuffix("/graphql")


@pytest.fixture(scope="module")
def web_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A web app's build: an index.html and a hashed asset, as Vite writes them."""
    dist = tmp_path_factory.mktemp("dist")
    (dist / "index.html").write_text(INDEX)
    (dist / "assets").mkdir()
    (dist / "assets" / "index-3f2a.js").write_text(SCRIPT)
    return dist


@pytest.fixture(scope="module")
def frontend(appsync: LocalAppSync, state_dir: Path, web_dist: Path) -> Iterator[Served]:
    """A server with a web app's build and a 4 KiB body limit; the same runtime as the session's server."""
    local = LocalAppSync(state_dir, limits=Limits(body_bytes=4096), runtime=appsync.runtime, web_dist=web_dist)
    with serve_in_thread(local) as url:
        yield Served(local, url)
    local.close()


@pytest.fixture(scope="module")
def no_build(appsync: LocalAppSync, state_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    local = LocalAppSync(state_dir, runtime=appsync.runtime, web_dist=tmp_path_factory.mktemp("empty") / "dist")
    with serve_in_thread(local) as url:
        yield Served(local, url)
    local.close()


def test_a_preflight_from_any_origin_allows_the_headers_appsync_clients_send(frontend: Served) -> None:
    # When a browser page on another origin asks whether it may POST with AppSync's client headers
    answer = requests.options(
        frontend.url,
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": ",".join(APPSYNC_CLIENT_HEADERS),
        },
        timeout=TIMEOUT,
    )

    # Then it may, from any origin
    assert answer.status_code in (200, 204)
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in answer.headers["Access-Control-Allow-Methods"]
    allowed = {header.strip().lower() for header in answer.headers["Access-Control-Allow-Headers"].split(",")}
    assert set(APPSYNC_CLIENT_HEADERS) <= allowed


@pytest.mark.parametrize(
    ("case", "status"),
    [("query", 200), ("no credentials", 401), ("bad API key", 401), ("body too large", 413), ("not JSON", 400)],
)
def test_every_answer_carries_the_allow_origin_header(
    frontend: Served, credentials: LocalCredentials, case: str, status: int
) -> None:
    # Given a request of a page on another origin
    headers = {"Origin": ORIGIN, "Content-Type": "application/json", "x-api-key": credentials.api_key}
    body: str | bytes = '{"query": "' + LIST.replace('"', '\\"') + '"}'
    if case == "no credentials":
        del headers["x-api-key"]
    elif case == "bad API key":
        headers["x-api-key"] = "not-the-key"
    elif case == "body too large":
        body = '{"query": "' + " " * 5000 + LIST.replace('"', '\\"') + '"}'
    elif case == "not JSON":
        body = b"{not json"

    # When it is sent
    answer = requests.post(frontend.url, data=body, headers=headers, timeout=TIMEOUT)

    # Then the browser may read the answer, whatever it is
    assert answer.status_code == status, answer.text
    assert answer.headers["Access-Control-Allow-Origin"] == "*"


def test_a_request_without_credentials_is_told_which_header_it_needs(frontend: Served) -> None:
    answer = requests.post(frontend.url, json={"query": LIST}, timeout=TIMEOUT)

    assert answer.status_code == 401
    [error] = answer.json()["errors"]
    assert error["errorType"] == "UnauthorizedException"
    assert "x-api-key" in error["message"]
    assert "Authorization" in error["message"]


def test_amplify_config_points_at_this_api_with_its_key(frontend: Served, credentials: LocalCredentials) -> None:
    # When a frontend on another origin loads its configuration from a server without TLS
    answer = requests.get(frontend.base + "/amplify-config.json", headers={"Origin": ORIGIN}, timeout=TIMEOUT)

    # Then it is what Amplify.configure() takes, for the URL it asked
    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert answer.json() == {
        "API": {
            "GraphQL": {
                "endpoint": frontend.url,
                "region": os.environ.get(config.AWS_REGION, config.DEFAULT_REGION),
                "defaultAuthMode": "apiKey",
                "apiKey": credentials.api_key,
            }
        },
        # The local user pool, on the same server (Amplify Auth's endpoint for Cognito's API)
        "Auth": {
            "Cognito": {
                "userPoolId": "eu-west-1_AirlineLocal",
                "userPoolClientId": "airline-local",
                "userPoolEndpoint": frontend.base + "/cognito",
                "loginWith": {"username": True},
            }
        },
    }


def test_amplify_config_prefers_the_tls_endpoint_and_takes_the_sections_of_its_providers(frontend: Served) -> None:
    # Given the same API also over TLS, and a provider of an Auth section (as the local user pool is)
    frontend.appsync.amplify_sections.append(lambda base: {"Auth": {"Cognito": {"userPoolEndpoint": base + "/pool"}}})
    try:
        with serve_in_thread(frontend.appsync, tls=True) as tls_url:
            # When the configuration is asked for over plain HTTP and over HTTPS
            plain = requests.get(frontend.base + "/amplify-config.json", timeout=TIMEOUT).json()
            ca = frontend.appsync.certificate.ca_path
            secure = requests.get(
                tls_url.removesuffix("/graphql") + "/amplify-config.json", verify=str(ca), timeout=TIMEOUT
            ).json()
    finally:
        frontend.appsync.amplify_sections.pop()

    # Then both point Amplify at the TLS endpoint (it subscribes only over wss://), with the provider's section
    base = tls_url.removesuffix("/graphql")
    for answer in (plain, secure):
        assert answer["API"]["GraphQL"]["endpoint"] == tls_url
        assert answer["Auth"] == {"Cognito": {"userPoolEndpoint": base + "/pool"}}


def test_the_schema_for_codegen_builds_with_appsyncs_definitions(frontend: Served) -> None:
    answer = requests.get(frontend.base + "/schema.graphql", headers={"Origin": ORIGIN}, timeout=TIMEOUT)

    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert answer.text == full_schema_sdl()
    schema = build_schema(answer.text)
    assert "listFlights" in schema.query_type.fields  # type: ignore[union-attr]
    assert schema.get_directive("aws_subscribe") is not None
    assert schema.get_type("AWSDateTime") is not None


@pytest.mark.parametrize(
    ("path", "status", "body"),
    [
        ("/", 200, INDEX),
        ("/assets/index-3f2a.js", 200, SCRIPT),
        # Client-side routes of a single-page app answer its index.html
        ("/bookings/01J9ZX", 200, INDEX),
        ("/flights", 200, INDEX),
        # A missing file is missing, not the app
        ("/assets/gone-1234.js", 404, None),
        # Nothing outside the build is served
        ("/../pyproject.toml", 404, None),
    ],
)
def test_the_web_app_is_served_at_the_root_with_a_single_page_fallback(
    frontend: Served, path: str, status: int, body: str | None
) -> None:
    answer = requests.get(frontend.base + path, timeout=TIMEOUT)

    assert answer.status_code == status
    if body is not None:
        assert answer.text == body


def test_graphiql_stays_at_graphql_beside_the_web_app(frontend: Served) -> None:
    answer = requests.get(frontend.url, headers={"Accept": "text/html"}, timeout=TIMEOUT)

    assert answer.status_code == 200
    assert "graphiql" in answer.text.lower()


def test_without_a_build_the_root_opens_graphiql(no_build: Served) -> None:
    answer = requests.get(no_build.base + "/", allow_redirects=False, timeout=TIMEOUT)

    assert answer.status_code in (302, 307)
    assert answer.headers["location"].endswith("/graphql")
    assert requests.get(no_build.base + "/bookings/1", timeout=TIMEOUT).status_code == 404


BROWSER_PAGE = """<!doctype html><body>pending<script>
(async () => {
  const query = JSON.stringify({query: "{ __typename }"});
  const post = async (headers) => {
    try {
      const init = {method: "POST", headers: {"content-type": "application/json", ...headers}, body: query};
      const answer = await fetch(API, init);
      return [answer.status, await answer.json()];
    } catch (error) {
      return String(error);
    }
  };
  const signedIn = await post({"x-api-key": KEY, "x-amz-user-agent": "aws-amplify/6.22.1"});
  const anonymous = await post({});
  document.body.textContent = JSON.stringify({signedIn, anonymous});
})();
</script></body>"""


def test_a_browser_page_on_another_origin_reads_answers_and_errors(
    frontend: Served, no_build: Served, web_dist: Path, credentials: LocalCredentials, tmp_path: Path
) -> None:
    # Given a page served from one origin that calls the API on another (its preflight included)
    page = BROWSER_PAGE.replace("API", json.dumps(no_build.url), 1).replace("KEY", json.dumps(credentials.api_key))
    (web_dist / "cors.html").write_text(page)

    # When a real browser (headless Chromium) opens it and runs its script
    done = subprocess.run(
        [CHROMIUM, *BROWSER_FLAGS, f"--user-data-dir={tmp_path}", frontend.base + "/cors.html"],
        capture_output=True,
        text=True,
        timeout=120,
    )

    # Then the script read the query's answer and the 401, rather than a blocked request
    assert done.returncode == 0, done.stderr[-2000:]
    body = re.search(r"<body>(.*)</body>", done.stdout, re.DOTALL)
    assert body is not None, done.stdout
    result = json.loads(html.unescape(body.group(1)))
    assert result["signedIn"] == [200, {"data": {"__typename": "Query"}}]
    status, answer = result["anonymous"]
    assert status == 401
    assert answer["errors"][0]["errorType"] == "UnauthorizedException"
