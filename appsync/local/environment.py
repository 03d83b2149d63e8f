"""The local runtime's settings: state under .local/, the same environment variables the Lambdas read."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlparse

from resolvers import config

ROOT = Path(__file__).resolve().parents[2]
STATE_DIR = ROOT / ".local"
LOCAL_TABLE_NAME = "airline-local"


def _secret(name: str, state_dir: Path) -> str:
    """A random secret made on first use and kept in the state folder (which git ignores)."""
    path = state_dir / name
    if not path.exists():
        state_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def configure(endpoint: str, state_dir: Path = STATE_DIR) -> None:
    """Point this process's resolvers at DynamoDB Local at `endpoint`, as a Lambda's environment would."""
    os.environ[config.TABLE_NAME] = os.environ.get(config.TABLE_NAME, LOCAL_TABLE_NAME)
    os.environ[config.DYNAMODB_ENDPOINT] = endpoint
    os.environ.setdefault(config.AWS_REGION, config.DEFAULT_REGION)
    os.environ[config.PAGINATION_SECRET] = _secret("pagination-secret", state_dir)
    if urlparse(endpoint).hostname in ("127.0.0.1", "localhost", "::1"):
        # DynamoDB Local accepts any credentials; botocore insists on some. A real endpoint keeps the real ones.
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "airline-local")
    config.get_settings.cache_clear()

    from resolvers.store import table

    table.bind(config.get_settings())
