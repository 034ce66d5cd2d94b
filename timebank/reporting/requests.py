"""What the reporting use cases are asked to change: a timebank's rating thresholds (``timebank.fields``).

Thresholds are whole percent, named as a coordinator states them: where higher is better (active
rate, two-way rate, uses-services giving rate, largest SCC share) amber from, green from; for the
top-20% share, where lower is better, green below, red above. The request's type refuses a
threshold that is not a whole number from 0 to 100 (``rating_threshold_out_of_range``); whether a
pair is the right way round for its figure is the report engine's rule, checked by the use case
(``timebank.reports.Thresholds``).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictInt

from timebank.fields import Request
from timebank.reports import Boundaries, RatedFigureName

__all__ = ["HigherIsBetter", "LowerIsBetter", "SetReportRatings"]

Percent = Annotated[StrictInt, Field(ge=0, le=100, description="Whole percent, 0 to 100.")]


class HigherIsBetter(Request):
    """Red below ``amber_from_percent``, green from ``green_from_percent``, amber between."""

    amber_from_percent: Percent
    green_from_percent: Percent

    def boundaries(self) -> Boundaries:
        return Boundaries(self.amber_from_percent, self.green_from_percent)


class LowerIsBetter(Request):
    """Green below ``green_below_percent``, red above ``red_above_percent``, amber between (both included)."""

    green_below_percent: Percent
    red_above_percent: Percent

    def boundaries(self) -> Boundaries:
        return Boundaries(self.red_above_percent, self.green_below_percent)


class SetReportRatings(Request):
    """Each figure's own thresholds; a figure left out or null is rated against the default."""

    active_rate: HigherIsBetter | None = None
    two_way_rate: HigherIsBetter | None = None
    uses_services_giving_rate: HigherIsBetter | None = None
    top20_share: LowerIsBetter | None = None
    largest_scc_share: HigherIsBetter | None = None

    def own(self) -> dict[RatedFigureName, Boundaries]:
        """The thresholds sent, by figure, as the report engine names their boundaries."""
        own: dict[RatedFigureName, Boundaries] = {}
        for figure in RatedFigureName:
            sent: HigherIsBetter | LowerIsBetter | None = getattr(self, figure.value)
            if sent is not None:
                own[figure] = sent.boundaries()
        return own
