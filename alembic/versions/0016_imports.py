"""Moving in (issue 20): opening balances, and a record of every import so none lands twice.

- ``transactions``: the ``opening_balance`` kind, the balances a timebank brings from another system,
  each moved from (or to) the pot, so that a move changes balances and statements but never counts
  as exchanges in the reports. As in 0013, PostgreSQL drops and adds the CHECK; SQLite rebuilds the
  table in batch mode, which drops its append-only triggers with the old table, so they are created
  again;
- ``imports``: one row per import that wrote something: where the files came from, the digest of
  the files as given, who ran it and when, and how many members, exchanges and opening balances it
  added. The digest is unique in a timebank: the same files given again are recognised at once;
- ``import_keys``: each thing an import added under its natural key in the source (a member's
  number or username, an exchange's day, parties, minutes, words and occurrence), hashed, so that a
  later import of an overlapping file adds only what is new.

The downgrade refuses while any opening balance exists (it cannot be removed from the append-only
ledger, nor fit under the old CHECK); otherwise it drops everything above.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 15:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from timebank.db import triggers

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KINDS_BEFORE = (
    "kind IN ('exchange', 'gift', 'pot_donation', 'pot_grant', 'reversal', 'recognition', 'membership_end')"
)
_KINDS_AFTER = (
    "kind IN ('exchange', 'gift', 'pot_donation', 'pot_grant', 'reversal', 'recognition',"
    " 'membership_end', 'opening_balance')"
)


def _set_transaction_kinds(kinds: str) -> None:
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_transactions_kind_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_transactions_kind_known"), kinds)
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        # The rebuilt table has none of the old one's triggers.
        for statement in triggers.create_trigger_statements(dialect, ("transactions",)):
            op.execute(statement)


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    _set_transaction_kinds(_KINDS_AFTER)
    op.create_table(
        "imports",
        sa.Column("id", _id(), nullable=False),
        sa.Column("timebank_id", _id(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("files_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("members_added", sa.Integer(), nullable=False),
        sa.Column("exchanges_added", sa.Integer(), nullable=False),
        sa.Column("opening_balances_added", sa.Integer(), nullable=False),
        sa.CheckConstraint("source IN ('spreadsheet', 'timeoverflow')", name=op.f("ck_imports_source_known")),
        sa.CheckConstraint(
            "members_added >= 0 AND exchanges_added >= 0 AND opening_balances_added >= 0",
            name=op.f("ck_imports_counts_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id"], ["timebanks.id"], name=op.f("fk_imports_timebank_id_timebanks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
        sa.UniqueConstraint("timebank_id", "files_sha256", name=op.f("uq_imports_timebank_id_files_sha256")),
        sa.UniqueConstraint("timebank_id", "id", name=op.f("uq_imports_timebank_id_id")),
    )
    op.create_table(
        "import_keys",
        sa.Column("timebank_id", _id(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("natural_key_sha256", sa.String(length=64), nullable=False),
        sa.Column("import_id", _id(), nullable=False),
        sa.Column("target_id", _id(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('member', 'exchange', 'opening_balance')", name=op.f("ck_import_keys_kind_known")
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id", "import_id"],
            ["imports.timebank_id", "imports.id"],
            name=op.f("fk_import_keys_timebank_id_import_id_imports"),
        ),
        sa.PrimaryKeyConstraint("timebank_id", "kind", "natural_key_sha256", name=op.f("pk_import_keys")),
    )


def downgrade() -> None:
    opened = op.get_bind().execute(
        sa.text("SELECT count(*) FROM transactions WHERE kind = 'opening_balance'")
    )
    if opened.scalar_one():
        raise RuntimeError(
            "Cannot step down below 0016 while an opening balance exists: it cannot be removed from "
            "the append-only ledger."
        )
    op.drop_table("import_keys")
    op.drop_table("imports")
    _set_transaction_kinds(_KINDS_BEFORE)
