"""Opaque, tamper-proof pagination tokens: the last key read, bound to the query it came from, signed."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from resolvers.config import get_settings
from resolvers.domain.errors import ValidationError

_INVALID = "is not a valid pagination token for this query"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(payload: bytes) -> bytes:
    return hmac.new(get_settings().pagination_secret, payload, hashlib.sha256).digest()


def encode(last_key: dict[str, Any] | None, scope: str) -> str | None:
    """A token for the page after `last_key`, valid only for the query named by `scope`."""
    if not last_key:
        return None
    payload = json.dumps({"k": last_key, "s": scope}, separators=(",", ":"), sort_keys=True).encode()
    return f"{_b64(payload)}.{_b64(_sign(payload))}"


def decode(token: str | None, scope: str) -> dict[str, Any] | None:
    """The key to start after; a forged, altered or foreign token is a ValidationError."""
    if token is None:
        return None
    try:
        body, signature = token.split(".")
        payload = _unb64(body)
        valid = hmac.compare_digest(_unb64(signature), _sign(payload))
    except ValueError as exc:
        raise ValidationError("nextToken", _INVALID) from exc
    if not valid:
        raise ValidationError("nextToken", _INVALID)
    data = json.loads(payload)
    if data.get("s") != scope or not isinstance(data.get("k"), dict):
        raise ValidationError("nextToken", _INVALID)
    key: dict[str, Any] = data["k"]
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
