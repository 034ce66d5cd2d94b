"""The report's four charts on the Reports page: their names and words, and the SVGs drawn once.

Each chart (``CHARTS``) has the slug of its PNG's address, the renderer's name, the title and the
description a screen reader hears (``timebank.web.chart_svg``), and the id of the table that gives
its figures beside it.

**Drawn once.** Drawing is most of a Reports page's time: matplotlib takes a quarter to half a
second a chart on the shared 2-core machine, whatever the timebank's size, where the report itself
takes about a second at a million exchanges. A chart is a pure function of the report's figures,
window and group (the renderer reads nothing else, and the same report gives the same SVG bytes),
so ``inline_svg`` keeps the last ``DRAWN_MAX`` charts drawn, keyed by the timebank, the chart and a
digest of all of those: the printable version after the page, a second coordinator opening the same
period, or a reload find them drawn. Any new exchange in the window changes the figures, so the key,
and the chart is drawn again; nothing stale can be shown. The key holds no member's data, and the
charts hold only the report's figures.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass

from markupsafe import Markup

from timebank.busy import chart_rendering
from timebank.rendering.charts import ChartName, render_chart
from timebank.reports import Report, report_json
from timebank.web.chart_svg import inline_chart

__all__ = ["CHARTS", "DRAWN_MAX", "Chart", "inline_svg"]

# About 40 KB each: 64 charts (16 reports' worth) are a few megabytes of a worker's memory.
DRAWN_MAX = 64


@dataclass(frozen=True)
class Chart:
    slug: str  # in the PNG's address
    name: ChartName
    title: str
    description: str
    table: str  # the id of the table beside it


CHARTS = (
    Chart(
        "monthly",
        "monthly",
        "Activity month by month",
        "Bars show the members who took part and the exchanges in each month. Lines show the share "
        "who took part and the share who both gave and received. The table below has the same figures.",
        "table-monthly",
    ),
    Chart(
        "role-mix",
        "role_mix",
        "How members took part",
        "Bars show how many members both gave and received, only gave, only received, or took no part. "
        "The table below has the same figures.",
        "table-role-mix",
    ),
    Chart(
        "give-share",
        "give_share",
        "Balance of giving and receiving",
        "Bars count the members who took part by the share of their hours that they gave. "
        "The table below has the same figures.",
        "table-give-share",
    ),
    Chart(
        "hours-matrix",
        "hours_matrix",
        "Hours given, by who gave and who received",
        "A grid of hours given between members, staff and organisations. Darker is fewer hours. "
        "The table below has the same figures.",
        "table-hours-matrix",
    ),
)

_drawn: OrderedDict[tuple[int, str, str], Markup] = OrderedDict()
_lock = threading.Lock()


def inline_svg(timebank_id: int, report: Report, chart: Chart) -> Markup:
    """The chart of ``report`` ready to sit in a page: drawn now, or kept from the last time it was."""
    key = (timebank_id, chart.slug, _digest(report))
    with _lock:
        kept = _drawn.get(key)
        if kept is not None:
            _drawn.move_to_end(key)
            return kept
    # Not under the lock: drawing takes a chart slot (timebank.busy), and the lock only guards the dict.
    with chart_rendering().hold():
        svg = render_chart(report, chart.name, "svg")
    drawn = inline_chart(svg, f"chart-{chart.slug}", chart.title, chart.description)
    with _lock:
        _drawn[key] = drawn
        while len(_drawn) > DRAWN_MAX:
            _drawn.popitem(last=False)
    return drawn


def _digest(report: Report) -> str:
    """Everything a chart is drawn from: the window, the group and every figure (with the thresholds)."""
    figures = json.dumps(report_json(report), sort_keys=True)
    seen = f"{report.from_on.isoformat()}|{report.to_on.isoformat()}|{report.group!r}|{figures}"
    return hashlib.sha256(seen.encode()).hexdigest()
