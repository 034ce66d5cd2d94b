"""From the storage's sums to the report engine's inputs, as numpy columns all the way.

``report_inputs`` reads a window (``uow.reports`` and its bulk reads, ``uow.reports.columns``) and
shapes what it reads as ``ReportInputs``: one ``AccountTotals`` per member of the window and per
organisation (ten thousand rows at most: plain objects are fine), and the pairs and the monthly
series as columns (half a million rows in a year: summed and split with numpy, never one Python
object per row).

The decisions the engine leaves to storage are written in ``timebank.reporting.reports``; the ones
made here:

- a month's pairs come from the running totals where they hold exactly the window's days of it,
  else from that month's legs (``timebank.db.repositories.report_columns``);
- an account's exchanges in the window, its last exchange before the window's end and whether it
  took part in the previous window are read from the running totals, and from the legs of a
  partial month the totals cannot split;
- a member's first day in the timebank is the day its account was opened, or its first counted
  exchange if that is earlier (history imported for someone who joined later); its last day is the
  last day of its membership, once that has ended (``members.membership_ended_on``). It is a member
  of a window, and of a month, that holds a day from the first to the last: joined before the
  window's end, and not ended before its start. The end is read live from the member's row, never
  from the running totals, which hold only exchanges (and a membership ends with no exchange after
  its last day), so no total goes stale when a membership ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from timebank.clock import utc_now
from timebank.db.repositories.report_columns import (
    IntColumn,
    LegColumns,
    MonthSource,
    PairMonthColumns,
    ReportColumnReads,
    group_sums,
    month_pieces,
)
from timebank.db.unit_of_work import UnitOfWork
from timebank.reports import (
    AccountTotals,
    ApartTotals,
    Group,
    MonthInputs,
    OrganisationGroup,
    ParticipantKind,
    ReportedApart,
    ReportInputs,
    TagGroup,
)
from timebank.reports.account_index import AccountIndex, distinct
from timebank.reports.inputs import BoolColumn, MonthAccountColumns, MonthPairColumns, PairColumns
from timebank.reports.networks import partner_counts
from timebank.reports.windows import previous_window

__all__ = ["report_inputs"]


def _kind(is_organisation: int, is_staff: int) -> ParticipantKind:
    if is_organisation:
        return ParticipantKind.ORGANISATION
    return ParticipantKind.STAFF if is_staff else ParticipantKind.MEMBER


@dataclass(frozen=True, eq=False)
class _SortedPairMonths:
    """The window's pair-months sorted by month, giver and receiver, with each end's position
    among the accounts: a month's rows are one slice, ``month_starts[i]:month_starts[i + 1]``."""

    giver_at: IntColumn
    receiver_at: IntColumn
    minutes: IntColumn
    exchange_count: IntColumn
    month_starts: IntColumn

    @classmethod
    def of(cls, pair_months: PairMonthColumns, everyone: AccountIndex, month_count: int) -> _SortedPairMonths:
        giver_at, giver_known = everyone.positions(pair_months.giver_account_id)
        receiver_at, receiver_known = everyone.positions(pair_months.receiver_account_id)
        # Counted legs join members and organisations only, and every one of those is listed.
        assert giver_known.all() and receiver_known.all(), "a pair-month names an account not listed"
        n = max(len(everyone), 1)
        order = np.argsort((pair_months.month * n + giver_at) * n + receiver_at)
        month = pair_months.month[order]
        return cls(
            giver_at[order],
            receiver_at[order],
            pair_months.minutes[order],
            pair_months.exchange_count[order],
            np.searchsorted(month, np.arange(month_count + 1)),
        )

    def pairs(self, everyone: AccountIndex) -> tuple[PairColumns, IntColumn, IntColumn]:
        """The window's pairs (pair-months summed per ordered pair, in (giver, receiver) order),
        and each pair's ends as positions."""
        n = max(len(everyone), 1)
        keys, (minutes, count) = group_sums(
            self.giver_at * n + self.receiver_at, self.minutes, self.exchange_count
        )
        giver_at, receiver_at = keys // n, keys % n
        pairs = PairColumns(everyone.ids[giver_at], everyone.ids[receiver_at], minutes, count)
        return pairs, giver_at, receiver_at


