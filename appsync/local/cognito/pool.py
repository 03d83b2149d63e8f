"""The local user pool's operations, as Cognito's IdP API answers them: sign-up and confirmation, SRP and
password sign-in, refresh, the signed-in user, sign-out and token revocation, forgotten passwords."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from appsync.local.cognito import srp
from appsync.local.cognito.tokens import (
    CLIENT_ID,
    POOL_ID,
    POOL_NAME,
    PREFIX,
    REFRESH_TOKEN_DAYS,
    TOKEN_SECONDS,
    SignIn,
    access_claims,
    id_claims,
)
from appsync.local.cognito.users import Data, UserStore, token_key
from appsync.local.graphql.auth import AuthError, LocalCredentials, user_sub
from resolvers.domain.identity import ADMINS_GROUP

logger = logging.getLogger("appsync.local.cognito")

# The password of the demo users `airline dev` creates; it meets the deployed pool's policy.
DEMO_PASSWORD = "Airline#2026"  # noqa: S105 (a published demo password, shown in the banner)
DEMO_USERS = {"alice": (), "bob": (), "ops": (ADMINS_GROUP,)}
# The deployed pool's policy (infra/airline_infra/auth.py), so a password refused on AWS is refused here.
MIN_PASSWORD_LENGTH = 12
CODE_SECONDS = 24 * 3600
CHALLENGE_SECONDS = 180
# scrypt's cost for the password hash USER_PASSWORD_AUTH checks (RFC 7914's interactive setting).
SCRYPT = {"n": 2**14, "r": 8, "p": 1}
_INCORRECT = "Incorrect username or password."


class CognitoError(Exception):
    """An error as Cognito answers it: HTTP 400 with `__type` and `message`."""

    def __init__(self, type_: str, message: str) -> None:
        super().__init__(message)
        self.type = type_
        self.message = message


def check_password_policy(password: str) -> None:
    rules = [
        (len(password) >= MIN_PASSWORD_LENGTH, "Password not long enough"),
        (bool(re.search(r"[a-z]", password)), "Password must have lowercase characters"),
        (bool(re.search(r"[A-Z]", password)), "Password must have uppercase characters"),
        (bool(re.search(r"[0-9]", password)), "Password must have numeric characters"),
        (bool(re.search(r"[^A-Za-z0-9\s]", password)), "Password must have symbol characters"),
    ]
    for ok, reason in rules:
        if not ok:
            raise CognitoError("InvalidPasswordException", f"Password did not conform with policy: {reason}")


def password_record(username: str, password: str) -> dict[str, Any]:
    """What is kept of a password: an scrypt hash (USER_PASSWORD_AUTH) and the SRP salt and verifier."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **SCRYPT)
    verifier = srp.Verifier.make(POOL_NAME, username, password)
    return {
        "scrypt": {"salt": salt.hex(), "hash": digest.hex(), **SCRYPT},
        "srp": {"salt": f"{verifier.salt:x}", "verifier": f"{verifier.verifier:x}"},
    }


def password_matches(record: dict[str, Any], password: str) -> bool:
    kdf = record["scrypt"]
    digest = hashlib.scrypt(
        password.encode(), salt=bytes.fromhex(kdf["salt"]), dklen=32, n=kdf["n"], r=kdf["r"], p=kdf["p"]
    )
    return hmac.compare_digest(digest.hex(), kdf["hash"])


def _code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def _param(body: dict[str, Any], name: str) -> Any:
    value = body.get(name)
    if value in (None, ""):
        raise CognitoError(
            "InvalidParameterException",
            f"1 validation error detected: Value at '{name}' failed to satisfy constraint: Member must not be null",
        )
    return value


@dataclass(frozen=True)
class _Challenge:
    username: str
    session: srp.ServerSession
    verifier: int
    expires: float
    # A challenge answered for a user who does not exist: it looks like any other, and no answer passes it.
    decoy: bool = False


