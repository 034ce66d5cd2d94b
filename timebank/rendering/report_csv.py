"""A report as CSV, for the spreadsheet a coordinator takes to a board or a funder.

One row per figure, in a long layout that any spreadsheet can filter and pivot::

    period,figure,value,rating
    2024-03-01/2024-05-01,members,8,
    2024-03-01/2024-05-01,active_rate,0.75,green
    2024-03-01/2024-05-01,role_mix.both,3,
    2024-03-01/2024-05-01,hours_matrix.member.organisation,1.5,
    2024-03,active_rate,0.625,green

``period`` is the window as an ISO 8601 interval, or a month (``YYYY-MM``) for the monthly series;
``figure`` is the JSON key, with nested keys joined by dots; ``value`` is the same number as in the
JSON (hours for keys that name hours), empty when the figure has no value; ``rating`` is ``red``,
``amber`` or ``green`` for a rated figure and empty otherwise. The window's rows end with the
thresholds those ratings were read against, in whole percent, so that an export says what its
colours mean (``rating_thresholds.active_rate.amber_from_percent,20,``).

Small groups never appear: a report withheld for a group under the minimum exports the header
alone, and so does any withheld month (DESIGN §5, ``may_export``). Only numbers and the report's own
keys are written, never a name or other text a member typed, so no cell can carry a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from timebank.reports.report import Report, may_export
from timebank.reports.report_json import JsonValue, report_json

__all__ = ["CSV_COLUMNS", "report_csv", "report_rows"]

CSV_COLUMNS = ("period", "figure", "value", "rating")


def report_csv(report: Report) -> str:
    """The report's figures as CSV text (header first; lines end with CRLF, as RFC 4180 says)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(report_rows(report))
    return out.getvalue()


def report_rows(report: Report) -> Iterator[tuple[str, ...]]:
    """(period, figure, value, rating) for each figure that may be exported: the window's, then months'."""
    if not may_export(report):
        return
    assert report.figures is not None
    document = report_json(report)
    window = f"{report.from_on.isoformat()}/{report.to_on.isoformat()}"
    monthly = document.pop("monthly")
    yield from _rows(window, document)
    assert isinstance(monthly, list)
    for entry, month in zip(report.figures.monthly, monthly, strict=True):
        if not may_export(entry):
            continue
        assert isinstance(month, dict)
        period = str(month.pop("month"))
        yield from _rows(period, month)


def _rows(period: str, figures: dict[str, JsonValue], prefix: str = "") -> Iterator[tuple[str, ...]]:
    for key, value in figures.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and set(value) == {"value", "rating"}:
            yield period, name, _cell(value["value"]), _cell(value["rating"])
        elif isinstance(value, dict):
            yield from _rows(period, value, f"{name}.")
        else:
            yield period, name, _cell(value), ""


def _cell(value: JsonValue) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    raise TypeError(f"a report figure is a number, not {type(value).__name__}")
