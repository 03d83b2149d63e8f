"""AppSync's enhanced subscription filters: a filterJsonObject (what `extensions.setSubscriptionFilter` and
`setSubscriptionInvalidationFilter` take) checked against AppSync's limits, and evaluated against a payload.

    {"filterGroup": [{"filters": [{"fieldName": "flightId", "operator": "in", "value": ["A", "B"]}, ...]}, ...]}

A payload matches when any group matches (OR); a group matches when all its filters hold (AND). `fieldName` may be
a dotted path into the payload (`a.b.c`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# AppSync's limits on a filter.
MAX_FILTER_GROUPS = 10
MAX_FILTERS_PER_GROUP = 5
MAX_IN_VALUES = 5
MAX_CONTAINS_ANY_VALUES = 20
MAX_FIELD_DEPTH = 5
MAX_FIELD_NAME_LENGTH = 256


class FilterError(ValueError):
    """A filter AppSync would refuse (unknown operator, over a limit, malformed)."""


_MISSING = object()


def _ordered(field_value: Any, value: Any, compare: Callable[[Any, Any], bool]) -> bool:
    if field_value is _MISSING or field_value is None or value is None:
        return False
    numbers = (int, float)
    if isinstance(field_value, bool) or isinstance(value, bool):
        return False
    if isinstance(field_value, numbers) and isinstance(value, numbers):
        return compare(field_value, value)
    if isinstance(field_value, str) and isinstance(value, str):
        return compare(field_value, value)
    return False


def _contains(field_value: Any, value: Any) -> bool:
    if isinstance(field_value, str) and isinstance(value, str):
        return value in field_value
    if isinstance(field_value, list):
        return value in field_value
    return False


OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda f, v: f is not _MISSING and f == v,
    "ne": lambda f, v: f is _MISSING or f != v,
    "in": lambda f, v: f is not _MISSING and f in v,
    "notIn": lambda f, v: f is _MISSING or f not in v,
    "gt": lambda f, v: _ordered(f, v, lambda a, b: a > b),
    "ge": lambda f, v: _ordered(f, v, lambda a, b: a >= b),
    "lt": lambda f, v: _ordered(f, v, lambda a, b: a < b),
    "le": lambda f, v: _ordered(f, v, lambda a, b: a <= b),
    "between": lambda f, v: _ordered(f, v[0], lambda a, b: a >= b) and _ordered(f, v[1], lambda a, b: a <= b),
    "contains": _contains,
    "notContains": lambda f, v: not _contains(f, v),
    "beginsWith": lambda f, v: isinstance(f, str) and isinstance(v, str) and f.startswith(v),
    "containsAny": lambda f, v: isinstance(f, list) and any(item in f for item in v),
}


@dataclass(frozen=True)
class Condition:
    path: tuple[str, ...]
    operator: str
    value: Any

    def holds(self, payload: Mapping[str, Any]) -> bool:
        current: Any = payload
        for part in self.path:
            if not isinstance(current, Mapping) or part not in current:
                current = _MISSING
                break
            current = current[part]
        return OPERATORS[self.operator](current, self.value)


@dataclass(frozen=True)
class SubscriptionFilter:
    """A checked filterJsonObject: groups of conditions."""

    groups: tuple[tuple[Condition, ...], ...]

    def matches(self, payload: Mapping[str, Any]) -> bool:
        return any(all(condition.holds(payload) for condition in group) for group in self.groups)

    @classmethod
    def parse(cls, filter_json: Any) -> SubscriptionFilter:
        """Check a filterJsonObject as AppSync does when the resolver sets it; raises FilterError."""
        if not isinstance(filter_json, Mapping) or not isinstance(filter_json.get("filterGroup"), list):
            raise FilterError('A subscription filter is {"filterGroup": [{"filters": [...]}, ...]}')
        groups = filter_json["filterGroup"]
        if not groups or len(groups) > MAX_FILTER_GROUPS:
            raise FilterError(f"A subscription filter has 1 to {MAX_FILTER_GROUPS} filter groups, not {len(groups)}")
        return cls(tuple(_group(group) for group in groups))


def _group(group: Any) -> tuple[Condition, ...]:
    filters = group.get("filters") if isinstance(group, Mapping) else None
    if not isinstance(filters, list) or not filters:
        raise FilterError("Each filter group has a non-empty list of filters")
    if len(filters) > MAX_FILTERS_PER_GROUP:
        raise FilterError(f"A filter group has at most {MAX_FILTERS_PER_GROUP} filters, not {len(filters)}")
    return tuple(_condition(item) for item in filters)


def _condition(item: Any) -> Condition:
    if not isinstance(item, Mapping) or not isinstance(item.get("fieldName"), str) or "operator" not in item:
        raise FilterError("Each filter is {fieldName, operator, value}")
    name: str = item["fieldName"]
    operator = item["operator"]
    value = item.get("value")
    path = tuple(name.split("."))
    if not name or len(name) > MAX_FIELD_NAME_LENGTH or len(path) > MAX_FIELD_DEPTH:
        raise FilterError(
            f"fieldName {name!r}: at most {MAX_FIELD_DEPTH} levels and {MAX_FIELD_NAME_LENGTH} characters"
        )
    if operator not in OPERATORS:
        raise FilterError(f"Unknown filter operator {operator!r} (known: {', '.join(OPERATORS)})")
    if operator in ("in", "notIn") and not _list_of(value, MAX_IN_VALUES):
        raise FilterError(f"{operator} on {name} takes a list of 1 to {MAX_IN_VALUES} values")
    if operator == "containsAny" and not _list_of(value, MAX_CONTAINS_ANY_VALUES):
        raise FilterError(f"containsAny on {name} takes a list of 1 to {MAX_CONTAINS_ANY_VALUES} values")
    if operator == "between" and not (isinstance(value, list) and len(value) == 2):
        raise FilterError(f"between on {name} takes a list of two values")
    return Condition(path, operator, value)


def _list_of(value: Any, most: int) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str) and 1 <= len(value) <= most


def argument_filter(arguments: Mapping[str, Any]) -> SubscriptionFilter | None:
    """AppSync's basic filtering, for subscriptions whose resolver sets no filter: every non-null argument equals
    the result's field of the same name."""
    conditions = tuple(Condition((name,), "eq", value) for name, value in arguments.items() if value is not None)
    return SubscriptionFilter((conditions,)) if conditions else None
