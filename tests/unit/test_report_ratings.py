"""RED/AMBER/GREEN ratings (timebank.reports.ratings) at, and either side of, every boundary.

The issue's defaults, boundary by boundary: active rate < 20% red, 20–50% amber, ≥ 50% green;
two-way rate < 25 / 25–50 / ≥ 50; uses-services giving rate < 25 / 25–60 / ≥ 60; largest SCC share
< 20 / 20–50 / ≥ 50; top-20% share (lower is better) > 80 red, 60–80 amber (both ends included),
< 60 green. Values are exact fractions, so "a hair below" is one part in a million below. A figure
with no value has no rating. Thresholds can be changed and are refused when out of order or range.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import pytest

from timebank.reports.ratings import (
    DEFAULT_THRESHOLDS,
    Rating,
    Thresholds,
    rate_active_rate,
    rate_largest_scc_share,
    rate_top20_share,
    rate_two_way_rate,
    rate_uses_services_giving_rate,
)

RED, AMBER, GREEN = Rating.RED, Rating.AMBER, Rating.GREEN
HAIR = Fraction(1, 1_000_000)
Rater = Callable[[Fraction | None, Thresholds], Rating | None]


def percent(p: int) -> Fraction:
    return Fraction(p, 100)


HIGHER_IS_BETTER = [
    pytest.param(rate_active_rate, 20, 50, id="active_rate"),
    pytest.param(rate_two_way_rate, 25, 50, id="two_way_rate"),
    pytest.param(rate_uses_services_giving_rate, 25, 60, id="uses_services_giving_rate"),
    pytest.param(rate_largest_scc_share, 20, 50, id="largest_scc_share"),
]


@pytest.mark.parametrize(("rate", "amber_from", "green_from"), HIGHER_IS_BETTER)
def test_a_higher_is_better_figure_changes_colour_exactly_at_its_thresholds(
    rate: Rater, amber_from: int, green_from: int
) -> None:
    t = DEFAULT_THRESHOLDS

    assert rate(Fraction(0), t) is RED
    assert rate(percent(amber_from) - HAIR, t) is RED
    assert rate(percent(amber_from), t) is AMBER
    assert rate(percent(amber_from) + HAIR, t) is AMBER
    assert rate(percent(green_from) - HAIR, t) is AMBER
    assert rate(percent(green_from), t) is GREEN
    assert rate(percent(green_from) + HAIR, t) is GREEN
    assert rate(Fraction(1), t) is GREEN


def test_the_top_20_share_is_green_below_60_amber_from_60_to_80_inclusive_and_red_above() -> None:
    t = DEFAULT_THRESHOLDS

    assert rate_top20_share(Fraction(0), t) is GREEN
    assert rate_top20_share(percent(60) - HAIR, t) is GREEN
    assert rate_top20_share(percent(60), t) is AMBER
    assert rate_top20_share(percent(70), t) is AMBER
    assert rate_top20_share(percent(80), t) is AMBER
    assert rate_top20_share(percent(80) + HAIR, t) is RED
    assert rate_top20_share(Fraction(1), t) is RED


def test_a_float_like_value_near_a_boundary_is_judged_exactly() -> None:
    # 0.1 + 0.4 in floats is 0.5 by luck; 1/2 as a fraction is 1/2 by construction. A third of
    # three quarters (1/4) is exactly the two-way amber boundary.
    assert rate_two_way_rate(Fraction(1, 3) * Fraction(3, 4), DEFAULT_THRESHOLDS) is AMBER
    assert rate_active_rate(Fraction(1, 5), DEFAULT_THRESHOLDS) is AMBER


@pytest.mark.parametrize(
    "rate",
    [
        rate_active_rate,
        rate_two_way_rate,
        rate_uses_services_giving_rate,
        rate_largest_scc_share,
        rate_top20_share,
    ],
)
def test_a_figure_with_no_value_has_no_rating(rate: Rater) -> None:
    assert rate(None, DEFAULT_THRESHOLDS) is None


def test_the_defaults_are_the_issues() -> None:
    assert Thresholds() == Thresholds(
        active_rate_amber_from_percent=20,
        active_rate_green_from_percent=50,
        two_way_rate_amber_from_percent=25,
        two_way_rate_green_from_percent=50,
        uses_services_giving_rate_amber_from_percent=25,
        uses_services_giving_rate_green_from_percent=60,
        largest_scc_share_amber_from_percent=20,
        largest_scc_share_green_from_percent=50,
        top20_share_green_below_percent=60,
        top20_share_red_above_percent=80,
    )


def test_a_timebank_may_set_its_own_thresholds() -> None:
    strict = Thresholds(active_rate_amber_from_percent=40, active_rate_green_from_percent=70)

    assert rate_active_rate(percent(50), strict) is AMBER
    assert rate_active_rate(percent(50), DEFAULT_THRESHOLDS) is GREEN
    # Equal thresholds leave no amber band.
    no_amber = Thresholds(top20_share_green_below_percent=70, top20_share_red_above_percent=70)
    assert rate_top20_share(percent(70), no_amber) is AMBER
    assert rate_top20_share(percent(70) + HAIR, no_amber) is RED


@pytest.mark.parametrize(
    "changes",
    [
        {"active_rate_amber_from_percent": 60},
        {"top20_share_green_below_percent": 90},
        {"two_way_rate_green_from_percent": 101},
        {"largest_scc_share_amber_from_percent": -1},
        {"uses_services_giving_rate_amber_from_percent": 2.5},
        {"active_rate_amber_from_percent": True},
    ],
)
def test_thresholds_out_of_order_or_range_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Thresholds(**changes)  # type: ignore[arg-type]
