"""Where the client connects and how it signs in, from arguments or environment variables, and the gql transports
for each target: HTTP, and AppSync's real-time protocol (gql's AppSyncWebsocketsTransport) for subscriptions, on AWS
AppSync and on the local one alike."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.appsync_auth import (
    AppSyncApiKeyAuthentication,
    AppSyncAuthentication,
    AppSyncIAMAuthentication,
    AppSyncJWTAuthentication,
)
from gql.transport.appsync_websockets import AppSyncWebsocketsTransport

LOCAL_URL = "http://127.0.0.1:4000/graphql"

# The environment variables the client reads when an argument is not given.
ENV_URL = "AIRLINE_API_URL"
ENV_REALTIME_URL = "AIRLINE_REALTIME_URL"
ENV_API_KEY = "AIRLINE_API_KEY"
ENV_TOKEN = "AIRLINE_TOKEN"  # noqa: S105 (a variable name, not a secret)
ENV_AUTH = "AIRLINE_AUTH"
ENV_TARGET = "AIRLINE_TARGET"


class Target(StrEnum):
    LOCAL = "local"
    APPSYNC = "appsync"


@dataclass(frozen=True)
class ApiKey:
    """AppSync's API key (`x-api-key`): public catalog reads and flight-delay subscriptions."""

    key: str


@dataclass(frozen=True)
class Token:
    """A Cognito user pool token (the local server's `airline token <user>` on a laptop): a customer or an Admin."""

    jwt: str

    def subject(self) -> str:
        """The token's `sub` claim, the customer id (read, not verified: the API verifies it)."""
        payload = self.jwt.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return str(claims["sub"])


@dataclass(frozen=True)
class Iam:
    """SigV4 with AWS credentials (AppSync only): botocore's default chain unless `credentials` are given."""

    region: str | None = None
    credentials: Any = None
    """A botocore.credentials.Credentials."""
    session: Any = None
    """A botocore.session.Session to read credentials and region from."""


Auth = ApiKey | Token | Iam


def _is_appsync_host(host: str) -> bool:
    return ".appsync-api." in host or ".appsync-realtime-api." in host


def realtime_url_for(url: str, target: Target) -> str:
    """The real-time endpoint of a GraphQL URL: AppSync's realtime host, else `<path>/realtime` (a custom domain, or
    the local AppSync, which also answers over ws:// when its URL is http://)."""
    scheme, host, path, _, _ = urlsplit(url)
    if target is Target.APPSYNC and _is_appsync_host(host):
        return urlunsplit(("wss", host.replace(".appsync-api.", ".appsync-realtime-api."), path, "", ""))
    secure = target is Target.APPSYNC or scheme == "https"
    return urlunsplit(("wss" if secure else "ws", host, path.rstrip("/") + "/realtime", "", ""))


@dataclass(frozen=True)
class Endpoint:
    """One API to talk to: its URL and realtime URL, which kind of server it is, and the credentials."""

    url: str
    target: Target
    realtime_url: str
    auth: Auth | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    """Extra headers on every request (locally: appsync.local.graphql.auth.iam_headers() for the in-process IAM)."""
    timeout: float = 30.0

    @classmethod
    def resolve(
        cls,
        url: str | None = None,
        *,
        auth: Auth | None = None,
        api_key: str | None = None,
        token: str | None = None,
        target: Target | str | None = None,
        realtime_url: str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 30.0,
        environ: Mapping[str, str] | None = None,
    ) -> Endpoint:
        """The arguments given, the AIRLINE_* environment variables for the rest. Credentials: `auth`, else
        `token`, else `api_key`, else AIRLINE_TOKEN, AIRLINE_API_KEY, or AIRLINE_AUTH=iam (region from
        AWS_REGION)."""
        env = os.environ if environ is None else environ
        url = url or env.get(ENV_URL) or LOCAL_URL
        if auth is None:
            auth = _auth_from(token, api_key) or _auth_from(env.get(ENV_TOKEN), env.get(ENV_API_KEY))
        if auth is None and env.get(ENV_AUTH, "").lower() == "iam":
            auth = Iam(region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION"))
        chosen = target or env.get(ENV_TARGET)
        resolved = (
            Target(chosen) if chosen else Target.APPSYNC if _is_appsync_host(urlsplit(url).netloc) else Target.LOCAL
        )
        realtime = realtime_url or env.get(ENV_REALTIME_URL) or realtime_url_for(url, resolved)
        if resolved is Target.LOCAL and isinstance(auth, Iam):
            raise ValueError(
                "the local server has no SigV4: its IAM principal is in-process, pass headers=iam_headers() instead"
            )
        return cls(url, resolved, realtime, auth, dict(headers or {}), timeout)


def _auth_from(token: str | None, api_key: str | None) -> Auth | None:
    if token:
        return Token(token)
    if api_key:
        return ApiKey(api_key)
    return None


def _host(url: str) -> str:
    return urlsplit(url).netloc


def appsync_auth(endpoint: Endpoint) -> AppSyncAuthentication:
    """gql's AppSync authentication for the endpoint's credentials (signs each request, builds the realtime URL)."""
    host = _host(endpoint.url)
    auth = endpoint.auth
    if isinstance(auth, ApiKey):
        return AppSyncApiKeyAuthentication(host=host, api_key=auth.key)
    if isinstance(auth, Token):
        return AppSyncJWTAuthentication(host=host, jwt=auth.jwt)
    if isinstance(auth, Iam):
        return AppSyncIAMAuthentication(
            host=host, region_name=auth.region, credentials=auth.credentials, session=auth.session
        )
    raise ValueError("AppSync needs credentials: an API key, a token or IAM")


class HeaderAuthentication(AppSyncAuthentication):
    """Credentials sent as the plain headers the local AppSync reads (its IAM principal is in-process: no SigV4), in
    the real-time handshake and in each subscription's `extensions.authorization`, as AppSync's own auth classes do."""

    def __init__(self, host: str, headers: Mapping[str, str]) -> None:
        self._host = host
        self.headers = dict(headers)

    def get_headers(self, data: str | None = None, headers: dict[str, Any] | None = None) -> dict[str, Any]:
        return {"host": self._host, **self.headers}


def local_headers(endpoint: Endpoint) -> dict[str, str]:
    """The headers that carry the credentials to the local server, as AppSync reads them."""
    headers: dict[str, str] = {}
    if isinstance(endpoint.auth, ApiKey):
        headers["x-api-key"] = endpoint.auth.key
    elif isinstance(endpoint.auth, Token):
        headers["Authorization"] = endpoint.auth.jwt
    return {**headers, **endpoint.headers}


def http_transport(endpoint: Endpoint) -> AIOHTTPTransport:
    timeout = max(1, round(endpoint.timeout))
    if endpoint.target is Target.LOCAL:
        return AIOHTTPTransport(url=endpoint.url, headers=local_headers(endpoint), timeout=timeout)
    return AIOHTTPTransport(
        url=endpoint.url, auth=appsync_auth(endpoint), headers=dict(endpoint.headers), timeout=timeout
    )


def subscription_transport(endpoint: Endpoint) -> AppSyncWebsocketsTransport:
    """AppSync's real-time protocol for both targets; only the way credentials are signed differs."""
    if endpoint.target is Target.LOCAL:
        auth: AppSyncAuthentication = HeaderAuthentication(_host(endpoint.url), local_headers(endpoint))
    else:
        auth = appsync_auth(endpoint)
    return AppSyncWebsocketsTransport(url=endpoint.realtime_url, auth=auth, connect_timeout=round(endpoint.timeout))
