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

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from timebank.reports import figures, networks
from timebank.reports.account_index import AccountIndex
from timebank.reports.consistency import InconsistentInputs, check_inputs
from timebank.reports.figures import BalanceDistribution, GiveShareHistogram, Members, RoleMix
from timebank.reports.inputs import (
    AccountTotals,
    BoolColumn,
    Group,
    IntColumn,
    MonthInputs,
    MonthPairColumns,
    PairColumns,
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

P = TypeVar("P", PairColumns, MonthPairColumns)


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


def _withheld(group: Group | None, member_count: int, group_minimum: int) -> bool:
    return group is not None and member_count < group_minimum


def _headline(
    members: Members,
    tagged_members: Members,
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


@dataclass(frozen=True, eq=False)
class _Profiles:
    """What the figures read of the window's accounts, one position per account (``index``)."""

    index: AccountIndex
    in_group: BoolColumn
    counted: BoolColumn  # a member of the group
    tagged: BoolColumn  # ... and tagged uses_services
    kind_codes: IntColumn

    @classmethod
    def of(cls, accounts: Sequence[AccountTotals]) -> _Profiles:
        index = AccountIndex([a.account_id for a in accounts])
        at, _ = index.positions(np.array([a.account_id for a in accounts], dtype=np.int64))

        def column(values: list[int], dtype: type[np.generic]) -> npt.NDArray[Any]:
            placed = np.zeros(len(index), dtype=dtype)
            placed[at] = values
            return placed

        in_group = column([a.in_group for a in accounts], np.bool_)
        counted = in_group & column([a.is_member for a in accounts], np.bool_)
        return cls(
            index=index,
            in_group=in_group,
            counted=counted,
            tagged=counted & column([a.uses_services for a in accounts], np.bool_),
            kind_codes=column([networks.KINDS.index(a.kind) for a in accounts], np.int64),
        )

    def touching(self, pairs: P) -> P:
        """The pairs with an end in the group."""
        giver_at, _ = self.index.positions(pairs.giver_account_id)
        receiver_at, _ = self.index.positions(pairs.receiver_account_id)
        return pairs.take(networks.touching(self.index, self.in_group, giver_at, receiver_at))


def _month_entry(
    month: MonthInputs,
    profiles: _Profiles,
    group: Group | None,
    thresholds: Thresholds,
    group_minimum: int,
) -> MonthlyEntry:
    """A month's headline figures; kind, group and tag come from the window's accounts."""
    accounts = month.accounts
    at, _ = profiles.index.positions(accounts.account_id)  # check_inputs: every one is listed
    counted, tagged = profiles.counted[at], profiles.tagged[at]
    members = figures.Activities(accounts.given_minutes[counted], accounts.received_minutes[counted])
    if _withheld(group, len(members), group_minimum):
        return MonthlyEntry(month.month_on, None)
    touching = month.pairs if group is None else profiles.touching(month.pairs)
    active_ids = accounts.account_id[counted][members.active]
    headline = _headline(
        members,
        figures.Activities(accounts.given_minutes[tagged], accounts.received_minutes[tagged]),
        month.exchange_count,
        int(touching.minutes.sum()),
        networks.largest_scc_share(networks.GivingGraph.of(month.pairs, profiles.index), active_ids),
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
    profiles = _Profiles.of(inputs.accounts)
    # With no group every pair touches it; the filter would only copy them.
    pairs = inputs.pairs
    touching = pairs if inputs.group is None else profiles.touching(pairs)
    total_minutes = int(touching.minutes.sum())
    whole_graph = networks.GivingGraph.of(pairs, profiles.index)
    group_graph = whole_graph if inputs.group is None else networks.GivingGraph.of(touching, profiles.index)
    tagged = [m for m in members if m.uses_services]
    active_ids = [m.account_id for m in members if m.is_active]
    # The per-member figures read two columns; made once here, not once per figure.
    activity, tagged_activity = figures.activities(members), figures.activities(tagged)
    result = Figures(
        headline=_headline(
            activity,
            tagged_activity,
            inputs.exchange_count,
            total_minutes,
            networks.largest_scc_share(whole_graph, active_ids),
            thresholds,
        ),
        median_minutes_per_active_member=figures.median_minutes_per_active_member(activity),
        gini_given=figures.gini_given(activity),
        role_mix=figures.role_mix(activity),
        give_share_histogram=figures.give_share_histogram(activity),
        give_and_get_index=figures.give_and_get_index(activity, total_minutes),
        uses_services_give_get_ratio=figures.uses_services_give_get_ratio(tagged_activity),
        hours_matrix=networks.hours_matrix(group_graph, profiles.kind_codes),
        balance_distribution=figures.balance_distribution(members),
        pair_reciprocity=networks.pair_reciprocity(group_graph),
        pair_reciprocity_corrected=networks.pair_reciprocity_corrected(group_graph),
        weighted_reciprocity=networks.weighted_reciprocity(group_graph),
        median_partners=figures.median_partners(members),
        # Ordered pairs that exchanged in the window and never before it, in that direction: a member
        # returning help for the first time to someone who helped them makes one (help now flows a
        # way it never did). Counted by storage from the running totals' first dates.
        new_ties=inputs.new_tie_count,
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
