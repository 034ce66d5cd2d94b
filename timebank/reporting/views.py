"""What the reporting use cases answer: a reciprocity report, an account's report, the rating thresholds.

Each is the API's answer as it is (``timebank.views.View``), and the pages' data.

**The reciprocity report** is described field by field, so the contract has a schema for it. Its
numbers are written once, by the pure engine (``timebank.reports.report_json``: hours as minutes ÷ 60,
exact fractions as the nearest float, ``null`` where a figure has no value), and the CSV and the
command line write from the same place; ``report_view`` reads that JSON into the view, which
refuses a key it does not declare, so the view and the engine cannot drift apart unnoticed. A
report withheld for a small group is ``ReportWithheldView`` (``{"not_enough_data": true}`` and
nothing else), and a withheld month of a report ``ReportMonthWithheldView``.

**An account's report** keeps the code's names (``exchange_count``, ``partner_count``) and answers
the contract's (``exchanges``, ``partners``).

**The rating thresholds** name each figure's two thresholds as a coordinator states them (amber
from, green from; for the top-20% share, green below, red above) and whether they are the default.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import ConfigDict, Field

from timebank.reports import (
    DEFAULT_THRESHOLDS,
    Boundaries,
    RatedFigureName,
    Rating,
    Report,
    Thresholds,
    report_json,
)
from timebank.views import View

__all__ = [
    "HigherIsBetterRatingView",
    "LowerIsBetterRatingView",
    "MemberReportView",
    "ReciprocityReportAnswer",
    "ReciprocityReportView",
    "ReportRatingsView",
    "ReportWithheldView",
    "report_view",
]


def _open_to_new_keys(schema: dict[str, Any]) -> None:
    # The contract promises the keys it names, like every other answer's; a client should not
    # refuse a report for a figure added later.
    schema.pop("additionalProperties", None)


class _Shape(View):
    # The report's views are read from the engine's JSON: a key they do not declare is an error.
    model_config = ConfigDict(frozen=True, extra="forbid", json_schema_extra=_open_to_new_keys)


class RatedFigureView(_Shape):
    """A headline figure and its colour against the thresholds (null where it has no value)."""

    value: float | None  # float ok: a ratio or share, computed exactly and written at the edge
    rating: Rating | None


class RoleMixView(_Shape):
    """Members by what they did in the window."""

    both: int
    give_only: int
    receive_only: int
    inactive: int


class HoursToView(_Shape):
    """Hours given to members, staff and organisations."""

    # The engine counts whole minutes as exact fractions; hours with a decimal part are only how the
    # report's JSON writes them (timebank.reports.report_json), and nothing reads them back.

    member: float  # float ok: written hours, from whole minutes
    staff: float  # float ok
    organisation: float  # float ok


class HoursMatrixView(_Shape):
    """Hours given, by who gave (member, staff, organisation) and who received."""

    member: HoursToView
    staff: HoursToView
    organisation: HoursToView


class BalanceDistributionView(_Shape):
    above_zero_share: float | None
    at_zero_share: float | None
    below_zero_share: float | None
    median_balance_hours: float | None
    at_floor_count: int


class ApartView(_Shape):
    count: int
    hours: float


class ReportedApartView(_Shape):
    """What the trade filter keeps out of the figures: recognition, pot grants, reversed exchanges."""

    recognition: ApartView
    pot_grants: ApartView
    reversed_exchanges: ApartView


class GiveShareHistogramView(_Shape):
    """Active members counted by the share of their minutes they gave, in bins of 10 percent."""

    gave_0_to_10: int = Field(alias="0-10")
    gave_10_to_20: int = Field(alias="10-20")
    gave_20_to_30: int = Field(alias="20-30")
    gave_30_to_40: int = Field(alias="30-40")
    gave_40_to_50: int = Field(alias="40-50")
    gave_50_to_60: int = Field(alias="50-60")
    gave_60_to_70: int = Field(alias="60-70")
    gave_70_to_80: int = Field(alias="70-80")
    gave_80_to_90: int = Field(alias="80-90")
    gave_90_to_100: int = Field(alias="90-100")


class HigherIsBetterThresholdsView(_Shape):
    """Red below ``amber_from_percent``, green from ``green_from_percent``, amber between."""

    amber_from_percent: int
    green_from_percent: int


class LowerIsBetterThresholdsView(_Shape):
    """Green below ``green_below_percent``, red above ``red_above_percent``, amber between."""

    green_below_percent: int
    red_above_percent: int


class RatingThresholdsView(_Shape):
    """The thresholds the report's ratings were read against: the timebank's own, or the defaults."""

    active_rate: HigherIsBetterThresholdsView
    two_way_rate: HigherIsBetterThresholdsView
    uses_services_giving_rate: HigherIsBetterThresholdsView
    top20_share: LowerIsBetterThresholdsView
    largest_scc_share: HigherIsBetterThresholdsView


class ReportMonthView(_Shape):
    """One calendar month of the window (clipped to it): the headline figures."""

    month: str = Field(description="The month, YYYY-MM.")
    members: int
    active_members: int
    active_rate: RatedFigureView
    exchanges: int
    hours: float
    two_way_rate: RatedFigureView
    uses_services_giving_rate: RatedFigureView
    top20_share: RatedFigureView
    largest_scc_share: RatedFigureView


class ReportMonthWithheldView(_Shape):
    """A month of a small group's report: too few members to show any figure."""

    month: str = Field(description="The month, YYYY-MM.")
    not_enough_data: Literal[True]


