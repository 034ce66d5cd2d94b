"""The rating thresholds' use case called as the reporting tests speak: boundaries by figure.

``set_rating_thresholds`` takes a ``SetReportRatings`` request, each figure's thresholds named as a
coordinator states them. The tests state them as the report engine does, ``Boundaries`` by
``RatedFigureName``, and probe the use case's own checks with values the request's type would
refuse (101%, -1%). This function builds the request from the boundaries without those checks
(``model_construct``), so that what each test reaches is the use case's own refusal, as before the
request was typed.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Engine

from timebank.people.callers import Caller
from timebank.reporting import ratings
from timebank.reporting.requests import HigherIsBetter, LowerIsBetter, SetReportRatings
from timebank.reporting.views import ReportRatingsView
from timebank.reports import LOWER_IS_BETTER, Boundaries, RatedFigureName

__all__ = ["ratings_request", "set_rating_thresholds"]


def ratings_request(own: Mapping[RatedFigureName, Boundaries]) -> SetReportRatings:
    """The request that sets ``own`` (and every other figure back to its default), unchecked."""
    sent: dict[str, HigherIsBetter | LowerIsBetter] = {}
    for figure, b in own.items():
        name = RatedFigureName(figure)
        if name in LOWER_IS_BETTER:
            sent[name.value] = LowerIsBetter.model_construct(
                green_below_percent=b.amber_green_percent, red_above_percent=b.red_amber_percent
            )
        else:
            sent[name.value] = HigherIsBetter.model_construct(
                amber_from_percent=b.red_amber_percent, green_from_percent=b.amber_green_percent
            )
    return SetReportRatings.model_construct(**sent)


def set_rating_thresholds(
    engine: Engine, timebank_id: int, caller: Caller, own: Mapping[RatedFigureName, Boundaries]
) -> ReportRatingsView:
    return ratings.set_rating_thresholds(engine, timebank_id, caller, ratings_request(own))
