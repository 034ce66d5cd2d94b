"""RED, AMBER or GREEN: how a headline figure reads against the timebank's thresholds.

Five figures are rated. Thresholds are whole percentages, as a coordinator would state them, and
each boundary belongs to exactly one colour, as the issue writes it ("< 20% / 20–50% / ≥ 50%"):

    figure                      red          amber              green
    active_rate                 < 20%        20% ≤ x < 50%      ≥ 50%
    two_way_rate                < 25%        25% ≤ x < 50%      ≥ 50%
    uses_services_giving_rate   < 25%        25% ≤ x < 60%      ≥ 60%
    top20_share (lower better)  > 80%        60% ≤ x ≤ 80%      < 60%
    largest_scc_share           < 20%        20% ≤ x < 50%      ≥ 50%

So 50% active is green, 20% is amber; a top 20% holding exactly 80% of the hours is amber, and so
is exactly 60%. A "from" threshold is the first value of its colour; "below"/"above" thresholds
are the last value outside it. Values are exact fractions, so a boundary is never missed by
rounding. A figure with no value (None) has no rating.

``Thresholds`` is a frozen value with the issue's defaults; each timebank may keep its own (stored
per figure, see ``timebank.reporting.ratings``). A value that is not a whole percentage from
0 to 100 is refused as ``RatingThresholdOutOfRange``, and a figure's pair the wrong way round for its
direction (amber starting above green; for the top-20% share, green reaching above red) as
``RatingThresholdsOutOfOrder``; equal thresholds are allowed and leave no amber band.

``Boundaries`` are the same two numbers named by the colours they separate, whatever the figure's
direction: where red meets amber, and where amber meets green. That is how storage keeps them, one
row per figure; ``Thresholds.boundaries`` and ``Thresholds.with_boundaries`` translate.

The default active-rate thresholds were set for a rolling 90-day window (DESIGN §5); a report for
a longer window sees more people active, and the report states its window so a reader can tell.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from fractions import Fraction

from timebank.reports.errors import RatingThresholdOutOfRange, RatingThresholdsOutOfOrder

__all__ = [
    "DEFAULT_THRESHOLDS",
    "LOWER_IS_BETTER",
    "Boundaries",
    "RatedFigureName",
    "Rating",
    "Thresholds",
    "rate_active_rate",
    "rate_largest_scc_share",
    "rate_top20_share",
    "rate_two_way_rate",
    "rate_uses_services_giving_rate",
]

PERCENT_MAX = 100


class Rating(enum.StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"


class RatedFigureName(enum.StrEnum):
    """The five rated figures, by their report keys, in the order the report shows them."""

    ACTIVE_RATE = "active_rate"
    TWO_WAY_RATE = "two_way_rate"
    USES_SERVICES_GIVING_RATE = "uses_services_giving_rate"
    TOP20_SHARE = "top20_share"
    LARGEST_SCC_SHARE = "largest_scc_share"


# Concentration of the hours in a few hands is the risk, so for this figure higher is worse.
LOWER_IS_BETTER = frozenset({RatedFigureName.TOP20_SHARE})


@dataclass(frozen=True, slots=True)
class Boundaries:
    """A figure's two thresholds by the colours they separate, in whole percent.

    Where higher is better, ``red_amber_percent`` is where amber starts and ``amber_green_percent``
    where green starts, so the first is at most the second. Where lower is better, green ends below
    ``amber_green_percent`` and red begins above ``red_amber_percent``, so the first is at least
    the second. Which side owns the boundary value itself is the figure's rule (module docstring).
    """

    red_amber_percent: int
    amber_green_percent: int


# Each figure's fields in ``Thresholds``: (where red meets amber, where amber meets green).
_FIELDS: dict[RatedFigureName, tuple[str, str]] = {
    RatedFigureName.ACTIVE_RATE: ("active_rate_amber_from_percent", "active_rate_green_from_percent"),
    RatedFigureName.TWO_WAY_RATE: ("two_way_rate_amber_from_percent", "two_way_rate_green_from_percent"),
    RatedFigureName.USES_SERVICES_GIVING_RATE: (
        "uses_services_giving_rate_amber_from_percent",
        "uses_services_giving_rate_green_from_percent",
    ),
    RatedFigureName.TOP20_SHARE: ("top20_share_red_above_percent", "top20_share_green_below_percent"),
    RatedFigureName.LARGEST_SCC_SHARE: (
        "largest_scc_share_amber_from_percent",
        "largest_scc_share_green_from_percent",
    ),
}


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Where each rated figure changes colour, in whole percent; refused when out of range or order."""

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
        # Every broken figure is named in the refusal, not only the first; the class is the first
        # broken rule's, and a value out of range is checked before its order means anything.
        out_of_range: list[str] = []
        out_of_order: list[str] = []
        for figure in RatedFigureName:
            names = _FIELDS[figure]
            values = [getattr(self, name) for name in names]
            wrong = [f"{n} {v!r}" for n, v in zip(names, values, strict=True) if not _is_percent(v)]
            if wrong:
                out_of_range.append(f"{figure}: {', '.join(wrong)} is not a whole percentage from 0 to 100")
                continue
            problem = _order_problem(figure, self.boundaries(figure))
            if problem is not None:
                out_of_order.append(problem)
        if out_of_range:
            raise RatingThresholdOutOfRange("; ".join(out_of_range + out_of_order))
        if out_of_order:
            raise RatingThresholdsOutOfOrder("; ".join(out_of_order))

    def boundaries(self, figure: RatedFigureName) -> Boundaries:
        red_amber, amber_green = _FIELDS[figure]
        red_amber_percent: int = getattr(self, red_amber)
        amber_green_percent: int = getattr(self, amber_green)
        return Boundaries(red_amber_percent, amber_green_percent)

    def with_boundaries(self, changes: Mapping[RatedFigureName, Boundaries]) -> Thresholds:
        """These thresholds with the figures in ``changes`` replaced; checked like any others."""
        values: dict[str, int] = {}
        for figure, boundaries in changes.items():
            red_amber, amber_green = _FIELDS[RatedFigureName(figure)]
            values[red_amber] = boundaries.red_amber_percent
            values[amber_green] = boundaries.amber_green_percent
        return replace(self, **values)


def _is_percent(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= PERCENT_MAX


def _order_problem(figure: RatedFigureName, b: Boundaries) -> str | None:
    if figure in LOWER_IS_BETTER:
        if b.amber_green_percent > b.red_amber_percent:
            return (
                f"{figure}: green below {b.amber_green_percent}% reaches above "
                f"red above {b.red_amber_percent}%; green must end at or below where red begins"
            )
        return None
    if b.red_amber_percent > b.amber_green_percent:
        return (
            f"{figure}: amber from {b.red_amber_percent}% starts above "
            f"green from {b.amber_green_percent}%; amber must start at or below green"
        )
    return None


assert {f.name for f in fields(Thresholds)} == {name for pair in _FIELDS.values() for name in pair}

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
