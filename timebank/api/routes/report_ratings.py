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
figure as ``rating_thresholds_out_of_order``. The body is the use case's request
(``timebank.reporting.requests.SetReportRatings``) and the answer its view (``ReportRatingsView``).
"""

from __future__ import annotations

from fastapi import APIRouter

from timebank.api.deps import CallerDep, EngineDep, TimebankPath
from timebank.api.edge import JsonRoute
from timebank.reporting.ratings import read_rating_thresholds, set_rating_thresholds
from timebank.reporting.requests import SetReportRatings
from timebank.reporting.views import ReportRatingsView

__all__ = ["router"]

router = APIRouter(prefix="/v1/timebanks/{tb}", tags=["reports"], route_class=JsonRoute)


@router.get("/report-ratings", operation_id="get_report_ratings", response_model=ReportRatingsView)
def get_ratings(tb: TimebankPath, engine: EngineDep, caller: CallerDep) -> ReportRatingsView:
    """The thresholds that rate the reciprocity report red, amber or green (coordinator)."""
    return read_rating_thresholds(engine, tb, caller)


@router.put("/report-ratings", operation_id="set_report_ratings", response_model=ReportRatingsView)
def set_ratings(
    tb: TimebankPath, body: SetReportRatings, engine: EngineDep, caller: CallerDep
) -> ReportRatingsView:
    """Set the report's rating thresholds; a figure left out goes back to its default (coordinator)."""
    return set_rating_thresholds(engine, tb, caller, body)
