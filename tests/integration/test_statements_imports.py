"""Statements, past balances and bulk imports, on SQLite and PostgreSQL.

Statements: an account's lines come newest first, each signed from the account's side and carrying
the balance just after it, of every kind (exchange, gift, donation, grant, reversal); cursor paging
covers every line exactly once with no overlap, also across lines posted at the same moment (a
multi-receiver exchange, an import); ``balance_at`` at each recorded moment equals the balance then,
0 before any transfer, and at each line's own time equals that line's balance after (L10).

Imports: all good rows are written in one go (result, row counts, balances), each as a confirmed
exchange with its own transaction that can be reversed on its own; a file with bad rows is refused
with ``import_rejected`` listing every bad row by its 1-based number and code (including rows that
break a floor or cap only given the rows before them) and writes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.ledger_calls import get_exchange, import_exchanges, receiver_pairs
from tests.people_calls import statement
from timebank.accounts.accounts import open_account
from timebank.accounts.statements import balance_at
from timebank.accounts.views import StatementLine, StatementPage
from timebank.clock import utc_now
from timebank.exchanges.errors import ImportRejected
from timebank.exchanges.imports import ImportRow
from timebank.ledger.errors import ActivityDateTooFarBack
from timebank.ledger.types import AccountKind

from .helpers import ACTIVITY_DATE, World, check_invariants, exchange_ids, make_world, snapshot


def pages(w: World, account_id: int, limit: int) -> list[StatementPage]:
    """Every page of the account's statement, following the cursors to the end."""
    found = [statement(w.engine, w.timebank_id, account_id, limit=limit)]
    while found[-1].next_cursor is not None:
        assert len(found) < 1000, "the cursors never end"
        found.append(
            statement(w.engine, w.timebank_id, account_id, cursor=found[-1].next_cursor, limit=limit)
        )
    return found


def moment(line: StatementLine) -> datetime:
    return line.posted_at


def assert_running_balances(lines: tuple[StatementLine, ...] | list[StatementLine], balance: int) -> None:
    """Newest first: the top line ends at the balance, each line starts where the one below ends."""
    assert lines[0].balance_after_minutes == balance
    for newer, older in pairwise(lines):
        assert newer.balance_after_minutes - newer.minutes == older.balance_after_minutes
        assert (moment(newer), newer.transfer_id) > (moment(older), older.transfer_id)
    assert lines[-1].balance_after_minutes == lines[-1].minutes  # the account started at 0


def row(giver: int, receiver: int, minutes: object, description: str = "help", **more: Any) -> ImportRow:
    """One import row: ``giver`` helped ``receiver``; minutes may be malformed on purpose."""
    return ImportRow(giver, receiver, minutes, ACTIVITY_DATE, description, **more)  # type: ignore[arg-type]


# --- statements -----------------------------------------------------------------------------------


def test_a_statement_lists_every_kind_of_line_newest_first_with_the_running_balance(engine: Engine) -> None:
    w = make_world(engine)
    first = w.posted(w.bo, {w.ann: 60})  # Ann -60
    w.posted(w.ann, {w.cy: 90})  # Ann +90 → 30
    w.give(w.holder(w.ann), w.ann, w.pot, 20)  # → 10
    w.give(w.coordinator, w.pot, w.ann, 20)  # → 30
    w.reverse(first.exchange_id)  # → 90

    page = statement(engine, w.timebank_id, w.ann)

    seen = [(ln.kind, ln.counterparty_account_id, ln.minutes, ln.balance_after_minutes) for ln in page.lines]
    assert seen == [
        ("reversal", w.bo, 60, 90),
        ("pot_grant", w.pot, 20, 30),
        ("pot_donation", w.pot, -20, 10),
        ("exchange", w.cy, 90, 30),
        ("exchange", w.bo, -60, -60),
    ]
    assert page.balance_minutes == w.balance(w.ann) == 90
    assert page.next_cursor is None
    assert_running_balances(page.lines, 90)


