"""`airline`: the local AppSync's command line (dev server, sample data, user tokens)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from appsync.local import environment
from appsync.local.dynamodb.local import DynamoDBLocal

STATE_HELP = "where the data and keys are kept (default .local/, which git ignores)"


def _seed(args: argparse.Namespace) -> int:
    from appsync.local.dynamodb.seed import seed
    from resolvers.store.table import create_table_if_missing

    local = None
    endpoint = args.endpoint
    if endpoint is None:
        local = DynamoDBLocal(db_path=environment.STATE_DIR / "dynamodb")
        endpoint = local.start()
    try:
        environment.configure(endpoint)
        created = create_table_if_missing()
        added = seed(days=args.days)
        print(f"{'created the table; ' if created else ''}added {added} sample flights at {endpoint}")
    finally:
        if local is not None:
            local.stop()
    return 0


def _dev(args: argparse.Namespace) -> int:
    from appsync.local import dev

    return dev.run(host=args.host, port=args.port, state_dir=args.state_dir, tls_port=args.tls_port)


def _token(args: argparse.Namespace) -> int:
    from appsync.local.graphql.auth import LocalCredentials

    print(LocalCredentials(args.state_dir).issue_token(args.user, admin=args.admin, hours=args.hours))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="airline", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    seed = commands.add_parser("seed", help="add the sample flights (the coming weeks, from today)")
    seed.add_argument("--endpoint", help="a running DynamoDB (default: start DynamoDB Local on .local/)")
    seed.add_argument("--days", type=int, default=28, help="how many days of flights (default 28)")
    seed.set_defaults(run=_seed)
    dev = commands.add_parser("dev", help="serve the local API: DynamoDB Local, sample flights, GraphiQL")
    dev.add_argument("--port", type=int, default=4000, help="the API's port on 127.0.0.1 (default 4000)")
    dev.add_argument(
        "--tls-port", type=int, default=4443, help="the same API over HTTPS/WSS with a local certificate (default 4443)"
    )
    dev.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)")
    dev.add_argument("--state-dir", type=Path, default=environment.STATE_DIR, help=STATE_HELP)
    dev.set_defaults(run=_dev)
    token = commands.add_parser("token", help="print a user token (a JWT) for the Authorization header")
    token.add_argument("user", help="the user name; the same name always gets the same user id (sub)")
    token.add_argument("--admin", action="store_true", help="make the user a member of the Admins group")
    token.add_argument("--hours", type=float, default=12, help="hours until the token expires (default 12)")
    token.add_argument("--state-dir", type=Path, default=environment.STATE_DIR, help=STATE_HELP)
    token.set_defaults(run=_token)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.run(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
