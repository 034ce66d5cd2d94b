"""A report as JSON: the issue's keys, in the issue's order, in hours and plain numbers.

Inside the engine every quantity is whole minutes and every ratio an exact fraction. On the way out:

- a key that names hours (``hours``, ``median_hours_per_active_member``, the ``hours_matrix``
  cells, ``median_balance_hours``, each ``hours`` of ``reported_apart``) holds hours, minutes ÷ 60,
  because one hour is one time credit and that is how coordinators and funders count;
- every fraction becomes the nearest binary float (no rounding for display here: that is the
  reader's choice, and 60 × hours rounds back to the exact minutes);
- a figure with no value is ``null``; counts are integers;
- each rated figure is ``{"value": ..., "rating": "red" | "amber" | "green" | null}``.

Besides the issue's table, ``reported_apart`` carries the recognition, pot grants and reversed
exchanges that the trade filter kept out of the figures (the issue asks for them "reported
apart"). After it, ``give_share_histogram`` counts active members by the share of their minutes
they gave, ``{"0-10": n, ..., "90-100": n}`` (percent; see ``figures``), for the board's
histogram: an object rather than a list so that the CSV flattens it to one row per bin. Last,
``rating_thresholds`` says which thresholds the ratings were read against (the timebank's own, or
the defaults), in whole percent and by figure: ``{"amber_from_percent": 20, "green_from_percent":
50}`` where higher is better, ``{"green_below_percent": 60, "red_above_percent": 80}`` for the
top-20% share, where lower is better.

A report withheld for a small group is ``{"not_enough_data": true}`` and nothing else, not even
its member count; a withheld month is ``{"month": "2024-03", "not_enough_data": true}``.
Months are named ``YYYY-MM`` and cover only the part of the month inside the window.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TypeAlias

from timebank.reports.inputs import ApartTotals, ParticipantKind
from timebank.reports.ratings import Thresholds
from timebank.reports.report import HeadlineFigures, MonthlyEntry, RatedFigure, Report

__all__ = ["HEADLINE_KEYS", "REPORT_KEYS", "JsonValue", "report_json", "thresholds_json"]

JsonValue: TypeAlias = "int | float | str | bool | list[JsonValue] | dict[str, JsonValue] | None"

HEADLINE_KEYS = (
    "members",
    "active_members",
    "active_rate",
    "exchanges",
    "hours",
    "two_way_rate",
    "uses_services_giving_rate",
    "top20_share",
    "largest_scc_share",
)

REPORT_KEYS = (
    "members",
    "active_members",
    "active_rate",
    "exchanges",
    "hours",
    "median_hours_per_active_member",
    "top20_share",
    "gini_given",
    "role_mix",
    "two_way_rate",
    "give_and_get_index",
    "uses_services_giving_rate",
    "uses_services_give_get_ratio",
    "hours_matrix",
    "balance_distribution",
    "pair_reciprocity",
    "pair_reciprocity_corrected",
    "weighted_reciprocity",
    "largest_scc_share",
    "median_partners",
    "new_ties",
    "retention",
    "dormant_members",
    "monthly",
    "reported_apart",
    "give_share_histogram",
    "rating_thresholds",
)


def _number(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def _hours(minutes: int | Fraction | None) -> float | None:
    return None if minutes is None else float(Fraction(minutes) / 60)


def _rated(figure: RatedFigure) -> dict[str, JsonValue]:
    return {
        "value": _number(figure.value),
        "rating": None if figure.rating is None else figure.rating.value,
    }


def _headline(headline: HeadlineFigures) -> dict[str, JsonValue]:
    h = headline
    return {
        "members": h.members,
        "active_members": h.active_members,
        "active_rate": _rated(h.active_rate),
        "exchanges": h.exchanges,
        "hours": _hours(h.total_minutes),
        "two_way_rate": _rated(h.two_way_rate),
        "uses_services_giving_rate": _rated(h.uses_services_giving_rate),
        "top20_share": _rated(h.top20_share),
        "largest_scc_share": _rated(h.largest_scc_share),
    }


def thresholds_json(thresholds: Thresholds) -> dict[str, JsonValue]:
    """Each rated figure's thresholds, in whole percent, named as a coordinator states them."""
    t = thresholds
    return {
        "active_rate": {
            "amber_from_percent": t.active_rate_amber_from_percent,
            "green_from_percent": t.active_rate_green_from_percent,
        },
        "two_way_rate": {
            "amber_from_percent": t.two_way_rate_amber_from_percent,
            "green_from_percent": t.two_way_rate_green_from_percent,
        },
        "uses_services_giving_rate": {
            "amber_from_percent": t.uses_services_giving_rate_amber_from_percent,
            "green_from_percent": t.uses_services_giving_rate_green_from_percent,
        },
        "top20_share": {
            "green_below_percent": t.top20_share_green_below_percent,
            "red_above_percent": t.top20_share_red_above_percent,
        },
        "largest_scc_share": {
            "amber_from_percent": t.largest_scc_share_amber_from_percent,
            "green_from_percent": t.largest_scc_share_green_from_percent,
        },
    }