def _exchanges_in_legs(accounts: AccountIndex, legs: LegColumns) -> IntColumn:
    """Per account, the exchanges it took part in among ``legs``: a giver once per exchange however
    many receivers it had, and a receiver once per leg (each receiver has one leg an exchange)."""
    giver_at, _ = accounts.positions(legs.giver_account_id)
    # Each (giver, exchange) once: the exchange ids of one giver's legs, made distinct.
    gave = distinct(legs.exchange_id * max(len(accounts), 1) + giver_at) % max(len(accounts), 1)
    return accounts.counts_at(gave) + accounts.sums(
        legs.receiver_account_id, np.ones(len(legs), dtype=np.int64)
    )


def _distinct_exchanges(legs: LegColumns) -> int:
    return len(distinct(legs.exchange_id))


def _ends(legs: LegColumns) -> tuple[IntColumn, IntColumn]:
    """Every account on a leg, with the leg's day: givers then receivers."""
    return (
        np.concatenate((legs.giver_account_id, legs.receiver_account_id)),
        np.concatenate((legs.day, legs.day)),
    )


def _previous_activity(
    reads: ReportColumnReads, timebank_id: int, accounts: AccountIndex, previous: list[MonthSource]
) -> IntColumn:
    """Took part in a part of the previous window the totals cannot tell (it touches neither end of
    its month: windows shorter than a month), read from its legs. 1 or 0 per account."""
    active = np.zeros(len(accounts.ids), dtype=np.int64)
    for source in previous:
        if source.whole or source.to_month_end or source.start_on == source.month_on:
            continue
        ends, _ = _ends(reads.legs(timebank_id, source.start_on, source.end_on))
        active |= accounts.sums(ends, np.ones(len(ends), dtype=np.int64)) > 0
    return active


