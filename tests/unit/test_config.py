"""resolvers/config.py: the pagination secret from the environment, or from Secrets Manager at cold start."""

from __future__ import annotations

from typing import Any

import pytest

from resolvers import config

SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:pagination-AbCdEf"
SECRET = "s" * 64


class FakeSecretsManager:
    """Answers get_secret_value like boto3's client, and counts the calls."""

    def __init__(self, secrets: dict[str, dict[str, Any]]) -> None:
        self.secrets = secrets
        self.calls: list[str] = []

    def get_secret_value(self, SecretId: str) -> dict[str, Any]:
        self.calls.append(SecretId)
        return {"ARN": SecretId, **self.secrets[SecretId]}


def test_the_secret_in_the_environment_is_used_as_is() -> None:
    client = FakeSecretsManager({})
    settings = config.load_settings({config.PAGINATION_SECRET: SECRET}, secrets_client=client)
    assert settings.pagination_secret == SECRET.encode()
    assert client.calls == []


def test_the_secret_is_read_from_secrets_manager_when_only_its_arn_is_set() -> None:
    client = FakeSecretsManager({SECRET_ARN: {"SecretString": SECRET}})
    settings = config.load_settings(
        {config.PAGINATION_SECRET_ARN: SECRET_ARN, config.TABLE_NAME: "airline-prod"}, secrets_client=client
    )
    assert settings.pagination_secret == SECRET.encode()
    assert settings.table_name == "airline-prod"
    assert client.calls == [SECRET_ARN]


def test_a_secret_in_the_environment_wins_over_the_arn() -> None:
    client = FakeSecretsManager({SECRET_ARN: {"SecretString": "x" * 64}})
    settings = config.load_settings(
        {config.PAGINATION_SECRET: SECRET, config.PAGINATION_SECRET_ARN: SECRET_ARN}, secrets_client=client
    )
    assert settings.pagination_secret == SECRET.encode()
    assert client.calls == []


def test_a_short_secret_from_secrets_manager_is_refused() -> None:
    client = FakeSecretsManager({SECRET_ARN: {"SecretString": "short"}})
    with pytest.raises(config.ConfigError):
        config.load_settings({config.PAGINATION_SECRET_ARN: SECRET_ARN}, secrets_client=client)


def test_a_binary_secret_is_refused() -> None:
    client = FakeSecretsManager({SECRET_ARN: {"SecretBinary": b"\0" * 64}})
    with pytest.raises(config.ConfigError, match=config.PAGINATION_SECRET_ARN):
        config.load_settings({config.PAGINATION_SECRET_ARN: SECRET_ARN}, secrets_client=client)


def test_neither_secret_nor_arn_is_refused() -> None:
    with pytest.raises(config.ConfigError, match=config.PAGINATION_SECRET):
        config.load_settings({}, secrets_client=FakeSecretsManager({}))


def test_the_process_reads_the_secret_once(monkeypatch: pytest.MonkeyPatch) -> None:
    client = FakeSecretsManager({SECRET_ARN: {"SecretString": SECRET}})
    monkeypatch.delenv(config.PAGINATION_SECRET, raising=False)
    monkeypatch.setenv(config.PAGINATION_SECRET_ARN, SECRET_ARN)
    original = config.load_settings
    monkeypatch.setattr(config, "load_settings", lambda: original(secrets_client=client))
    config.get_settings.cache_clear()
    try:
        assert config.get_settings().pagination_secret == SECRET.encode()
        assert config.get_settings().pagination_secret == SECRET.encode()
    finally:
        config.get_settings.cache_clear()
    assert client.calls == [SECRET_ARN]


def test_the_reconciler_reads_its_thresholds_and_rejects_nonsense():
    from datetime import timedelta

    from resolvers.config import LOCAL_RECONCILER, load_reconciler_settings

    read = load_reconciler_settings(
        {"RECONCILE_AFTER_SECONDS": "90", "RECONCILE_INTERVAL_SECONDS": "0.5"}, defaults=LOCAL_RECONCILER
    )
    assert (read.settle_after, read.interval, read.lookback) == (
        timedelta(seconds=90),
        timedelta(seconds=0.5),
        LOCAL_RECONCILER.lookback,
    )
    # On AWS, by default: longer than an Express execution may last (5 minutes)
    assert load_reconciler_settings({}).settle_after > timedelta(minutes=5)
    for bad in ("0", "-3", "soon"):
        with pytest.raises(config.ConfigError, match="RECONCILE_AFTER_SECONDS"):
            load_reconciler_settings({"RECONCILE_AFTER_SECONDS": bad})
