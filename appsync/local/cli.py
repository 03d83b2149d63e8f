"""`airline`: the local AppSync's command line (dev server, sample data, user tokens)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from appsync.local import environment
from appsync.local.dynamodb_local import DynamoDBLocal


def _seed(args: argparse.Namespace) -> int:
    from appsync.local.seed import seed
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="airline", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    seed = commands.add_parser("seed", help="add the sample flights (the coming weeks, from today)")
    seed.add_argument("--endpoint", help="a running DynamoDB (default: start DynamoDB Local on .local/)")
    seed.add_argument("--days", type=int, default=28, help="how many days of flights (default 28)")
    seed.set_defaults(run=_seed)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.run(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
