"""AppSync's auth modes locally: the API key, Cognito-like JWTs signed by a local key, in-process IAM, and the
per-field check of the @aws_* directives."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from graphql import GraphQLObjectType, GraphQLResolveInfo, GraphQLSchema, value_from_ast_untyped
from graphql.language import ConstDirectiveNode
from strawberry.extensions import SchemaExtension

from appsync.local.graphql.errors import AppSyncError
from resolvers.domain.identity import ADMINS_GROUP, AuthMode

ISSUER = "http://127.0.0.1/local-user-pool"
CLIENT_ID = "airline-local"
ACCOUNT_ID = "000000000000"
DEFAULT_IAM_ARN = f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/airline-local/in-process"
TOKEN_HOURS = 12
IAM_SCHEME = "AWS4-HMAC-SHA256"
# AppSync's words for a request without credentials, and which headers carry them.
MISSING_CREDENTIALS = (
    "Valid authorization header not provided: send the API key in the x-api-key header, or a user token in the"
    " Authorization header"
)

# Which directive grants which mode; @aws_auth is the older spelling of Cognito user pools.
_DIRECTIVE_MODES = {
    "aws_api_key": AuthMode.API_KEY,
    "aws_iam": AuthMode.IAM,
    "aws_cognito_user_pools": AuthMode.COGNITO,
    "aws_auth": AuthMode.COGNITO,
}
# Directives that name an auth mode the local AppSync does not offer: they grant nothing here.
_OTHER_MODE_DIRECTIVES = {"aws_oidc", "aws_lambda"}
# The API's default mode, as the CDK app configures it: fields and types without a directive allow only it.
DEFAULT_MODE = AuthMode.COGNITO

# Only code in this process knows it, so only in-process callers (the saga) can act as IAM principals.
_IAM_SECRET = secrets.token_bytes(32)


class AuthError(Exception):
    """The request carries no valid credentials: AppSync refuses it before running anything (HTTP 401)."""


@dataclass(frozen=True)
class Principal:
    """Who is calling, with the `identity` AppSync puts in a resolver event (None for an API key)."""

    mode: AuthMode | None
    identity: dict[str, Any] | None
    groups: frozenset[str] = frozenset()


# A request that has not been authenticated (the GraphiQL page): no rule allows it anything.
NOBODY = Principal(mode=None, identity=None)


def user_sub(username: str) -> str:
    """The local user pool's id (`sub`) for a user name: always the same, so data outlives tokens."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{ISSUER}/{username}"))


