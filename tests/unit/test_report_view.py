"""The reciprocity report's view writes exactly the engine's JSON (``report_json``), key by key.

The API answers the report as a typed view (``timebank.reporting.views``) so that the contract has
a schema for it; the CSV and the command line still write from ``report_json``. The view must not
change a key, a value, a type or a null: on the hand-computed mixed timebank, on a withheld group,
and on random timebanks whose groups and months are withheld at random, the view, written as the
API writes it (by alias, as JSON), reads back as the engine's JSON, in the same order.
"""

from __future__ import annotations

import json
from datetime import date

from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter

from tests.unit.test_report_fixtures import MARCH_AND_APRIL, MIXED_APART, MIXED_EXCHANGES, MIXED_PEOPLE
from tests.unit.test_report_inputs import Help, Person, aggregate
from tests.unit.test_report_properties import timebanks
from timebank.reporting.views import (
    ReciprocityReportAnswer,
    ReciprocityReportView,
    ReportWithheldView,
    report_view,
)
from timebank.reports import REPORT_KEYS, Report, TagGroup, build_report, report_json
from timebank.reports.ratings import Thresholds

ANSWER = TypeAdapter(ReciprocityReportAnswer)


def as_the_api_writes_it(report: Report) -> object:
    """The view as JSON text, by the contract's names, read back."""
    return json.loads(ANSWER.dump_json(report_view(report), by_alias=True))


def test_the_mixed_timebanks_view_is_the_engines_json() -> None:
    inputs = aggregate(MIXED_PEOPLE, MIXED_EXCHANGES, *MARCH_AND_APRIL, reported_apart=MIXED_APART)
    report = build_report(inputs, Thresholds(top20_share_green_below_percent=55))

    written = as_the_api_writes_it(report)

    assert isinstance(report_view(report), ReciprocityReportView)
    assert written == report_json(report)
    assert json.dumps(written) == json.dumps(report_json(report))  # 2 stays 2, never 2.0
    assert isinstance(written, dict)
    assert tuple(written) == REPORT_KEYS
    bins = ["0-10", "10-20", "20-30", "30-40", "40-50", "50-60", "60-70", "70-80", "80-90", "90-100"]
    assert list(written["give_share_histogram"]) == bins
    assert written["rating_thresholds"]["top20_share"] == {"green_below_percent": 55, "red_above_percent": 80}


def test_a_withheld_groups_view_says_not_enough_data_and_nothing_else() -> None:
    people = [Person(i) for i in range(1, 15)]  # fourteen, all of the group
    report = build_report(
        aggregate(people, [Help(date(2024, 3, 4), 1, ((2, 60),))], *MARCH_AND_APRIL, group=TagGroup("youth"))
    )

    assert isinstance(report_view(report), ReportWithheldView)
    assert as_the_api_writes_it(report) == {"not_enough_data": True} == report_json(report)


@given(timebanks(), st.sampled_from([1, 2, 3, 15]))
def test_a_random_timebanks_view_is_the_engines_json(
    timebank: tuple[list[Person], list[Help], date, date, TagGroup | None], group_minimum: int
) -> None:
    people, exchanges, from_on, to_on, group = timebank
    report = build_report(
        aggregate(people, exchanges, from_on, to_on, group=group), group_minimum=group_minimum
    )

    written = as_the_api_writes_it(report)

    assert written == report_json(report)
    assert json.dumps(written) == json.dumps(report_json(report))  # the same keys in the same order
