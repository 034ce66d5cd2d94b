"""A timebank's own rating thresholds (services.report_ratings), stored and used, on both backends.

A timebank that has set nothing is rated against the issue's defaults, and says so. Thresholds set
by a coordinator (or an admin) are kept per figure; the reciprocity report reads them in the same
unit of work as its figures and rates against them, boundaries included: a figure exactly at its own
green threshold is green, a percent short of it amber. Setting the thresholds replaces the whole
set, so a figure left out goes back to its default. One timebank's thresholds never rate another's
report. The database refuses a row the services would have refused, and the unit of work names the
rule. The figure names storage writes out are the report engine's. Refusals through the services
(range, order, who) are in tests/integration/test_refusals.py, over HTTP in
tests/api/test_report_ratings_http.py.
"""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest
from sqlalchemy import Engine

from tests.reporting_calls import set_rating_thresholds
from timebank.clock import utc_now
from timebank.db import UnitOfWork, run
from timebank.db.report_tables import LOWER_IS_BETTER_FIGURES, RATED_FIGURES
from timebank.db.repositories import RatingThresholdRecord
from timebank.errors import TimebankError, TimebankNotFound
from timebank.ledger.errors import CoordinatorRequired
from timebank.people.callers import Caller
from timebank.reporting.ratings import read_rating_thresholds
from timebank.reporting.reports import reciprocity_report
from timebank.reports import (
    DEFAULT_THRESHOLDS,
    LOWER_IS_BETTER,
    Boundaries,
    RatedFigureName,
    Rating,
    Report,
    Thresholds,
    report_json,
)
from timebank.reports.errors import RatingThresholdOutOfRange, RatingThresholdsOutOfOrder

from .helpers import World, make_world

# From the day the helpers record every exchange to tomorrow: the members were opened today, so a
# window that ends later counts Cy, who never trades, as a member.
WINDOW = (date(2024, 5, 1), utc_now().date() + timedelta(days=1))
ACTIVE_RATE, TWO_WAY_RATE, TOP20_SHARE = (
    RatedFigureName.ACTIVE_RATE,
    RatedFigureName.TWO_WAY_RATE,
    RatedFigureName.TOP20_SHARE,
)


def coordinator_of(timebank_id: int) -> Caller:
    return Caller(f"login:coordinator{timebank_id}", False, timebank_id, None, None, True, frozenset())


ADMIN = Caller("login:admin", True, None, None, None, False, frozenset())


def traded(engine: Engine) -> World:
    """Ann and Bo help each other and Cy never trades: two of three members active, both two-way."""
    w = make_world(engine)
    w.posted(w.ann, {w.bo: 60})
    w.posted(w.bo, {w.ann: 30})
    return w


def may_report(w: World) -> Report:
    return reciprocity_report(w.engine, w.timebank_id, coordinator_of(w.timebank_id), *WINDOW)


def active_rating(report: Report) -> Rating | None:
    assert report.figures is not None
    return report.figures.headline.active_rate.rating


def top20_rating(report: Report) -> Rating | None:
    assert report.figures is not None
    return report.figures.headline.top20_share.rating


def test_storage_names_the_figures_as_the_report_engine_does() -> None:
    assert tuple(figure.value for figure in RatedFigureName) == RATED_FIGURES
    assert set(LOWER_IS_BETTER_FIGURES) == {figure.value for figure in LOWER_IS_BETTER}


def test_a_timebank_that_set_nothing_is_rated_against_the_defaults_and_says_so(engine: Engine) -> None:
    w = traded(engine)

    settings = read_rating_thresholds(engine, w.timebank_id, coordinator_of(w.timebank_id))
    report = may_report(w)

    assert settings.thresholds == DEFAULT_THRESHOLDS
    assert settings.own_figures == frozenset()
    assert all(settings.is_default(figure) for figure in RatedFigureName)
    assert report.thresholds == DEFAULT_THRESHOLDS
    assert report.figures is not None
    assert report.figures.headline.active_rate.value == Fraction(2, 3)
    assert active_rating(report) is Rating.GREEN  # 2/3 is at least 50%
    rating_thresholds = report_json(report)["rating_thresholds"]
    assert isinstance(rating_thresholds, dict)
    assert rating_thresholds["active_rate"] == {"amber_from_percent": 20, "green_from_percent": 50}


def test_the_report_is_rated_against_the_timebanks_own_thresholds_boundaries_included(
    engine: Engine,
) -> None:
    w = traded(engine)
    coordinator = coordinator_of(w.timebank_id)

    # Two of three members active, 66.67%: green from 66%; amber if green starts at 67%; red if
    # amber starts there too.
    set_rating_thresholds(engine, w.timebank_id, coordinator, {ACTIVE_RATE: Boundaries(60, 66)})
    assert active_rating(may_report(w)) is Rating.GREEN
    set_rating_thresholds(engine, w.timebank_id, coordinator, {ACTIVE_RATE: Boundaries(60, 67)})
    assert active_rating(may_report(w)) is Rating.AMBER
    set_rating_thresholds(engine, w.timebank_id, coordinator, {ACTIVE_RATE: Boundaries(67, 67)})
    assert active_rating(may_report(w)) is Rating.RED

    # The busiest member holds 60 of the 90 minutes, a top-20% share of 66.67%, where lower is
    # better: red above 66%; amber up to and including 67%; green below 67%.
    set_rating_thresholds(engine, w.timebank_id, coordinator, {TOP20_SHARE: Boundaries(66, 50)})
    report = may_report(w)
    assert report.figures is not None
    top20 = report.figures.headline.top20_share
    assert top20.value == Fraction(2, 3)
    assert top20.rating is Rating.RED
    set_rating_thresholds(engine, w.timebank_id, coordinator, {TOP20_SHARE: Boundaries(67, 50)})
    assert top20_rating(may_report(w)) is Rating.AMBER
    set_rating_thresholds(engine, w.timebank_id, coordinator, {TOP20_SHARE: Boundaries(80, 67)})
    assert top20_rating(may_report(w)) is Rating.GREEN


