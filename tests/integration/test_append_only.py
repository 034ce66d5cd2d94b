"""The database itself refuses what the ledger's rules forbid, whoever types the SQL.

These tests bypass the services and speak SQL on a raw connection (``engine.connect()``), on SQLite
and PostgreSQL:

- transfers and transactions are append-only: UPDATE and DELETE fail on both databases (triggers
  whose message starts with ``append_only``), and TRUNCATE fails on PostgreSQL; the row is the
  same afterwards;
- an account row cannot hold a balance below its floor or above its cap (CHECK);
- a transfer row cannot move zero minutes, move credits from an account to itself, or cross two
  timebanks (composite foreign key; SQLite has foreign keys switched on);
- a transaction can be reversed only once (unique pointer), and a reversal must point back.

Both databases report these as ``sqlalchemy.exc.IntegrityError`` (SQLite's ``RAISE(ABORT)`` in a
trigger is a constraint error too), a subclass of ``DatabaseError``.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, Executable, insert, select, text, update
from sqlalchemy.exc import DatabaseError, IntegrityError

from timebank.clock import utc_now
from timebank.db import make_engine
from timebank.db.tables import accounts, transactions, transfers

from .helpers import World, make_world, snapshot


def refused_by_the_database(engine: Engine, statement: Executable | str, **params: Any) -> DatabaseError:
    """Run ``statement`` on a raw connection; it must fail. Roll back and return the error."""
    if isinstance(statement, str):
        statement = text(statement)
    with engine.connect() as connection:
        with pytest.raises(DatabaseError) as refusal:
            connection.execute(statement, params)
        connection.rollback()
    assert isinstance(refusal.value, IntegrityError), type(refusal.value)
    return refusal.value


def read_row(engine: Engine, table: Any, row_id: int) -> dict[str, Any]:
    with engine.connect() as connection:
        row = connection.execute(select(table).where(table.c.id == row_id)).mappings().one()
        connection.rollback()
    return dict(row)


def world_with_an_exchange(engine: Engine) -> tuple[World, int, int]:
    """A timebank where Bo helped Ann for an hour: returns it, the transaction id and the transfer id."""
    w = make_world(engine)
    x = w.posted(w.bo, {w.ann: 60})
    assert x.transaction_id is not None
    with engine.connect() as connection:
        transfer_id = connection.execute(
            select(transfers.c.id).where(transfers.c.transaction_id == x.transaction_id)
        ).scalar_one()
        connection.rollback()
    return w, x.transaction_id, transfer_id


# --- append-only history ------------------------------------------------------------------------

CHANGES = [
    pytest.param(
        transfers, "UPDATE transfers SET minutes = minutes + 1 WHERE id = :id", id="update_transfer_minutes"
    ),
    pytest.param(
        transfers,
        "UPDATE transfers SET source_balance_after_minutes = 0 WHERE id = :id",
        id="update_transfer_balance_after",
    ),
    pytest.param(transfers, "DELETE FROM transfers WHERE id = :id", id="delete_transfer"),
    pytest.param(
        transactions,
        "UPDATE transactions SET created_by = 'edited' WHERE id = :id",
        id="update_transaction_author",
    ),
    pytest.param(
        transactions, "UPDATE transactions SET kind = 'gift' WHERE id = :id", id="update_transaction_kind"
    ),
    pytest.param(transactions, "DELETE FROM transactions WHERE id = :id", id="delete_transaction"),
]


@pytest.mark.parametrize(("table", "statement"), CHANGES)
def test_a_posted_transfer_or_transaction_cannot_be_updated_or_deleted(
    engine: Engine, table: Any, statement: str
) -> None:
    w, transaction_id, transfer_id = world_with_an_exchange(engine)
    row_id = transfer_id if table is transfers else transaction_id
    row_before = read_row(engine, table, row_id)
    before = snapshot(engine, w.timebank_id)

    error = refused_by_the_database(engine, statement, id=row_id)

    assert "append_only" in str(error.orig)
    assert read_row(engine, table, row_id) == row_before
    assert snapshot(engine, w.timebank_id) == before


@pytest.mark.parametrize("table", ["transfers", "transactions"])
def test_a_timebanks_whole_history_cannot_be_deleted_in_one_statement(engine: Engine, table: str) -> None:
    w, _, _ = world_with_an_exchange(engine)
    before = snapshot(engine, w.timebank_id)

    error = refused_by_the_database(engine, f"DELETE FROM {table} WHERE timebank_id = :tb", tb=w.timebank_id)

    assert "append_only" in str(error.orig)
    assert snapshot(engine, w.timebank_id) == before


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param("TRUNCATE transfers", id="transfers"),
        # Without CASCADE the foreign keys refuse first; with it, the trigger must.
        pytest.param("TRUNCATE transactions CASCADE", id="transactions_cascade"),
        pytest.param("TRUNCATE transfers, transactions CASCADE", id="both"),
    ],
)
@pytest.mark.postgres
def test_postgresql_refuses_to_truncate_the_history(postgresql_url: str, statement: str) -> None:
    # SQLite has no TRUNCATE; its unqualified DELETE is covered above.
    engine = make_engine(postgresql_url)
    w, _, _ = world_with_an_exchange(engine)
    before = snapshot(engine, w.timebank_id)

    error = refused_by_the_database(engine, statement)

    assert "append_only" in str(error.orig)
    assert snapshot(engine, w.timebank_id) == before
    engine.dispose()


# --- checks on accounts -------------------------------------------------------------------------


def test_an_account_balance_cannot_be_set_below_its_floor_by_sql(engine: Engine) -> None:
    w, _, _ = world_with_an_exchange(engine)
    ann = read_row(engine, accounts, w.ann)
    below = ann["floor_minutes"] - 1
    before = snapshot(engine, w.timebank_id)

    # Keep balance = earned - spent, so only the floor is broken.
    error = refused_by_the_database(
        engine,
        update(accounts)
        .where(accounts.c.id == w.ann)
        .values(balance_minutes=below, spent_minutes=ann["earned_minutes"] - below),
    )

    assert "balance_within_floor" in str(error.orig)
    assert snapshot(engine, w.timebank_id) == before


def test_an_account_floor_cannot_be_raised_above_its_balance_by_sql(engine: Engine) -> None:
    w, _, _ = world_with_an_exchange(engine)  # Ann is at -60
    before = snapshot(engine, w.timebank_id)

    error = refused_by_the_database(
        engine, update(accounts).where(accounts.c.id == w.ann).values(floor_minutes=-59)
    )

    assert "balance_within_floor" in str(error.orig)
    assert snapshot(engine, w.timebank_id) == before


def test_an_account_cap_cannot_be_set_below_its_balance_by_sql(engine: Engine) -> None:
    w, _, _ = world_with_an_exchange(engine)  # Bo is at +60
    before = snapshot(engine, w.timebank_id)

    error = refused_by_the_database(
        engine, update(accounts).where(accounts.c.id == w.bo).values(cap_minutes=59)
    )

    assert "balance_within_cap" in str(error.orig)
    assert snapshot(engine, w.timebank_id) == before


def test_an_account_balance_must_equal_earned_minus_spent(engine: Engine) -> None:
    w, _, _ = world_with_an_exchange(engine)
    before = snapshot(engine, w.timebank_id)

    error = refused_by_the_database(
        engine, update(accounts).where(accounts.c.id == w.bo).values(balance_minutes=600)
    )

    assert "balance_is_in_minus_out" in str(error.orig)
    assert snapshot(engine, w.timebank_id) == before


# --- checks on new ledger rows ------------------------------------------------------------------


def transfer_row(w: World, transaction_id: int, **changes: Any) -> dict[str, Any]:
    """A well-formed transfer row from Ann to Bo in ``w``, with ``changes`` applied."""
    row = {
        "timebank_id": w.timebank_id,
        "transaction_id": transaction_id,
        "source_account_id": w.ann,
        "target_account_id": w.bo,
        "minutes": 5,
        "source_balance_after_minutes": 0,
        "target_balance_after_minutes": 0,
        "posted_at": utc_now(),
    }
    return row | changes


@pytest.mark.parametrize(
    ("changes", "constraint"),
    [
        pytest.param(lambda w, o: {"minutes": 0}, "minutes_positive", id="zero_minutes"),
        pytest.param(lambda w, o: {"minutes": -5}, "minutes_positive", id="negative_minutes"),
        pytest.param(lambda w, o: {"target_account_id": w.ann}, "accounts_differ", id="same_account"),
        pytest.param(lambda w, o: {"target_account_id": o.bo}, "foreign key", id="target_elsewhere"),
        pytest.param(lambda w, o: {"source_account_id": o.ann}, "foreign key", id="source_elsewhere"),
        pytest.param(
            lambda w, o: {"timebank_id": o.timebank_id},
            "foreign key",
            id="rows_of_another_timebank_under_this_ones_transaction",
        ),
    ],
)
def test_a_malformed_transfer_row_cannot_be_inserted_by_sql(
    engine: Engine, changes: Any, constraint: str
) -> None:
    w, transaction_id, _ = world_with_an_exchange(engine)
    o = w.other()
    before = [snapshot(engine, w.timebank_id), snapshot(engine, o.timebank_id)]

    row = transfer_row(w, transaction_id, **changes(w, o))
    error = refused_by_the_database(engine, insert(transfers).values(row))

    assert constraint in str(error.orig).lower()
    assert [snapshot(engine, w.timebank_id), snapshot(engine, o.timebank_id)] == before


def test_a_well_formed_transfer_row_is_accepted_so_the_refusals_above_are_about_their_one_change(
    engine: Engine,
) -> None:
    w, transaction_id, _ = world_with_an_exchange(engine)
    with engine.connect() as connection:
        connection.execute(insert(transfers).values(transfer_row(w, transaction_id)))
        connection.rollback()


def reversal_row(w: World, reverses: int | None) -> dict[str, Any]:
    return {
        "timebank_id": w.timebank_id,
        "kind": "reversal",
        "reverses_transaction_id": reverses,
        "created_by": "sql",
        "created_at": utc_now(),
    }


def test_a_second_reversal_of_the_same_transaction_cannot_be_inserted_by_sql(engine: Engine) -> None:
    w, _, _ = world_with_an_exchange(engine)
    x = w.posted(w.cy, {w.ann: 30})
    w.reverse(x.exchange_id)
    assert x.transaction_id is not None
    before = snapshot(engine, w.timebank_id)

    error = refused_by_the_database(engine, insert(transactions).values(reversal_row(w, x.transaction_id)))

    assert "reverses_transaction_id" in str(error.orig)
    assert snapshot(engine, w.timebank_id) == before


def test_two_reversal_rows_for_one_transaction_cannot_both_be_inserted_in_one_go(engine: Engine) -> None:
    w, transaction_id, _ = world_with_an_exchange(engine)
    before = snapshot(engine, w.timebank_id)

    with engine.connect() as connection:
        connection.execute(insert(transactions).values(reversal_row(w, transaction_id)))
        with pytest.raises(IntegrityError) as refusal:
            connection.execute(insert(transactions).values(reversal_row(w, transaction_id)))
        connection.rollback()

    assert "reverses_transaction_id" in str(refusal.value.orig)
    assert snapshot(engine, w.timebank_id) == before


def test_a_reversal_row_must_point_at_what_it_reverses(engine: Engine) -> None:
    w, _, _ = world_with_an_exchange(engine)
    before = snapshot(engine, w.timebank_id)

    error = refused_by_the_database(engine, insert(transactions).values(reversal_row(w, None)))

    assert "reversal_points_back" in str(error.orig)
    assert snapshot(engine, w.timebank_id) == before


# What an append-only row may hold: ids, kinds, minutes, times, and the audit log's details (codes,
# held to that by ``AuditTrail``). Never text a person typed, which a member may have erased (DESIGN
# §9): a column added to one of these tables must be added here, after asking whether erasing a
# member would have to change it.
APPEND_ONLY_COLUMNS = {
    "transactions": {"id", "timebank_id", "kind", "reverses_transaction_id", "created_by", "created_at"},
    "transfers": {
        "id",
        "timebank_id",
        "transaction_id",
        "source_account_id",
        "target_account_id",
        "minutes",
        "source_balance_after_minutes",
        "target_balance_after_minutes",
        "posted_at",
    },
    "audit_log": {"id", "timebank_id", "at", "actor", "action", "subject_account_id", "details"},
}


def test_the_append_only_tables_hold_no_column_for_free_text(engine: Engine) -> None:
    from sqlalchemy import inspect

    from timebank.db.triggers import APPEND_ONLY_TABLES

    assert set(APPEND_ONLY_COLUMNS) == set(APPEND_ONLY_TABLES)
    for table, expected in APPEND_ONLY_COLUMNS.items():
        assert {column["name"] for column in inspect(engine).get_columns(table)} == expected, table
