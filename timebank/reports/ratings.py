"""RED, AMBER or GREEN: how a headline figure reads against the timebank's thresholds.

Five figures are rated. Thresholds are whole percentages, as a coordinator would state them, and
each boundary belongs to exactly one colour, as the issue writes it ("< 20% / 20–50% / ≥ 50%"):

    figure                      red          amber              green
    active_rate                 < 20%        20% ≤ x < 50%      ≥ 50%
    two_way_rate                < 25%        25% ≤ x < 50%      ≥ 50%
    uses_services_giving_rate   < 25%        25% ≤ x < 60%      ≥ 60%
    largest_scc_share           < 20%        20% ≤ x < 50%      ≥ 50%
    top20_share (lower better)  > 80%        60% ≤ x ≤ 80%      < 60%

So 50% active is green, 20% is amber; a top 20% holding exactly 80% of the hours is amber, and so
is exactly 60%. A "from" threshold is the first value of its colour; "below"/"above" thresholds
are the last value outside it. Values are exact fractions, so a boundary is never missed by
rounding. A figure with no value (None) has no rating.

The default active-rate thresholds were set for a rolling 90-day window (DESIGN §5); a report for
a longer window sees more people active, and the report states its window so a reader can tell.
``Thresholds`` is a frozen value with the issue's defaults; a timebank may keep its own.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from fractions import Fraction

__all__ = [
    "DEFAULT_THRESHOLDS",
    "Rating",
    "Thresholds",
    "rate_active_rate",
    "rate_largest_scc_share",
    "rate_top20_share",
    "rate_two_way_rate",
    "rate_uses_services_giving_rate",
]


class Rating(enum.StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Where each rated figure changes colour, in whole percent."""

    active_rate_amber_from_percent: int = 20
    active_rate_green_from_percent: int = 50
    two_way_rate_amber_from_percent: int = 25
    two_way_rate_green_from_percent: int = 50
    uses_services_giving_rate_amber_from_percent: int = 25
    uses_services_giving_rate_green_from_percent: int = 60
    largest_scc_share_amber_from_percent: int = 20
    largest_scc_share_green_from_percent: int = 50
    top20_share_green_below_percent: int = 60
    top20_share_red_above_percent: int = 80

    def __post_init__(self) -> None:
        ordered = [
            (self.active_rate_amber_from_percent, self.active_rate_green_from_percent, "active_rate"),
            (self.two_way_rate_amber_from_percent, self.two_way_rate_green_from_percent, "two_way_rate"),
            (
                self.uses_services_giving_rate_amber_from_percent,
                self.uses_services_giving_rate_green_from_percent,
                "uses_services_giving_rate",
            ),
            (
                self.largest_scc_share_amber_from_percent,
                self.largest_scc_share_green_from_percent,
                "largest_scc_share",
            ),
            (self.top20_share_green_below_percent, self.top20_share_red_above_percent, "top20_share"),
        ]
        for low, high, name in ordered:
            for percent in (low, high):
                if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
                    raise ValueError(f"{name}: a threshold must be a whole percentage from 0 to 100")
            if low > high:
                raise ValueError(f"{name}: the thresholds {low}% and {high}% are in the wrong order")


DEFAULT_THRESHOLDS = Thresholds()


def _higher_is_better(
    value: Fraction | None, amber_from_percent: int, green_from_percent: int
) -> Rating | None:
    if value is None:
        return None
    if value < Fraction(amber_from_percent, 100):
        return Rating.RED
    if value < Fraction(green_from_percent, 100):
        return Rating.AMBER
    return Rating.GREEN


def rate_active_rate(value: Fraction | None, thresholds: Thresholds) -> Rating | None:
    t = thresholds
    return _higher_is_better(value, t.active_rate_amber_from_percent, t.active_rate_green_from_percent)


def rate_two_way_rate(value: Fraction | None, thresholds: Thresholds) -> Rating | None:
    t = thresholds
    return _higher_is_better(value, t.two_way_rate_amber_from_percent, t.two_way_rate_green_from_percent)


def rate_uses_services_giving_rate(value: Fraction | None, thresholds: Thresholds) -> Rating | None:
    t = thresholds
    return _higher_is_better(
        value, t.uses_services_giving_rate_amber_from_percent, t.uses_services_giving_rate_green_from_percent
    )


def rate_largest_scc_share(value: Fraction | None, thresholds: Thresholds) -> Rating | None:
    t = thresholds
    return _higher_is_better(
        value, t.largest_scc_share_amber_from_percent, t.largest_scc_share_green_from_percent
    )


def rate_top20_share(value: Fraction | None, thresholds: Thresholds) -> Rating | None:
    """Lower is better: concentration in a few hands is the risk."""
    if value is None:
        return None
    if value < Fraction(thresholds.top20_share_green_below_percent, 100):
        return Rating.GREEN
    if value <= Fraction(thresholds.top20_share_red_above_percent, 100):
        return Rating.AMBER
    return Rating.RED
