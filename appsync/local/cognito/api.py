"""Cognito's IdP JSON API over HTTP (`POST` with `X-Amz-Target: AWSCognitoIdentityProviderService.<Op>`) and the
pool's JWKS and OpenID configuration under its issuer, as Starlette routes."""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from appsync.local.cognito.pool import CognitoError, UserPool
from appsync.local.cognito.tokens import POOL_ID, PREFIX

logger = logging.getLogger("appsync.local.cognito")

TARGET_PREFIX = "AWSCognitoIdentityProviderService."
CONTENT_TYPE = "application/x-amz-json-1.1"


def _answer(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status_code=status, media_type=CONTENT_TYPE, headers=headers)


def _error(type_: str, message: str) -> Response:
    return _answer({"__type": type_, "message": message}, 400, {"x-amzn-ErrorType": type_})


class IdentityProviderApi:
    def __init__(self, pool: UserPool) -> None:
        self.pool = pool

    async def call(self, request: Request) -> Response:
        target = request.headers.get("x-amz-target", "")
        if not target.startswith(TARGET_PREFIX):
            return _error("UnknownOperationException", f"X-Amz-Target must start with {TARGET_PREFIX}")
        operation = target.removeprefix(TARGET_PREFIX)
        try:
            body = json.loads(await request.body() or b"{}")
            if not isinstance(body, dict):
                raise ValueError("the body is not a JSON object")
        except ValueError:
            return _error("SerializationException", "The request body is not a JSON object")
        try:
            # Password hashing and SRP arithmetic take milliseconds: off the event loop.
            result = await run_in_threadpool(self.pool.handle, operation, body)
        except CognitoError as error:
            logger.info("cognito-idp %s -> %s", operation, error.type)
            return _error(error.type, error.message)
        logger.info("cognito-idp %s", operation)
        return _answer(result)

    async def jwks(self, request: Request) -> Response:
        return JSONResponse(self.pool.credentials.jwks())

    async def openid_configuration(self, request: Request) -> Response:
        issuer = self.pool.credentials.issuer
        return JSONResponse(
            {
                "issuer": issuer,
                "jwks_uri": f"{issuer}/.well-known/jwks.json",
                "id_token_signing_alg_values_supported": ["RS256"],
                "subject_types_supported": ["public"],
                "response_types_supported": ["code", "token"],
            }
        )

    def routes(self) -> list[BaseRoute]:
        return [
            Route(PREFIX, self.call, methods=["POST"]),
            Route(PREFIX + "/", self.call, methods=["POST"]),
            Route(f"{PREFIX}/{POOL_ID}/.well-known/jwks.json", self.jwks, methods=["GET"]),
            Route(f"{PREFIX}/{POOL_ID}/.well-known/openid-configuration", self.openid_configuration, methods=["GET"]),
        ]
