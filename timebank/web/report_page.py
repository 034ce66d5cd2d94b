"""The reciprocity report as a board reads it: each figure in words, with its colour named and explained.

``report_page`` turns the engine's ``Report`` into what the Reports page and its printable version
show, and nothing else reads the report for them, so the page, the print and the downloads cannot
disagree (the CSV and the PNGs are drawn from the same ``Report`` by ``timebank.rendering``):

- the headline figures, each with one plain sentence saying what it counts; the five rated ones
  with their colour written as a word ("Green: going well"), never by colour alone, and the
  thresholds it was read against ("Green from 50%. Amber from 20%. Red below 20%.");
- for each chart, the same numbers as a table: the months (a month the window cuts is named as the
  days it covers, "1 to 15 March 2026, part of the month"), how members took part, the balance of
  giving and receiving, and the hours between members, staff and organisations.

Shares are whole percentages, rounded as the charts round them (``percent_text``); hours are
written out by the pages' ``hours`` filter from whole minutes. A figure with nothing to divide by
has no value and says so. A report withheld for a small group has no figures at all.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from timebank.benefits.formatting import format_date, format_minutes
from timebank.rendering.charts_draw import KIND_LABELS, ROLE_LABELS, give_share_tick
from timebank.rendering.charts_style import percent_text
from timebank.reports import Rating, Report
from timebank.reports.inputs import ParticipantKind
from timebank.reports.ratings import LOWER_IS_BETTER, RatedFigureName, Thresholds
from timebank.reports.report import Figures, HeadlineFigures, RatedFigure

__all__ = [
    "Headline",
    "MonthRow",
    "ReportPage",
    "month_words",
    "report_page",
    "threshold_words",
    "window_words",
]

RATING_WORDS = {
    Rating.GREEN: "Green: going well",
    Rating.AMBER: "Amber: keep an eye on it",
    Rating.RED: "Red: needs attention",
}
# GOV.UK tag colours; the word inside the tag says the same.
RATING_TAGS = {
    Rating.GREEN: "govuk-tag--green",
    Rating.AMBER: "govuk-tag--yellow",
    Rating.RED: "govuk-tag--red",
}
NO_VALUE = "No figure yet"

_RATED_LABELS = {
    RatedFigureName.ACTIVE_RATE: "Share of members who took part",
    RatedFigureName.TWO_WAY_RATE: "Share who both gave and received",
    RatedFigureName.USES_SERVICES_GIVING_RATE: "Share of members who use services who gave help",
    RatedFigureName.TOP20_SHARE: "Hours given by the busiest fifth",
    RatedFigureName.LARGEST_SCC_SHARE: "Share in the biggest circle of help",
}
_RATED_MEANINGS = {
    RatedFigureName.ACTIVE_RATE: "Of all members, the share who gave or got help at least once.",
    RatedFigureName.TWO_WAY_RATE: (
        "Of the members who took part, the share who did both. Give and get is the heart of a timebank."
    ),
    RatedFigureName.USES_SERVICES_GIVING_RATE: (
        "Of the members tagged uses_services who took part, the share who gave help too."
    ),
    RatedFigureName.TOP20_SHARE: (
        "Of all the hours given, the share given by the busiest fifth of members. "
        "Lower is better: it means the giving is spread out."
    ),
    RatedFigureName.LARGEST_SCC_SHARE: (
        "Of the members who took part, the share in one big circle, "
        "where help can pass from anyone to anyone."
    ),
}


@dataclass(frozen=True)
class Headline:
    """One headline figure as the page shows it; ``rating`` is None for a figure that is not rated."""

    key: str
    label: str
    value: str
    meaning: str
    rating: Rating | None = None
    rating_words: str = ""
    rating_tag: str = ""
    thresholds: str = ""


@dataclass(frozen=True)
class MonthRow:
    """One month of the window (or the part of it inside the window); ``withheld`` for a small group."""

    label: str
    withheld: bool
    members: int = 0
    active_members: int = 0
    exchanges: int = 0
    minutes: int = 0
    active_rate: str = ""
    two_way_rate: str = ""


@dataclass(frozen=True)
class ReportPage:
    headlines: tuple[Headline, ...]
    months: tuple[MonthRow, ...]
    roles: tuple[tuple[str, int, str], ...]  # label, members, share of members
    give_shares: tuple[tuple[str, int], ...]  # share given, members taking part
    hours_matrix: tuple[tuple[str, tuple[int, ...]], ...]  # giver, minutes to each receiver kind
    receivers: tuple[str, ...]
    apart: tuple[tuple[str, int, int], ...]  # what was kept out: label, count, minutes


def report_page(report: Report) -> ReportPage | None:
    """What the page shows of ``report``; None when it is withheld for a group too small to show."""
    f = report.figures
    if f is None:
        return None
    return ReportPage(
        headlines=headlines(f.headline, report.thresholds),
        months=tuple(_month_row(entry.month_on, entry.headline, report) for entry in f.monthly),
        roles=_roles(f),
        give_shares=tuple(
            (give_share_tick(i), count) for i, count in enumerate(f.give_share_histogram.counts)
        ),
        hours_matrix=tuple(
            (KIND_LABELS[giver], tuple(f.hours_matrix.minutes_between(giver, r) for r in ParticipantKind))
            for giver in ParticipantKind
        ),
        receivers=tuple(KIND_LABELS[r] for r in ParticipantKind),
        apart=(
            (
                "Recognition from organisations",
                f.reported_apart.recognition.count,
                f.reported_apart.recognition.minutes,
            ),
            (
                "Grants from the community pot",
                f.reported_apart.pot_grants.count,
                f.reported_apart.pot_grants.minutes,
            ),
            (
                "Exchanges corrected",
                f.reported_apart.reversed_exchanges.count,
                f.reported_apart.reversed_exchanges.minutes,
            ),
        ),
    )


def headlines(h: HeadlineFigures, thresholds: Thresholds) -> tuple[Headline, ...]:
    def rated(name: RatedFigureName, figure: RatedFigure) -> Headline:
        return Headline(
            key=name.value,
            label=_RATED_LABELS[name],
            value=_share(figure.value),
            meaning=_RATED_MEANINGS[name]
            if figure.value is not None
            else _RATED_MEANINGS[name] + " Nobody to count yet.",
            rating=figure.rating,
            rating_words="" if figure.rating is None else RATING_WORDS[figure.rating],
            rating_tag="" if figure.rating is None else RATING_TAGS[figure.rating],
            thresholds=threshold_words(name, thresholds),
        )

    return (
        Headline("members", "Members", str(h.members), "People who were members at any time in this period."),
        Headline(
            "active_members",
            "Members who took part",
            str(h.active_members),
            "Members who gave or got help at least once.",
        ),
        rated(RatedFigureName.ACTIVE_RATE, h.active_rate),
        Headline("exchanges", "Exchanges", str(h.exchanges), "Times help was given and recorded."),
        Headline(
            "hours",
            "Hours of help",
            _hours(h.total_minutes),
            "All the time given in exchanges. One hour is one time credit.",
        ),
        rated(RatedFigureName.TWO_WAY_RATE, h.two_way_rate),
        rated(RatedFigureName.USES_SERVICES_GIVING_RATE, h.uses_services_giving_rate),
        rated(RatedFigureName.TOP20_SHARE, h.top20_share),
        rated(RatedFigureName.LARGEST_SCC_SHARE, h.largest_scc_share),
    )


def threshold_words(name: RatedFigureName, thresholds: Thresholds) -> str:
    b = thresholds.boundaries(name)
    if name in LOWER_IS_BETTER:
        return (
            f"Green below {b.amber_green_percent}%. Amber from {b.amber_green_percent}% to "
            f"{b.red_amber_percent}%. Red above {b.red_amber_percent}%."
        )
    return (
        f"Green from {b.amber_green_percent}%. Amber from {b.red_amber_percent}%. "
        f"Red below {b.red_amber_percent}%."
    )


def month_words(month_on: date, from_on: date, to_on: date) -> str:
    """A month of the window as a person names it, and the days of it when the window cuts it."""
    last_of_month = month_on.replace(day=calendar.monthrange(month_on.year, month_on.month)[1])
    first, last = max(month_on, from_on), min(last_of_month, to_on - timedelta(days=1))
    if first == month_on and last == last_of_month:
        return f"{calendar.month_name[month_on.month]} {month_on.year}"
    days = f"{first.day}" if first == last else f"{first.day} to {last.day}"
    return f"{days} {calendar.month_name[month_on.month]} {month_on.year} (part of the month)"


def _month_row(month_on: date, h: HeadlineFigures | None, report: Report) -> MonthRow:
    label = month_words(month_on, report.from_on, report.to_on)
    if h is None:
        return MonthRow(label, withheld=True)
    return MonthRow(
        label,
        withheld=False,
        members=h.members,
        active_members=h.active_members,
        exchanges=h.exchanges,
        minutes=h.total_minutes,
        active_rate=_share(h.active_rate.value),
        two_way_rate=_share(h.two_way_rate.value),
    )


def _roles(f: Figures) -> tuple[tuple[str, int, str], ...]:
    mix = f.role_mix
    counts = (mix.both, mix.give_only, mix.receive_only, mix.inactive)
    return tuple(
        (label, count, _share(None if mix.members == 0 else Fraction(count, mix.members)))
        for label, count in zip(ROLE_LABELS, counts, strict=True)
    )


def _share(value: Fraction | None) -> str:
    return NO_VALUE if value is None else percent_text(value)


def _hours(minutes: int) -> str:
    return format_minutes(minutes)


def window_words(from_on: date, to_on: date) -> str:
    """The window with its last day, as the page and the print say it: "1 March 2026 to 31 May 2026"."""
    return f"{format_date(from_on)} to {format_date(to_on - timedelta(days=1))}"