def _month(entry: MonthlyEntry) -> dict[str, JsonValue]:
    month: dict[str, JsonValue] = {"month": entry.month_on.strftime("%Y-%m")}
    if entry.headline is None:
        month["not_enough_data"] = True
        return month
    month.update(_headline(entry.headline))
    return month


def _apart(totals: ApartTotals) -> dict[str, JsonValue]:
    return {"count": totals.count, "hours": _hours(totals.minutes)}


def report_json(report: Report) -> dict[str, JsonValue]:
    """The report as a JSON object: ``REPORT_KEYS`` in order, or ``{"not_enough_data": true}``."""
    f = report.figures
    if f is None:
        return {"not_enough_data": True}
    headline = _headline(f.headline)
    kinds = list(ParticipantKind)
    balances = f.balance_distribution
    apart = f.reported_apart
    result: dict[str, JsonValue] = {
        **{key: headline[key] for key in ("members", "active_members", "active_rate", "exchanges", "hours")},
        "median_hours_per_active_member": _hours(f.median_minutes_per_active_member),
        "top20_share": headline["top20_share"],
        "gini_given": _number(f.gini_given),
        "role_mix": {
            "both": f.role_mix.both,
            "give_only": f.role_mix.give_only,
            "receive_only": f.role_mix.receive_only,
            "inactive": f.role_mix.inactive,
        },
        "two_way_rate": headline["two_way_rate"],
        "give_and_get_index": _number(f.give_and_get_index),
        "uses_services_giving_rate": headline["uses_services_giving_rate"],
        "uses_services_give_get_ratio": _number(f.uses_services_give_get_ratio),
        "hours_matrix": {
            g.value: {r.value: _hours(f.hours_matrix.minutes_between(g, r)) for r in kinds} for g in kinds
        },
        "balance_distribution": {
            "above_zero_share": _number(balances.above_zero_share),
            "at_zero_share": _number(balances.at_zero_share),
            "below_zero_share": _number(balances.below_zero_share),
            "median_balance_hours": _hours(balances.median_balance_minutes),
            "at_floor_count": balances.at_floor_count,
        },
        "pair_reciprocity": _number(f.pair_reciprocity),
        "pair_reciprocity_corrected": _number(f.pair_reciprocity_corrected),
        "weighted_reciprocity": _number(f.weighted_reciprocity),
        "largest_scc_share": headline["largest_scc_share"],
        "median_partners": _number(f.median_partners),
        "new_ties": f.new_ties,
        "retention": _number(f.retention),
        "dormant_members": f.dormant_members,
        "monthly": [_month(entry) for entry in f.monthly],
        "reported_apart": {
            "recognition": _apart(apart.recognition),
            "pot_grants": _apart(apart.pot_grants),
            "reversed_exchanges": _apart(apart.reversed_exchanges),
        },
        "give_share_histogram": {
            f.give_share_histogram.bin_label(i): count
            for i, count in enumerate(f.give_share_histogram.counts)
        },
        "rating_thresholds": thresholds_json(report.thresholds),
    }
    assert tuple(result) == REPORT_KEYS
    return result