def test_a_statement_of_an_account_without_transfers_is_empty(engine: Engine) -> None:
    w = make_world(engine)
    w.posted(w.bo, {w.ann: 60})

    page = statement(engine, w.timebank_id, w.cy)

    assert (page.lines, page.balance_minutes, page.next_cursor) == ((), 0, None)


def make_23_lines_for_ann(w: World) -> None:
    """Ann's 23 transfers: 10 gifts, a two-receiver exchange she gave in, and 11 imported rows.

    The exchange's two transfers share one moment, and so do all the imported ones, so the cursor
    must break ties by transfer id to cut pages there.
    """
    for n in range(10):
        if n % 2:
            w.give(w.holder(w.bo), w.bo, w.ann, 7 + n)
        else:
            w.give(w.holder(w.ann), w.ann, w.bo, 10 + n)
    w.posted(w.ann, {w.bo: 15, w.cy: 25})
    rows = [row(w.ann, w.cy, 5 + n) if n % 3 else row(w.cy, w.ann, 4 + n) for n in range(11)]
    import_exchanges(w.engine, w.timebank_id, w.coordinator, rows)


@pytest.mark.parametrize("limit", [5, 1, 22, 23, 200])
def test_cursor_paging_covers_every_line_exactly_once_with_no_overlap(engine: Engine, limit: int) -> None:
    w = make_world(engine)
    make_23_lines_for_ann(w)
    whole = statement(engine, w.timebank_id, w.ann, limit=200).lines
    assert len(whole) == 23

    found = pages(w, w.ann, limit)

    sizes = [len(page.lines) for page in found]
    assert sizes == [limit] * (23 // limit) + ([23 % limit] if 23 % limit else [])
    lines = [line for page in found for line in page.lines]
    assert [line.transfer_id for line in lines] == [line.transfer_id for line in whole]
    assert len({line.transfer_id for line in lines}) == 23
    assert lines == list(whole)
    assert_running_balances(lines, w.balance(w.ann))


def test_a_cursor_keeps_its_place_when_newer_lines_arrive_between_pages(engine: Engine) -> None:
    w = make_world(engine)
    make_23_lines_for_ann(w)
    first = statement(engine, w.timebank_id, w.ann, limit=5)
    w.posted(w.bo, {w.ann: 1})  # a newer line arrives after the first page was read

    rest = statement(engine, w.timebank_id, w.ann, cursor=first.next_cursor, limit=200)

    assert len(first.lines) + len(rest.lines) == 23
    assert not {line.transfer_id for line in first.lines} & {line.transfer_id for line in rest.lines}


def test_balance_at_a_recorded_moment_is_the_balance_then(engine: Engine) -> None:
    w = make_world(engine)
    moments = [(utc_now(), w.balance(w.ann), w.balance(w.bo))]
    for act in (
        lambda: w.posted(w.bo, {w.ann: 60}),
        lambda: w.give(w.holder(w.bo), w.bo, w.ann, 15),
        lambda: w.posted(w.ann, {w.cy: 120, w.bo: 30}),
        lambda: w.give(w.holder(w.ann), w.ann, w.pot, 40),
        lambda: w.reverse_transaction(w.give(w.holder(w.cy), w.cy, w.ann, 5).transaction_id),
    ):
        act()
        moments.append((utc_now(), w.balance(w.ann), w.balance(w.bo)))

    for at, ann, bo in moments:
        assert balance_at(engine, w.timebank_id, w.ann, at) == ann
        assert balance_at(engine, w.timebank_id, w.bo, at) == bo
    assert moments[0][1:] == (0, 0)
    assert balance_at(engine, w.timebank_id, w.ann, datetime(2000, 1, 1, tzinfo=UTC)) == 0
    far_future = utc_now() + timedelta(days=3650)
    assert balance_at(engine, w.timebank_id, w.ann, far_future) == w.balance(w.ann)


def test_balance_at_each_lines_own_moment_is_that_lines_balance_after(engine: Engine) -> None:
    w = make_world(engine)
    make_23_lines_for_ann(w)
    lines = statement(engine, w.timebank_id, w.ann, limit=200).lines

    last_line_at: dict[datetime, StatementLine] = {}
    for line in lines:  # newest first, so the first line seen at a moment is its last one
        last_line_at.setdefault(moment(line), line)
    assert len(last_line_at) == 12  # 10 gifts, the exchange's two lines, the import's eleven

    for at, line in last_line_at.items():
        assert balance_at(engine, w.timebank_id, w.ann, at) == line.balance_after_minutes
        before = balance_at(engine, w.timebank_id, w.ann, at - timedelta(microseconds=1))
        earlier = [other for other in lines if moment(other) < at]
        assert before == (earlier[0].balance_after_minutes if earlier else 0)


# --- imports --------------------------------------------------------------------------------------


def test_an_import_of_good_rows_writes_them_all_as_confirmed_exchanges_in_one_go(engine: Engine) -> None:
    w = make_world(engine)
    library = open_account(engine, w.timebank_id, w.coordinator, AccountKind.ORGANISATION, "Library")
    org = library.account_id
    rows = [
        row(w.bo, w.ann, 400),
        row(w.ann, w.cy, 90, category="gardening"),
        row(w.cy, w.bo, 60),
        row(org, w.ann, 120, description="reading group"),
        row(w.ann, org, 30),
        row(w.bo, w.cy, 45),
    ]
    before = snapshot(engine, w.timebank_id)["counts"]

    result = import_exchanges(engine, w.timebank_id, w.coordinator, rows)

    assert (result.exchanges_imported, result.minutes_imported) == (6, 745)
    after = snapshot(engine, w.timebank_id)
    for table in ("transactions", "transfers", "exchanges", "exchange_receivers"):
        assert after["counts"][table] == before[table] + 6, table
    assert w.balances() == {w.pot: 0, w.ann: -400, w.bo: 385, w.cy: -75, org: 90}
    imported = [get_exchange(engine, w.timebank_id, i) for i in exchange_ids(engine, w.timebank_id)]
    assert [(x.status, x.giver_account_id, receiver_pairs(x)) for x in imported] == [
        ("confirmed", r.giver_account_id, ((r.receiver_account_id, r.minutes),)) for r in rows
    ]
    assert len({x.transaction_id for x in imported}) == 6
    assert imported[1].category == "gardening"
    assert check_invariants(engine, w.timebank_id) == []


def test_each_imported_exchange_can_be_reversed_on_its_own(engine: Engine) -> None:
    w = make_world(engine)
    rows = [row(w.bo, w.ann, 100), row(w.cy, w.ann, 50), row(w.ann, w.bo, 20)]
    import_exchanges(engine, w.timebank_id, w.coordinator, rows)
    first, second, third = exchange_ids(engine, w.timebank_id)

    w.reverse(second, reason="imported twice from the old spreadsheet")

    assert [w.status(i) for i in (first, second, third)] == ["confirmed", "reversed", "confirmed"]
    assert w.balances() == {w.pot: 0, w.ann: -80, w.bo: 80, w.cy: 0}
    assert check_invariants(engine, w.timebank_id) == []


def test_an_import_with_bad_rows_is_refused_listing_every_bad_row_and_writes_nothing(engine: Engine) -> None:
    w = make_world(engine)
    o = w.other()
    w.set_limits(w.cy, -600, 150)
    rows = [
        row(w.bo, w.ann, 400),  # 1 good: Ann at -400
        row(w.bo, w.ann, 0),  # 2
        row(w.bo, w.bo, 30),  # 3
        row(w.bo, 10**9, 30),  # 4 no such account
        row(o.bo, w.ann, 30),  # 5 another timebank's account
        row(w.cy, w.bo, 100),  # 6 good: Cy at +100
        row(w.cy, w.ann, 300),  # 7 fine alone, but after row 1 Ann would be at -700
        row(w.bo, w.cy, 30, description="d" * 501),  # 8
        row(w.bo, w.cy, 1.5),  # 9
        row(w.bo, w.cy, 24 * 60 + 1),  # 10
        row(w.bo, w.cy, 30, category="c" * 81),  # 11
        row(w.bo, w.cy, True),  # 12
        row(w.cy, w.bo, 60),  # 13 fine alone, but after row 6 Cy would be above his cap of 150
        row(w.ann, w.bo, 2.0),  # 14
        row(w.ann, w.bo, -5),  # 15
        row(w.bo, w.ann, 200),  # 16 good: Ann at -600, exactly her floor
    ]
    before = [snapshot(engine, w.timebank_id), snapshot(engine, o.timebank_id)]

    with pytest.raises(ImportRejected) as refusal:
        import_exchanges(engine, w.timebank_id, w.coordinator, rows)

    assert refusal.value.code == "import_rejected"
    assert [(e.row, e.code) for e in refusal.value.errors] == [
        (2, "minutes_must_be_positive"),
        (3, "accounts_must_differ"),
        (4, "account_not_found"),
        (5, "account_not_found"),
        (7, "balance_below_floor"),
        (8, "text_too_long"),
        (9, "minutes_must_be_whole"),
        (10, "minutes_above_transfer_limit"),
        (11, "text_too_long"),
        (12, "minutes_must_be_whole"),
        (13, "balance_above_cap"),
        (14, "minutes_must_be_whole"),
        (15, "minutes_must_be_positive"),
    ]
    assert all(e.detail for e in refusal.value.errors)
    assert [snapshot(engine, w.timebank_id), snapshot(engine, o.timebank_id)] == before


def test_once_the_bad_rows_are_fixed_the_same_import_goes_through(engine: Engine) -> None:
    w = make_world(engine)
    rows = [row(w.bo, w.ann, 400), row(w.cy, w.ann, 300)]
    with pytest.raises(ImportRejected) as refusal:
        import_exchanges(engine, w.timebank_id, w.coordinator, rows)
    assert [(e.row, e.code) for e in refusal.value.errors] == [(2, "balance_below_floor")]

    rows[1] = row(w.cy, w.ann, 200)
    result = import_exchanges(engine, w.timebank_id, w.coordinator, rows)

    assert result.exchanges_imported == 2
    assert w.balance(w.ann) == -600


def test_an_empty_import_writes_nothing(engine: Engine) -> None:
    w = make_world(engine)
    before = snapshot(engine, w.timebank_id)

    result = import_exchanges(engine, w.timebank_id, w.coordinator, [])

    assert (result.exchanges_imported, result.minutes_imported) == (0, 0)
    assert snapshot(engine, w.timebank_id) == before


def test_history_older_than_the_timebanks_back_dating_bound_imports_but_no_day_after_today(
    engine: Engine,
) -> None:
    # Exchanges recorded one by one may be dated at most 365 days back by default; the history a
    # timebank brings with it is not bound by that, but nothing in it can have happened tomorrow.
    w = make_world(engine, backdate_days_max=365)
    today = utc_now().date()
    history = [
        ImportRow(w.bo, w.ann, 60, today - timedelta(days=3 * 365), "three years ago"),
        ImportRow(w.cy, w.bo, 30, today - timedelta(days=400), "last year's panel"),
        ImportRow(w.ann, w.cy, 45, today, "today"),
    ]

    result = import_exchanges(engine, w.timebank_id, w.coordinator, history)
    with pytest.raises(ImportRejected) as refusal:
        import_exchanges(
            engine,
            w.timebank_id,
            w.coordinator,
            [
                ImportRow(w.bo, w.ann, 60, today, "today"),
                ImportRow(w.bo, w.ann, 60, today + timedelta(days=1), "x"),
            ],
        )
    with pytest.raises(ActivityDateTooFarBack):
        w.posted(w.bo, {w.ann: 60})  # the story's day, 2024-05-01: recorded one by one, too far back

    assert result.exchanges_imported == 3
    assert [(e.row, e.code) for e in refusal.value.errors] == [(2, "activity_date_in_future")]
    dates = [
        get_exchange(engine, w.timebank_id, i).activity_date for i in exchange_ids(engine, w.timebank_id)
    ]
    assert dates == [r.activity_date for r in history]
