"""Benchmarks the local user pool over HTTP with boto3: SRP sign-in (pycognito, two round trips),
USER_PASSWORD_AUTH (scrypt), a refresh, GetUser, and verifying a token at the local AppSync. Prints a table."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import boto3
from pycognito.aws_srp import AWSSRP

from appsync.local.cognito.api import IdentityProviderApi
from appsync.local.cognito.pool import UserPool
from appsync.local.cognito.tokens import CLIENT_ID, POOL_ID, PREFIX
from appsync.local.graphql.auth import LocalCredentials

ROUNDS = 50
PASSWORD = "Bench#Password1"  # noqa: S105 (a throwaway user in a temporary pool)


def timed(action: Callable[[], object], rounds: int = ROUNDS) -> list[float]:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    import threading

    import uvicorn
    from starlette.applications import Starlette

    from appsync.local.server import bind

    with tempfile.TemporaryDirectory() as state:
        credentials = LocalCredentials(Path(state))
        pool = UserPool(Path(state), credentials)
        pool.add_user("bench", PASSWORD)
        app = Starlette(routes=IdentityProviderApi(pool).routes())
        sock = bind("127.0.0.1", 0)
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        host, port = sock.getsockname()[:2]
        idp = boto3.client(
            "cognito-idp",
            endpoint_url=f"http://{host}:{port}{PREFIX}",
            region_name="eu-west-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",  # noqa: S106 (the local pool takes any credentials)
        )
        while not server.started:
            time.sleep(0.05)

        def password() -> dict[str, str]:
            parameters = {"USERNAME": "bench", "PASSWORD": PASSWORD}
            answer = idp.initiate_auth(ClientId=CLIENT_ID, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=parameters)
            result: dict[str, str] = answer["AuthenticationResult"]
            return result

        def srp() -> object:
            return AWSSRP("bench", PASSWORD, POOL_ID, CLIENT_ID, client=idp).authenticate_user()

        tokens = password()
        refresh = {"ClientId": CLIENT_ID, "AuthFlow": "REFRESH_TOKEN_AUTH"}
        rows = {
            "SRP sign-in (InitiateAuth + RespondToAuthChallenge)": timed(srp),
            "USER_PASSWORD_AUTH sign-in": timed(password),
            "REFRESH_TOKEN_AUTH": timed(
                lambda: idp.initiate_auth(**refresh, AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
            ),
            "GetUser": timed(lambda: idp.get_user(AccessToken=tokens["AccessToken"])),
            "verify a token (JWKS, in process)": timed(lambda: credentials.verify_token(tokens["IdToken"]), 1000),
        }
        server.should_exit = True
        thread.join(timeout=10)
    print(f"{'operation':<55} {'median ms':>10} {'p95 ms':>8}")
    for name, samples in rows.items():
        p95 = sorted(samples)[int(0.95 * (len(samples) - 1))]
        print(f"{name:<55} {statistics.median(samples):>10.2f} {p95:>8.2f}")


if __name__ == "__main__":
    main()