class UserPool:
    """The pool: users in the state directory's JSON file, tokens signed with the local credentials."""

    def __init__(self, state_dir: Path, credentials: LocalCredentials) -> None:
        self.store = UserStore(state_dir)
        self.credentials = credentials
        # PASSWORD_VERIFIER challenges under way, by their SECRET_BLOCK (the one value every client sends back).
        self._challenges: dict[str, _Challenge] = {}
        self._challenges_lock = threading.Lock()
        # Makes the decoy salt and verifier of a user who does not exist: the same for the same name, unguessable.
        self._decoy_key = secrets.token_bytes(32)
        # The operations called, newest last (what a client sends: the tests read it, the dev log shows it).
        self.operations: deque[str] = deque(maxlen=1000)

    # --- managing users (the CLI and `airline dev`) ---

    def add_user(self, username: str, password: str, groups: tuple[str, ...] = (), replace: bool = False) -> str:
        """A confirmed user with `password` in `groups`; answers its sub."""
        check_password_policy(password)
        record = password_record(username, password)
        with self.store.change() as data:
            if username in data["users"] and not replace:
                raise CognitoError("UsernameExistsException", "User already exists")
            sub = user_sub(username)
            data["users"][username] = {
                "sub": sub,
                "status": "CONFIRMED",
                "attributes": {},
                "groups": sorted(set(groups)),
                "password": record,
                "codes": {},
                "created": int(time.time()),
            }
        return sub

    def ensure_demo_users(self) -> None:
        existing = self.store.read()["users"]
        for name, groups in DEMO_USERS.items():
            if name not in existing:
                self.add_user(name, DEMO_PASSWORD, groups)

    def sub_of(self, username: str) -> str:
        user = self.store.user(username)
        return str(user["sub"]) if user else user_sub(username)

    def groups_of(self, username: str) -> tuple[str, ...]:
        user = self.store.user(username)
        return tuple(user["groups"]) if user else ()

    def code(self, username: str, purpose: str) -> str | None:
        """The pending confirmation (`signUp`) or reset (`reset`) code of a user, as the dev log shows it."""
        user = self.store.user(username)
        entry = (user or {}).get("codes", {}).get(purpose)
        return str(entry["code"]) if entry else None

    # --- the IdP API ---

    def handle(self, operation: str, body: dict[str, Any]) -> dict[str, Any]:
        self.operations.append(operation)
        handler = getattr(self, f"_op_{operation}", None)
        if handler is None:
            raise CognitoError("UnknownOperationException", f"The local user pool does not support {operation}")
        if "ClientId" in body and body["ClientId"] != CLIENT_ID:
            raise CognitoError("ResourceNotFoundException", f"User pool client {body['ClientId']} does not exist.")
        result: dict[str, Any] = handler(body)
        return result

    def _send_code(self, user: Data, username: str, purpose: str) -> dict[str, str]:
        code = _code()
        user.setdefault("codes", {})[purpose] = {"code": code, "expires": int(time.time()) + CODE_SECONDS}
        what = "confirmation" if purpose == "signUp" else "password reset"
        logger.warning("Local user pool: %s code for %s: %s", what, username, code)
        destination = user.get("attributes", {}).get("email", "the dev log")
        return {"Destination": destination, "DeliveryMedium": "EMAIL", "AttributeName": "email"}

    def _take_code(self, user: Data | None, purpose: str, given: str) -> None:
        entry = (user or {}).get("codes", {}).get(purpose)
        if user is None or entry is None or not hmac.compare_digest(str(entry["code"]), str(given)):
            raise CognitoError("CodeMismatchException", "Invalid verification code provided, please try again.")
        if entry["expires"] < time.time():
            raise CognitoError("ExpiredCodeException", "Invalid code provided, please request a code again.")
        del user["codes"][purpose]

    def _op_SignUp(self, body: dict[str, Any]) -> dict[str, Any]:
        username, password = str(_param(body, "Username")), str(_param(body, "Password"))
        check_password_policy(password)
        attributes = {a["Name"]: a["Value"] for a in body.get("UserAttributes") or []}
        record = password_record(username, password)
        with self.store.change() as data:
            if username in data["users"]:
                raise CognitoError("UsernameExistsException", "User already exists")
            user: Data = {
                "sub": user_sub(username),
                "status": "UNCONFIRMED",
                "attributes": attributes,
                "groups": [],
                "password": record,
                "codes": {},
                "created": int(time.time()),
            }
            delivery = self._send_code(user, username, "signUp")
            data["users"][username] = user
        return {"UserConfirmed": False, "UserSub": user["sub"], "CodeDeliveryDetails": delivery}

    def _op_ConfirmSignUp(self, body: dict[str, Any]) -> dict[str, Any]:
        username, code = str(_param(body, "Username")), str(_param(body, "ConfirmationCode"))
        with self.store.change() as data:
            user = data["users"].get(username)
            if user is not None and user["status"] == "CONFIRMED":
                raise CognitoError("NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED")
            self._take_code(user, "signUp", code)
            user["status"] = "CONFIRMED"
        return {}

    def _op_ResendConfirmationCode(self, body: dict[str, Any]) -> dict[str, Any]:
        username = str(_param(body, "Username"))
        with self.store.change() as data:
            user = data["users"].get(username)
            if user is None or user["status"] == "CONFIRMED":
                return {"CodeDeliveryDetails": {"Destination": "the dev log", "DeliveryMedium": "EMAIL"}}
            return {"CodeDeliveryDetails": self._send_code(user, username, "signUp")}

    def _signed_in_user(self, username: str) -> Data:
        user = self.store.user(username)
        if user is None:
            # The deployed app client prevents user existence errors: an unknown user reads as a wrong password.
            raise CognitoError("NotAuthorizedException", _INCORRECT)
        if user["status"] != "CONFIRMED":
            raise CognitoError("UserNotConfirmedException", "User is not confirmed.")
        return user

    def _op_InitiateAuth(self, body: dict[str, Any]) -> dict[str, Any]:
        flow = str(_param(body, "AuthFlow"))
        parameters: dict[str, str] = body.get("AuthParameters") or {}
        if flow == "USER_SRP_AUTH":
            return self._start_srp(parameters)
        if flow == "USER_PASSWORD_AUTH":
            username, password = parameters.get("USERNAME", ""), parameters.get("PASSWORD", "")
            user = self._signed_in_user(username)
            if not password_matches(user["password"], password):
                raise CognitoError("NotAuthorizedException", _INCORRECT)
            return self._authenticated(username, user)
        if flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
            return self._refresh(parameters.get("REFRESH_TOKEN", ""))
        raise CognitoError("InvalidParameterException", f"AuthFlow {flow} is not supported by the local user pool")

    def _op_GetTokensFromRefreshToken(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._refresh(str(_param(body, "RefreshToken")))

    def _start_srp(self, parameters: dict[str, str]) -> dict[str, Any]:
        username = parameters.get("USERNAME", "")
        try:
            big_a = int(parameters.get("SRP_A", ""), 16)
        except ValueError as exc:
            raise CognitoError("InvalidParameterException", "SRP_A is not a hexadecimal number") from exc
        user = self.store.user(username)
        if user is None:
            # As Cognito with user existence errors prevented: a challenge like any other, refused at the answer.
            digest = hmac.new(self._decoy_key, username.encode(), hashlib.sha256).digest()
            salt, verifier = (
                f"{int.from_bytes(digest[:16], 'big') | 1 << 127:x}",
                pow(srp.G, int.from_bytes(digest), srp.N),
            )
        else:
            salt, verifier = user["password"]["srp"]["salt"], int(user["password"]["srp"]["verifier"], 16)
        try:
            session = srp.ServerSession.start(big_a, verifier)
        except ValueError as exc:
            raise CognitoError("NotAuthorizedException", str(exc)) from exc
        secret_block = base64.b64encode(secrets.token_bytes(64)).decode()
        now = time.time()
        challenge = _Challenge(username, session, verifier, now + CHALLENGE_SECONDS, decoy=user is None)
        with self._challenges_lock:
            for block in [b for b, c in self._challenges.items() if c.expires < now]:
                del self._challenges[block]
            self._challenges[secret_block] = challenge
        return {
            "ChallengeName": "PASSWORD_VERIFIER",
            "ChallengeParameters": {
                "SALT": salt,
                "SECRET_BLOCK": secret_block,
                "SRP_B": f"{session.big_b:x}",
                "USERNAME": username,
                "USER_ID_FOR_SRP": username,
            },
        }

    def _op_RespondToAuthChallenge(self, body: dict[str, Any]) -> dict[str, Any]:
        name = str(_param(body, "ChallengeName"))
        if name != "PASSWORD_VERIFIER":
            raise CognitoError("InvalidParameterException", f"Challenge {name} is not supported by the local user pool")
        responses: dict[str, str] = body.get("ChallengeResponses") or {}
        secret_block = responses.get("PASSWORD_CLAIM_SECRET_BLOCK", "")
        with self._challenges_lock:
            challenge = self._challenges.pop(secret_block, None)
        if challenge is None or challenge.expires < time.time() or challenge.username != responses.get("USERNAME"):
            raise CognitoError("NotAuthorizedException", "Invalid session for the user, session is expired.")
        key = challenge.session.key(challenge.verifier)
        expected = srp.claim_signature(key, POOL_NAME, challenge.username, secret_block, responses.get("TIMESTAMP", ""))
        if challenge.decoy or not hmac.compare_digest(expected, responses.get("PASSWORD_CLAIM_SIGNATURE", "")):
            raise CognitoError("NotAuthorizedException", _INCORRECT)
        # Only now, with the password proven, does the answer tell an unconfirmed user apart.
        user = self._signed_in_user(challenge.username)
        return self._authenticated(challenge.username, user)

    def _tokens(self, username: str, user: Data, sign_in: SignIn) -> dict[str, Any]:
        issuer = self.credentials.issuer
        attributes = {**user.get("attributes", {}), "sub": user["sub"]}
        sign_in = SignIn(
            sub=user["sub"],
            username=username,
            groups=tuple(user.get("groups", ())),
            attributes=attributes,
            origin_jti=sign_in.origin_jti,
            event_id=sign_in.event_id,
            auth_time=sign_in.auth_time,
        )
        return {
            "AccessToken": self.credentials.sign(access_claims(sign_in, issuer)),
            "IdToken": self.credentials.sign(id_claims(sign_in, issuer)),
            "ExpiresIn": TOKEN_SECONDS,
            "TokenType": "Bearer",
        }

    def _authenticated(self, username: str, user: Data) -> dict[str, Any]:
        sign_in = SignIn(sub=user["sub"], username=username)
        refresh_token = base64.urlsafe_b64encode(secrets.token_bytes(96)).decode().rstrip("=")
        now = int(time.time())
        with self.store.change() as data:
            tokens = data["refreshTokens"]
            for key in [k for k, t in tokens.items() if t["expires"] < now]:
                del tokens[key]
            tokens[token_key(refresh_token)] = {
                "username": username,
                "originJti": sign_in.origin_jti,
                "eventId": sign_in.event_id,
                "authTime": sign_in.auth_time,
                "expires": now + REFRESH_TOKEN_DAYS * 86400,
                "revoked": False,
            }
        result = {**self._tokens(username, user, sign_in), "RefreshToken": refresh_token}
        return {"AuthenticationResult": result, "ChallengeParameters": {}}

    def _refresh(self, refresh_token: str) -> dict[str, Any]:
        entry = self.store.read()["refreshTokens"].get(token_key(refresh_token))
        if entry is None or entry["expires"] < time.time():
            raise CognitoError("NotAuthorizedException", "Invalid Refresh Token")
        if entry["revoked"]:
            raise CognitoError("NotAuthorizedException", "Refresh Token has been revoked")
        user = self._signed_in_user(entry["username"])
        sign_in = SignIn(
            user["sub"], entry["username"], (), {}, entry["originJti"], entry["eventId"], entry["authTime"]
        )
        return {"AuthenticationResult": self._tokens(entry["username"], user, sign_in), "ChallengeParameters": {}}

    def _access(self, body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """The user an access token belongs to, refusing expired, foreign and revoked ones as Cognito does."""
        token = str(_param(body, "AccessToken"))
        try:
            claims = self.credentials.verify_token(token)
        except AuthError as exc:
            expired = "expired" in str(exc)
            raise CognitoError(
                "NotAuthorizedException", "Access Token has expired" if expired else "Invalid Access Token"
            ) from exc
        if claims.get("token_use") != "access":
            raise CognitoError("NotAuthorizedException", "Invalid Access Token")
        tokens = self.store.read()["refreshTokens"].values()
        if any(t["originJti"] == claims.get("origin_jti") and t["revoked"] for t in tokens):
            raise CognitoError("NotAuthorizedException", "Access Token has been revoked")
        return str(claims["username"]), claims

    def _op_GetUser(self, body: dict[str, Any]) -> dict[str, Any]:
        username, _ = self._access(body)
        user = self.store.user(username)
        if user is None:
            raise CognitoError("UserNotFoundException", "User does not exist.")
        attributes = {"sub": user["sub"], **user.get("attributes", {})}
        return {"Username": username, "UserAttributes": [{"Name": k, "Value": v} for k, v in attributes.items()]}

    def _op_GlobalSignOut(self, body: dict[str, Any]) -> dict[str, Any]:
        username, _ = self._access(body)
        with self.store.change() as data:
            for entry in data["refreshTokens"].values():
                if entry["username"] == username:
                    entry["revoked"] = True
        return {}

    def _op_RevokeToken(self, body: dict[str, Any]) -> dict[str, Any]:
        token = str(_param(body, "Token"))
        with self.store.change() as data:
            entry = data["refreshTokens"].get(token_key(token))
            if entry is not None:
                entry["revoked"] = True
        # Cognito answers an unknown token with success too: revoking is idempotent.
        return {}

    def _op_ChangePassword(self, body: dict[str, Any]) -> dict[str, Any]:
        username, _ = self._access(body)
        previous, proposed = str(_param(body, "PreviousPassword")), str(_param(body, "ProposedPassword"))
        user = self._signed_in_user(username)
        if not password_matches(user["password"], previous):
            raise CognitoError("NotAuthorizedException", _INCORRECT)
        check_password_policy(proposed)
        record = password_record(username, proposed)
        with self.store.change() as data:
            data["users"][username]["password"] = record
        return {}

    def _op_ForgotPassword(self, body: dict[str, Any]) -> dict[str, Any]:
        username = str(_param(body, "Username"))
        with self.store.change() as data:
            user = data["users"].get(username)
            if user is None:
                # As a client that prevents user existence errors: the same answer, and no code anywhere.
                return {"CodeDeliveryDetails": {"Destination": "the dev log", "DeliveryMedium": "EMAIL"}}
            return {"CodeDeliveryDetails": self._send_code(user, username, "reset")}

    def _op_ConfirmForgotPassword(self, body: dict[str, Any]) -> dict[str, Any]:
        username, code = str(_param(body, "Username")), str(_param(body, "ConfirmationCode"))
        password = str(_param(body, "Password"))
        check_password_policy(password)
        record = password_record(username, password)
        with self.store.change() as data:
            user = data["users"].get(username)
            self._take_code(user, "reset", code)
            user["password"] = record
            # A new password ends every session of the old one.
            for entry in data["refreshTokens"].values():
                if entry["username"] == username:
                    entry["revoked"] = True
        return {}

    def amplify_section(self, base_url: str) -> dict[str, Any]:
        """The Auth section of /amplify-config.json: this pool, at the IdP endpoint under `base_url`."""
        cognito = {
            "userPoolId": POOL_ID,
            "userPoolClientId": CLIENT_ID,
            "userPoolEndpoint": base_url.rstrip("/") + PREFIX,
            "loginWith": {"username": True},
        }
        return {"Auth": {"Cognito": cognito}}
