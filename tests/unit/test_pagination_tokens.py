"""Pagination tokens are encrypted (authenticated) and bound to their query."""

from __future__ import annotations

import base64

import pytest

from resolvers import config
from resolvers.domain.errors import ValidationError
from resolvers.store import pagination

KEY = {"PK": {"S": "FLIGHT#1"}, "SK": {"S": "FLIGHT#1"}}


@pytest.fixture(autouse=True)
def secret(monkeypatch):
    monkeypatch.setenv(config.PAGINATION_SECRET, "s" * 32)
    config.get_settings.cache_clear()
    yield
    config.get_settings.cache_clear()


def test_a_token_round_trips_for_its_own_query():
    assert pagination.decode(pagination.encode(KEY, "q1"), "q1") == KEY


def test_no_key_means_no_token():
    assert pagination.encode(None, "q1") is None
    assert pagination.decode(None, "q1") is None


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t + "x",
        lambda t: ("B" if t[0] == "A" else "A") + t[1:],
        lambda t: t[: len(t) // 2] + ("B" if t[len(t) // 2] == "A" else "A") + t[len(t) // 2 + 1 :],
        lambda t: t[:-4],
        lambda t: t[:10],
        lambda t: "a.b.c",
        lambda t: "",
    ],
)
def test_a_changed_token_is_refused(mangle):
    with pytest.raises(ValidationError):
        pagination.decode(mangle(pagination.encode(KEY, "q1")), "q1")


def test_a_token_hides_the_key_it_carries():
    token = pagination.encode(KEY, "q1")
    assert token is not None
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert b"FLIGHT" not in raw
    assert b"PK" not in raw
    # A fresh nonce each time: two tokens for the same key cannot be matched up
    assert pagination.encode(KEY, "q1") != token


def test_a_token_for_another_query_is_refused():
    with pytest.raises(ValidationError):
        pagination.decode(pagination.encode(KEY, "q1"), "q2")


def test_a_token_signed_with_another_secret_is_refused(monkeypatch):
    token = pagination.encode(KEY, "q1")
    monkeypatch.setenv(config.PAGINATION_SECRET, "t" * 32)
    config.get_settings.cache_clear()

    with pytest.raises(ValidationError):
        pagination.decode(token, "q1")


def test_settings_refuse_a_short_secret():
    with pytest.raises(config.ConfigError):
        config.load_settings({config.PAGINATION_SECRET: "short"})
