"""How the report's charts look: colours, sizes, the title block, and numbers as a board reads them.

Every chart is sized for the text width of an A4 page (16 cm, about 6.3 inches) and drawn with
DejaVu Sans, the font that ships inside matplotlib, so nothing is fetched and every machine draws
the same letters. Colours come from the Okabe–Ito palette, which people with the common kinds of
colour blindness can tell apart; the heat map uses ``cividis``, a colour map designed for the same
readers, and lines differ in dash and marker as well as colour so a grey photocopy still reads.

Numbers are shown the way a coordinator would write them: hours rather than minutes (one hour is
one time credit), with no more than two decimals and no trailing zeros; shares as whole percentages.
"""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from timebank.reports.inputs import Group, TagGroup
from timebank.reports.report import Report

__all__ = [
    "BLUE",
    "FONT_SIZE",
    "GREEN",
    "GREY",
    "ORANGE",
    "PAGE_WIDTH_INCHES",
    "PNG_DOTS_PER_INCH",
    "SKY_BLUE",
    "TITLE_SIZE",
    "VERMILLION",
    "group_words",
    "hours_text",
    "new_figure",
    "percent_text",
    "subtitle",
]

# Okabe & Ito (2008), "Color Universal Design".
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
VERMILLION = "#D55E00"
SKY_BLUE = "#56B4E9"
GREY = "#999999"

PAGE_WIDTH_INCHES = 6.3
PNG_DOTS_PER_INCH = 200
FONT_SIZE = 9.0
TITLE_SIZE = 12.0


def hours_text(minutes: int) -> str:
    """Minutes as hours: ``"7"``, ``"0.5"``, ``"0.75"``, ``"1.33"`` (two decimals at most)."""
    hours = Fraction(minutes, 60)
    if hours.denominator == 1:
        return str(hours.numerator)
    return f"{float(hours):.2f}".rstrip("0").rstrip(".")


def percent_text(share: Fraction) -> str:
    """A share as a whole percentage, halves rounded up: ``Fraction(2, 3)`` → ``"67%"``."""
    assert 0 <= share <= 1
    return f"{int(share * 100 + Fraction(1, 2))}%"


def group_words(group: Group | None) -> str:
    if group is None:
        return "all members"
    if isinstance(group, TagGroup):
        return f"members tagged {group.tag}"
    return f"the group of organisation {group.organisation_id}"


def subtitle(report: Report) -> str:
    """The window, with its last day rather than the day after, and who the figures are about."""
    last_on = report.to_on - timedelta(days=1)
    return (
        f"{report.from_on.day} {report.from_on:%B %Y} to {last_on.day} {last_on:%B %Y}, "
        f"{group_words(report.group)}"
    )


def new_figure(title: str, report: Report, height_inches: float, rows: int = 1) -> tuple[Figure, list[Axes]]:
    """A figure at A4 text width with the title and subtitle above its first panel.

    A ``Figure`` made directly, never through pyplot: it belongs to no global figure manager, so
    charts can be drawn in several threads of a web server at once and are freed when dropped.
    """
    figure = Figure(figsize=(PAGE_WIDTH_INCHES, height_inches), layout="constrained")
    axes = [figure.add_subplot(rows, 1, row + 1) for row in range(rows)]
    figure.suptitle(title, x=0.01, ha="left", fontsize=TITLE_SIZE, fontweight="bold")
    axes[0].set_title(subtitle(report), loc="left", fontsize=FONT_SIZE, color="#333333")
    for ax in axes:
        ax.tick_params(labelsize=FONT_SIZE)
        ax.spines[["top", "right"]].set_visible(False)
    return figure, axes
