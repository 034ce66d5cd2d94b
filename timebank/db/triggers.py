"""Append-only history, enforced by the database itself.

Transfers and transactions are never updated or deleted: a mistake is corrected by a reversal that
points at the original. Code never tries to change them, and these triggers make sure that nothing
else can either, not even a hand-typed SQL statement. PostgreSQL also refuses TRUNCATE.

The error text starts with ``append_only`` so callers can recognise it on both databases.
"""

from __future__ import annotations

__all__ = ["APPEND_ONLY_TABLES", "create_statements", "drop_statements"]

APPEND_ONLY_TABLES = ("transactions", "transfers")


def create_statements(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER {table}_append_only_{action.lower()} BEFORE {action} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'append_only: {table} rows are never changed'); END"
            for table in APPEND_ONLY_TABLES
            for action in ("UPDATE", "DELETE")
        ]
    if dialect == "postgresql":
        statements = [
            """
            CREATE FUNCTION timebank_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'append_only: % rows are never changed', TG_TABLE_NAME
                    USING ERRCODE = 'integrity_constraint_violation';
            END
            $$
            """
        ]
        for table in APPEND_ONLY_TABLES:
            statements.append(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION timebank_refuse_change()"
            )
            statements.append(
                f"CREATE TRIGGER {table}_append_only_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION timebank_refuse_change()"
            )
        return statements
    raise ValueError(f"timebank supports sqlite and postgresql, not {dialect}")


def drop_statements(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {table}_append_only_{action.lower()}"
            for table in APPEND_ONLY_TABLES
            for action in ("UPDATE", "DELETE")
        ]
    statements = []
    for table in APPEND_ONLY_TABLES:
        statements.append(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        statements.append(f"DROP TRIGGER IF EXISTS {table}_append_only_truncate ON {table}")
    statements.append("DROP FUNCTION IF EXISTS timebank_refuse_change()")
    return statements
