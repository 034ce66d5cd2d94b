"""The report engine's inputs (timebank.reports.inputs, windows, consistency), with no database.

This module also holds ``aggregate``: a small reference model of the storage layer that turns a list
of exchanges into ``ReportInputs`` the slow, obvious way, one exchange at a time. The other report
tests build their inputs with it, and the SQL aggregation to come can be checked against it: for any
set of exchanges, the queries must produce exactly what ``aggregate`` produces.

Covered here: each row refuses values no query could produce; ``aggregate``'s output passes
``check_inputs``; ``check_inputs`` names every contradiction between rows (sums, partners, pair ends,
dates, months) and finds them all at once; the window helpers (previous window, months touched and
clipped, the dormancy cut-off) on their boundaries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import pytest

from timebank.reports.consistency import InconsistentInputs, check_inputs
from timebank.reports.inputs import (
    AccountTotals,
    ApartTotals,
    Group,
    MonthAccountColumns,
    MonthAccountTotals,
    MonthInputs,
    MonthPairColumns,
    MonthPairTotals,
    PairColumns,
    PairTotals,
    ParticipantKind,
    ReportedApart,
    ReportInputs,
    TagGroup,
)
from timebank.reports.report import build_report
from timebank.reports.windows import (
    dormancy_cutoff_on,
    month_window,
    months_touched,
    previous_window,
)

MEMBER, STAFF, ORGANISATION = ParticipantKind.MEMBER, ParticipantKind.STAFF, ParticipantKind.ORGANISATION


@dataclass(frozen=True)
class Person:
    """An account as the reference model sees it: who it is, not what it did."""

    account_id: int
    kind: ParticipantKind = MEMBER
    uses_services: bool = False
    in_group: bool = True
    floor_minutes: int = -600
    joined_on: date | None = None  # None: a member since before any date the tests use


@dataclass(frozen=True)
class Help:
    """One counted exchange: a giver, each receiver with their minutes, an activity date."""

    on: date
    giver: int
    receivers: tuple[tuple[int, int], ...]


def helped(on: date, giver: int, receiver: int, minutes: int) -> Help:
    return Help(on, giver, ((receiver, minutes),))


def _member_during(person: Person, end_on: date) -> bool:
    return person.joined_on is None or person.joined_on < end_on


def _touches(help_: Help, group_ids: set[int]) -> bool:
    return help_.giver in group_ids or any(r in group_ids for r, _ in help_.receivers)


def _month(
    people: Sequence[Person], exchanges: Sequence[Help], month_on: date, window: tuple[date, date]
) -> MonthInputs:
    start_on, end_on = month_window(month_on, *window)
    inside = [h for h in exchanges if start_on <= h.on < end_on]
    group_ids = {p.account_id for p in people if p.in_group}
    given: dict[int, int] = defaultdict(int)
    received: dict[int, int] = defaultdict(int)
    pairs: dict[tuple[int, int], int] = defaultdict(int)
    for h in inside:
        for receiver, minutes in h.receivers:
            given[h.giver] += minutes
            received[receiver] += minutes
            pairs[h.giver, receiver] += minutes
    return MonthInputs(
        month_on=month_on,
        exchange_count=sum(1 for h in inside if _touches(h, group_ids)),
        accounts=MonthAccountColumns.of(
            MonthAccountTotals(p.account_id, given[p.account_id], received[p.account_id])
            for p in people
            if _member_during(p, end_on)
        ),
        pairs=MonthPairColumns.of(MonthPairTotals(g, r, m) for (g, r), m in sorted(pairs.items())),
    )


def aggregate(
    people: Sequence[Person],
    exchanges: Sequence[Help],
    from_on: date,
    to_on: date,
    group: Group | None = None,
    reported_apart: ReportedApart | None = None,
) -> ReportInputs:
    """What the storage layer must hand the engine for these exchanges, computed one by one.

    ``exchanges`` is the whole history; only those before ``to_on`` are seen, as a query would.
    A balance is the sum of all exchanges before ``to_on`` (credits flow receiver → giver).
    """
    before_end = [h for h in exchanges if h.on < to_on]
    window = [h for h in before_end if h.on >= from_on]
    previous_from_on, _ = previous_window(from_on, to_on)
    group_ids = {p.account_id for p in people if p.in_group}
    given: dict[int, int] = defaultdict(int)
    received: dict[int, int] = defaultdict(int)
    took_part: dict[int, int] = defaultdict(int)
    partners: dict[int, set[int]] = defaultdict(set)
    balance: dict[int, int] = defaultdict(int)
    last_on: dict[int, date] = {}
    active_before: set[int] = set()
    pair_minutes: dict[tuple[int, int], int] = defaultdict(int)
    pair_count: dict[tuple[int, int], int] = defaultdict(int)
    first_on: dict[tuple[int, int], date] = {}
    for h in before_end:
        parties = {h.giver} | {r for r, _ in h.receivers}
        for party in parties:
            last_on[party] = max(last_on.get(party, h.on), h.on)
            if previous_from_on <= h.on < from_on:
                active_before.add(party)
            if h.on >= from_on:
                took_part[party] += 1
        for receiver, minutes in h.receivers:
            balance[h.giver] += minutes
            balance[receiver] -= minutes
            first_on[h.giver, receiver] = min(first_on.get((h.giver, receiver), h.on), h.on)
            if h.on >= from_on:
                given[h.giver] += minutes
                received[receiver] += minutes
                partners[h.giver].add(receiver)
                partners[receiver].add(h.giver)
                pair_minutes[h.giver, receiver] += minutes
                pair_count[h.giver, receiver] += 1
    window_people = [p for p in people if _member_during(p, to_on)]
    accounts = tuple(
        AccountTotals(
            account_id=p.account_id,
            kind=p.kind,
            in_group=p.in_group,
            uses_services=p.uses_services,
            given_minutes=given[p.account_id],
            received_minutes=received[p.account_id],
            exchange_count=took_part[p.account_id],
            partner_count=len(partners[p.account_id]),
            balance_minutes=balance[p.account_id],
            floor_minutes=p.floor_minutes,
            last_exchange_on=last_on.get(p.account_id),
            active_in_previous_window=p.account_id in active_before,
        )
        for p in window_people
    )
    pairs = PairColumns.of(
        PairTotals(g, r, pair_minutes[g, r], pair_count[g, r]) for g, r in sorted(pair_minutes)
    )
    return ReportInputs(
        from_on=from_on,
        to_on=to_on,
        group=group,
        exchange_count=sum(1 for h in window if _touches(h, group_ids)),
        accounts=accounts,
        pairs=pairs,
        new_tie_count=sum(
            1 for g, r in pair_minutes if first_on[g, r] >= from_on and (g in group_ids or r in group_ids)
        ),
        reported_apart=reported_apart or ReportedApart(),
        months=tuple(
            _month(window_people, window, m, (from_on, to_on)) for m in months_touched(from_on, to_on)
        ),
    )


MARCH = (date(2024, 3, 1), date(2024, 4, 1))


def small_inputs() -> ReportInputs:
    """Three members and an organisation with a little of everything, in March 2024."""
    people = [Person(1), Person(2), Person(3, uses_services=True), Person(9, kind=ORGANISATION)]
    exchanges = [
        helped(date(2024, 2, 10), 1, 2, 30),
        helped(date(2024, 3, 4), 1, 2, 60),
        helped(date(2024, 3, 5), 2, 1, 45),
        Help(date(2024, 3, 6), 9, ((1, 20), (3, 20))),
    ]
    return aggregate(people, exchanges, *MARCH)


# --- rows refuse what no query produces --------------------------------------------------------


def account(**changes: object) -> AccountTotals:
    fields: dict[str, object] = {
        "account_id": 1,
        "kind": MEMBER,
        "in_group": True,
        "uses_services": False,
        "given_minutes": 0,
        "received_minutes": 0,
        "exchange_count": 0,
        "partner_count": 0,
        "balance_minutes": 0,
        "floor_minutes": -600,
        "last_exchange_on": None,
        "active_in_previous_window": False,
    }
    fields.update(changes)
    return AccountTotals(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"given_minutes": -1}, "gave a negative"),
        ({"received_minutes": -1}, "received a negative"),
        ({"exchange_count": -1}, "negative exchange count"),
        ({"partner_count": -1}, "negative partner count"),
        ({"floor_minutes": 1}, "floor above zero"),
        ({"kind": ORGANISATION, "uses_services": True}, "organisation tagged uses_services"),
    ],
)
def test_an_account_row_refuses_what_no_query_could_produce(changes: dict[str, object], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        account(**changes)


def test_an_account_row_accepts_a_floor_of_zero_and_a_staff_member_who_uses_services() -> None:
    row = account(floor_minutes=0, kind=STAFF, uses_services=True)

    assert row.is_member
    assert not row.is_active
    assert not account(kind=ORGANISATION).is_member


@pytest.mark.parametrize(
    ("giver", "receiver", "minutes", "count", "words"),
    [(1, 1, 60, 1, "gives to itself"), (1, 2, 0, 1, "no minutes"), (1, 2, 60, 0, "no exchanges")],
)
def test_a_pair_row_refuses_a_self_pair_and_empty_totals(
    giver: int, receiver: int, minutes: int, count: int, words: str
) -> None:
    with pytest.raises(ValueError, match=words):
        PairTotals(giver, receiver, minutes, count)


def test_pair_columns_refuse_a_self_pair_naming_it_and_compare_by_value() -> None:
    with pytest.raises(ValueError, match="pair 4→4 gives to itself"):
        PairColumns(np.array([1, 4]), np.array([2, 4]), np.array([5, 5]), np.array([1, 1]))
    with pytest.raises(ValueError, match="differ in length"):
        PairColumns(np.array([1]), np.array([2, 3]), np.array([5]), np.array([1]))
    pairs = PairColumns.of([PairTotals(1, 2, 30, 1), PairTotals(2, 1, 15, 1)])

    assert pairs == PairColumns(np.array([1, 2]), np.array([2, 1]), np.array([30, 15]), np.array([1, 1]))
    assert pairs != PairColumns.of([PairTotals(1, 2, 30, 1)])
    assert list(pairs.rows()) == [PairTotals(1, 2, 30, 1), PairTotals(2, 1, 15, 1)]
    with pytest.raises(ValueError):
        pairs.minutes[0] = 1  # frozen, arrays included


@pytest.mark.parametrize(("count", "minutes"), [(-1, 0), (0, 5), (2, 1)])
def test_amounts_reported_apart_move_at_least_a_minute_per_transaction(count: int, minutes: int) -> None:
    with pytest.raises(ValueError):
        ApartTotals(count=count, minutes=minutes)


def test_month_rows_refuse_negative_minutes_and_a_month_not_starting_on_the_first() -> None:
    with pytest.raises(ValueError):
        MonthAccountTotals(1, -1, 0)
    with pytest.raises(ValueError, match="account 7 gave negative"):
        MonthAccountColumns(np.array([1, 7]), np.array([0, -1]), np.array([0, 0]))
    with pytest.raises(ValueError, match="first"):
        MonthInputs(date(2024, 3, 2), 0, MonthAccountColumns.of([]), MonthPairColumns.of([]))


@pytest.mark.parametrize("pair", [MonthPairTotals(1, 1, 5), MonthPairTotals(1, 2, 0)])
def test_check_inputs_names_a_month_pair_that_gives_to_itself_or_moves_nothing(pair: MonthPairTotals) -> None:
    inputs = small_inputs()
    month = inputs.months[0]
    pairs = MonthPairColumns.of([*month.pairs.rows(), pair])
    broken = replace(inputs, months=(replace(month, pairs=pairs), *inputs.months[1:]))

    problems = check_inputs(broken)

    assert f"month {month.month_on}: pair {pair[0]}→{pair[1]} gives to itself or moves no minutes" in problems


def test_a_window_must_hold_at_least_one_day() -> None:
    inputs = small_inputs()

    with pytest.raises(ValueError, match="empty"):
        replace(inputs, to_on=inputs.from_on)


# --- check_inputs ------------------------------------------------------------------------------


def test_the_reference_aggregation_produces_consistent_inputs() -> None:
    inputs = small_inputs()

    assert check_inputs(inputs) == []
    by_id = {a.account_id: a for a in inputs.accounts}
    # 1 gave 2 an hour and got 45 minutes back and 20 from the organisation; the February half hour
    # is history: it moves the balance and dates the pair 1→2, but is not in the window.
    assert (by_id[1].given_minutes, by_id[1].received_minutes) == (60, 65)
    assert by_id[1].balance_minutes == 30 + 60 - 45 - 20
    # March has 31 days, so the previous window is [30 January, 1 March): February 10 is in it.
    assert by_id[1].active_in_previous_window is True
    assert by_id[3].active_in_previous_window is False
    assert [(p.giver_account_id, p.receiver_account_id) for p in inputs.pairs.rows()] == [
        (1, 2),
        (2, 1),
        (9, 1),
        (9, 3),
    ]
    # 1→2 first exchanged in February, before the window: not a new tie. The other three are.
    assert inputs.new_tie_count == 3
    # The organisation's exchange with two receivers is one exchange, and two pairs.
    assert inputs.exchange_count == 3
    assert by_id[9].exchange_count == 1


def _problems_after(inputs: ReportInputs, **changes: object) -> list[str]:
    return check_inputs(replace(inputs, **changes))  # type: ignore[arg-type]


def _with_account(inputs: ReportInputs, account_id: int, **changes: object) -> ReportInputs:
    accounts = tuple(
        replace(a, **changes) if a.account_id == account_id else a  # type: ignore[arg-type]
        for a in inputs.accounts
    )
    return replace(inputs, accounts=accounts)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"given_minutes": 61, "balance_minutes": 0}, "gave 61 minutes; its pairs say 60"),
        ({"received_minutes": 66}, "received 66; its pairs say 65"),
        ({"partner_count": 1}, "has 1 partners; its pairs say 2"),
        ({"exchange_count": 9}, "more exchanges than its pairs"),
        ({"last_exchange_on": date(2024, 4, 1)}, "on or after the window's end"),
        ({"last_exchange_on": date(2024, 2, 29)}, "active but its last exchange is before"),
        ({"in_group": False}, "outside the group of a report with no group"),
    ],
)
def test_check_inputs_names_an_account_that_disagrees_with_the_rest(
    changes: dict[str, object], words: str
) -> None:
    problems = check_inputs(_with_account(small_inputs(), 1, **changes))

    assert any(words in p for p in problems), problems


def test_check_inputs_names_an_idle_account_whose_last_exchange_is_in_the_window() -> None:
    people = [Person(1), Person(2), Person(3)]
    inputs = aggregate(people, [helped(date(2024, 3, 4), 1, 2, 60)], *MARCH)

    problems = check_inputs(_with_account(inputs, 3, last_exchange_on=date(2024, 3, 10)))

    assert problems == ["account 3 is idle but its last exchange is inside the window"]


def test_check_inputs_names_an_account_with_minutes_but_no_exchanges() -> None:
    problems = check_inputs(_with_account(small_inputs(), 3, exchange_count=0))

    assert "account 3 has minutes without exchanges, or exchanges without minutes" in problems


def test_check_inputs_names_repeated_rows_and_pairs_with_unknown_ends() -> None:
    inputs = small_inputs()
    stranger = PairTotals(1, 77, 5, 1)

    problems = _problems_after(inputs, accounts=(*inputs.accounts, inputs.accounts[0]))
    assert "account 1 is listed 2 times" in problems
    pairs = list(inputs.pairs.rows())
    problems = _problems_after(inputs, pairs=PairColumns.of([*pairs, pairs[0]]))
    assert "pair (1, 2) is listed 2 times" in problems
    problems = _problems_after(inputs, pairs=PairColumns.of([*pairs, stranger]))
    assert "window: pair 1→77 names an account not listed" in problems


def test_check_inputs_names_window_counts_that_do_not_fit_the_pairs() -> None:
    inputs = small_inputs()

    assert "the window counts more exchanges than its pairs record" in _problems_after(
        inputs, exchange_count=5
    )
    assert "the window's exchange count disagrees with whether it has pairs" in _problems_after(
        inputs, exchange_count=0
    )
    assert "the window has more new ties than pairs" in _problems_after(inputs, new_tie_count=5)


def test_check_inputs_requires_exactly_the_months_the_window_touches() -> None:
    inputs = small_inputs()

    assert _problems_after(inputs, months=()) == [
        "the months are []; the window touches [datetime.date(2024, 3, 1)]"
    ]
    april = MonthInputs(date(2024, 4, 1), 0, MonthAccountColumns.of([]), MonthPairColumns.of([]))
    assert len(_problems_after(inputs, months=(*inputs.months, april))) == 1


def test_check_inputs_names_months_that_do_not_add_up_to_the_window() -> None:
    inputs = small_inputs()
    (march,) = inputs.months
    shifted = MonthAccountColumns.of(
        MonthAccountTotals(a.account_id, a.given_minutes + 1, a.received_minutes) if a.account_id == 2 else a
        for a in march.accounts.rows()
    )

    problems = _problems_after(inputs, months=(replace(march, accounts=shifted, exchange_count=2),))

    assert "month 2024-03-01: account 2's minutes disagree with its pairs" in problems
    assert "account 2's months do not add up to its window" in problems
    assert "the months' exchange counts do not add up to the window's" in problems


def test_check_inputs_names_a_month_account_the_window_does_not_know() -> None:
    inputs = small_inputs()
    (march,) = inputs.months
    stranger = MonthAccountTotals(77, 0, 0)

    accounts = MonthAccountColumns.of([*march.accounts.rows(), stranger])
    problems = _problems_after(inputs, months=(replace(march, accounts=accounts),))

    assert problems == ["month 2024-03-01: account 77 is not among the window's accounts"]


def test_check_inputs_returns_every_problem_not_the_first() -> None:
    inputs = _with_account(small_inputs(), 1, given_minutes=0, partner_count=0)

    problems = check_inputs(replace(inputs, exchange_count=9))

    assert len(problems) >= 4


def test_build_report_refuses_inconsistent_inputs_and_lists_the_problems() -> None:
    inputs = _with_account(small_inputs(), 1, partner_count=5)

    with pytest.raises(InconsistentInputs) as refusal:
        build_report(inputs)

    assert refusal.value.problems == ["account 1 has 5 partners; its pairs say 2"]


def test_a_group_report_may_list_accounts_outside_the_group() -> None:
    inputs = aggregate(
        [Person(1, in_group=False), Person(2)],
        [helped(date(2024, 3, 4), 1, 2, 60)],
        *MARCH,
        group=TagGroup("youth"),
    )

    assert check_inputs(inputs) == []


# --- windows -----------------------------------------------------------------------------------


def test_the_previous_window_has_the_same_length_and_ends_where_this_one_starts() -> None:
    assert previous_window(date(2024, 3, 1), date(2024, 5, 1)) == (date(2023, 12, 31), date(2024, 3, 1))
    assert previous_window(date(2024, 1, 1), date(2024, 1, 2)) == (date(2023, 12, 31), date(2024, 1, 1))


def test_months_touched_include_partial_months_at_both_ends_and_cross_a_year() -> None:
    # A rolling 90 days from 15 November: the end date (12 February) is outside the window.
    assert months_touched(date(2023, 11, 15), date(2024, 2, 13)) == [
        date(2023, 11, 1),
        date(2023, 12, 1),
        date(2024, 1, 1),
        date(2024, 2, 1),
    ]
    # A window ending on the first of a month does not touch that month.
    assert months_touched(date(2024, 3, 1), date(2024, 4, 1)) == [date(2024, 3, 1)]
    assert months_touched(date(2024, 3, 31), date(2024, 4, 2)) == [date(2024, 3, 1), date(2024, 4, 1)]


def test_a_month_window_is_the_month_clipped_to_the_report_window() -> None:
    window = (date(2023, 11, 15), date(2024, 2, 13))

    assert month_window(date(2023, 11, 1), *window) == (date(2023, 11, 15), date(2023, 12, 1))
    assert month_window(date(2023, 12, 1), *window) == (date(2023, 12, 1), date(2024, 1, 1))
    assert month_window(date(2024, 2, 1), *window) == (date(2024, 2, 1), date(2024, 2, 13))
    with pytest.raises(AssertionError):
        month_window(date(2024, 3, 1), *window)


def test_the_dormancy_cutoff_is_180_days_before_the_windows_end() -> None:
    assert dormancy_cutoff_on(date(2024, 5, 1)) == date(2023, 11, 3)
