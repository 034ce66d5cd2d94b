"""The four report charts, each drawn on a fresh ``Figure`` from a shown report's figures.

Each function takes the report (for its title block) and its figures (never None here: a withheld
report is refused before any drawing) and returns the figure, ready to save. Bars carry their
numbers, so a board member never has to read a value off an axis.
"""

from __future__ import annotations

from fractions import Fraction

from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from timebank.rendering.charts_style import (
    BLUE,
    FONT_SIZE,
    GREEN,
    GREY,
    ORANGE,
    VERMILLION,
    hours_text,
    new_figure,
    percent_text,
)
from timebank.reports.figures import GIVE_SHARE_BIN_COUNT
from timebank.reports.inputs import ParticipantKind
from timebank.reports.report import Figures, Report

__all__ = ["draw_give_share", "draw_hours_matrix", "draw_monthly", "draw_role_mix"]

NOT_ENOUGH_DATA = "Not enough data to show"


def _percent(value: Fraction | None) -> float:
    # A rate with nothing to divide by is left out of the line (a gap), never drawn as 0.
    return float("nan") if value is None else float(value * 100)


def _whole_number_axis(ax: Axes, axis: str) -> None:
    locator = MaxNLocator(integer=True)
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_locator(locator)


def draw_monthly(report: Report, figures: Figures) -> Figure:
    figure, (counts_ax, rates_ax) = new_figure("Activity month by month", report, 5.2, rows=2)
    months = figures.monthly
    labels = [f"{entry.month_on:%b %Y}" for entry in months]
    positions = list(range(len(months)))
    width = 0.38
    active = [float("nan") if m.headline is None else m.headline.active_members for m in months]
    exchanges = [float("nan") if m.headline is None else m.headline.exchanges for m in months]
    active_bars = counts_ax.bar(
        [p - width / 2 for p in positions], active, width, color=BLUE, label="Members who took part"
    )
    exchange_bars = counts_ax.bar(
        [p + width / 2 for p in positions], exchanges, width, color=ORANGE, hatch="//", label="Exchanges"
    )
    for bars in (active_bars, exchange_bars):
        counts_ax.bar_label(bars, fmt="%d", fontsize=FONT_SIZE, padding=2)
    counts_ax.set_ylabel("Number", fontsize=FONT_SIZE)
    counts_ax.set_ylim(bottom=0, top=max([1, *[v for v in active + exchanges if v == v]]) * 1.25)
    _whole_number_axis(counts_ax, "y")
    counts_ax.legend(fontsize=FONT_SIZE, frameon=False, loc="upper left", ncols=2)

    active_rates = [_percent(None if m.headline is None else m.headline.active_rate.value) for m in months]
    two_way_rates = [_percent(None if m.headline is None else m.headline.two_way_rate.value) for m in months]
    rates_ax.plot(positions, active_rates, color=BLUE, marker="o", label="Share of members who took part")
    rates_ax.plot(
        positions,
        two_way_rates,
        color=VERMILLION,
        marker="s",
        linestyle="--",
        label="Share of those taking part who both gave and received",
    )
    rates_ax.set_ylim(0, 105)
    rates_ax.yaxis.set_major_formatter(PercentFormatter(decimals=0))
    rates_ax.set_ylabel("Percent", fontsize=FONT_SIZE)
    rates_ax.legend(fontsize=FONT_SIZE, frameon=False, loc="lower left")
    for ax in (counts_ax, rates_ax):
        ax.set_xticks(positions, labels)
        ax.set_xlim(-0.6, len(months) - 0.4)
    for position, entry in zip(positions, months, strict=True):
        if entry.headline is None:
            # A month with too few of the group's members to show: blank, and said so.
            counts_ax.text(position, 0.5, NOT_ENOUGH_DATA, ha="center", fontsize=FONT_SIZE - 1, rotation=90)
    return figure


ROLE_LABELS = (
    "Members who both gave and received",
    "Members who only gave",
    "Members who only received",
    "Members who took no part",
)


