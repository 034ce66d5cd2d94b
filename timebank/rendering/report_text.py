"""A report for the terminal (``timebank report``): the same figures as the CSV, grouped by period.

The window's figures come first, one a line, with the rating in capitals where there is one; then
each month's headline figures; last, what each colour means for this timebank (its thresholds, as
the issue writes them: "< 20% / 20-50% / >= 50%"). Numbers are shown to three decimals at most (the
CSV and JSON keep them whole); a figure with no value (nothing to divide by) reads ``-``. A group
too small to show says so and nothing else.
"""

from __future__ import annotations

from itertools import groupby

from timebank.rendering.report_csv import report_rows
from timebank.reports.inputs import TagGroup
from timebank.reports.ratings import LOWER_IS_BETTER, RatedFigureName, Thresholds
from timebank.reports.report import Report

__all__ = ["report_text"]

# The CSV's rows of thresholds; the text shows them in a section of their own.
_THRESHOLD_ROWS = "rating_thresholds."

# Each rated figure as a person names it (and not by its key, which names its figure line above).
_LABELS = {
    RatedFigureName.ACTIVE_RATE: "Active rate",
    RatedFigureName.TWO_WAY_RATE: "Two-way rate",
    RatedFigureName.USES_SERVICES_GIVING_RATE: "Uses-services giving rate",
    RatedFigureName.TOP20_SHARE: "Top-20% share",
    RatedFigureName.LARGEST_SCC_SHARE: "Largest SCC share",
}


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
    rows = [row for row in report_rows(report) if not row[1].startswith(_THRESHOLD_ROWS)]
    width = max(len(figure) for _, figure, _, _ in rows)
    for period, in_period in groupby(rows, key=lambda row: row[0]):
        lines += ["", period if "/" not in period else "Whole window"]
        for _, figure, value, rating in in_period:
            shown = _readable(value)
            lines.append(f"  {figure:<{width}}  {shown:>12}  {rating.upper()}".rstrip())
    lines += ["", "Ratings: red / amber / green", *_rating_lines(report.thresholds)]
    return "\n".join(lines) + "\n"


def _rating_lines(thresholds: Thresholds) -> list[str]:
    width = max(len(label) for label in _LABELS.values())
    lines = []
    for figure in RatedFigureName:
        b = thresholds.boundaries(figure)
        red_amber, amber_green = b.red_amber_percent, b.amber_green_percent
        if figure in LOWER_IS_BETTER:
            bands = f"> {red_amber}% / {amber_green}-{red_amber}% / < {amber_green}%"
        else:
            bands = f"< {red_amber}% / {red_amber}-{amber_green}% / >= {amber_green}%"
        lines.append(f"  {_LABELS[figure]:<{width}}  {bands}")
    return lines


def _readable(value: str) -> str:
    """A figure as a person reads it: three decimals at most, no trailing zeros, ``-`` for none."""
    if not value:
        return "-"
    if "." not in value:
        return value
    return f"{float(value):.3f}".rstrip("0").rstrip(".")
