"""The report's pairs by calendar month (report_pair_months), filled from history, and two indexes.

``report_pair_months`` holds, for each ordered pair (giver, receiver) and calendar month, the
minutes and the number of its counted legs, so that a window's pairs and its monthly series are
read as a range of whole months. The upgrade counts every confirmed exchange already recorded, with
the same meaning of a counted leg as ``timebank.db.repositories.counted_legs`` (written out here,
as 0003 did, so this revision keeps its meaning whatever that module becomes); its CHECKs are
written out too. The indexes serve the report: ``report_pairs`` by first date (the pairs that first
exchanged inside a window), and ``transactions`` by kind and time (a window's pot grants and
recognition). The downgrade drops the table and the indexes; nothing in the ledger refers to them.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 14:58:27.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# A leg per (exchange, receiver) of a confirmed exchange whose two ends are not both organisations.
_LEGS = """
    SELECT e.timebank_id, e.id AS exchange_id, e.activity_date AS activity_on,
           e.giver_account_id AS giver, r.account_id AS receiver, r.minutes
    FROM exchanges e JOIN exchange_receivers r ON r.exchange_id = e.id
    WHERE e.status = 'confirmed'
      AND NOT (
        e.giver_account_id IN (SELECT o.account_id FROM organisations o WHERE o.timebank_id = e.timebank_id)
        AND r.account_id IN (SELECT o.account_id FROM organisations o WHERE o.timebank_id = e.timebank_id)
      )
"""

_PAIR_MONTHS = """
    INSERT INTO report_pair_months (
        timebank_id, month_on, giver_account_id, receiver_account_id, minutes, exchange_count
    )
    SELECT timebank_id, {month}, giver, receiver, SUM(minutes), COUNT(*)
    FROM ({legs}) legs
    GROUP BY timebank_id, {month}, giver, receiver
"""

_MONTH_START = {
    "sqlite": "substr(activity_on, 1, 7) || '-01'",
    "postgresql": "CAST(date_trunc('month', activity_on) AS date)",
}


def upgrade() -> None:
    op.create_table(
        "report_pair_months",
        sa.Column("timebank_id", _ID, nullable=False),
        sa.Column("month_on", sa.Date(), nullable=False),
        sa.Column("giver_account_id", _ID, nullable=False),
        sa.Column("receiver_account_id", _ID, nullable=False),
        sa.Column("minutes", sa.BigInteger(), nullable=False),
        sa.Column("exchange_count", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "giver_account_id <> receiver_account_id", name=op.f("ck_report_pair_months_not_a_self_pair")
        ),
        sa.CheckConstraint("exchange_count > 0", name=op.f("ck_report_pair_months_counts_something")),
        # Every leg moves at least a minute.
        sa.CheckConstraint("minutes >= exchange_count", name=op.f("ck_report_pair_months_a_minute_a_leg")),
        sa.ForeignKeyConstraint(
            ["timebank_id", "giver_account_id"],
            ["accounts.timebank_id", "accounts.id"],
            name=op.f("fk_report_pair_months_giver"),
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id", "receiver_account_id"],
            ["accounts.timebank_id", "accounts.id"],
            name=op.f("fk_report_pair_months_receiver"),
        ),
        sa.PrimaryKeyConstraint(
            "timebank_id",
            "month_on",
            "giver_account_id",
            "receiver_account_id",
            name=op.f("pk_report_pair_months"),
        ),
        # On SQLite the rows are stored in key order, so a range of months is one sweep of the table.
        sqlite_with_rowid=False,
    )
    # Plain CREATE INDEX on both databases: neither table is rebuilt (on SQLite a rebuild of
    # transactions would drop its append-only triggers).
    op.create_index("ix_report_pairs_timebank_first_on", "report_pairs", ["timebank_id", "first_on"])
    op.create_index(
        "ix_transactions_timebank_kind_created", "transactions", ["timebank_id", "kind", "created_at"]
    )

    bind = op.get_bind()
    op.execute(sa.text(_PAIR_MONTHS.format(month=_MONTH_START[bind.dialect.name], legs=_LEGS)))


def downgrade() -> None:
    op.drop_index("ix_transactions_timebank_kind_created", table_name="transactions")
    op.drop_index("ix_report_pairs_timebank_first_on", table_name="report_pairs")
    op.drop_table("report_pair_months")