class ReciprocityReportView(_Shape):
    """Does give-and-get really happen? Every figure of the window, the headline ones rated."""

    members: int
    active_members: int
    active_rate: RatedFigureView
    exchanges: int
    hours: float
    median_hours_per_active_member: float | None
    top20_share: RatedFigureView
    gini_given: float | None
    role_mix: RoleMixView
    two_way_rate: RatedFigureView
    give_and_get_index: float | None
    uses_services_giving_rate: RatedFigureView
    uses_services_give_get_ratio: float | None
    hours_matrix: HoursMatrixView
    balance_distribution: BalanceDistributionView
    pair_reciprocity: float | None
    pair_reciprocity_corrected: float | None
    weighted_reciprocity: float | None
    largest_scc_share: RatedFigureView
    median_partners: float | None
    new_ties: int
    retention: float | None
    dormant_members: int
    monthly: tuple[ReportMonthView | ReportMonthWithheldView, ...]
    reported_apart: ReportedApartView
    give_share_histogram: GiveShareHistogramView
    rating_thresholds: RatingThresholdsView


class ReportWithheldView(_Shape):
    """The report of a group too small to show: no figure at all, not even its member count."""

    not_enough_data: Literal[True]


ReciprocityReportAnswer = ReciprocityReportView | ReportWithheldView


def report_view(report: Report) -> ReciprocityReportAnswer:
    """The report as its view: every figure, or only that the group is too small to show."""
    document = report_json(report)
    if report.not_enough_data:
        return ReportWithheldView.model_validate(document)
    return ReciprocityReportView.model_validate(document)


class MemberReportView(View):
    """One account's figures for a window: what it gave, received, with how many, and when last."""

    account_id: int
    from_on: date
    to_on: date
    given_minutes: int
    received_minutes: int
    exchange_count: int = Field(serialization_alias="exchanges")
    partner_count: int = Field(serialization_alias="partners")
    last_exchange_on: date | None = Field(
        description="The last counted exchange before to_on, however long ago; null if none."
    )


class HigherIsBetterRatingView(View):
    """Red below ``amber_from_percent``, green from ``green_from_percent``, amber between."""

    amber_from_percent: int
    green_from_percent: int
    is_default: bool


class LowerIsBetterRatingView(View):
    """Green below ``green_below_percent``, red above ``red_above_percent``, amber between."""

    green_below_percent: int
    red_above_percent: int
    is_default: bool


class ReportRatingsView(View):
    """Each rated figure's thresholds in whole percent, and whether they are the issue's default."""

    active_rate: HigherIsBetterRatingView
    two_way_rate: HigherIsBetterRatingView
    uses_services_giving_rate: HigherIsBetterRatingView
    top20_share: LowerIsBetterRatingView
    largest_scc_share: HigherIsBetterRatingView

    @classmethod
    def of(cls, thresholds: Thresholds, own_figures: frozenset[RatedFigureName]) -> ReportRatingsView:
        def higher(figure: RatedFigureName) -> HigherIsBetterRatingView:
            b = thresholds.boundaries(figure)
            return HigherIsBetterRatingView(
                amber_from_percent=b.red_amber_percent,
                green_from_percent=b.amber_green_percent,
                is_default=figure not in own_figures,
            )

        top20 = thresholds.boundaries(RatedFigureName.TOP20_SHARE)
        return cls(
            active_rate=higher(RatedFigureName.ACTIVE_RATE),
            two_way_rate=higher(RatedFigureName.TWO_WAY_RATE),
            uses_services_giving_rate=higher(RatedFigureName.USES_SERVICES_GIVING_RATE),
            top20_share=LowerIsBetterRatingView(
                green_below_percent=top20.amber_green_percent,
                red_above_percent=top20.red_amber_percent,
                is_default=RatedFigureName.TOP20_SHARE not in own_figures,
            ),
            largest_scc_share=higher(RatedFigureName.LARGEST_SCC_SHARE),
        )

    def _figure(self, figure: RatedFigureName) -> HigherIsBetterRatingView | LowerIsBetterRatingView:
        rating: HigherIsBetterRatingView | LowerIsBetterRatingView = getattr(self, figure.value)
        return rating

    def is_default(self, figure: RatedFigureName) -> bool:
        return self._figure(figure).is_default

    @property
    def own_figures(self) -> frozenset[RatedFigureName]:
        """The figures the timebank set itself; the rest are rated against the default."""
        return frozenset(figure for figure in RatedFigureName if not self.is_default(figure))

    @property
    def thresholds(self) -> Thresholds:
        """The thresholds in force, as the report engine reads them."""
        boundaries: dict[RatedFigureName, Boundaries] = {}
        for figure in RatedFigureName:
            rating = self._figure(figure)
            if isinstance(rating, LowerIsBetterRatingView):
                boundaries[figure] = Boundaries(rating.red_above_percent, rating.green_below_percent)
            else:
                boundaries[figure] = Boundaries(rating.amber_from_percent, rating.green_from_percent)
        return DEFAULT_THRESHOLDS.with_boundaries(boundaries)
