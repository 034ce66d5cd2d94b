"""RED/AMBER/GREEN ratings (timebank.reports.ratings) at, and either side of, every boundary.

The issue's defaults, boundary by boundary: active rate < 20% red, 20–50% amber, ≥ 50% green;
two-way rate < 25 / 25–50 / ≥ 50; uses-services giving rate < 25 / 25–60 / ≥ 60; largest SCC share
< 20 / 20–50 / ≥ 50; top-20% share (lower is better) > 80 red, 60–80 amber (both ends included),
< 60 green. Values are exact fractions, so "a hair below" is one part in a million below. A figure
with no value has no rating.

A timebank's own thresholds move every boundary the same way: each figure is rated against custom
thresholds exactly at, and a hair either side of, its amber and green boundaries, in both
directions, and at the ends of the range (0 and 100, and equal thresholds with no amber band).
Thresholds out of range (not a whole percentage from 0 to 100) or the wrong way round for the
figure's direction are refused with the ledger's named errors, every broken figure named at once.
``Boundaries`` translate each figure's pair to and from the colours they separate, as storage keeps
them. Last, a report built with custom thresholds is rated against them and says so: in its JSON,
its CSV and its text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from fractions import Fraction

import pytest

from tests.unit.test_report_fixtures import MARCH_AND_APRIL, MIXED_APART, MIXED_EXCHANGES, MIXED_PEOPLE
from tests.unit.test_report_inputs import aggregate
from timebank.errors import InvalidRequest
from timebank.rendering.report_csv import report_csv
from timebank.rendering.report_text import report_text
from timebank.reports import ReportInputs, build_report, report_json
from timebank.reports.errors import RatingThresholdOutOfRange, RatingThresholdsOutOfOrder
from timebank.reports.ratings import (
    DEFAULT_THRESHOLDS,
    LOWER_IS_BETTER,
    Boundaries,
    RatedFigureName,
    Rating,
    Thresholds,
    rate_active_rate,
    rate_largest_scc_share,
    rate_top20_share,
    rate_two_way_rate,
    rate_uses_services_giving_rate,
)

RED, AMBER, GREEN = Rating.RED, Rating.AMBER, Rating.GREEN
HAIR = Fraction(1, 1_000_000)
Rater = Callable[[Fraction | None, Thresholds], Rating | None]


def percent(p: int) -> Fraction:
    return Fraction(p, 100)


HIGHER_IS_BETTER = [
    pytest.param(rate_active_rate, 20, 50, id="active_rate"),
    pytest.param(rate_two_way_rate, 25, 50, id="two_way_rate"),
    pytest.param(rate_uses_services_giving_rate, 25, 60, id="uses_services_giving_rate"),
    pytest.param(rate_largest_scc_share, 20, 50, id="largest_scc_share"),
]


@pytest.mark.parametrize(("rate", "amber_from", "green_from"), HIGHER_IS_BETTER)
def test_a_higher_is_better_figure_changes_colour_exactly_at_its_thresholds(
    rate: Rater, amber_from: int, green_from: int
) -> None:
    t = DEFAULT_THRESHOLDS

    assert rate(Fraction(0), t) is RED
    assert rate(percent(amber_from) - HAIR, t) is RED
    assert rate(percent(amber_from), t) is AMBER
    assert rate(percent(amber_from) + HAIR, t) is AMBER
    assert rate(percent(green_from) - HAIR, t) is AMBER
    assert rate(percent(green_from), t) is GREEN
    assert rate(percent(green_from) + HAIR, t) is GREEN
    assert rate(Fraction(1), t) is GREEN


def test_the_top_20_share_is_green_below_60_amber_from_60_to_80_inclusive_and_red_above() -> None:
    t = DEFAULT_THRESHOLDS

    assert rate_top20_share(Fraction(0), t) is GREEN
    assert rate_top20_share(percent(60) - HAIR, t) is GREEN
    assert rate_top20_share(percent(60), t) is AMBER
    assert rate_top20_share(percent(70), t) is AMBER
    assert rate_top20_share(percent(80), t) is AMBER
    assert rate_top20_share(percent(80) + HAIR, t) is RED
    assert rate_top20_share(Fraction(1), t) is RED


def test_a_float_like_value_near_a_boundary_is_judged_exactly() -> None:
    # 0.1 + 0.4 in floats is 0.5 by luck; 1/2 as a fraction is 1/2 by construction. A third of
    # three quarters (1/4) is exactly the two-way amber boundary.
    assert rate_two_way_rate(Fraction(1, 3) * Fraction(3, 4), DEFAULT_THRESHOLDS) is AMBER
    assert rate_active_rate(Fraction(1, 5), DEFAULT_THRESHOLDS) is AMBER


@pytest.mark.parametrize(
    "rate",
    [
        rate_active_rate,
        rate_two_way_rate,
        rate_uses_services_giving_rate,
        rate_largest_scc_share,
        rate_top20_share,
    ],
)
def test_a_figure_with_no_value_has_no_rating(rate: Rater) -> None:
    assert rate(None, DEFAULT_THRESHOLDS) is None


def test_the_defaults_are_the_issues() -> None:
    assert Thresholds() == Thresholds(
        active_rate_amber_from_percent=20,
        active_rate_green_from_percent=50,
        two_way_rate_amber_from_percent=25,
        two_way_rate_green_from_percent=50,
        uses_services_giving_rate_amber_from_percent=25,
        uses_services_giving_rate_green_from_percent=60,
        largest_scc_share_amber_from_percent=20,
        largest_scc_share_green_from_percent=50,
        top20_share_green_below_percent=60,
        top20_share_red_above_percent=80,
    )


def test_a_timebank_may_set_its_own_thresholds() -> None:
    strict = Thresholds(active_rate_amber_from_percent=40, active_rate_green_from_percent=70)

    assert rate_active_rate(percent(50), strict) is AMBER
    assert rate_active_rate(percent(50), DEFAULT_THRESHOLDS) is GREEN
    # Equal thresholds leave no amber band.
    no_amber = Thresholds(top20_share_green_below_percent=70, top20_share_red_above_percent=70)
    assert rate_top20_share(percent(70), no_amber) is AMBER
    assert rate_top20_share(percent(70) + HAIR, no_amber) is RED


# --- a timebank's own thresholds ------------------------------------------------------------------

HIGHER_IS_BETTER_FIGURES = [
    pytest.param(rate_active_rate, "active_rate", id="active_rate"),
    pytest.param(rate_two_way_rate, "two_way_rate", id="two_way_rate"),
    pytest.param(rate_uses_services_giving_rate, "uses_services_giving_rate", id="uses_services_giving_rate"),
    pytest.param(rate_largest_scc_share, "largest_scc_share", id="largest_scc_share"),
]


@pytest.mark.parametrize(("rate", "figure"), HIGHER_IS_BETTER_FIGURES)
def test_a_higher_is_better_figure_changes_colour_exactly_at_the_timebanks_own_thresholds(
    rate: Rater, figure: str
) -> None:
    own = Thresholds(**{f"{figure}_amber_from_percent": 35, f"{figure}_green_from_percent": 70})

    assert rate(percent(35) - HAIR, own) is RED
    assert rate(percent(35), own) is AMBER
    assert rate(percent(35) + HAIR, own) is AMBER
    assert rate(percent(70) - HAIR, own) is AMBER
    assert rate(percent(70), own) is GREEN
    assert rate(percent(70) + HAIR, own) is GREEN
    # The defaults' boundaries (20 to 25% amber, 50 to 60% green) mean nothing here any more.
    assert rate(percent(25), own) is RED
    assert rate(percent(60), own) is AMBER


def test_the_top_20_share_changes_colour_exactly_at_the_timebanks_own_thresholds() -> None:
    own = Thresholds(top20_share_green_below_percent=40, top20_share_red_above_percent=65)

    assert rate_top20_share(percent(40) - HAIR, own) is GREEN
    assert rate_top20_share(percent(40), own) is AMBER
    assert rate_top20_share(percent(40) + HAIR, own) is AMBER
    assert rate_top20_share(percent(65) - HAIR, own) is AMBER
    assert rate_top20_share(percent(65), own) is AMBER
    assert rate_top20_share(percent(65) + HAIR, own) is RED
    # Green and amber by the defaults (below 60%, up to 80%); not by these.
    assert rate_top20_share(percent(59), own) is AMBER
    assert rate_top20_share(percent(80), own) is RED


def test_thresholds_at_the_ends_of_the_range() -> None:
    # Nothing is below 0%, so amber from 0% means never red; green from 100% means green only at 100%.
    lenient = Thresholds(active_rate_amber_from_percent=0, active_rate_green_from_percent=0)
    assert rate_active_rate(Fraction(0), lenient) is GREEN
    strict = Thresholds(active_rate_amber_from_percent=100, active_rate_green_from_percent=100)
    assert rate_active_rate(Fraction(1) - HAIR, strict) is RED
    assert rate_active_rate(Fraction(1), strict) is GREEN
    # For the top-20% share: green below 0% is never green, red above 100% never red.
    all_amber = Thresholds(top20_share_green_below_percent=0, top20_share_red_above_percent=100)
    assert rate_top20_share(Fraction(0), all_amber) is AMBER
    assert rate_top20_share(Fraction(1), all_amber) is AMBER
    # Equal thresholds leave no amber band where higher is better too.
    no_amber = Thresholds(two_way_rate_amber_from_percent=40, two_way_rate_green_from_percent=40)
    assert rate_two_way_rate(percent(40) - HAIR, no_amber) is RED
    assert rate_two_way_rate(percent(40), no_amber) is GREEN


@pytest.mark.parametrize(
    "changes",
    [
        {"two_way_rate_green_from_percent": 101},
        {"largest_scc_share_amber_from_percent": -1},
        {"uses_services_giving_rate_amber_from_percent": 2.5},
        {"active_rate_green_from_percent": 50.0},
        {"active_rate_amber_from_percent": True},
        {"top20_share_red_above_percent": "80"},
        {"top20_share_green_below_percent": None},
    ],
)
def test_a_threshold_that_is_not_a_whole_percentage_from_0_to_100_is_refused(
    changes: dict[str, object],
) -> None:
    with pytest.raises(RatingThresholdOutOfRange) as refusal:
        Thresholds(**changes)  # type: ignore[arg-type]

    assert refusal.value.code == "rating_threshold_out_of_range"
    assert next(iter(changes)) in refusal.value.detail


@pytest.mark.parametrize(
    "changes",
    [
        {"active_rate_amber_from_percent": 51},  # amber would start above green (50%)
        {"two_way_rate_green_from_percent": 24},
        {"uses_services_giving_rate_amber_from_percent": 61},
        {"largest_scc_share_green_from_percent": 19},
        {"top20_share_green_below_percent": 81},  # green would reach above red (above 80%)
        {"top20_share_red_above_percent": 59},
    ],
)
def test_thresholds_the_wrong_way_round_for_their_figure_are_refused(changes: dict[str, int]) -> None:
    with pytest.raises(RatingThresholdsOutOfOrder) as refusal:
        Thresholds(**changes)

    assert refusal.value.code == "rating_thresholds_out_of_order"
    assert next(iter(changes)).split("_percent")[0].rsplit("_", 2)[0] in refusal.value.detail


def test_the_same_pair_is_in_order_for_one_direction_and_out_of_order_for_the_other() -> None:
    # 60 then 80: amber from 60%, green from 80% is right; green below 60%, red above 80% too. Swapped,
    # both are wrong: the top-20% share runs the other way, but its pair still has a right order.
    Thresholds(two_way_rate_amber_from_percent=60, two_way_rate_green_from_percent=80)
    Thresholds(top20_share_green_below_percent=60, top20_share_red_above_percent=80)
    with pytest.raises(RatingThresholdsOutOfOrder):
        Thresholds(two_way_rate_amber_from_percent=80, two_way_rate_green_from_percent=60)
    with pytest.raises(RatingThresholdsOutOfOrder):
        Thresholds(top20_share_green_below_percent=80, top20_share_red_above_percent=60)


def test_every_broken_figure_is_named_and_a_value_out_of_range_is_refused_first() -> None:
    with pytest.raises(RatingThresholdOutOfRange) as mixed:
        Thresholds(active_rate_amber_from_percent=60, top20_share_red_above_percent=101)
    assert "active_rate" in mixed.value.detail
    assert "top20_share" in mixed.value.detail

    with pytest.raises(RatingThresholdsOutOfOrder) as both:
        Thresholds(active_rate_amber_from_percent=60, two_way_rate_amber_from_percent=70)
    assert "active_rate" in both.value.detail
    assert "two_way_rate" in both.value.detail


def test_the_refusals_are_invalid_requests_of_the_ledgers_tree() -> None:
    assert issubclass(RatingThresholdOutOfRange, InvalidRequest)
    assert issubclass(RatingThresholdsOutOfOrder, InvalidRequest)


# --- boundaries, as storage keeps them ------------------------------------------------------------

ACTIVE_RATE, TOP20_SHARE = RatedFigureName.ACTIVE_RATE, RatedFigureName.TOP20_SHARE


def test_boundaries_name_each_pair_by_the_colours_it_separates() -> None:
    # Amber from 20%, green from 50%: red meets amber at 20, amber meets green at 50.
    assert DEFAULT_THRESHOLDS.boundaries(ACTIVE_RATE) == Boundaries(20, 50)
    # Red above 80%, green below 60%: red meets amber at 80, amber meets green at 60.
    assert DEFAULT_THRESHOLDS.boundaries(TOP20_SHARE) == Boundaries(80, 60)
    assert sorted(LOWER_IS_BETTER) == [TOP20_SHARE]
    assert [figure.value for figure in RatedFigureName] == [
        "active_rate",
        "two_way_rate",
        "uses_services_giving_rate",
        "top20_share",
        "largest_scc_share",
    ]


def test_with_boundaries_replaces_only_the_figures_given() -> None:
    changed = DEFAULT_THRESHOLDS.with_boundaries(
        {RatedFigureName.TWO_WAY_RATE: Boundaries(30, 70), TOP20_SHARE: Boundaries(75, 55)}
    )

    assert changed == Thresholds(
        two_way_rate_amber_from_percent=30,
        two_way_rate_green_from_percent=70,
        top20_share_green_below_percent=55,
        top20_share_red_above_percent=75,
    )
    assert DEFAULT_THRESHOLDS.with_boundaries({}) == DEFAULT_THRESHOLDS
    for figure in RatedFigureName:
        again = DEFAULT_THRESHOLDS.with_boundaries({figure: changed.boundaries(figure)})
        assert again.boundaries(figure) == changed.boundaries(figure)


def test_with_boundaries_checks_like_the_constructor() -> None:
    with pytest.raises(RatingThresholdsOutOfOrder):
        DEFAULT_THRESHOLDS.with_boundaries({TOP20_SHARE: Boundaries(55, 75)})  # green beyond red
    with pytest.raises(RatingThresholdsOutOfOrder):
        DEFAULT_THRESHOLDS.with_boundaries({ACTIVE_RATE: Boundaries(75, 55)})  # amber beyond green
    with pytest.raises(RatingThresholdOutOfRange):
        DEFAULT_THRESHOLDS.with_boundaries({ACTIVE_RATE: Boundaries(-5, 50)})


# --- in the report --------------------------------------------------------------------------------

# Stricter on activity (amber from 60%, green from 80%), gentler on concentration (green below 61%).
OWN = Thresholds(
    active_rate_amber_from_percent=60,
    active_rate_green_from_percent=80,
    top20_share_green_below_percent=61,
    top20_share_red_above_percent=70,
)


def _mixed_inputs() -> ReportInputs:
    return aggregate(MIXED_PEOPLE, MIXED_EXCHANGES, *MARCH_AND_APRIL, reported_apart=MIXED_APART)


def test_a_report_is_rated_against_the_thresholds_it_is_given_and_keeps_them() -> None:
    by_default = build_report(_mixed_inputs())
    own = build_report(_mixed_inputs(), OWN)
    assert by_default.figures is not None
    assert own.figures is not None
    default_headline, headline = by_default.figures.headline, own.figures.headline

    # 6 of 8 members active: green from 50%, amber below 80%.
    assert headline.active_rate.value == Fraction(3, 4)
    assert (default_headline.active_rate.rating, headline.active_rate.rating) == (GREEN, AMBER)
    # The top 20% hold 20/33 (60.6%) of the hours: amber from 60%, green below 61%.
    assert headline.top20_share.value == Fraction(20, 33)
    assert (default_headline.top20_share.rating, headline.top20_share.rating) == (AMBER, GREEN)
    # The figures left at their defaults are rated as before; so is every value.
    assert headline.two_way_rate == default_headline.two_way_rate
    # March: half the members active, green by default, red against 60%.
    march = own.figures.monthly[0].headline
    assert march is not None
    assert (march.active_rate.value, march.active_rate.rating) == (Fraction(1, 2), RED)
    assert (by_default.thresholds, own.thresholds) == (DEFAULT_THRESHOLDS, OWN)


def test_the_json_says_which_thresholds_applied() -> None:
    document = report_json(build_report(_mixed_inputs(), OWN))

    assert document["rating_thresholds"] == {
        "active_rate": {"amber_from_percent": 60, "green_from_percent": 80},
        "two_way_rate": {"amber_from_percent": 25, "green_from_percent": 50},
        "uses_services_giving_rate": {"amber_from_percent": 25, "green_from_percent": 60},
        "top20_share": {"green_below_percent": 61, "red_above_percent": 70},
        "largest_scc_share": {"amber_from_percent": 20, "green_from_percent": 50},
    }
    assert document["active_rate"] == {"value": 0.75, "rating": "amber"}
    monthly = document["monthly"]
    assert isinstance(monthly, list) and isinstance(monthly[0], dict)
    assert monthly[0]["active_rate"] == {"value": 0.5, "rating": "red"}


def test_the_csv_rates_against_the_same_thresholds_and_lists_them_with_the_window() -> None:
    rows = list(csv.DictReader(io.StringIO(report_csv(build_report(_mixed_inputs(), OWN)))))
    window = [r for r in rows if r["period"] == "2024-03-01/2024-05-01"]
    by_figure = {r["figure"]: r for r in window}

    assert by_figure["active_rate"]["rating"] == "amber"
    assert by_figure["top20_share"]["rating"] == "green"
    thresholds = [r for r in rows if r["figure"].startswith("rating_thresholds.")]
    assert thresholds == window[-len(thresholds) :]  # the window's last rows, never a month's
    assert len(thresholds) == 10
    assert by_figure["rating_thresholds.active_rate.amber_from_percent"] == {
        "period": "2024-03-01/2024-05-01",
        "figure": "rating_thresholds.active_rate.amber_from_percent",
        "value": "60",
        "rating": "",
    }
    assert by_figure["rating_thresholds.top20_share.red_above_percent"]["value"] == "70"
    march = {r["figure"]: r for r in rows if r["period"] == "2024-03"}
    assert march["active_rate"]["rating"] == "red"


def test_the_text_report_says_what_each_colour_means_for_the_timebank() -> None:
    text = report_text(build_report(_mixed_inputs(), OWN))
    lines = text.splitlines()

    assert "rating_thresholds" not in text
    assert "Ratings: red / amber / green" in lines
    meaning = {line.strip().rsplit("  ", 1)[0].strip(): line.rsplit("  ", 1)[1] for line in lines[-5:]}
    assert meaning == {
        "Active rate": "< 60% / 60-80% / >= 80%",
        "Two-way rate": "< 25% / 25-50% / >= 50%",
        "Uses-services giving rate": "< 25% / 25-60% / >= 60%",
        "Top-20% share": "> 70% / 61-70% / < 61%",
        "Largest SCC share": "< 20% / 20-50% / >= 50%",
    }
    active_rate = next(line for line in lines if line.split()[:1] == ["active_rate"])
    assert active_rate.split()[1:] == ["0.75", "AMBER"]
