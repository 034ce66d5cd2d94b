"""The exact arithmetic under the report's figures (timebank.reports.statistics).

Shares are fractions, never floats; a ratio over nothing is None; the median of an even count is the
mean of the middle two; the top 20% of n people is ``ceil(n/5)`` people, computed in integers (other
percentages show why a float product is not trusted); the Gini coefficient matches the issue's
formula and its known values (everyone equal: 0; one holds all: (n−1)/n).
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from timebank.reports.statistics import gini, median, ratio, top_count, top_share


def test_a_ratio_is_an_exact_fraction_or_none_over_nothing() -> None:
    assert ratio(1, 3) == Fraction(1, 3)
    assert type(ratio(1, 3)) is Fraction
    assert ratio(0, 3) == 0
    assert ratio(0, 0) is None


def test_the_median_of_an_odd_count_is_the_middle_and_of_an_even_count_the_mean_of_the_middle_two() -> None:
    assert median([]) is None
    assert median([7]) == 7
    assert median([30, 10, 20]) == 20
    assert median([10, 40, 20, 30]) == 25
    # Half a minute is kept exactly, not rounded.
    assert median([1, 2]) == Fraction(3, 2)
    assert median([-15, 0]) == Fraction(-15, 2)


@pytest.mark.parametrize(
    ("n", "top"),
    [
        (0, 0),
        (1, 1),
        (4, 1),
        (5, 1),
        (6, 2),
        (10, 2),
        (11, 3),
        (15, 3),
        (16, 4),
        (35, 7),
        (100, 20),
        (101, 21),
    ],
)
def test_the_top_20_percent_of_n_people_is_ceil_of_n_over_5(n: int, top: int) -> None:
    assert top_count(n) == top


def test_the_top_count_never_trusts_a_float_product() -> None:
    # 0.2 · n happens to be exact for every n that matters, but a float product is a trap for other
    # percentages: 100 × 0.07 is 7.000000000000001, whose ceiling takes an eighth person.
    assert math.ceil(100 * 0.07) == 8

    assert top_count(100, percent=7) == 7
    assert top_count(50, percent=14) == 7
    assert top_count(101, percent=7) == 8


def test_the_top_share_counts_the_largest_fifth_whatever_the_order_or_ties() -> None:
    # Six people: the top two (ceil(6/5)) gave 50 + 30 of 100.
    assert top_share([10, 50, 0, 30, 5, 5]) == Fraction(80, 100)
    # Ties at the cut: either 30 may be taken, the sum is the same.
    assert top_share([30, 30, 30, 10, 0, 0]) == Fraction(60, 100)
    assert top_share([7]) == 1
    assert top_share([]) is None
    assert top_share([0, 0]) is None


def test_gini_follows_the_issues_formula() -> None:
    # x = 0, 45, 60, 90, 120, 180; n = 6; coefficients 2k−n−1 = −5, −3, −1, 1, 3, 5:
    # −135 − 60 + 90 + 360 + 900 = 1155; n Σx = 6 × 495 = 2970; 1155/2970 = 7/18.
    assert gini([90, 120, 180, 60, 0, 45]) == Fraction(7, 18)


def test_gini_is_zero_for_equals_and_n_minus_one_over_n_when_one_holds_all() -> None:
    assert gini([40, 40, 40]) == 0
    assert gini([5]) == 0
    assert gini([0, 0, 0, 90]) == Fraction(3, 4)


def test_gini_has_no_value_with_nobody_or_nothing_given() -> None:
    assert gini([]) is None
    assert gini([0, 0]) is None