def report_inputs(
    uow: UnitOfWork, timebank_id: int, from_on: date, to_on: date, group: Group | None
) -> ReportInputs:
    """The engine's inputs for a window and group, read in ``uow``."""
    tag = group.tag if isinstance(group, TagGroup) else None
    organisation_id = group.organisation_id if isinstance(group, OrganisationGroup) else None
    reports = uow.reports
    reads = reports.columns
    participants = reports.participants(timebank_id, to_on, tag, organisation_id, now=utc_now())
    months = reads.plan_months(timebank_id, from_on, to_on)
    legs = {s.month_on: reads.legs(timebank_id, s.start_on, s.end_on) for s in months if not s.from_rollups}
    pair_months = reads.pair_months(timebank_id, months, legs)
    previous = month_pieces(*previous_window(from_on, to_on))
    facts = reads.account_facts(timebank_id, to_on, months, previous)
    grants, recognition, reversed_exchanges = reports.reported_apart(timebank_id, from_on, to_on)
    group_accounts = reports.group_accounts(timebank_id, tag, organisation_id)
    new_ties = reads.new_tie_count(timebank_id, from_on, to_on, group_accounts)

    # Every member and organisation account, in ascending id (as participants are read).
    everyone = AccountIndex(participants.account_id)
    first_day = everyone.spread(facts.account_id, facts.first_day)
    opened_day = participants.opened_day
    joined_day = np.where(first_day > 0, np.minimum(opened_day, first_day), opened_day)

    # The last exchange before the window's end: the totals' months, and the last month's legs
    # when the totals cannot tell (from its first day, before the window's part of it too).
    last_day = everyone.spread(facts.account_id, facts.last_day)
    last = months[-1]
    if not last.from_rollups:
        last_legs = legs[last.month_on]
        if last.start_on > last.month_on:
            earlier = reads.legs(timebank_id, last.month_on, last.start_on)
            last_day = np.maximum(last_day, everyone.maxima(*_ends(earlier)))
        last_day = np.maximum(last_day, everyone.maxima(*_ends(last_legs)))

    exchanges = everyone.spread(facts.window_account_id, facts.window_exchanges)
    for month_legs in legs.values():
        exchanges = exchanges + _exchanges_in_legs(everyone, month_legs)
    took_part_before = np.ones(len(facts.active_before), dtype=np.int64)
    active_before = everyone.spread(facts.active_before, took_part_before) | _previous_activity(
        reads, timebank_id, everyone, previous
    )

    sorted_pair_months = _SortedPairMonths.of(pair_months, everyone, len(months))
    pairs, giver_at, receiver_at = sorted_pair_months.pairs(everyone)
    given = everyone.sums_at(giver_at, pairs.minutes)
    received = everyone.sums_at(receiver_at, pairs.minutes)
    partners = partner_counts(everyone, giver_at, receiver_at)

    in_window = _member_between(joined_day, participants.ended_day, from_on, to_on)
    whole_timebank = group is None
    per_account = zip(
        participants.account_id.tolist(),
        participants.is_organisation.tolist(),
        participants.is_staff.tolist(),
        participants.in_group.tolist(),
        participants.uses_services.tolist(),
        participants.balance_minutes.tolist(),
        participants.floor_minutes.tolist(),
        in_window.tolist(),
        given.tolist(),
        received.tolist(),
        exchanges.tolist(),
        partners.tolist(),
        last_day.tolist(),
        active_before.tolist(),
        strict=True,
    )
    accounts = tuple(
        AccountTotals(
            account_id=account_id,
            kind=_kind(is_organisation, is_staff),
            in_group=whole_timebank or bool(in_group),
            uses_services=bool(uses_services),
            given_minutes=gave,
            received_minutes=got,
            exchange_count=took_part,
            partner_count=partner_total,
            balance_minutes=balance,
            floor_minutes=floor,
            last_exchange_on=date.fromordinal(last_on_day) if last_on_day else None,
            active_in_previous_window=bool(before),
        )
        for (
            account_id,
            is_organisation,
            is_staff,
            in_group,
            uses_services,
            balance,
            floor,
            member,
            gave,
            got,
            took_part,
            partner_total,
            last_on_day,
            before,
        ) in per_account
        if member
    )

    if group_accounts is None:
        month_counts = reads.month_exchange_counts(timebank_id, months)
        month_counts.update(
            {month_on: _distinct_exchanges(month_legs) for month_on, month_legs in legs.items()}
        )
    else:
        month_counts = reports.group_exchange_counts_by_month(timebank_id, from_on, to_on, group_accounts)
    month_inputs = tuple(
        _month_inputs(
            i,
            source,
            everyone,
            joined_day,
            participants.ended_day,
            sorted_pair_months,
            month_counts.get(source.month_on, 0),
        )
        for i, source in enumerate(months)
    )
    return ReportInputs(
        from_on=from_on,
        to_on=to_on,
        group=group,
        exchange_count=sum(month_counts.values()),
        accounts=accounts,
        pairs=pairs,
        new_tie_count=new_ties,
        reported_apart=ReportedApart(
            recognition=ApartTotals(recognition.count, recognition.minutes),
            pot_grants=ApartTotals(grants.count, grants.minutes),
            reversed_exchanges=ApartTotals(reversed_exchanges.count, reversed_exchanges.minutes),
        ),
        months=month_inputs,
    )


def _member_between(joined_day: IntColumn, ended_day: IntColumn, start_on: date, end_on: date) -> BoolColumn:
    """Who was a member on at least one of the days ``[start_on, end_on)``: joined before its end,
    and with no ended membership (0), or one whose last day is on or after its start."""
    joined: BoolColumn = joined_day < end_on.toordinal()
    not_ended: BoolColumn = (ended_day == 0) | (ended_day >= start_on.toordinal())
    return joined & not_ended


def _month_inputs(
    index: int,
    source: MonthSource,
    everyone: AccountIndex,
    joined_day: IntColumn,
    ended_day: IntColumn,
    pair_months: _SortedPairMonths,
    exchange_count: int,
) -> MonthInputs:
    """One month: every account that was a member (or organisation) at some moment in it, with
    what it gave and received in the month, and the month's pairs in (giver, receiver) order."""
    rows = slice(int(pair_months.month_starts[index]), int(pair_months.month_starts[index + 1]))
    giver_at, receiver_at = pair_months.giver_at[rows], pair_months.receiver_at[rows]
    minutes = pair_months.minutes[rows]
    counted = _member_between(joined_day, ended_day, source.start_on, source.end_on)
    return MonthInputs(
        month_on=source.month_on,
        exchange_count=exchange_count,
        accounts=MonthAccountColumns(
            everyone.ids[counted],
            everyone.sums_at(giver_at, minutes)[counted],
            everyone.sums_at(receiver_at, minutes)[counted],
        ),
        pairs=MonthPairColumns(everyone.ids[giver_at], everyone.ids[receiver_at], minutes),
    )
