"""`airline`: the local AppSync's command line (dev server, sample data, users and their tokens)."""

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
    from appsync.local.cognito.pool import UserPool
    from appsync.local.graphql.auth import LocalCredentials

    credentials = LocalCredentials(args.state_dir)
    pool = UserPool(args.state_dir, credentials)
    groups = pool.groups_of(args.user)
    print(credentials.issue_token(args.user, admin=args.admin, hours=args.hours, groups=groups))
    # stderr, so `$(airline token alice)` still captures the token alone; subscriptions need the sub.
    print(f"sub {pool.sub_of(args.user)}", file=sys.stderr)
    return 0


def _user_add(args: argparse.Namespace) -> int:
    import getpass

    from appsync.local.cognito.pool import DEMO_PASSWORD, CognitoError, UserPool
    from appsync.local.graphql.auth import LocalCredentials
    from resolvers.domain.identity import ADMINS_GROUP

    password = getpass.getpass(f"Password for {args.name}: ") if args.password else DEMO_PASSWORD
    pool = UserPool(args.state_dir, LocalCredentials(args.state_dir))
    try:
        sub = pool.add_user(args.name, password, (ADMINS_GROUP,) if args.admin else (), replace=args.replace)
    except CognitoError as error:
        print(f"{error.type}: {error.message}", file=sys.stderr)
        return 1
    shown = "the password you typed" if args.password else f"password {DEMO_PASSWORD}"
    print(f"{args.name} (sub {sub}){' in Admins' if args.admin else ''}, {shown}")
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
    user = commands.add_parser("user", help="manage the local user pool's users")
    user_commands = user.add_subparsers(dest="user_command", required=True)
    add = user_commands.add_parser("add", help="add a confirmed user who can sign in at once")
    add.add_argument("name", help="the user name to sign in with")
    add.add_argument("--admin", action="store_true", help="put the user in the Admins group")
    add.add_argument("--password", action="store_true", help="ask for the password (default: the demo password)")
    add.add_argument("--replace", action="store_true", help="replace a user of that name (password and groups)")
    add.add_argument("--state-dir", type=Path, default=environment.STATE_DIR, help=STATE_HELP)
    add.set_defaults(run=_user_add)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.run(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
