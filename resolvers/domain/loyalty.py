"""Loyalty: a customer's tier and points, with the reference sample's rules (SILVER from 50,000 points, GOLD from
100,000)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class LoyaltyLevel(StrEnum):
    BRONZE = "BRONZE"
    SILVER = "SILVER"
    GOLD = "GOLD"


@dataclass(frozen=True)
class Loyalty:
    """A customer's points, the level they hold, and how far they are towards the next one."""

    customer: str
    points: int
    level: LoyaltyLevel
    remaining_points: int
    percentage: int


# Lowest points of each level, in ascending order.
LEVEL_THRESHOLDS: tuple[tuple[LoyaltyLevel, int], ...] = (
    (LoyaltyLevel.BRONZE, 0),
    (LoyaltyLevel.SILVER, 50_000),
    (LoyaltyLevel.GOLD, 100_000),
)


def loyalty_for(customer: str, points: int) -> Loyalty:
    """The level a customer holds with `points`, and how far they are towards the next one."""
    points = max(points, 0)
    level, floor = LEVEL_THRESHOLDS[0]
    ceiling: int | None = None
    for index, (candidate, threshold) in enumerate(LEVEL_THRESHOLDS):
        if points >= threshold:
            level, floor = candidate, threshold
            ceiling = LEVEL_THRESHOLDS[index + 1][1] if index + 1 < len(LEVEL_THRESHOLDS) else None
    if ceiling is None:
        return Loyalty(customer=customer, points=points, level=level, remaining_points=0, percentage=100)
    percentage = (points - floor) * 100 // (ceiling - floor)
    return Loyalty(
        customer=customer,
        points=points,
        level=level,
        remaining_points=ceiling - points,
        percentage=percentage,
    )
