"""Report ratings: the thresholds that make a reciprocity report's headline figures red, amber or green.

A resource of its own rather than fields of ``PATCH /v1/timebanks/{tb}``: the thresholds are the
reports', read and set by those who read the reports (coordinators and platform admins), where the
timebank's settings are read by every member. ``PUT`` replaces the whole set: each figure sent is the
timebank's own from then on, and a figure left out (or sent as null) goes back to the issue's
default; ``{}`` puts every figure back. The answer, like ``GET``'s, names every figure's thresholds
and whether they are the default.

Thresholds are whole percent, named as a coordinator states them: where higher is better (active
rate, two-way rate, uses-services giving rate, largest SCC share) amber from, green from; for the
top-20% share, where lower is better, green below, red above. A threshold that is not a whole number
from 0 to 100 is refused as ``rating_threshold_out_of_range``; a pair the wrong way round for its
figure as ``rating_thresholds_out_of_order``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StrictInt

from timebank.api.deps import CallerDep, EngineDep, TimebankPath
from timebank.api.edge import JsonRoute
from timebank.reporting.ratings import RatingSettings, read_rating_thresholds, set_rating_thresholds
from timebank.reports import Boundaries, RatedFigureName

__all__ = ["router"]

router = APIRouter(prefix="/v1/timebanks/{tb}", tags=["reports"], route_class=JsonRoute)

Percent = Annotated[StrictInt, Field(ge=0, le=100, description="Whole percent, 0 to 100.")]


class HigherIsBetterIn(BaseModel):
    """Red below ``amber_from_percent``, green from ``green_from_percent``, amber between."""

    model_config = ConfigDict(extra="forbid")

    amber_from_percent: Percent
    green_from_percent: Percent


class LowerIsBetterIn(BaseModel):
    """Green below ``green_below_percent``, red above ``red_above_percent``, amber between (both included)."""

    model_config = ConfigDict(extra="forbid")

    green_below_percent: Percent
    red_above_percent: Percent


class ReportRatingsIn(BaseModel):
    """Each figure's own thresholds; a figure left out or null is rated against the default."""

    model_config = ConfigDict(extra="forbid")

    active_rate: HigherIsBetterIn | None = None
    two_way_rate: HigherIsBetterIn | None = None
    uses_services_giving_rate: HigherIsBetterIn | None = None
    top20_share: LowerIsBetterIn | None = None
    largest_scc_share: HigherIsBetterIn | None = None


class HigherIsBetterOut(BaseModel):
    amber_from_percent: int
    green_from_percent: int
    is_default: bool


class LowerIsBetterOut(BaseModel):
    green_below_percent: int
    red_above_percent: int
    is_default: bool


class ReportRatingsOut(BaseModel):
    active_rate: HigherIsBetterOut
    two_way_rate: HigherIsBetterOut
    uses_services_giving_rate: HigherIsBetterOut
    top20_share: LowerIsBetterOut
    largest_scc_share: HigherIsBetterOut


def _own(body: ReportRatingsIn) -> dict[RatedFigureName, Boundaries]:
    own: dict[RatedFigureName, Boundaries] = {}
    for figure in RatedFigureName:
        sent = getattr(body, figure.value)
        if isinstance(sent, HigherIsBetterIn):
            own[figure] = Boundaries(sent.amber_from_percent, sent.green_from_percent)
        elif isinstance(sent, LowerIsBetterIn):
            own[figure] = Boundaries(sent.red_above_percent, sent.green_below_percent)
    return own


def _higher(settings: RatingSettings, figure: RatedFigureName) -> HigherIsBetterOut:
    b = settings.thresholds.boundaries(figure)
    return HigherIsBetterOut(
        amber_from_percent=b.red_amber_percent,
        green_from_percent=b.amber_green_percent,
        is_default=settings.is_default(figure),
    )


def _out(settings: RatingSettings) -> ReportRatingsOut:
    top20 = settings.thresholds.boundaries(RatedFigureName.TOP20_SHARE)
    return ReportRatingsOut(
        active_rate=_higher(settings, RatedFigureName.ACTIVE_RATE),
        two_way_rate=_higher(settings, RatedFigureName.TWO_WAY_RATE),
        uses_services_giving_rate=_higher(settings, RatedFigureName.USES_SERVICES_GIVING_RATE),
        top20_share=LowerIsBetterOut(
            green_below_percent=top20.amber_green_percent,
            red_above_percent=top20.red_amber_percent,
            is_default=settings.is_default(RatedFigureName.TOP20_SHARE),
        ),
        largest_scc_share=_higher(settings, RatedFigureName.LARGEST_SCC_SHARE),
    )


@router.get("/report-ratings", operation_id="get_report_ratings", response_model=ReportRatingsOut)
def get_ratings(tb: TimebankPath, engine: EngineDep, caller: CallerDep) -> ReportRatingsOut:
    """The thresholds that rate the reciprocity report red, amber or green (coordinator)."""
    return _out(read_rating_thresholds(engine, tb, caller))


@router.put("/report-ratings", operation_id="set_report_ratings", response_model=ReportRatingsOut)
def set_ratings(
    tb: TimebankPath, body: ReportRatingsIn, engine: EngineDep, caller: CallerDep
) -> ReportRatingsOut:
    """Set the report's rating thresholds; a figure left out goes back to its default (coordinator)."""
    return _out(set_rating_thresholds(engine, tb, caller, _own(body)))
