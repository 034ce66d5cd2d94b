"""Append-only history, enforced by the database itself.

Transfers and transactions are never updated or deleted: a mistake is corrected by a reversal that
points at the original. The audit log of benefit checks and reads (``audit_log``, migration 0004)
is never changed either: an audit that can be edited proves nothing. Code never tries to change
these tables, and these triggers make sure that nothing else can either, not even a hand-typed SQL
statement. PostgreSQL also refuses TRUNCATE.

The error text starts with ``append_only`` so callers can recognise it on both databases.

Each migration creates the triggers of the tables it creates, so the statements are given per
group of tables: ``LEDGER_TABLES`` (0001, which also creates PostgreSQL's shared trigger function)
and ``AUDIT_TABLES`` (0004, which uses that function). A migration that rebuilds a table on SQLite
(batch mode copies it to a new table) must create its triggers again: SQLite drops a table's
triggers with the table.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "APPEND_ONLY_TABLES",
    "AUDIT_TABLES",
    "LEDGER_TABLES",
    "create_statements",
    "create_trigger_statements",
    "drop_statements",
    "drop_trigger_statements",
]

LEDGER_TABLES = ("transactions", "transfers")
AUDIT_TABLES = ("audit_log",)
APPEND_ONLY_TABLES = LEDGER_TABLES + AUDIT_TABLES

_FUNCTION = """
            CREATE FUNCTION timebank_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'append_only: % rows are never changed', TG_TABLE_NAME
                    USING ERRCODE = 'integrity_constraint_violation';
            END
            $$
            """


def _check_dialect(dialect: str) -> None:
    if dialect not in ("sqlite", "postgresql"):
        raise ValueError(f"timebank supports sqlite and postgresql, not {dialect}")


def create_trigger_statements(dialect: str, tables: Sequence[str]) -> list[str]:
    """The triggers that refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL) on ``tables``.

    On PostgreSQL they call ``timebank_refuse_change()``, which ``create_statements`` creates.
    """
    _check_dialect(dialect)
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER {table}_append_only_{action.lower()} BEFORE {action} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'append_only: {table} rows are never changed'); END"
            for table in tables
            for action in ("UPDATE", "DELETE")
        ]
    statements = []
    for table in tables:
        statements.append(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION timebank_refuse_change()"
        )
        statements.append(
            f"CREATE TRIGGER {table}_append_only_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION timebank_refuse_change()"
        )
    return statements


def drop_trigger_statements(dialect: str, tables: Sequence[str]) -> list[str]:
    _check_dialect(dialect)
    if dialect == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {table}_append_only_{action.lower()}"
            for table in tables
            for action in ("UPDATE", "DELETE")
        ]
    statements = []
    for table in tables:
        statements.append(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        statements.append(f"DROP TRIGGER IF EXISTS {table}_append_only_truncate ON {table}")
    return statements


def create_statements(dialect: str) -> list[str]:
    """The ledger's triggers, and on PostgreSQL the function every append-only trigger calls (0001)."""
    _check_dialect(dialect)
    function = [_FUNCTION] if dialect == "postgresql" else []
    return function + create_trigger_statements(dialect, LEDGER_TABLES)


def drop_statements(dialect: str) -> list[str]:
    """Undo ``create_statements``: the ledger's triggers, then the function."""
    _check_dialect(dialect)
    function = ["DROP FUNCTION IF EXISTS timebank_refuse_change()"] if dialect == "postgresql" else []
    return drop_trigger_statements(dialect, LEDGER_TABLES) + function
