"""The reciprocity report: every figure of one window, the headline ones rated, month by month.

``build_report`` checks the inputs against each other (``check_inputs``), picks out the members the
report is about, computes each figure with the pure functions of ``figures``, ``networks`` and
``statistics``, rates the headline figures, and returns one frozen ``Report``. ``report_json``
(in ``timebank.reports.report_json``) writes it out with the issue's keys.

*Headline figures* are the ones a board reads first and the ones the monthly series repeats:
members, active members, active rate, exchanges, hours, and the five rated figures (active rate,
two-way rate, uses-services giving rate, top-20% share, largest SCC share).

**Small groups.** A report for a group (a tag or an organisation) with fewer than ``group_minimum``
members (15 unless told) shows no figures at all, only that there is not enough data: with so few
people a figure can describe one person. The same holds for each month of a group report. Such a
report or month never appears in an export (``may_export``). A report for a whole timebank always
has figures, however small: its coordinator knows everyone in it anyway.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from timebank.reports import figures, networks
from timebank.reports.consistency import InconsistentInputs, check_inputs
from timebank.reports.figures import BalanceDistribution, GiveShareHistogram, RoleMix
from timebank.reports.inputs import (
    AccountTotals,
    Activity,
    Group,
    MonthInputs,
    ReportedApart,
    ReportInputs,
)
from timebank.reports.networks import HoursMatrix
from timebank.reports.ratings import (
    DEFAULT_THRESHOLDS,
    Rating,
    Thresholds,
    rate_active_rate,
    rate_largest_scc_share,
    rate_top20_share,
    rate_two_way_rate,
    rate_uses_services_giving_rate,
)

__all__ = [
    "GROUP_MEMBERS_MINIMUM",
    "Figures",
    "HeadlineFigures",
    "MonthlyEntry",
    "RatedFigure",
    "Report",
    "build_report",
    "may_export",
]

GROUP_MEMBERS_MINIMUM = 15


@dataclass(frozen=True, slots=True)
class RatedFigure:
    value: Fraction | None
    rating: Rating | None


@dataclass(frozen=True, slots=True)
class HeadlineFigures:
    members: int
    active_members: int
    active_rate: RatedFigure
    exchanges: int
    total_minutes: int
    two_way_rate: RatedFigure
    uses_services_giving_rate: RatedFigure
    top20_share: RatedFigure
    largest_scc_share: RatedFigure


@dataclass(frozen=True, slots=True)
class MonthlyEntry:
    """One calendar month (clipped to the window); ``headline`` is None when it is withheld."""

    month_on: date
    headline: HeadlineFigures | None


@dataclass(frozen=True, slots=True)
class Figures:
    headline: HeadlineFigures
    median_minutes_per_active_member: Fraction | None
    gini_given: Fraction | None
    role_mix: RoleMix
    give_share_histogram: GiveShareHistogram
    give_and_get_index: Fraction | None
    uses_services_give_get_ratio: Fraction | None
    hours_matrix: HoursMatrix
    balance_distribution: BalanceDistribution
    pair_reciprocity: Fraction | None
    pair_reciprocity_corrected: Fraction | None
    weighted_reciprocity: Fraction | None
    median_partners: Fraction | None
    new_ties: int
    retention: Fraction | None
    dormant_members: int
    reported_apart: ReportedApart
    monthly: tuple[MonthlyEntry, ...]


@dataclass(frozen=True, slots=True)
class Report:
    """A window's report; ``figures`` is None when the group is too small to show any.

    ``thresholds`` are the ones its ratings were read against, so that the report can say so.
    """

    from_on: date
    to_on: date
    group: Group | None
    figures: Figures | None
    thresholds: Thresholds

    @property
    def not_enough_data(self) -> bool:
        return self.figures is None


def may_export(item: Report | MonthlyEntry) -> bool:
    """Whether a report, or one month of it, may appear in a CSV export: never when withheld."""
    if isinstance(item, Report):
        return item.figures is not None
    return item.headline is not None


def _group_ids(profiles: Mapping[int, AccountTotals]) -> set[int]:
    return {i for i, profile in profiles.items() if profile.in_group}


def _withheld(group: Group | None, member_count: int, group_minimum: int) -> bool:
    return group is not None and member_count < group_minimum


def _headline(
    members: Sequence[Activity],
    tagged_members: Sequence[Activity],
    exchange_count: int,
    total_minutes: int,
    largest_scc_share: Fraction | None,
    thresholds: Thresholds,
) -> HeadlineFigures:
    active_rate = figures.active_rate(members)
    two_way_rate = figures.two_way_rate(members)
    giving_rate = figures.uses_services_giving_rate(tagged_members)
    top20_share = figures.top20_share(members)
    return HeadlineFigures(
        members=len(members),
        active_members=figures.active_count(members),
        active_rate=RatedFigure(active_rate, rate_active_rate(active_rate, thresholds)),
        exchanges=exchange_count,
        total_minutes=total_minutes,
        two_way_rate=RatedFigure(two_way_rate, rate_two_way_rate(two_way_rate, thresholds)),
        uses_services_giving_rate=RatedFigure(
            giving_rate, rate_uses_services_giving_rate(giving_rate, thresholds)
        ),
        top20_share=RatedFigure(top20_share, rate_top20_share(top20_share, thresholds)),
        largest_scc_share=RatedFigure(
            largest_scc_share, rate_largest_scc_share(largest_scc_share, thresholds)
        ),
    )


def _month_entry(
    month: MonthInputs,
    profiles: Mapping[int, AccountTotals],
    group: Group | None,
    thresholds: Thresholds,
    group_minimum: int,
) -> MonthlyEntry:
    """A month's headline figures; kind, group and tag come from the window's accounts."""
    members = [
        a for a in month.accounts if profiles[a.account_id].in_group and profiles[a.account_id].is_member
    ]
    if _withheld(group, len(members), group_minimum):
        return MonthlyEntry(month.month_on, None)
    touching = month.pairs if group is None else networks.edges_touching(month.pairs, _group_ids(profiles))
    active_ids = {m.account_id for m in members if m.given_minutes + m.received_minutes > 0}
    headline = _headline(
        members,
        [m for m in members if profiles[m.account_id].uses_services],
        month.exchange_count,
        sum(e.minutes for e in touching),
        networks.largest_scc_share(((g, r) for g, r, _ in month.pairs), active_ids),
        thresholds,
    )
    return MonthlyEntry(month.month_on, headline)


def build_report(
    inputs: ReportInputs,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    group_minimum: int = GROUP_MEMBERS_MINIMUM,
) -> Report:
    """The report for ``inputs``; raises ``InconsistentInputs`` if its rows contradict each other."""
    if isinstance(group_minimum, bool) or not isinstance(group_minimum, int) or group_minimum < 1:
        raise ValueError(
            f"group_minimum must be a whole number of members, at least 1, not {group_minimum!r}"
        )
    problems = check_inputs(inputs)
    if problems:
        raise InconsistentInputs(problems)
    members = [a for a in inputs.accounts if a.in_group and a.is_member]
    if _withheld(inputs.group, len(members), group_minimum):
        return Report(inputs.from_on, inputs.to_on, inputs.group, None, thresholds)
    profiles = {a.account_id: a for a in inputs.accounts}
    # With no group every pair touches it; the filter would only copy them.
    touching = (
        inputs.pairs if inputs.group is None else networks.edges_touching(inputs.pairs, _group_ids(profiles))
    )
    total_minutes = sum(p.minutes for p in touching)
    whole_graph = networks.giving_weights(inputs.pairs)
    group_graph = whole_graph if inputs.group is None else networks.giving_weights(touching)
    tagged = [m for m in members if m.uses_services]
    active_ids = {m.account_id for m in members if m.is_active}
    result = Figures(
        headline=_headline(
            members,
            tagged,
            inputs.exchange_count,
            total_minutes,
            networks.largest_scc_share(whole_graph, active_ids),
            thresholds,
        ),
        median_minutes_per_active_member=figures.median_minutes_per_active_member(members),
        gini_given=figures.gini_given(members),
        role_mix=figures.role_mix(members),
        give_share_histogram=figures.give_share_histogram(members),
        give_and_get_index=figures.give_and_get_index(members, total_minutes),
        uses_services_give_get_ratio=figures.uses_services_give_get_ratio(tagged),
        hours_matrix=networks.hours_matrix(touching, {i: a.kind for i, a in profiles.items()}),
        balance_distribution=figures.balance_distribution(members),
        pair_reciprocity=networks.pair_reciprocity(group_graph),
        pair_reciprocity_corrected=networks.pair_reciprocity_corrected(group_graph),
        weighted_reciprocity=networks.weighted_reciprocity(group_graph),
        median_partners=figures.median_partners(members),
        new_ties=networks.new_ties(touching, inputs.from_on),
        retention=figures.retention(members),
        dormant_members=figures.dormant_members(members, inputs.to_on),
        reported_apart=inputs.reported_apart,
        monthly=tuple(
            _month_entry(month, profiles, inputs.group, thresholds, group_minimum) for month in inputs.months
        ),
    )
    # Every member plays exactly one role, every active member has one give share, and every
    # counted minute lands in one cell.
    assert result.role_mix.members == len(members)
    assert result.give_share_histogram.active == result.role_mix.active
    assert result.hours_matrix.total_minutes == total_minutes
    return Report(inputs.from_on, inputs.to_on, inputs.group, result, thresholds)
