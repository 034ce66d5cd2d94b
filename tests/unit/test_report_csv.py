"""The report as CSV: one row per figure, the same numbers as the JSON, small groups never exported."""

from __future__ import annotations

import csv
import io
from datetime import date

from timebank.rendering.report_csv import CSV_COLUMNS, report_csv
from timebank.reports import TagGroup, build_report
from timebank.reports.report_json import report_json

from .test_report_fixtures import MARCH_AND_APRIL, MIXED_APART, MIXED_EXCHANGES, MIXED_PEOPLE
from .test_report_inputs import aggregate


def _read(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _mixed_report():  # type: ignore[no-untyped-def]
    inputs = aggregate(MIXED_PEOPLE, MIXED_EXCHANGES, *MARCH_AND_APRIL, reported_apart=MIXED_APART)
    return build_report(inputs)


def test_every_figure_of_the_json_is_a_row_with_the_same_value() -> None:
    report = _mixed_report()
    document = report_json(report)
    rows = _read(report_csv(report))
    window = {r["figure"]: r for r in rows if r["period"] == "2024-03-01/2024-05-01"}

    assert tuple(rows[0]) == CSV_COLUMNS
    assert window["members"]["value"] == str(document["members"])
    active_rate = document["active_rate"]
    assert isinstance(active_rate, dict)
    assert window["active_rate"]["value"] == str(active_rate["value"])
    assert window["active_rate"]["rating"] == active_rate["rating"]
    role_mix = document["role_mix"]
    assert isinstance(role_mix, dict)
    assert window["role_mix.both"]["value"] == str(role_mix["both"])
    matrix = document["hours_matrix"]
    assert isinstance(matrix, dict) and isinstance(matrix["member"], dict)
    assert window["hours_matrix.member.organisation"]["value"] == str(matrix["member"]["organisation"])
    # Nested keys are flattened, never written as a dict; nothing is left out of the window's rows.
    assert not any(value["value"].startswith("{") for value in window.values())
    assert "monthly" not in window


def test_the_monthly_series_is_one_block_of_rows_per_month() -> None:
    rows = _read(report_csv(_mixed_report()))
    months = {r["period"] for r in rows if len(r["period"]) == 7}
    assert months == {"2024-03", "2024-04"}
    march = {r["figure"] for r in rows if r["period"] == "2024-03"}
    assert {"members", "active_rate", "exchanges", "hours"} <= march


def test_a_null_figure_is_an_empty_cell() -> None:
    empty = build_report(aggregate(MIXED_PEOPLE, [], *MARCH_AND_APRIL))
    rows = {r["figure"]: r for r in _read(report_csv(empty)) if "/" in r["period"]}
    assert rows["two_way_rate"]["value"] == ""
    assert rows["exchanges"]["value"] == "0"


def test_a_group_too_small_to_show_exports_nothing_but_the_header() -> None:
    inputs = aggregate(MIXED_PEOPLE, MIXED_EXCHANGES, *MARCH_AND_APRIL, group=TagGroup("uses_services"))
    report = build_report(inputs)
    assert report.not_enough_data
    assert report_csv(report) == ",".join(CSV_COLUMNS) + "\r\n"


def test_the_window_is_an_iso_interval() -> None:
    report = build_report(aggregate(MIXED_PEOPLE, MIXED_EXCHANGES, date(2024, 3, 1), date(2024, 3, 15)))
    periods = {r["period"] for r in _read(report_csv(report))}
    assert "2024-03-01/2024-03-15" in periods