class LocalCredentials:
    """The local API key and JWT signing key pair, made on first use and kept in `state_dir` (git ignores it)."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.api_key = self._api_key()
        self._private_key = self._signing_key()
        self.public_key = self._private_key.public_key()

    def _api_key(self) -> str:
        path = self.state_dir / "api-key"
        if not path.exists():
            # Shaped like AppSync's keys, so a client that checks the form accepts it.
            self._write(path, "da2-" + secrets.token_hex(13))
        return path.read_text().strip()

    def _signing_key(self) -> rsa.RSAPrivateKey:
        path = self.state_dir / "jwt-signing-key.pem"
        if not path.exists():
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            pem = key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            self._write(path, pem.decode())
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(loaded, rsa.RSAPrivateKey):
            raise AuthError(f"{path} does not hold an RSA private key: delete it to make a new one")
        return loaded

    def _write(self, path: Path, text: str) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(text)

    def issue_token(self, username: str, admin: bool = False, hours: float = TOKEN_HOURS) -> str:
        """A Cognito-style ID token for `username`; the same username always gets the same `sub`."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "sub": user_sub(username),
            "cognito:username": username,
            "cognito:groups": [ADMINS_GROUP] if admin else [],
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "token_use": "id",
            "auth_time": now,
            "iat": now,
            "exp": now + int(hours * 3600),
        }
        return jwt.encode(claims, self._private_key, algorithm="RS256")

    def verify_token(self, token: str) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self.public_key,
                algorithms=["RS256"],
                audience=CLIENT_ID,
                issuer=ISSUER,
                options={"require": ["sub", "exp", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise AuthError("Token has expired.") from exc
        except jwt.InvalidTokenError as exc:
            raise AuthError(f"Valid authorization header not provided: {exc}") from exc
        return claims


def _iam_signature(user_arn: str) -> str:
    return hmac.new(_IAM_SECRET, user_arn.encode(), hashlib.sha256).hexdigest()


def iam_headers(user_arn: str = DEFAULT_IAM_ARN) -> dict[str, str]:
    """Headers that make an in-process request an IAM call by `user_arn` (the local stand-in for SigV4)."""
    return {"Authorization": f"{IAM_SCHEME} Principal={user_arn}, Signature={_iam_signature(user_arn)}"}


def _iam_principal(authorization: str, source_ip: list[str]) -> Principal:
    fields = dict(part.strip().split("=", 1) for part in authorization[len(IAM_SCHEME) :].split(",") if "=" in part)
    user_arn, signature = fields.get("Principal", ""), fields.get("Signature", "")
    if not user_arn or not hmac.compare_digest(signature, _iam_signature(user_arn)):
        raise AuthError("The request signature we calculated does not match the signature you provided.")
    identity = {
        "accountId": ACCOUNT_ID,
        "cognitoIdentityAuthProvider": None,
        "cognitoIdentityAuthType": None,
        "cognitoIdentityId": None,
        "cognitoIdentityPoolId": None,
        "sourceIp": source_ip,
        "userArn": user_arn,
        "username": user_arn.rsplit("/", 1)[-1],
    }
    return Principal(AuthMode.IAM, identity)


def _cognito_principal(claims: dict[str, Any], source_ip: list[str]) -> Principal:
    groups = claims.get("cognito:groups") or []
    identity = {
        "sub": claims["sub"],
        "issuer": claims["iss"],
        "username": claims.get("cognito:username") or claims.get("username"),
        "claims": claims,
        "sourceIp": source_ip,
        "defaultAuthStrategy": "ALLOW",
        "groups": groups or None,
    }
    return Principal(AuthMode.COGNITO, identity, frozenset(groups))


def authenticate(headers: Mapping[str, str], source_ip: str, credentials: LocalCredentials) -> Principal:
    """The caller of a request, from its headers as AppSync reads them; AuthError if there is none."""
    ips = [source_ip]
    authorization = headers.get("authorization")
    if authorization:
        if authorization.startswith(IAM_SCHEME):
            return _iam_principal(authorization, ips)
        token = authorization.removeprefix("Bearer ").strip()
        return _cognito_principal(credentials.verify_token(token), ips)
    api_key = headers.get("x-api-key")
    if api_key:
        if not hmac.compare_digest(api_key, credentials.api_key):
            raise AuthError("You are not authorized to make this call.")
        return Principal(AuthMode.API_KEY, None)
    raise AuthError(MISSING_CREDENTIALS)


# A field's rule: each allowed mode, with the Cognito groups it requires (None: any signed-in user).
Rule = dict[AuthMode, frozenset[str] | None]


def _rule(directives: tuple[ConstDirectiveNode, ...]) -> Rule:
    rule: Rule = {}
    for directive in directives:
        name = directive.name.value
        mode = _DIRECTIVE_MODES.get(name)
        if mode is None:
            continue
        groups = None
        for argument in directive.arguments or ():
            if argument.name.value == "cognito_groups":
                value = value_from_ast_untyped(argument.value)
                groups = frozenset(value) if value is not None else None
        rule[mode] = groups
    return rule


def _has_auth_directive(directives: tuple[ConstDirectiveNode, ...]) -> bool:
    return any(d.name.value in _DIRECTIVE_MODES or d.name.value in _OTHER_MODE_DIRECTIVES for d in directives)


def field_rules(schema: GraphQLSchema) -> dict[tuple[str, str], Rule]:
    """Every object field's rule, as AppSync reads the directives: the field's own override its type's, and with
    none on either the API's default mode (Cognito user pools) applies."""
    rules: dict[tuple[str, str], Rule] = {}
    for type_ in schema.type_map.values():
        if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__") or type_.ast_node is None:
            continue
        type_directives = type_.ast_node.directives or ()
        for name, field in type_.fields.items():
            own = (field.ast_node.directives or ()) if field.ast_node else ()
            if _has_auth_directive(own):
                rules[type_.name, name] = _rule(own)
            elif _has_auth_directive(type_directives):
                rules[type_.name, name] = _rule(type_directives)
            else:
                rules[type_.name, name] = {DEFAULT_MODE: None}
    return rules


def allows(rule: Rule, principal: Principal) -> bool:
    if principal.mode not in rule:
        return False
    groups = rule[principal.mode]
    return groups is None or bool(groups & principal.groups)


class AuthorizeFields(SchemaExtension):
    """Checks every field against its rule before it resolves; a denied field is AppSync's Unauthorized error."""

    def __init__(self, rules: dict[tuple[str, str], Rule]) -> None:
        self.rules = rules

    def resolve(self, _next: Callable[..., Any], root: Any, info: GraphQLResolveInfo, *args: Any, **kwargs: Any) -> Any:
        rule = self.rules.get((info.parent_type.name, info.field_name))
        if rule is not None and not allows(rule, info.context.principal):
            raise AppSyncError(
                "Unauthorized", f"Not Authorized to access {info.field_name} on type {info.parent_type.name}"
            )
        return _next(root, info, *args, **kwargs)
