"""The arithmetic under the figures: shares, medians, concentration. Exact, with no floats.

Every quantity is a whole number of minutes, so every ratio of quantities is a fraction, and we keep
it as one (``fractions.Fraction``): a share of exactly one half is exactly one half, and a rating's
boundary ("50% is green") never falls the wrong side of a rounding error. A figure becomes a float
only when it is written out as JSON.

A ratio whose denominator is zero has no value, and says so with ``None`` (JSON ``null``), never
zero: "nobody gave" and "there was nobody to ask" are different answers.

Concentration is measured two ways over the same list of minutes:

- the *top share*: the part of the total held by the largest fifth of the list. A fifth of n people
  is rarely whole; we take ``ceil(n / 5)`` people, in integer arithmetic (one person of 1 to 5,
  two of 6 to 10, three of 11 to 15), so the top group is never empty and never rounded away;
- the *Gini coefficient*: ``Σ (2k − n − 1) x₍k₎ / (n Σx)`` with ``x`` sorted ascending and ``k``
  counted from 1. It is 0 when everyone holds the same and approaches 1 when one person holds
  everything; it equals the mean absolute difference ``Σᵢ Σⱼ |xᵢ − xⱼ| / (2 n² mean)``.

Ties never matter: equal values may be ranked in any order without changing either measure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction

import numpy as np
import numpy.typing as npt

__all__ = [
    "TOP_SHARE_PERCENT",
    "gini",
    "median",
    "ratio",
    "top_count",
    "top_share",
]

TOP_SHARE_PERCENT = 20

# Whole numbers as a list of Python ints or a numpy column of 64-bit ones.
Values = Sequence[int] | npt.NDArray[np.int64]


def _sorted_ints(values: Iterable[int] | npt.NDArray[np.int64]) -> list[int]:
    """The values ascending, as Python ints: exact arithmetic from here on, whatever their size."""
    if isinstance(values, np.ndarray):
        return np.sort(values).tolist()  # type: ignore[no-any-return]
    return sorted(int(v) for v in values)


def ratio(part: int, whole: int) -> Fraction | None:
    """``part / whole`` exactly, or None when ``whole`` is zero."""
    assert part >= 0
    assert whole >= 0
    if whole == 0:
        return None
    return Fraction(part, whole)


def median(values: Iterable[int] | npt.NDArray[np.int64]) -> Fraction | None:
    """The middle value; the mean of the two middle values for an even count; None for none."""
    ordered = _sorted_ints(values)
    n = len(ordered)
    if n == 0:
        return None
    middle = n // 2
    if n % 2 == 1:
        return Fraction(ordered[middle])
    return Fraction(ordered[middle - 1] + ordered[middle], 2)


def top_count(n: int, percent: int = TOP_SHARE_PERCENT) -> int:
    """How many people make the top ``percent`` of ``n``: ``ceil(n · percent / 100)``."""
    assert n >= 0
    assert 0 < percent <= 100
    # Integer ceiling division: a float product such as 0.2 · n can land a hair above a whole
    # number and take one person too many.
    return -(-n * percent // 100)


def top_share(values: Values, percent: int = TOP_SHARE_PERCENT) -> Fraction | None:
    """The share of ``sum(values)`` held by the largest ``top_count(len(values))`` values.

    None when there are no values or they sum to zero (there is nothing to hold a share of).
    """
    ordered = _sorted_ints(values)
    assert not ordered or ordered[0] >= 0
    total = sum(ordered)
    if not ordered or total == 0:
        return None
    largest = ordered[len(ordered) - top_count(len(ordered), percent) :]
    return Fraction(sum(largest), total)


def gini(values: Values) -> Fraction | None:
    """The Gini coefficient of ``values``; None when there are none or they sum to zero."""
    ordered = _sorted_ints(values)
    assert not ordered or ordered[0] >= 0
    n = len(ordered)
    total = sum(ordered)
    if n == 0 or total == 0:
        return None
    weighted = sum((2 * k - n - 1) * x for k, x in enumerate(ordered, start=1))
    result = Fraction(weighted, n * total)
    assert 0 <= result < 1
    return result