def draw_role_mix(report: Report, figures: Figures) -> Figure:
    figure, (ax,) = new_figure("How members took part", report, 2.8)
    mix = figures.role_mix
    counts = [mix.both, mix.give_only, mix.receive_only, mix.inactive]
    positions = list(range(len(counts)))
    bars = ax.barh(positions, counts, color=[GREEN, BLUE, ORANGE, GREY])
    labels = [
        f"{count}" if mix.members == 0 else f"{count} ({percent_text(Fraction(count, mix.members))})"
        for count in counts
    ]
    ax.bar_label(bars, labels=labels, fontsize=FONT_SIZE, padding=3)
    ax.set_yticks(positions, ROLE_LABELS)
    ax.invert_yaxis()  # the first role on top, as it is read
    ax.set_xlim(0, max(1, *counts) * 1.3)
    _whole_number_axis(ax, "x")
    ax.set_xlabel(f"Number of members (of {mix.members})", fontsize=FONT_SIZE)
    return figure


def give_share_tick(index: int) -> str:
    width = 100 // GIVE_SHARE_BIN_COUNT
    return f"{index * width}–{(index + 1) * width}%"


def draw_give_share(report: Report, figures: Figures) -> Figure:
    figure, (ax,) = new_figure("Balance of giving and receiving", report, 3.4)
    counts = list(figures.give_share_histogram.counts)
    positions = list(range(len(counts)))
    bars = ax.bar(positions, counts, width=0.85, color=BLUE)
    ax.bar_label(bars, fmt="%d", fontsize=FONT_SIZE, padding=2)
    ax.set_xticks(positions, [give_share_tick(i) for i in positions], fontsize=FONT_SIZE - 1)
    ax.set_ylim(0, max(1, *counts) * 1.2)
    _whole_number_axis(ax, "y")
    ax.set_ylabel("Number of members taking part", fontsize=FONT_SIZE)
    ax.set_xlabel(
        "Share of a member's hours that they gave (0% = only received, 100% = only gave)",
        fontsize=FONT_SIZE,
    )
    return figure


# cividis in 32 shades: as many as an eye tells apart in a key, and few shapes for the colour bar.
_SHADES = colormaps["cividis"].resampled(32)

KIND_LABELS = {
    ParticipantKind.MEMBER: "Members",
    ParticipantKind.STAFF: "Staff",
    ParticipantKind.ORGANISATION: "Organisations",
}


def draw_hours_matrix(report: Report, figures: Figures) -> Figure:
    figure, (ax,) = new_figure("Hours given, by who gave and who received", report, 3.8)
    kinds = list(ParticipantKind)
    matrix = figures.hours_matrix
    minutes = [[matrix.minutes_between(giver, receiver) for receiver in kinds] for giver in kinds]
    hours = [[m / 60 for m in row] for row in minutes]
    highest = max(1.0, *(h for row in hours for h in row))
    # Cells drawn as shapes (pcolormesh), never as a picture (imshow): an SVG holding a picture
    # carries it as a data: address, which a page's Content-Security-Policy (img-src 'self') blocks
    # when the chart is put inline, and shapes print sharp at any size.
    positions = range(len(kinds))
    image = ax.pcolormesh(positions, positions, hours, cmap=_SHADES, vmin=0, vmax=highest, shading="nearest")
    ax.set_aspect("equal")
    ax.invert_yaxis()  # the first giver on top, as a table reads
    colour_map = image.get_cmap()
    for row, giver_minutes in enumerate(minutes):
        for column, cell_minutes in enumerate(giver_minutes):
            # Dark text on the light (yellow) end of cividis, white on the dark (blue) end.
            red, green, blue, _ = colour_map(hours[row][column] / highest)
            light = 0.299 * red + 0.587 * green + 0.114 * blue > 0.5
            ax.text(
                column,
                row,
                hours_text(cell_minutes),
                ha="center",
                va="center",
                fontsize=FONT_SIZE + 2,
                color="black" if light else "white",
            )
    ax.set_xticks(range(len(kinds)), [KIND_LABELS[k] for k in kinds])
    ax.set_yticks(range(len(kinds)), [KIND_LABELS[k] for k in kinds])
    ax.set_xlabel("Who received the help", fontsize=FONT_SIZE)
    ax.set_ylabel("Who gave the help", fontsize=FONT_SIZE)
    ax.tick_params(length=0)
    ax.spines[:].set_visible(False)
    colour_bar = figure.colorbar(image, ax=ax, shrink=0.8)
    # A colour bar of many shades is drawn as a picture unless told otherwise (see above).
    if colour_bar.solids is not None:
        colour_bar.solids.set_rasterized(False)
    colour_bar.set_label("Hours", fontsize=FONT_SIZE)
    colour_bar.ax.tick_params(labelsize=FONT_SIZE)
    return figure
