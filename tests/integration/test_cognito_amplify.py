"""Amplify Auth v6 (Node) signs up, in and out against the local user pool and calls the local AppSync with the
user's token (queries, mutations, a subscription), configured by nothing but the server's /amplify-config.json."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from appsync.local.cognito.tokens import CLIENT_ID, POOL_ID, PREFIX
from appsync.local.server import PATH, LocalAppSync, serve_in_thread
from resolvers.store import flights as flight_store
from tests.factories import a_flight

NODE_DIR = Path(__file__).resolve().parents[1] / "node"
PASSWORD = "Amplify#Local42"
_names = itertools.count()


class NodeScript:
    """A Node script speaking JSON lines on stdout, fed lines on stdin; every read is bounded."""

    def __init__(self, script: str, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            ["node", script],
            cwd=NODE_DIR,
            env={**os.environ, **env},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.killer = threading.Timer(90, self.process.kill)
        self.killer.start()

    def read(self, step: str) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            assert self.process.stderr is not None
            raise AssertionError(f"{step}: the script ended: {self.process.stderr.read()[-3000:]}")
        message: dict[str, Any] = json.loads(line)
        assert message["step"] == step, message
        return message

    def send(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def close(self) -> int:
        self.killer.cancel()
        return self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def tls_url(appsync: LocalAppSync) -> Iterator[str]:
    with serve_in_thread(appsync, tls=True) as url:
        yield url


def wait_for(condition: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_amplify_signs_up_in_and_out_and_calls_appsync_as_the_user(tls_url: str, appsync: LocalAppSync) -> None:
    # Given a web app's Amplify, configured by nothing but the server's /amplify-config.json, over TLS
    username = f"amplify-{next(_names)}-{id(appsync)}"
    flight = a_flight(seat_capacity=5, seats_available=5, ticket_price=4200)
    flight_store.put_flight(flight)
    env = {
        "CONFIG_URL": tls_url.removesuffix(PATH) + "/amplify-config.json",
        "NODE_EXTRA_CA_CERTS": str(appsync.certificate.ca_path),
        "USERNAME": username,
        "PASSWORD": PASSWORD,
        "EMAIL": f"{username}@example.com",
        "FLIGHT_ID": flight.id,
    }
    node = NodeScript("cognito_sign_in.mjs", env)
    appsync.user_pool.operations.clear()
    try:
        base = tls_url.removesuffix(PATH)
        assert node.read("configured") == {
            "step": "configured",
            "auth": {
                "userPoolId": POOL_ID,
                "userPoolClientId": CLIENT_ID,
                "userPoolEndpoint": base + PREFIX,
                "loginWith": {"username": True},
            },
            "endpoint": tls_url,
        }
        # When it signs up, and confirms with the code the dev log shows
        signed_up = node.read("signUp")
        assert signed_up["nextStep"] == "CONFIRM_SIGN_UP"
        code = appsync.user_pool.code(username, "signUp")
        assert code is not None
        node.send(code)
        assert node.read("confirmSignUp")["isSignUpComplete"] is True
        # Then it signs in with SRP (Amplify's default), and its session is the user's
        assert node.read("signIn") == {"step": "signIn", "isSignedIn": True, "nextStep": "DONE"}
        session = node.read("session")
        sub = signed_up["userId"]
        assert (session["userSub"], session["userId"], session["username"]) == (sub, sub, username)
        assert (session["idTokenUse"], session["accessTokenUse"]) == ("id", "access")
        # And the local AppSync answers a userPool call as that user
        assert node.read("getLoyalty")["loyalty"]["customer"] == sub
        # And it receives its own booking's statuses over AppSync's real-time protocol (wss://)
        subscribed = appsync.subscriptions.count("onBookingStatusChanged")
        node.read("subscribing")
        wait_for(lambda: appsync.subscriptions.count("onBookingStatusChanged") > subscribed)
        node.send("go")
        booked = node.read("booking")
        booking = booked["booking"]
        assert (booking["status"], booking["customer"]) == ("PENDING", sub)
        assert [s["status"] for s in booked["statuses"]] == ["PENDING", "CONFIRMED"]
        assert {(s["bookingId"], s["customer"]) for s in booked["statuses"]} == {(booking["id"], sub)}
        # And a forced refresh gives new tokens for the same user
        assert node.read("refresh") == {"step": "refresh", "newIdToken": True, "sameSub": True}
        # And signing out revokes the refresh token
        signed_out = node.read("signOut")
        assert signed_out["signedOut"] is True
        # USER_PASSWORD_AUTH signs the same user in; a global sign-out revokes that session too
        password = node.read("passwordSignIn")
        assert password == {
            "step": "passwordSignIn",
            "isSignedIn": True,
            "authFlowType": "USER_PASSWORD_AUTH",
            "customer": sub,
            "sameSub": True,
        }
        global_signed_out = node.read("globalSignOut")
        assert node.read("wrongPassword")["error"] == "NotAuthorizedException"
        assert node.close() == 0
    finally:
        node.process.kill()
        node.killer.cancel()
    # The refresh tokens Amplify held are refused now
    idp = boto3.client(
        "cognito-idp",
        endpoint_url=tls_url.removesuffix(PATH) + PREFIX,
        verify=str(appsync.certificate.ca_path),
        region_name="eu-west-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    for revoked in (signed_out["refreshToken"], global_signed_out["refreshToken"]):
        assert revoked
        with pytest.raises(ClientError) as refused:
            idp.initiate_auth(
                ClientId=CLIENT_ID, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": revoked}
            )
        assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"
    # What Amplify 6.22 called, in order (then the two refreshes above): the operations the local pool serves
    srp = ["InitiateAuth", "RespondToAuthChallenge"]
    amplify = ["SignUp", "ConfirmSignUp", *srp, "GetTokensFromRefreshToken", "RevokeToken", "InitiateAuth"]
    amplify += ["GlobalSignOut", *srp]
    assert list(appsync.user_pool.operations) == [*amplify, "InitiateAuth", "InitiateAuth"]


def test_the_readme_quick_start_signs_alice_in_and_reads_her_loyalty(tls_url: str, appsync: LocalAppSync) -> None:
    # Given the README's frontend quick start, with the demo users `airline dev` creates
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme[readme.index("## Sign-in (local Cognito)") :]
    snippet = section[section.index("```ts\n") + len("```ts\n") : section.index("```\n", section.index("```ts"))]
    assert len(snippet.strip().splitlines()) < 15
    appsync.user_pool.ensure_demo_users()
    # When it runs in Node, its relative URL made absolute (a page would resolve it against its own origin)
    base = tls_url.removesuffix(PATH)
    code = snippet.replace("fetch('/amplify-config.json')", f"fetch('{base}/amplify-config.json')")
    environment = {**os.environ, "NODE_EXTRA_CA_CERTS": str(appsync.certificate.ca_path)}
    ran = subprocess.run(
        ["node", "--input-type=module", "-e", code],
        cwd=NODE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=90,
    )
    # Then it prints what its comment says
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert ran.stdout.strip() == "true"
