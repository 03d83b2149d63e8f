"""The claims of the tokens the local user pool issues, as Cognito shapes them, and where its issuer lives."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

# The local pool's id (<region>_<name> as Cognito's, in the stack's default region) and its one app client; the name
# part also salts SRP.
POOL_ID = "eu-west-1_AirlineLocal"
POOL_NAME = POOL_ID.split("_", 1)[1]
CLIENT_ID = "airline-local"
# Where the IdP API is served (Amplify's userPoolEndpoint); the issuer is <base>/cognito/<pool id>, as Cognito's is
# https://cognito-idp.<region>.amazonaws.com/<pool id>, with the JWKS under it.
PREFIX = "/cognito"
# `airline dev`'s TLS endpoint with its default port: the issuer until a server records the one it serves.
DEFAULT_BASE_URL = "https://127.0.0.1:4443"
TOKEN_SECONDS = 3600
REFRESH_TOKEN_DAYS = 30


def issuer_for(base_url: str) -> str:
    return f"{base_url.rstrip('/')}{PREFIX}/{POOL_ID}"


@dataclass(frozen=True)
class SignIn:
    """One authentication of a user, which its ID and access tokens share (and refreshes keep): Cognito's
    `origin_jti`, `event_id` and `auth_time`."""

    sub: str
    username: str
    groups: tuple[str, ...] = ()
    attributes: dict[str, str] = field(default_factory=dict)
    origin_jti: str = field(default_factory=lambda: str(uuid.uuid4()))
    event_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    auth_time: int = field(default_factory=lambda: int(time.time()))


def id_claims(sign_in: SignIn, issuer: str, seconds: float = TOKEN_SECONDS) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": sign_in.sub,
        "cognito:groups": list(sign_in.groups),
        "iss": issuer,
        "cognito:username": sign_in.username,
        "origin_jti": sign_in.origin_jti,
        "aud": CLIENT_ID,
        "event_id": sign_in.event_id,
        "token_use": "id",
        "auth_time": sign_in.auth_time,
        "exp": now + int(seconds),
        "iat": now,
        "jti": str(uuid.uuid4()),
    }
    # Cognito leaves cognito:groups out for a user in no group; the user's attributes ride in the ID token.
    if not sign_in.groups:
        del claims["cognito:groups"]
    claims.update({name: value for name, value in sign_in.attributes.items() if name != "sub"})
    return claims


def access_claims(sign_in: SignIn, issuer: str, seconds: float = TOKEN_SECONDS) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": sign_in.sub,
        "cognito:groups": list(sign_in.groups),
        "iss": issuer,
        "client_id": CLIENT_ID,
        "origin_jti": sign_in.origin_jti,
        "event_id": sign_in.event_id,
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "auth_time": sign_in.auth_time,
        "exp": now + int(seconds),
        "iat": now,
        "jti": str(uuid.uuid4()),
        "username": sign_in.username,
    }
    if not sign_in.groups:
        del claims["cognito:groups"]
    return claims