def test_the_report_says_which_thresholds_applied(engine: Engine) -> None:
    w = traded(engine)
    own = {ACTIVE_RATE: Boundaries(70, 90), TOP20_SHARE: Boundaries(75, 55)}

    set_rating_thresholds(engine, w.timebank_id, coordinator_of(w.timebank_id), own)
    report = may_report(w)

    assert report.thresholds == DEFAULT_THRESHOLDS.with_boundaries(own)
    document = report_json(report)
    assert document["active_rate"] == {"value": pytest.approx(2 / 3), "rating": "red"}
    assert document["rating_thresholds"] == {
        "active_rate": {"amber_from_percent": 70, "green_from_percent": 90},
        "two_way_rate": {"amber_from_percent": 25, "green_from_percent": 50},
        "uses_services_giving_rate": {"amber_from_percent": 25, "green_from_percent": 60},
        "top20_share": {"green_below_percent": 55, "red_above_percent": 75},
        "largest_scc_share": {"amber_from_percent": 20, "green_from_percent": 50},
    }


def test_setting_the_thresholds_replaces_the_whole_set(engine: Engine) -> None:
    w = make_world(engine)
    coordinator = coordinator_of(w.timebank_id)

    first = set_rating_thresholds(
        engine,
        w.timebank_id,
        coordinator,
        {ACTIVE_RATE: Boundaries(30, 60), TWO_WAY_RATE: Boundaries(40, 70)},
    )
    second = set_rating_thresholds(engine, w.timebank_id, coordinator, {TWO_WAY_RATE: Boundaries(35, 65)})
    read_back = read_rating_thresholds(engine, w.timebank_id, coordinator)

    assert first.own_figures == {ACTIVE_RATE, TWO_WAY_RATE}
    assert second == read_back
    assert read_back.own_figures == {TWO_WAY_RATE}
    assert read_back.thresholds == Thresholds(
        two_way_rate_amber_from_percent=35, two_way_rate_green_from_percent=65
    )
    assert read_back.is_default(ACTIVE_RATE)  # left out: back to 20% and 50%
    assert read_back.thresholds.boundaries(ACTIVE_RATE) == Boundaries(20, 50)

    cleared = set_rating_thresholds(engine, w.timebank_id, coordinator, {})

    assert cleared.thresholds == DEFAULT_THRESHOLDS
    assert cleared.own_figures == frozenset()


def test_a_threshold_equal_to_the_default_is_still_the_timebanks_own(engine: Engine) -> None:
    w = make_world(engine)

    settings = set_rating_thresholds(
        engine, w.timebank_id, coordinator_of(w.timebank_id), {ACTIVE_RATE: Boundaries(20, 50)}
    )

    assert settings.thresholds == DEFAULT_THRESHOLDS
    assert settings.own_figures == {ACTIVE_RATE}


def test_an_admin_may_read_and_set_them_and_an_unknown_timebank_is_not_found(engine: Engine) -> None:
    w = make_world(engine)

    set_rating_thresholds(engine, w.timebank_id, ADMIN, {TOP20_SHARE: Boundaries(90, 70)})

    assert read_rating_thresholds(engine, w.timebank_id, ADMIN).own_figures == {TOP20_SHARE}
    with pytest.raises(TimebankNotFound):
        read_rating_thresholds(engine, 10**9, ADMIN)
    with pytest.raises(TimebankNotFound):
        set_rating_thresholds(engine, 10**9, ADMIN, {TOP20_SHARE: Boundaries(90, 70)})
    member = Caller(f"login:ann{w.ann}", False, w.timebank_id, 1, w.ann, False, frozenset())
    with pytest.raises(CoordinatorRequired):
        read_rating_thresholds(engine, w.timebank_id, member)


def test_one_timebanks_thresholds_never_rate_anothers_report(engine: Engine) -> None:
    here, there = traded(engine), traded(engine)

    set_rating_thresholds(
        engine, here.timebank_id, coordinator_of(here.timebank_id), {ACTIVE_RATE: Boundaries(90, 95)}
    )

    assert active_rating(may_report(here)) is Rating.RED
    assert active_rating(may_report(there)) is Rating.GREEN
    elsewhere = read_rating_thresholds(engine, there.timebank_id, coordinator_of(there.timebank_id))
    assert elsewhere.own_figures == frozenset()


@pytest.mark.parametrize(
    ("record", "error"),
    [
        (RatingThresholdRecord("active_rate", 60, 50), RatingThresholdsOutOfOrder),
        (RatingThresholdRecord("top20_share", 60, 80), RatingThresholdsOutOfOrder),
        (RatingThresholdRecord("two_way_rate", 25, 101), RatingThresholdOutOfRange),
    ],
)
def test_the_database_refuses_a_row_the_services_would_have_refused(
    engine: Engine, record: RatingThresholdRecord, error: type[TimebankError]
) -> None:
    # Straight to the repository, past the engine's checks: the CHECK is the last word, and the unit
    # of work names the rule it stands for.
    w = make_world(engine)

    def write(uow: UnitOfWork) -> None:
        uow.rating_thresholds.replace(w.timebank_id, [record])
        uow.commit()

    with pytest.raises(error):
        run(engine, write)

    kept = read_rating_thresholds(engine, w.timebank_id, coordinator_of(w.timebank_id))
    assert kept.own_figures == frozenset()
