"""The report as charts for a board paper: four pictures, as SVG or PNG bytes.

    monthly        active members and exchanges each month, with the active and two-way rates
    role_mix       how many members gave and received, only gave, only received, or took no part
    give_share     active members by the share of their hours that they gave (a histogram)
    hours_matrix   hours given between members, staff and organisations, giver × receiver

``render_chart(report, name, fmt)`` draws one of them from a built ``Report``; it reads the
report's figures and nothing else. Titles and labels are plain English, quantities are hours, and
each chart says under its title which window and which members it shows.

**Small groups.** A report withheld for a group too small to show (``report.not_enough_data``)
is never drawn: ``render_chart`` raises ``NotEnoughDataToChart`` (code ``not_enough_data``, the
same word as the JSON) rather than drawing a picture that says so. A picture saying "not enough
data" would be too easy to paste into a board paper as if it were a finding, and an error lets the
API answer a chart request exactly as it answers the JSON one. A withheld month inside a shown
report is left blank in the monthly chart and labelled as such.

**Determinism.** The same report gives byte-identical SVG: the SVG carries no date, and the ids it
makes for clip paths are hashed with a fixed salt. Text stays text in the SVG (``svg.fonttype``
``none``), so the words can be searched and the file stays small. Both settings live in
matplotlib's process-wide ``rcParams``; they are set once when this module is imported, never
switched per call, because switching them per call would race between threads.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Literal, get_args

import matplotlib
from matplotlib.figure import Figure

from timebank.rendering.charts_draw import draw_give_share, draw_hours_matrix, draw_monthly, draw_role_mix
from timebank.rendering.charts_style import PNG_DOTS_PER_INCH
from timebank.reports.report import Figures, Report

__all__ = ["CHART_FORMATS", "CHART_NAMES", "ChartFormat", "ChartName", "NotEnoughDataToChart", "render_chart"]

ChartName = Literal["monthly", "role_mix", "give_share", "hours_matrix"]
ChartFormat = Literal["svg", "png"]
CHART_NAMES: tuple[ChartName, ...] = get_args(ChartName)
CHART_FORMATS: tuple[ChartFormat, ...] = get_args(ChartFormat)

matplotlib.rcParams["svg.hashsalt"] = "timebank-report-charts"
matplotlib.rcParams["svg.fonttype"] = "none"

_DRAW: dict[ChartName, Callable[[Report, Figures], Figure]] = {
    "monthly": draw_monthly,
    "role_mix": draw_role_mix,
    "give_share": draw_give_share,
    "hours_matrix": draw_hours_matrix,
}


class NotEnoughDataToChart(ValueError):
    """The report is withheld for a group too small to show, so it has nothing to draw."""

    code = "not_enough_data"

    def __init__(self) -> None:
        super().__init__("not_enough_data: the group has too few members to show figures")


def render_chart(report: Report, name: ChartName, fmt: ChartFormat) -> bytes:
    """One chart of ``report`` as SVG or PNG bytes; raises ``NotEnoughDataToChart`` if withheld."""
    if name not in _DRAW:
        raise ValueError(f"unknown chart {name!r}; the charts are {', '.join(CHART_NAMES)}")
    if fmt not in CHART_FORMATS:
        raise ValueError(f"unknown chart format {fmt!r}; the formats are {', '.join(CHART_FORMATS)}")
    if report.figures is None:
        raise NotEnoughDataToChart()
    figure = _DRAW[name](report, report.figures)
    out = io.BytesIO()
    if fmt == "svg":
        # No date: two renders of one report are byte for byte the same.
        figure.savefig(out, format="svg", metadata={"Date": None})
    else:
        figure.savefig(out, format="png", dpi=PNG_DOTS_PER_INCH, metadata={"Software": None})
    data = out.getvalue()
    assert data
    return data
