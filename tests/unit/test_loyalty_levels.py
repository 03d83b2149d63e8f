"""Loyalty tiers: BRONZE below 50,000 points, SILVER below 100,000, GOLD from there."""

from __future__ import annotations

import pytest

from resolvers.domain.loyalty import LoyaltyLevel, loyalty_for


@pytest.mark.parametrize(
    ("points", "level", "remaining", "percentage"),
    [
        (0, LoyaltyLevel.BRONZE, 50_000, 0),
        (25_000, LoyaltyLevel.BRONZE, 25_000, 50),
        (49_999, LoyaltyLevel.BRONZE, 1, 99),
        (50_000, LoyaltyLevel.SILVER, 50_000, 0),
        (75_000, LoyaltyLevel.SILVER, 25_000, 50),
        (99_999, LoyaltyLevel.SILVER, 1, 99),
        (100_000, LoyaltyLevel.GOLD, 0, 100),
        (2_000_000, LoyaltyLevel.GOLD, 0, 100),
        (-5, LoyaltyLevel.BRONZE, 50_000, 0),
    ],
)
def test_level_remaining_points_and_percentage(points, level, remaining, percentage):
    loyalty = loyalty_for("c1", points)

    assert (loyalty.level, loyalty.remaining_points, loyalty.percentage) == (level, remaining, percentage)
