"""AppSync's auth modes locally: the API key, the local user pool's tokens (signed here, checked through its JWKS
as AppSync checks Cognito's), in-process IAM, and the per-field check of the @aws_* directives."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
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

from appsync.local.cognito.tokens import CLIENT_ID, DEFAULT_BASE_URL, SignIn, id_claims, issuer_for
from appsync.local.graphql.errors import AppSyncError
from resolvers.domain.identity import ADMINS_GROUP, AuthMode

# Namespaces the demo users' ids; kept from before the local user pool had an issuer URL, so ids stay the same.
_SUB_NAMESPACE = "http://127.0.0.1/local-user-pool"
ACCOUNT_ID = "000000000000"
DEFAULT_IAM_ARN = f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/airline-local/in-process"
TOKEN_HOURS = 12
# Where `airline dev` records the issuer it serves, so `airline token` in another process signs the same one.
ISSUER_FILE = "cognito-issuer"
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
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{_SUB_NAMESPACE}/{username}"))


class LocalCredentials:
    """The local API key and the user pool's signing key pair, made on first use and kept in `state_dir` (git
    ignores it), and the pool's issuer: tokens are signed and verified here, as Cognito signs and AppSync checks."""

    def __init__(self, state_dir: Path, issuer: str | None = None) -> None:
        self.state_dir = state_dir
        self.api_key = self._api_key()
        self._private_key = self._signing_key()
        self.public_key = self._private_key.public_key()
        self.kid = self._kid()
        self.issuer = issuer or self._recorded_issuer()
        self._keys = jwt.PyJWKSet.from_dict(self.jwks())

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

    def _kid(self) -> str:
        # The key's own fingerprint: a new key gets a new kid, and tokens of the old one are refused.
        der = self.public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        return base64.urlsafe_b64encode(hashlib.sha256(der).digest()).decode().rstrip("=")

    def _recorded_issuer(self) -> str:
        path = self.state_dir / ISSUER_FILE
        return path.read_text().strip() if path.exists() else issuer_for(DEFAULT_BASE_URL)

    def record_issuer(self) -> None:
        """Keeps this issuer in the state dir for `airline token` (called by the server that serves it)."""
        self._write(self.state_dir / ISSUER_FILE, self.issuer)

    def _write(self, path: Path, text: str) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(text)

    def jwks(self) -> dict[str, Any]:
        """The pool's JSON Web Key Set, as Cognito serves it at <issuer>/.well-known/jwks.json."""
        jwk: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.public_key))
        jwk.update({"kid": self.kid, "alg": "RS256", "use": "sig"})
        return {"keys": [jwk]}

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self._private_key, algorithm="RS256", headers={"kid": self.kid})

    def issue_token(
        self, username: str, admin: bool = False, hours: float = TOKEN_HOURS, groups: tuple[str, ...] = ()
    ) -> str:
        """An ID token for `username`, as the pool issues at sign-in; the same username always gets the same `sub`."""
        member_of = tuple(dict.fromkeys((*groups, *([ADMINS_GROUP] if admin else []))))
        sign_in = SignIn(sub=user_sub(username), username=username, groups=member_of)
        return self.sign(id_claims(sign_in, self.issuer, seconds=hours * 3600))

    def verify_token(self, token: str) -> dict[str, Any]:
        """The claims of a user pool token, checked as AppSync checks Cognito's: a key of the pool's JWKS (by kid,
        RS256 only), the issuer, the app client (`aud` of an ID token, `client_id` of an access token), the
        `token_use` and the expiry."""
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            key = self._keys[kid] if isinstance(kid, str) else None
            if key is None:
                raise jwt.InvalidTokenError("the token was not signed by a key of this user pool")
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                issuer=self.issuer,
                options={"require": ["sub", "exp", "iss", "token_use"], "verify_aud": False},
            )
        except jwt.ExpiredSignatureError as exc:
            raise AuthError("Token has expired.") from exc
        except (jwt.InvalidTokenError, KeyError) as exc:
            raise AuthError(f"Valid authorization header not provided: {exc}") from exc
        use = claims.get("token_use")
        client = claims.get("aud") if use == "id" else claims.get("client_id") if use == "access" else None
        if use not in ("id", "access"):
            raise AuthError("Valid authorization header not provided: token_use is neither id nor access")
        if client != CLIENT_ID:
            raise AuthError("Valid authorization header not provided: the token is for another app client")
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
    if not all(value.isascii() for value in (authorization or "", headers.get("x-api-key") or "")):
        # Credentials are ASCII; other bytes (as latin-1 text) would fail the comparisons below with a TypeError.
        raise AuthError("You are not authorized to make this call.")
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
