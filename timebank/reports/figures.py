"""Participation and reciprocity figures: what the members of a window did, one member at a time.

Each function takes the members the report is about (the group's, or the whole timebank's) and
returns one figure. *Members* are accounts of kind member or staff; organisations take part in
exchanges but are never counted as members. A member is *active* when it gave or received any
minutes in the window, and plays one role:

    both          gave and received
    give_only     gave, received nothing
    receive_only  received, gave nothing
    inactive      neither

so the four counts of ``role_mix`` always add up to the number of members.

Edge cases, one rule for all: a ratio with nothing to divide by is None (JSON ``null``), never 0 and
never a division error. With no members, ``active_rate`` is None; with members but none active it
is 0, and every figure "per active member" or "among active members" is None. Counts are 0.

Choices the issue leaves open, made here once:

- ``median_minutes_per_active_member`` is the median of given + received over active members;
- ``top20_share`` ranks active members by minutes given and divides by the minutes that all active
  members gave. That is "the share of H" whenever organisations give nothing; when they do give,
  counting only members' giving keeps the figure and ``gini_given`` about one and the same
  distribution, and keeps the organisations' help from making members look less concentrated;
- ``uses_services_giving_rate`` is the share of *active* members tagged ``uses_services`` who gave:
  whether people who use services give back is a question about those who take part at all, as
  ``two_way_rate`` is (inactivity shows in ``active_rate``);
- ``median_partners`` is over active members (every inactive member has none);
- ``dormant_members`` counts members with no exchange in the 180 days before the window's end,
  including members who never exchanged at all;
- ``retention`` divides the members active in both this window and the previous one by those
  active in the previous one;
- ``give_share_histogram`` counts active members by the share of their minutes that they gave,
  given ÷ (given + received), in ten bins of ten percentage points. Each bin holds its lower end
  and not its upper one (exactly 50% is in 50–60%), except the last, which also holds 100%: so
  0–10% starts with those who only received and 90–100% ends with those who only gave. The bin is
  found with whole numbers, never a float, so a share on a boundary always lands in the same bin.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

import numpy as np

from timebank.reports.inputs import AccountTotals, Activity, BoolColumn, IntColumn
from timebank.reports.statistics import gini, median, ratio, top_share
from timebank.reports.windows import dormancy_cutoff_on

__all__ = [
    "GIVE_SHARE_BIN_COUNT",
    "Activities",
    "BalanceDistribution",
    "GiveShareHistogram",
    "Members",
    "RoleMix",
    "active_count",
    "active_rate",
    "activities",
    "balance_distribution",
    "dormant_members",
    "gini_given",
    "give_and_get_index",
    "give_share_bin",
    "give_share_histogram",
    "median_minutes_per_active_member",
    "median_partners",
    "retention",
    "role_mix",
    "top20_share",
    "two_way_rate",
    "uses_services_give_get_ratio",
    "uses_services_giving_rate",
]


@dataclass(frozen=True, slots=True)
class RoleMix:
    both: int
    give_only: int
    receive_only: int
    inactive: int

    @property
    def members(self) -> int:
        return self.both + self.give_only + self.receive_only + self.inactive

    @property
    def active(self) -> int:
        return self.both + self.give_only + self.receive_only


GIVE_SHARE_BIN_COUNT = 10


@dataclass(frozen=True, slots=True)
class GiveShareHistogram:
    """Active members counted by the share of their minutes they gave, in ten bins of 10 points.

    ``counts[0]`` is 0–10% (mostly received), ``counts[9]`` is 90–100% (mostly gave).
    """

    counts: tuple[int, ...]

    def __post_init__(self) -> None:
        assert len(self.counts) == GIVE_SHARE_BIN_COUNT
        assert all(count >= 0 for count in self.counts)

    @property
    def active(self) -> int:
        return sum(self.counts)

    @staticmethod
    def bin_label(index: int) -> str:
        """The bin's percentage range, ``"0-10"`` to ``"90-100"``."""
        assert 0 <= index < GIVE_SHARE_BIN_COUNT
        width = 100 // GIVE_SHARE_BIN_COUNT
        return f"{index * width}-{(index + 1) * width}"


@dataclass(frozen=True, slots=True)
class BalanceDistribution:
    """Where members' balances stood at the window's end.

    The three shares divide by the number of members and add up to 1 (all None with no members).
    ``at_floor_count`` counts members whose balance is at (or, should a floor have been raised
    past it, below) their floor: those who cannot receive more help until they give.
    """

    above_zero_share: Fraction | None
    at_zero_share: Fraction | None
    below_zero_share: Fraction | None
    median_balance_minutes: Fraction | None
    at_floor_count: int


@dataclass(frozen=True, eq=False)
class Activities:
    """Minutes given and received, one position per member, as columns.

    Every per-member figure reads these two columns; ``activities`` makes them from rows (the
    window's members) and the monthly series hands over a month's columns as they come.
    """

    given_minutes: IntColumn
    received_minutes: IntColumn

    @property
    def active(self) -> BoolColumn:
        return (self.given_minutes + self.received_minutes) > 0

    def __len__(self) -> int:
        return len(self.given_minutes)


