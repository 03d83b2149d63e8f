"""Domain objects to the GraphQL shapes AppSync returns: camelCase keys, AWSDateTime text, enum names."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from resolvers.domain.models import Page


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if is_dataclass(value) and not isinstance(value, type):
        return to_graphql(value)
    if isinstance(value, list | tuple):
        return [_value(item) for item in value]
    return value


def to_graphql(obj: Any) -> dict[str, Any]:
    """A domain dataclass as a GraphQL object. Extra keys (like a booking's outboundFlightId) ride along
    for child resolvers, which receive the object as their `source`, and are never exposed by the schema."""
    return {_camel(field.name): _value(getattr(obj, field.name)) for field in fields(obj)}


def connection(page: Page[Any]) -> dict[str, Any]:
    return {"items": [to_graphql(item) for item in page.items], "nextToken": page.next_token}


def optional(obj: Any | None) -> dict[str, Any] | None:
    return None if obj is None else to_graphql(obj)
