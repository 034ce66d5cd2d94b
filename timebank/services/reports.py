"""Reciprocity reports (DESIGN §5, issue 5): the storage's totals turned into the engine's inputs.

``reciprocity_report`` is for a timebank's coordinators (and platform admins, who may read a
timebank and its people): one read-only unit of work sums the window's exchanges in SQL
(``uow.reports``), ``report_inputs`` shapes the sums as ``ReportInputs``, and the pure engine
(``timebank.reports.build_report``) computes every figure. ``member_report`` is one account's own
figures, for its holder or a coordinator.

Decisions the engine leaves to storage, made here:

- *Members of the window* are the member accounts open at some moment before the window's end. An
  account counts from when it was opened, or from its first counted exchange if that is dated
  earlier (history imported for someone who joined later). Nobody leaves a timebank yet: there is
  no record of it, so a member stays a member. Organisations follow the same rule.
- *Staff* are members tagged ``staff``; ``uses_services`` is the tag of that name.
- *Groups*: a tag's group is the members carrying it; an organisation's group is the organisation's
  own account and its current staff (staff links carry no end date, so past staff cannot be told).
- *Balances and floors* are the ledger's at midnight UTC starting ``to_on``: the balance after the
  last transfer posted before then (posting time, whatever the activity date said), and the floor
  in force then (read back through the limit log).
- *Recognition* (issue 4): an organisation's recognition transactions, placed in a window by the
  day they were posted (UTC), like pot grants; reported apart, never as exchanges.
- *Ratings* are read against the timebank's own thresholds where it has set them, else the issue's
  defaults (``timebank.services.report_ratings``), in the same unit of work as the figures.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine

from timebank.db.repositories.reports import AccountHistory, PairMonth, Participant
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.ledger.errors import ReportWindowEmpty, ReportWindowTooLong
from timebank.reports import (
    AccountTotals,
    ApartTotals,
    Group,
    MonthAccountTotals,
    MonthInputs,
    MonthPairTotals,
    OrganisationGroup,
    PairTotals,
    ParticipantKind,
    Report,
    ReportedApart,
    ReportInputs,
    TagGroup,
    Thresholds,
    build_report,
)
from timebank.reports.windows import month_window, months_touched
from timebank.services.callers import Caller
from timebank.services.clock import utc_now
from timebank.services.gc_pause import cyclic_gc_paused
from timebank.services.members import check_tags
from timebank.services.report_ratings import timebank_thresholds

__all__ = [
    "REPORT_WINDOW_DAYS_MAX",
    "MemberReport",
    "check_window",
    "member_report",
    "reciprocity_report",
    "report_inputs",
]

# Five years of 366 days: long enough for any board paper, short enough to bound the monthly series
# (61 months at most) and the work of one report.
REPORT_WINDOW_DAYS_MAX = 5 * 366


@dataclass(frozen=True)
class MemberReport:
    """One account's figures for a window: what it gave, received, with how many, and when last."""

    account_id: int
    from_on: date
    to_on: date
    given_minutes: int
    received_minutes: int
    exchange_count: int
    partner_count: int
    last_exchange_on: date | None  # the last counted exchange before ``to_on``, however long ago


def check_window(from_on: date, to_on: date) -> None:
    if from_on >= to_on:
        raise ReportWindowEmpty(f"The window from {from_on} to {to_on} holds no day: 'to' must be later")
    if (to_on - from_on).days > REPORT_WINDOW_DAYS_MAX:
        raise ReportWindowTooLong(f"A report covers at most {REPORT_WINDOW_DAYS_MAX} days")


def reciprocity_report(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    from_on: date,
    to_on: date,
    group: Group | None = None,
) -> Report:
    """The reciprocity report of ``[from_on, to_on)``, for the whole timebank or one group."""
    caller.check_coordinator(timebank_id, admin_allowed=True)
    check_window(from_on, to_on)
    if isinstance(group, TagGroup):
        check_tags([group.tag])

    def use_case(uow: UnitOfWork) -> tuple[ReportInputs, Thresholds]:
        uow.timebanks.get(timebank_id)
        if isinstance(group, OrganisationGroup):
            uow.organisations.get(timebank_id, group.organisation_id)
        inputs = report_inputs(uow, timebank_id, from_on, to_on, group)
        return inputs, timebank_thresholds(uow, timebank_id)

    with cyclic_gc_paused():
        inputs, thresholds = run(engine, use_case, write=False)
        return build_report(inputs, thresholds)


def member_report(
    engine: Engine, timebank_id: int, caller: Caller, account_id: int, from_on: date, to_on: date
) -> MemberReport:
    """One account's figures, for its holder (a member, or an organisation's staff) or a coordinator."""
    caller.check_may_read_account(timebank_id, account_id)
    check_window(from_on, to_on)

    def use_case(uow: UnitOfWork) -> MemberReport:
        uow.accounts.get(timebank_id, account_id)  # another timebank's account is not found
        totals = uow.reports.member_totals(timebank_id, account_id, from_on, to_on)
        return MemberReport(
            account_id=account_id,
            from_on=from_on,
            to_on=to_on,
            given_minutes=totals.given_minutes,
            received_minutes=totals.received_minutes,
            exchange_count=totals.exchange_count,
            partner_count=totals.partner_count,
            last_exchange_on=totals.last_exchange_on,
        )

    return run(engine, use_case, write=False)


# --- from the storage's sums to the engine's inputs ----------------------------------------------


