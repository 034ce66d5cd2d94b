"""Erasure (issue 18): no personal data on an append-only row, and a member's erasure stamped.

An append-only row can never be changed, so it must never hold what a member may ask to have
erased. Before this revision two kinds of them did:

- ``transactions.reason`` and ``transactions.note``: a reversal's reason and a gift's note, free
  text a coordinator or a member typed. They move to a new table, ``transaction_texts`` (one row
  per transaction that has either), and the two columns are dropped. Dropping a column rewrites
  no row through UPDATE, so the append-only triggers stay as they are on both databases (SQLite's
  ``ALTER TABLE DROP COLUMN`` keeps a table's triggers; PostgreSQL's fires no row trigger).
- ``audit_log.details`` of ``login_turned_off`` and ``login_turned_on``: the coordinator's reason.
  It moves to a new table, ``audit_notes`` (one row per entry with a note), and leaves the entry's
  details. That rewrites audit rows once: the audit log's triggers are dropped for the rewrite and
  created again in the same transaction, as the only change this migration makes to those rows.

``members.erased_at`` records when a member's personal data was erased (NULL for everyone today).

The downgrade puts the texts back on the rows they came from (dropping and recreating the triggers
around the UPDATEs, as the upgrade did for the audit log), then drops the new tables and the column.
Lengths are written out so this revision keeps its meaning whatever the metadata becomes.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-12 09:00:00.000000
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from timebank.db import triggers

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The audit entries whose details held a coordinator's free-text reason before this revision.
_NOTED_ACTIONS = ("login_turned_off", "login_turned_on")
_NOTE_KEY = "reason"


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _dialect() -> str:
    return op.get_bind().dialect.name


def _without_triggers(tables: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """The statements that drop, then create again, the append-only triggers of ``tables``."""
    dialect = _dialect()
    return (
        triggers.drop_trigger_statements(dialect, tables),
        triggers.create_trigger_statements(dialect, tables),
    )


def _json(details: dict[str, object]) -> str:
    # As timebank.db.repositories.audit writes details: sorted keys, no spaces.
    return json.dumps(details, sort_keys=True, separators=(",", ":"))


def upgrade() -> None:
    op.add_column("members", sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "transaction_texts",
        sa.Column("transaction_id", _id(), nullable=False),
        sa.Column("timebank_id", _id(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "reason IS NOT NULL OR note IS NOT NULL", name=op.f("ck_transaction_texts_says_something")
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id", "transaction_id"],
            ["transactions.timebank_id", "transactions.id"],
            name=op.f("fk_transaction_texts_timebank_id_transaction_id_transactions"),
        ),
        sa.PrimaryKeyConstraint("transaction_id", name=op.f("pk_transaction_texts")),
    )
    op.execute(
        "INSERT INTO transaction_texts (transaction_id, timebank_id, reason, note) "
        "SELECT id, timebank_id, reason, note FROM transactions "
        "WHERE reason IS NOT NULL OR note IS NOT NULL"
    )
    op.drop_column("transactions", "reason")
    op.drop_column("transactions", "note")

    op.create_table(
        "audit_notes",
        sa.Column("audit_id", _id(), nullable=False),
        sa.Column("timebank_id", _id(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint("length(note) <= 2000", name=op.f("ck_audit_notes_note_short")),
        sa.ForeignKeyConstraint(
            ["audit_id"], ["audit_log.id"], name=op.f("fk_audit_notes_audit_id_audit_log")
        ),
        sa.PrimaryKeyConstraint("audit_id", name=op.f("pk_audit_notes")),
    )
    _move_audit_reasons_to_notes()


def _move_audit_reasons_to_notes() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT id, timebank_id, details FROM audit_log WHERE action IN :actions ORDER BY id"
        ).bindparams(sa.bindparam("actions", expanding=True)),
        {"actions": list(_NOTED_ACTIONS)},
    ).all()
    moved = []
    for audit_id, timebank_id, details_json in rows:
        details = json.loads(details_json)
        reason = details.pop(_NOTE_KEY, None)
        if reason is None:
            continue
        moved.append(
            {"id": audit_id, "timebank_id": timebank_id, "note": str(reason), "details": _json(details)}
        )
    if not moved:
        return
    connection.execute(
        sa.text("INSERT INTO audit_notes (audit_id, timebank_id, note) VALUES (:id, :timebank_id, :note)"),
        moved,
    )
    dropped, created = _without_triggers(triggers.AUDIT_TABLES)
    for statement in dropped:
        op.execute(statement)
    connection.execute(sa.text("UPDATE audit_log SET details = :details WHERE id = :id"), moved)
    for statement in created:
        op.execute(statement)


def downgrade() -> None:
    _move_audit_notes_back()
    op.drop_table("audit_notes")

    op.add_column("transactions", sa.Column("reason", sa.Text(), nullable=True))
    op.add_column("transactions", sa.Column("note", sa.Text(), nullable=True))
    dropped, created = _without_triggers(triggers.LEDGER_TABLES)
    for statement in dropped:
        op.execute(statement)
    op.execute(
        "UPDATE transactions SET "
        "reason = (SELECT tt.reason FROM transaction_texts tt WHERE tt.transaction_id = transactions.id), "
        "note = (SELECT tt.note FROM transaction_texts tt WHERE tt.transaction_id = transactions.id) "
        "WHERE id IN (SELECT transaction_id FROM transaction_texts)"
    )
    for statement in created:
        op.execute(statement)
    op.drop_table("transaction_texts")
    op.drop_column("members", "erased_at")


def _move_audit_notes_back() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT a.id, a.details, n.note FROM audit_log a"
            " JOIN audit_notes n ON n.audit_id = a.id ORDER BY a.id"
        )
    ).all()
    if not rows:
        return
    restored = []
    for audit_id, details_json, note in rows:
        details = json.loads(details_json)
        details[_NOTE_KEY] = note
        restored.append({"id": audit_id, "details": _json(details)})
    dropped, created = _without_triggers(triggers.AUDIT_TABLES)
    for statement in dropped:
        op.execute(statement)
    connection.execute(sa.text("UPDATE audit_log SET details = :details WHERE id = :id"), restored)
    for statement in created:
        op.execute(statement)
