"""Configuration of the resolvers, read once from the environment and validated; the CDK app and tests use it too."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any

# Environment variable names: the CDK app sets exactly these on every function.
TABLE_NAME = "TABLE_NAME"
DYNAMODB_ENDPOINT = "DYNAMODB_ENDPOINT"
AWS_REGION = "AWS_REGION"
EVENT_BUS_NAME = "EVENT_BUS_NAME"
STATE_MACHINE_ARN = "STATE_MACHINE_ARN"
# The hold timer's state machine (resolvers/saga/hold.asl.json): started for each HELD booking.
HOLD_STATE_MACHINE_ARN = "HOLD_STATE_MACHINE_ARN"
# How long a hold keeps its seats unpaid, and how far extendHold may take it from the booking's creation.
HOLD_DURATION_SECONDS = "HOLD_DURATION_SECONDS"
HOLD_MAX_SECONDS = "HOLD_MAX_SECONDS"
DEFAULT_HOLD_DURATION = timedelta(minutes=30)
DEFAULT_HOLD_MAX = timedelta(hours=24)
APPSYNC_GRAPHQL_URL = "APPSYNC_GRAPHQL_URL"
PAGINATION_SECRET = "PAGINATION_SECRET"  # noqa: S105 (the variable's name, not a secret)
# On AWS: the Secrets Manager secret holding the pagination secret, read at cold start when PAGINATION_SECRET is unset.
PAGINATION_SECRET_ARN = "PAGINATION_SECRET_ARN"  # noqa: S105 (the variable's name, not a secret)

# The reconciler (resolvers/services/reconciler.py): a PENDING booking unchanged for this long with no running saga
# is settled; CONFIRMED bookings changed within the lookback are checked for their points; locally, how often it runs.
RECONCILE_AFTER_SECONDS = "RECONCILE_AFTER_SECONDS"
RECONCILE_LOOKBACK_HOURS = "RECONCILE_LOOKBACK_HOURS"
RECONCILE_INTERVAL_SECONDS = "RECONCILE_INTERVAL_SECONDS"

# Powertools reads the service name from this variable; every Logger of the resolvers uses the same one.
POWERTOOLS_SERVICE_NAME = "POWERTOOLS_SERVICE_NAME"
DEFAULT_SERVICE = "airline"
# The service every log line names (saga tasks and consumers read it here, not from the resolver app).
SERVICE = os.environ.get(POWERTOOLS_SERVICE_NAME) or DEFAULT_SERVICE

DEFAULT_TABLE_NAME = "airline"
DEFAULT_REGION = "eu-west-1"
MIN_SECRET_LENGTH = 16


class ConfigError(RuntimeError):
    """The environment does not describe a usable configuration."""


@dataclass(frozen=True)
class Settings:
    """What every function reads from its environment at cold start."""

    table_name: str
    region: str
    # Set for DynamoDB Local; None on AWS.
    dynamodb_endpoint: str | None
    # Signs pagination tokens so a client cannot forge or alter one.
    pagination_secret: bytes


def _read_secret(secret_arn: str, client: Any = None) -> str:
    """The secret's string from Secrets Manager (boto3 imported here: local runs never need it)."""
    if client is None:
        import boto3

        client = boto3.client("secretsmanager")
    value = client.get_secret_value(SecretId=secret_arn).get("SecretString")
    if not isinstance(value, str):
        raise ConfigError(f"The secret named by {PAGINATION_SECRET_ARN} holds no string")
    return value


def load_settings(environ: Mapping[str, str] = os.environ, secrets_client: Any = None) -> Settings:
    """`secrets_client` (a boto3 Secrets Manager client) is for tests; by default one is made when needed."""
    secret = environ.get(PAGINATION_SECRET, "")
    secret_arn = environ.get(PAGINATION_SECRET_ARN, "").strip()
    if not secret and secret_arn:
        secret = _read_secret(secret_arn, secrets_client)
    if len(secret) < MIN_SECRET_LENGTH:
        raise ConfigError(f"{PAGINATION_SECRET} must be set to at least {MIN_SECRET_LENGTH} characters")
    table_name = environ.get(TABLE_NAME, DEFAULT_TABLE_NAME).strip()
    if not table_name:
        raise ConfigError(f"{TABLE_NAME} must not be empty")
    return Settings(
        table_name=table_name,
        region=environ.get(AWS_REGION, DEFAULT_REGION),
        dynamodb_endpoint=environ.get(DYNAMODB_ENDPOINT) or None,
        pagination_secret=secret.encode(),
    )


@dataclass(frozen=True)
class ReconcilerSettings:
    """When the reconciler settles a booking, how far back it checks, and how often it runs."""

    # Longer than an Express execution may last (5 minutes), so no saga is still at work on a booking it settles.
    settle_after: timedelta = timedelta(minutes=10)
    # EventBridge retries a delivery for 6 hours before dead-lettering it: a day covers that with room.
    lookback: timedelta = timedelta(hours=24)
    # How often it runs: the CDK app's schedule on AWS, the local runtime's timer locally.
    interval: timedelta = timedelta(minutes=5)


# Locally no execution outlives the process, and a developer should not wait minutes.
LOCAL_RECONCILER = ReconcilerSettings(settle_after=timedelta(seconds=30), interval=timedelta(seconds=10))


def _positive(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, not {raw!r}") from exc
    if not value > 0:
        raise ConfigError(f"{name} must be greater than 0")
    return value


def load_reconciler_settings(
    environ: Mapping[str, str] = os.environ, defaults: ReconcilerSettings | None = None
) -> ReconcilerSettings:
    defaults = defaults or ReconcilerSettings()
    return ReconcilerSettings(
        settle_after=timedelta(
            seconds=_positive(environ, RECONCILE_AFTER_SECONDS, defaults.settle_after.total_seconds())
        ),
        lookback=timedelta(hours=_positive(environ, RECONCILE_LOOKBACK_HOURS, defaults.lookback / timedelta(hours=1))),
        interval=timedelta(seconds=_positive(environ, RECONCILE_INTERVAL_SECONDS, defaults.interval.total_seconds())),
    )


def hold_durations(environ: Mapping[str, str] = os.environ) -> tuple[timedelta, timedelta]:
    """(hold duration, maximum total hold), read on each call so that tests and demos can shorten them."""
    duration = timedelta(seconds=_positive(environ, HOLD_DURATION_SECONDS, DEFAULT_HOLD_DURATION.total_seconds()))
    longest = timedelta(seconds=_positive(environ, HOLD_MAX_SECONDS, DEFAULT_HOLD_MAX.total_seconds()))
    if longest < duration:
        raise ConfigError(f"{HOLD_MAX_SECONDS} must be at least {HOLD_DURATION_SECONDS}")
    return duration, longest


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read on first use (cold start) and kept."""
    return load_settings()