def _kind(participant: Participant) -> ParticipantKind:
    if participant.is_organisation:
        return ParticipantKind.ORGANISATION
    return ParticipantKind.STAFF if participant.is_staff else ParticipantKind.MEMBER


def _joined_on(participant: Participant, history: AccountHistory | None) -> date:
    opened_on = participant.opened_at.date()  # opened_at is UTC
    return opened_on if history is None else min(opened_on, history.first_exchange_on)


def report_inputs(
    uow: UnitOfWork, timebank_id: int, from_on: date, to_on: date, group: Group | None
) -> ReportInputs:
    """The engine's inputs for a window and group, from a few GROUP BY queries in ``uow``."""
    tag = group.tag if isinstance(group, TagGroup) else None
    organisation_id = group.organisation_id if isinstance(group, OrganisationGroup) else None
    reports = uow.reports
    participants = reports.participants(timebank_id, to_on, tag, organisation_id, now=utc_now())
    histories = {h.account_id: h for h in reports.account_histories(timebank_id, from_on, to_on)}
    pair_months = reports.pair_months(timebank_id, from_on, to_on)
    month_counts = reports.exchange_counts_by_month(timebank_id, from_on, to_on, tag, organisation_id)
    grants, recognition, reversed_exchanges = reports.reported_apart(timebank_id, from_on, to_on)

    joined = {p.account_id: _joined_on(p, histories.get(p.account_id)) for p in participants}
    window_people = [p for p in participants if joined[p.account_id] < to_on]

    # One pass over the pair-months in (giver, receiver, month) order: a pair's months are
    # consecutive, so its window totals are summed as it goes; each row also lands in its month.
    pair_months.sort()
    given: dict[int, int] = defaultdict(int)
    received: dict[int, int] = defaultdict(int)
    partners: dict[int, set[int]] = defaultdict(set)
    by_month: dict[date, list[PairMonth]] = defaultdict(list)
    pairs: list[PairTotals] = []
    current: tuple[int, int] | None = None
    minutes = count = 0
    first_on = from_on
    for row in pair_months:
        giver, receiver = row.giver_account_id, row.receiver_account_id
        by_month[row.month_on].append(row)
        if (giver, receiver) != current:
            if current is not None:
                pairs.append(PairTotals(current[0], current[1], minutes, count, first_on))
            current, minutes, count, first_on = (giver, receiver), 0, 0, row.first_exchange_on
            partners[giver].add(receiver)
            partners[receiver].add(giver)
        minutes += row.minutes
        count += row.exchange_count
        given[giver] += row.minutes
        received[receiver] += row.minutes
    if current is not None:
        pairs.append(PairTotals(current[0], current[1], minutes, count, first_on))

    accounts = tuple(
        _account_totals(p, group is None, histories.get(p.account_id), given, received, partners)
        for p in window_people
    )
    months = tuple(
        _month_inputs(month_on, from_on, to_on, window_people, joined, by_month[month_on], month_counts)
        for month_on in months_touched(from_on, to_on)
    )
    return ReportInputs(
        from_on=from_on,
        to_on=to_on,
        group=group,
        exchange_count=sum(month_counts.values()),
        accounts=accounts,
        pairs=tuple(pairs),
        reported_apart=ReportedApart(
            recognition=ApartTotals(recognition.count, recognition.minutes),
            pot_grants=ApartTotals(grants.count, grants.minutes),
            reversed_exchanges=ApartTotals(reversed_exchanges.count, reversed_exchanges.minutes),
        ),
        months=months,
    )


def _account_totals(
    participant: Participant,
    whole_timebank: bool,
    history: AccountHistory | None,
    given: dict[int, int],
    received: dict[int, int],
    partners: dict[int, set[int]],
) -> AccountTotals:
    i = participant.account_id
    return AccountTotals(
        account_id=i,
        kind=_kind(participant),
        in_group=whole_timebank or participant.in_group,
        uses_services=participant.uses_services,
        given_minutes=given.get(i, 0),
        received_minutes=received.get(i, 0),
        exchange_count=0 if history is None else history.exchange_count,
        partner_count=len(partners.get(i, ())),
        balance_minutes=participant.balance_minutes,
        floor_minutes=participant.floor_minutes,
        last_exchange_on=None if history is None else history.last_exchange_on,
        active_in_previous_window=history is not None and history.active_in_previous_window,
    )


def _month_inputs(
    month_on: date,
    from_on: date,
    to_on: date,
    window_people: list[Participant],
    joined: dict[int, date],
    month_rows: list[PairMonth],
    month_counts: dict[date, int],
) -> MonthInputs:
    _, end_on = month_window(month_on, from_on, to_on)
    given: dict[int, int] = defaultdict(int)
    received: dict[int, int] = defaultdict(int)
    pairs = []
    # In (giver, receiver) order, as report_inputs sorted them; unpacked, which is quicker than
    # reading a named tuple's fields by name a hundred thousand times.
    for giver, receiver, _, minutes, _, _ in month_rows:
        given[giver] += minutes
        received[receiver] += minutes
        pairs.append(MonthPairTotals(giver, receiver, minutes))
    return MonthInputs(
        month_on=month_on,
        exchange_count=month_counts.get(month_on, 0),
        accounts=tuple(
            MonthAccountTotals(p.account_id, given.get(p.account_id, 0), received.get(p.account_id, 0))
            for p in window_people
            if joined[p.account_id] < end_on
        ),
        pairs=tuple(pairs),
    )
