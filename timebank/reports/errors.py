"""The report engine's own refusals: rating thresholds out of range or the wrong way round.

Leaves of the one error tree (``timebank.errors``), raised by the pure engine when a timebank's
red, amber and green thresholds are checked.
"""

from __future__ import annotations

from timebank.errors import InvalidRequest

__all__ = [
    "RatingThresholdOutOfRange",
    "RatingThresholdsOutOfOrder",
]


class RatingThresholdOutOfRange(InvalidRequest):
    code = "rating_threshold_out_of_range"
    title = "A rating threshold is a whole percentage from 0 to 100"


class RatingThresholdsOutOfOrder(InvalidRequest):
    """A figure's two thresholds the wrong way round for its direction (see ``timebank.reports.ratings``).

    Where higher is better, amber must start at or below where green starts; for the top-20% share,
    where lower is better, green must end at or below where red begins.
    """

    code = "rating_thresholds_out_of_order"
    title = "A figure's rating thresholds are the wrong way round"
