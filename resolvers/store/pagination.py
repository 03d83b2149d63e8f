"""Opaque pagination tokens: the last key read, encrypted with authenticated encryption (AES-GCM from
`cryptography`) and bound to the query it came from, so a client can neither read the table's keys in a token nor
forge, alter or reuse one for another query."""

from __future__ import annotations

import base64
import json
import os
from functools import cache
from typing import TYPE_CHECKING, Any

from resolvers.config import get_settings
from resolvers.domain.errors import ValidationError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_INVALID = "is not a valid pagination token for this query"
_NONCE_BYTES = 12
# Names what the derived key is for, so the secret could serve another purpose without sharing a key.
_KEY_INFO = b"airline-booking nextToken v1"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@cache
def _cipher(secret: bytes) -> AESGCM:
    # Loaded on the first page that needs a token: nothing of it on a cold start that never paginates.
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KEY_INFO).derive(secret)
    return AESGCM(key)


def encode(last_key: dict[str, Any] | None, scope: str) -> str | None:
    """A token for the page after `last_key`, valid only for the query named by `scope` (the associated data)."""
    if not last_key:
        return None
    payload = json.dumps(last_key, separators=(",", ":"), sort_keys=True).encode()
    nonce = os.urandom(_NONCE_BYTES)
    sealed = _cipher(get_settings().pagination_secret).encrypt(nonce, payload, scope.encode())
    return _b64(nonce + sealed)


def decode(token: str | None, scope: str) -> dict[str, Any] | None:
    """The key to start after; a forged, altered or foreign token is a ValidationError."""
    if token is None:
        return None
    from cryptography.exceptions import InvalidTag

    try:
        raw = _unb64(token)
        if len(raw) <= _NONCE_BYTES:
            raise ValueError("too short")
        payload = _cipher(get_settings().pagination_secret).decrypt(
            raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], scope.encode()
        )
        key = json.loads(payload)
    except (ValueError, InvalidTag) as exc:
        raise ValidationError("nextToken", _INVALID) from exc
    if not isinstance(key, dict):
        raise ValidationError("nextToken", _INVALID)
    return key


def read_page(
    query: Any,
    hash_key: str,
    *,
    key_attributes: tuple[str, ...],
    limit: int,
    token: str | None,
    scope: str,
    **query_args: Any,
) -> tuple[list[Any], str | None]:
    """One Query for a page of `limit` items; the token points after the last item only if more exist.

    Reads one item past the page so that the last page carries no token, instead of a token to an empty page.
    """
    start = decode(token, scope)
    items = list(query(hash_key, limit=limit + 1, page_size=limit + 1, last_evaluated_key=start, **query_args))
    if len(items) <= limit:
        return items, None
    last = items[limit - 1]
    raw = last.serialize()
    last_key = {name: raw[name] for name in key_attributes}
    return items[:limit], encode(last_key, scope)