def activities(members: Activities | Sequence[Activity]) -> Activities:
    if isinstance(members, Activities):
        return members
    n = len(members)
    return Activities(
        np.fromiter((m.given_minutes for m in members), dtype=np.int64, count=n),
        np.fromiter((m.received_minutes for m in members), dtype=np.int64, count=n),
    )


Members = Activities | Sequence[Activity]


def active_count(members: Members) -> int:
    return int(np.count_nonzero(activities(members).active))


def active_rate(members: Members) -> Fraction | None:
    """Active members ÷ members."""
    return ratio(active_count(members), len(members))


def role_mix(members: Members) -> RoleMix:
    columns = activities(members)
    gave, received = columns.given_minutes > 0, columns.received_minutes > 0
    both = int(np.count_nonzero(gave & received))
    give_only = int(np.count_nonzero(gave & ~received))
    receive_only = int(np.count_nonzero(received & ~gave))
    return RoleMix(
        both=both,
        give_only=give_only,
        receive_only=receive_only,
        inactive=len(columns) - both - give_only - receive_only,
    )


def two_way_rate(members: Members) -> Fraction | None:
    """Members who both gave and received ÷ active members."""
    mix = role_mix(members)
    return ratio(mix.both, mix.active)


def median_minutes_per_active_member(members: Members) -> Fraction | None:
    columns = activities(members)
    return median((columns.given_minutes + columns.received_minutes)[columns.active])


def top20_share(members: Members) -> Fraction | None:
    """Minutes given by the top 20% of active members (``ceil(n/5)`` of them) ÷ all they gave."""
    columns = activities(members)
    return top_share(columns.given_minutes[columns.active])


def gini_given(members: Members) -> Fraction | None:
    """The Gini coefficient of minutes given, over active members (receivers count as zeros)."""
    columns = activities(members)
    return gini(columns.given_minutes[columns.active])


def give_and_get_index(members: Members, total_minutes: int) -> Fraction | None:
    """Σ min(given, received) over members ÷ the window's total minutes (None when it is zero).

    A member's ``min`` is the part of its help that was matched by help back; 1 means every minute
    given by anyone came back to them in kind, 0 means nobody both gave and received.
    """
    columns = activities(members)
    matched = int(np.minimum(columns.given_minutes, columns.received_minutes).sum())
    assert matched <= total_minutes
    return ratio(matched, total_minutes)


def give_share_bin(given_minutes: int, received_minutes: int) -> int:
    """The bin of given ÷ (given + received): floor(10 × share), with 100% in the last bin."""
    total = given_minutes + received_minutes
    assert total > 0
    assert given_minutes >= 0
    assert received_minutes >= 0
    return min((GIVE_SHARE_BIN_COUNT * given_minutes) // total, GIVE_SHARE_BIN_COUNT - 1)


def give_share_histogram(members: Members) -> GiveShareHistogram:
    """How many active members fall in each tenth of the give share (inactive members in none)."""
    columns = activities(members)
    active = columns.active
    given = columns.given_minutes[active]
    total = given + columns.received_minutes[active]
    # give_share_bin for every active member at once, in whole numbers.
    bins = np.minimum((GIVE_SHARE_BIN_COUNT * given) // total, GIVE_SHARE_BIN_COUNT - 1)
    counts = np.bincount(bins, minlength=GIVE_SHARE_BIN_COUNT)
    return GiveShareHistogram(tuple(int(c) for c in counts))


def uses_services_giving_rate(tagged_members: Members) -> Fraction | None:
    """Among active members tagged ``uses_services``: the share who gave."""
    columns = activities(tagged_members)
    active = columns.active
    return ratio(int(np.count_nonzero(columns.given_minutes[active] > 0)), int(np.count_nonzero(active)))


def uses_services_give_get_ratio(tagged_members: Members) -> Fraction | None:
    """Minutes given ÷ minutes received by members tagged ``uses_services``; None if none received.

    Not a share: above 1 when they gave more than they got.
    """
    columns = activities(tagged_members)
    received = int(columns.received_minutes.sum())
    if received == 0:
        return None
    return Fraction(int(columns.given_minutes.sum()), received)


def balance_distribution(members: Sequence[AccountTotals]) -> BalanceDistribution:
    n = len(members)
    return BalanceDistribution(
        above_zero_share=ratio(sum(1 for m in members if m.balance_minutes > 0), n),
        at_zero_share=ratio(sum(1 for m in members if m.balance_minutes == 0), n),
        below_zero_share=ratio(sum(1 for m in members if m.balance_minutes < 0), n),
        median_balance_minutes=median(m.balance_minutes for m in members),
        at_floor_count=sum(1 for m in members if m.balance_minutes <= m.floor_minutes),
    )


def median_partners(members: Sequence[AccountTotals]) -> Fraction | None:
    """The median number of distinct partners of active members."""
    return median(m.partner_count for m in members if m.is_active)


def retention(members: Sequence[AccountTotals]) -> Fraction | None:
    """Members active last window and this one ÷ members active last window."""
    before = [m for m in members if m.active_in_previous_window]
    return ratio(sum(1 for m in before if m.is_active), len(before))


def dormant_members(members: Sequence[AccountTotals], to_on: date) -> int:
    """Members with no exchange in the 180 days before ``to_on`` (never exchanged included)."""
    cutoff_on = dormancy_cutoff_on(to_on)
    return sum(1 for m in members if m.last_exchange_on is None or m.last_exchange_on < cutoff_on)
