"""The local AppSync checks user pool tokens as AppSync checks Cognito's: the pool's JWKS (by kid, RS256), the
issuer, the app client, token_use and expiry; and the JWKS is served under the issuer, as Cognito serves it."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from appsync.local.cognito.tokens import SignIn, access_claims, id_claims
from appsync.local.graphql.auth import LocalCredentials, user_sub
from appsync.local.server import PATH

QUERY = {"query": "query { getLoyalty { customer } }"}
ALICE = SignIn(sub=user_sub("alice"), username="alice")


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _changed(claims: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**claims, **changes}


def _other_key_token(credentials: LocalCredentials) -> str:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    claims = id_claims(ALICE, credentials.issuer)
    return jwt.encode(claims, other, algorithm="RS256", headers={"kid": credentials.kid})


def _alg_none_token(credentials: LocalCredentials) -> str:
    return f"{_b64({'alg': 'none', 'kid': credentials.kid})}.{_b64(id_claims(ALICE, credentials.issuer))}."


def _hs256_with_the_public_key(credentials: LocalCredentials) -> str:
    header = {"alg": "HS256", "kid": credentials.kid, "typ": "JWT"}
    signing_input = f"{_b64(header)}.{_b64(id_claims(ALICE, credentials.issuer))}"
    import hashlib
    import hmac

    pem = credentials.jwks()["keys"][0]["n"].encode()
    signature = base64.urlsafe_b64encode(hmac.new(pem, signing_input.encode(), hashlib.sha256).digest())
    return f"{signing_input}.{signature.decode().rstrip('=')}"


REFUSED: dict[str, Callable[[LocalCredentials], str]] = {
    "wrong issuer": lambda c: c.sign(id_claims(ALICE, "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other")),
    "wrong audience": lambda c: c.sign(_changed(id_claims(ALICE, c.issuer), aud="another-client")),
    "access token of another client": lambda c: c.sign(_changed(access_claims(ALICE, c.issuer), client_id="x")),
    "token_use refresh": lambda c: c.sign(_changed(id_claims(ALICE, c.issuer), token_use="refresh")),
    "no token_use": lambda c: c.sign({k: v for k, v in id_claims(ALICE, c.issuer).items() if k != "token_use"}),
    "expired": lambda c: c.sign(id_claims(ALICE, c.issuer, seconds=-60)),
    "signed by another key": _other_key_token,
    "unknown kid": lambda c: jwt.encode(id_claims(ALICE, c.issuer), c._private_key, "RS256", {"kid": "other"}),
    "no kid": lambda c: jwt.encode(id_claims(ALICE, c.issuer), c._private_key, "RS256"),
    "alg none": _alg_none_token,
    "HS256 keyed with the public key": _hs256_with_the_public_key,
}


@pytest.mark.parametrize("case", REFUSED)
def test_the_local_appsync_refuses_a_token(case: str, api_url: str, credentials: LocalCredentials) -> None:
    # Given a token that AppSync would refuse
    token = REFUSED[case](credentials)
    # When it calls the API
    response = requests.post(api_url, json=QUERY, headers={"Authorization": token}, timeout=30)
    # Then the request is refused before anything runs, as AppSync refuses it
    assert response.status_code == 401, response.text
    assert response.json()["errors"][0]["errorType"] == "UnauthorizedException"


@pytest.mark.parametrize("claims", [id_claims, access_claims])
def test_the_local_appsync_takes_id_and_access_tokens(
    claims: Callable[..., dict[str, Any]], api_url: str, credentials: LocalCredentials
) -> None:
    token = credentials.sign(claims(ALICE, credentials.issuer))
    response = requests.post(api_url, json=QUERY, headers={"Authorization": token}, timeout=30)
    assert response.json()["data"]["getLoyalty"]["customer"] == ALICE.sub, response.text


def test_tokens_verify_through_the_jwks_served_under_the_issuer(api_url: str, credentials: LocalCredentials) -> None:
    # Given a token the pool issued, and the JWKS the server serves under the issuer's path
    token = credentials.issue_token("alice")
    issuer_path = credentials.issuer.split("/", 3)[3]
    base = api_url.removesuffix(PATH)
    configuration = requests.get(f"{base}/{issuer_path}/.well-known/openid-configuration", timeout=30).json()
    jwks_url = f"{base}/{issuer_path}/.well-known/jwks.json"
    # When a resource server verifies it through that JWKS (PyJWT's client, by kid)
    key = jwt.PyJWKClient(jwks_url).get_signing_key_from_jwt(token)
    claims = jwt.decode(token, key.key, algorithms=["RS256"], audience="airline-local", issuer=credentials.issuer)
    # Then it holds, with Cognito's claims
    assert configuration["issuer"] == credentials.issuer
    assert configuration["jwks_uri"].endswith(f"/{issuer_path}/.well-known/jwks.json")
    assert claims["sub"] == user_sub("alice")
    assert claims["cognito:username"] == "alice"
    assert claims["token_use"] == "id"
    assert claims["exp"] > time.time()
    assert {"iat", "auth_time", "jti", "origin_jti", "event_id"} <= set(claims)
