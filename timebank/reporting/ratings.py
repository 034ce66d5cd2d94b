"""A timebank's RED/AMBER/GREEN thresholds for the reciprocity report (DESIGN §5, issue 5).

Each of the five rated figures is rated against the issue's default unless the timebank has set its
own. Coordinators (and platform admins, who may read a timebank's reports) read them with
``read_rating_thresholds`` and replace them with ``set_rating_thresholds`` (a ``SetReportRatings``
request): the figures given are the timebank's from then on, and a figure left out goes back to the
default. Both answer a ``ReportRatingsView``. The thresholds are checked whole, by the report
engine's own rules (``timebank.reports.Thresholds``), before anything is written; the database's
CHECKs say the same again. ``timebank_thresholds`` is what a report reads, in the same unit of work
as its figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from timebank.db.repositories import RatingThresholdRecord
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.people.callers import Caller
from timebank.reporting.requests import SetReportRatings
from timebank.reporting.views import ReportRatingsView
from timebank.reports import DEFAULT_THRESHOLDS, Boundaries, RatedFigureName, Thresholds

__all__ = ["read_rating_thresholds", "set_rating_thresholds", "timebank_thresholds"]


@dataclass(frozen=True)
class RatingSettings:
    """The thresholds in force, and which figures the timebank set itself (the rest are defaults)."""

    thresholds: Thresholds
    own_figures: frozenset[RatedFigureName]

    def view(self) -> ReportRatingsView:
        return ReportRatingsView.of(self.thresholds, self.own_figures)


def _read(uow: UnitOfWork, timebank_id: int) -> RatingSettings:
    records = uow.rating_thresholds.records(timebank_id)
    own = {RatedFigureName(r.figure): Boundaries(r.red_amber_percent, r.amber_green_percent) for r in records}
    # Rows are checked by the database as they are written; reading them through the engine's value
    # checks them again, so a row that slipped past would be refused here rather than misrate.
    return RatingSettings(DEFAULT_THRESHOLDS.with_boundaries(own), frozenset(own))


def timebank_thresholds(uow: UnitOfWork, timebank_id: int) -> Thresholds:
    """The thresholds the timebank's reports are rated against: its own where set, else the defaults."""
    return _read(uow, timebank_id).thresholds


def read_rating_thresholds(engine: Engine, timebank_id: int, caller: Caller) -> ReportRatingsView:
    """The timebank's thresholds, figure by figure (coordinator or admin)."""
    caller.check_coordinator(timebank_id, admin_allowed=True)

    def use_case(uow: UnitOfWork) -> ReportRatingsView:
        uow.timebanks.get(timebank_id)
        return _read(uow, timebank_id).view()

    return run(engine, use_case, write=False)


def set_rating_thresholds(
    engine: Engine, timebank_id: int, caller: Caller, request: SetReportRatings
) -> ReportRatingsView:
    """Rate the figures sent against these thresholds, and every other figure against the default.

    Refused as ``RatingThresholdOutOfRange`` or ``RatingThresholdsOutOfOrder`` (naming every figure
    that breaks a rule) before anything is written.
    """
    caller.check_coordinator(timebank_id, admin_allowed=True)
    own = request.own()
    thresholds = DEFAULT_THRESHOLDS.with_boundaries(own)
    records = [
        RatingThresholdRecord(str(figure), b.red_amber_percent, b.amber_green_percent)
        for figure, b in sorted(own.items(), key=lambda item: item[0])
    ]

    def use_case(uow: UnitOfWork) -> ReportRatingsView:
        uow.timebanks.get(timebank_id)
        uow.rating_thresholds.replace(timebank_id, records)
        settings = _read(uow, timebank_id)
        assert settings.thresholds == thresholds
        assert settings.own_figures == frozenset(own)
        uow.commit()
        return settings.view()

    return run(engine, use_case)
