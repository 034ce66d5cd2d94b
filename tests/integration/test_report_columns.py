"""Where each month of a report comes from: the running totals, or the legs (report_columns).

The report reads a month from the running totals when they hold exactly the window's days of it,
and from its legs otherwise. Both roads must give what the reference model gives, so each case
here checks the choice ``plan_months`` made and then the stored inputs against ``aggregate``:

- whole months, and a partial last month with nothing dated after the window (the rolling window:
  the totals hold it);
- a partial month with an exchange outside the window's days of it (the legs are read), at the
  window's start and at its end, with the last exchange before the end found in the legs;
- a window shorter than a month, whose previous window lies inside one month and touches neither
  end of it (retention is read from the legs);
- account ids too large to travel two to a number (the pairs are read unpacked).

On both backends; PostgreSQL reads its columns by another road (``string_agg``), so the same cases
prove it too. The columns helpers themselves (distinct, repeated, the account index) are checked
at the end with no database.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from sqlalchemy import Engine

from tests.integration.test_report_storage import Bank, assert_same, make_bank
from timebank.db import run
from timebank.db.repositories import report_columns
from timebank.db.repositories.report_columns import MonthSource, month_pieces
from timebank.reports.account_index import AccountIndex, distinct, repeated

D = date


def planned(bank: Bank, from_on: date, to_on: date) -> list[tuple[date, bool]]:
    def read(uow: object) -> list[MonthSource]:
        return uow.reports.columns.plan_months(bank.timebank_id, from_on, to_on)  # type: ignore[attr-defined,no-any-return]

    return [(m.month_on, m.from_rollups) for m in run(bank.engine, read, write=False)]


def people(bank: Bank) -> tuple[int, int, int]:
    return bank.member("Ann"), bank.member("Bo"), bank.member("Cy")


def test_whole_months_and_a_last_month_with_nothing_later_come_from_the_totals(engine: Engine) -> None:
    bank = make_bank(engine)
    ann, bo, cy = people(bank)
    bank.help(D(2024, 1, 10), ann, (bo, 60))
    bank.help(D(2024, 2, 5), bo, (ann, 30), (cy, 15))
    bank.help(D(2024, 3, 3), cy, (ann, 45))
    window = (D(2024, 1, 1), D(2024, 3, 20))  # March's exchanges all fall before the 20th

    assert planned(bank, *window) == [(D(2024, 1, 1), True), (D(2024, 2, 1), True), (D(2024, 3, 1), True)]
    assert_same(bank.stored(*window), bank.expected(*window))


def test_a_partial_month_with_exchanges_outside_the_window_is_read_from_its_legs(engine: Engine) -> None:
    bank = make_bank(engine)
    ann, bo, cy = people(bank)
    bank.help(D(2024, 1, 5), ann, (bo, 60))  # January, before the window's start
    bank.help(D(2024, 1, 20), bo, (ann, 30))
    bank.help(D(2024, 2, 14), cy, (bo, 20))
    bank.help(D(2024, 3, 2), ann, (cy, 40))
    bank.help(D(2024, 3, 25), cy, (ann, 10))  # March, after the window's end
    window = (D(2024, 1, 15), D(2024, 3, 10))

    assert planned(bank, *window) == [(D(2024, 1, 1), False), (D(2024, 2, 1), True), (D(2024, 3, 1), False)]
    stored = bank.stored(*window)
    assert_same(stored, bank.expected(*window))
    # Cy's last exchange before the end is the one on 2 March, read from March's legs: the totals
    # would have said 25 March.
    by_id = {a.account_id: a for a in stored.accounts}
    assert by_id[cy].last_exchange_on == D(2024, 3, 2)


def test_a_last_month_before_the_window_starts_in_it_finds_the_last_exchange_in_its_legs(
    engine: Engine,
) -> None:
    bank = make_bank(engine)
    ann, bo, cy = people(bank)
    bank.help(D(2024, 3, 3), ann, (bo, 60))  # in March, before the window
    bank.help(D(2024, 3, 28), bo, (cy, 30))  # in March, after it
    window = (D(2024, 3, 10), D(2024, 3, 20))  # nobody exchanged inside

    assert planned(bank, *window) == [(D(2024, 3, 1), False)]
    stored = bank.stored(*window)
    assert_same(stored, bank.expected(*window))
    assert {a.account_id: a.last_exchange_on for a in stored.accounts}[ann] == D(2024, 3, 3)


def test_a_previous_window_inside_one_month_is_read_from_its_legs(engine: Engine) -> None:
    bank = make_bank(engine)
    ann, bo, cy = people(bank)
    bank.help(D(2024, 3, 2), cy, (ann, 15))  # before the previous window
    bank.help(D(2024, 3, 12), ann, (bo, 60))  # inside the previous window [10 March, 20 March)
    bank.help(D(2024, 3, 22), bo, (ann, 30))  # in the window [20 March, 30 March)
    bank.help(D(2024, 3, 31), cy, (bo, 20))  # after it
    window = (D(2024, 3, 20), D(2024, 3, 30))

    stored = bank.stored(*window)
    assert_same(stored, bank.expected(*window))
    active_before = {a.account_id: a.active_in_previous_window for a in stored.accounts}
    assert active_before == {ann: True, bo: True, cy: False}


def test_pairs_read_unpacked_when_account_ids_are_too_large_to_pack(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two ids travel as one number only below 2³¹; above it each goes alone, to the same result.
    bank = make_bank(engine)
    ann, bo, cy = people(bank)
    bank.help(D(2024, 1, 10), ann, (bo, 60), (cy, 5))
    bank.help(D(2024, 2, 5), bo, (ann, 30))
    window = (D(2024, 1, 1), D(2024, 3, 1))
    packed = bank.stored(*window)

    monkeypatch.setattr(report_columns, "_PACKED_ID_LIMIT", 0)

    assert_same(bank.stored(*window), bank.expected(*window))
    assert bank.stored(*window) == packed


@pytest.mark.parametrize(
    ("from_on", "to_on", "pieces"),
    [
        (D(2024, 1, 1), D(2024, 3, 1), [(D(2024, 1, 1), D(2024, 2, 1)), (D(2024, 2, 1), D(2024, 3, 1))]),
        (D(2024, 1, 15), D(2024, 2, 10), [(D(2024, 1, 15), D(2024, 2, 1)), (D(2024, 2, 1), D(2024, 2, 10))]),
        (D(2024, 12, 30), D(2025, 1, 2), [(D(2024, 12, 30), D(2025, 1, 1)), (D(2025, 1, 1), D(2025, 1, 2))]),
        (D(2024, 3, 5), D(2024, 3, 6), [(D(2024, 3, 5), D(2024, 3, 6))]),
    ],
)
def test_month_pieces_cut_a_range_at_each_months_end(
    from_on: date, to_on: date, pieces: list[tuple[date, date]]
) -> None:
    found = month_pieces(from_on, to_on)

    assert [(p.start_on, p.end_on) for p in found] == pieces
    assert all(p.month_on == p.start_on.replace(day=1) for p in found)
    assert [p.whole for p in found] == [(s.day == 1 and e.day == 1) for s, e in pieces]


# --- the column helpers, with no database ----------------------------------------------------------


def test_distinct_and_repeated_agree_with_numpy_unique() -> None:
    rng = np.random.default_rng(7)
    values = rng.integers(0, 50, size=300)
    unique, counts = np.unique(values, return_counts=True)

    assert distinct(values).tolist() == unique.tolist()
    twice, times = repeated(values)
    assert twice.tolist() == unique[counts > 1].tolist()
    assert times.tolist() == counts[counts > 1].tolist()
    assert distinct(np.zeros(0, dtype=np.int64)).tolist() == []
    assert [column.tolist() for column in repeated(np.array([3, 1, 2]))] == [[], []]


@pytest.mark.parametrize("spread", [1, 10_000], ids=["dense", "sparse"])
def test_the_account_index_finds_positions_densely_or_by_search(spread: int) -> None:
    ids = np.array([5, 9, 12, 40], dtype=np.int64) * spread
    index = AccountIndex(ids[::-1])  # any order in, ascending out

    at, known = index.positions(np.array([12 * spread, 7, 40 * spread, 5 * spread, -3, 10**12]))

    assert index.ids.tolist() == ids.tolist()
    assert known.tolist() == [True, False, True, True, False, False]
    assert at[known].tolist() == [2, 3, 0]
    assert index.sums(np.array([9, 9, 40, 77]) * spread, np.array([1, 2, 3, 4])).tolist() == [0, 3, 0, 3]
    assert index.maxima(np.array([5, 5]) * spread, np.array([4, 9])).tolist() == [9, 0, 0, 0]
    assert AccountIndex([]).positions(np.array([1]))[1].tolist() == [False]
