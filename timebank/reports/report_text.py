"""A report for the terminal (``timebank report``): the same figures as the CSV, grouped by period.

The window's figures come first, one a line, with the rating in capitals where there is one; then
each month's headline figures. Numbers are shown to three decimals at most (the CSV and JSON keep
them whole); a figure with no value (nothing to divide by) reads ``-``. A group too small to show
says so and nothing else.
"""

from __future__ import annotations

from itertools import groupby

from timebank.reports.inputs import TagGroup
from timebank.reports.report import Report
from timebank.reports.report_csv import report_rows

__all__ = ["report_text"]


def report_text(report: Report) -> str:
    title = f"Reciprocity report, {report.from_on.isoformat()} to {report.to_on.isoformat()} (to exclusive)"
    if isinstance(report.group, TagGroup):
        title += f", members tagged {report.group.tag}"
    elif report.group is not None:
        title += f", organisation {report.group.organisation_id}"
    lines = [title]
    if report.not_enough_data:
        lines.append("Not enough data: the group has too few members to show figures.")
        return "\n".join(lines) + "\n"
    rows = list(report_rows(report))
    width = max(len(figure) for _, figure, _, _ in rows)
    for period, in_period in groupby(rows, key=lambda row: row[0]):
        lines += ["", period if "/" not in period else "Whole window"]
        for _, figure, value, rating in in_period:
            shown = _readable(value)
            lines.append(f"  {figure:<{width}}  {shown:>12}  {rating.upper()}".rstrip())
    return "\n".join(lines) + "\n"


def _readable(value: str) -> str:
    """A figure as a person reads it: three decimals at most, no trailing zeros, ``-`` for none."""
    if not value:
        return "-"
    if "." not in value:
        return value
    return f"{float(value):.3f}".rstrip("0").rstrip(".")
