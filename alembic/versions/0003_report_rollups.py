"""The reciprocity report's running totals (report_pairs, report_account_months), filled from history.

Also an index on exchanges for reading a window of activity dates. The totals are derived data:
the upgrade counts every confirmed exchange already recorded, with the same meaning of a counted
leg as ``timebank.db.repositories.counted_legs`` (written out here, so this revision keeps its
meaning whatever that module becomes); the downgrade simply drops them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 10:17:22.777479
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

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

_PAIRS = f"""
    INSERT INTO report_pairs (timebank_id, giver_account_id, receiver_account_id, first_on, exchange_count)
    SELECT timebank_id, giver, receiver, MIN(activity_on), COUNT(*)
    FROM ({_LEGS}) legs
    GROUP BY timebank_id, giver, receiver
"""

_MONTHS = """
    INSERT INTO report_account_months (
        timebank_id, account_id, month_on, exchange_count, given_exchange_count,
        given_minutes, received_minutes, first_on, last_on
    )
    SELECT timebank_id, account_id, {month}, COUNT(DISTINCT exchange_id), COUNT(DISTINCT given_exchange_id),
           SUM(given_minutes), SUM(received_minutes), MIN(activity_on), MAX(activity_on)
    FROM (
        SELECT timebank_id, giver AS account_id, exchange_id, activity_on,
               exchange_id AS given_exchange_id, minutes AS given_minutes, 0 AS received_minutes
        FROM ({legs}) gave
        UNION ALL
        SELECT timebank_id, receiver, exchange_id, activity_on, NULL, 0, minutes
        FROM ({legs}) got
    ) parties
    GROUP BY timebank_id, account_id, {month}
"""

_MONTH_START = {
    "sqlite": "substr(activity_on, 1, 7) || '-01'",
    "postgresql": "CAST(date_trunc('month', activity_on) AS date)",
}


revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_account_months",
        sa.Column("timebank_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("month_on", sa.Date(), nullable=False),
        sa.Column("exchange_count", sa.BigInteger(), nullable=False),
        sa.Column("given_exchange_count", sa.BigInteger(), nullable=False),
        sa.Column("given_minutes", sa.BigInteger(), nullable=False),
        sa.Column("received_minutes", sa.BigInteger(), nullable=False),
        sa.Column("first_on", sa.Date(), nullable=False),
        sa.Column("last_on", sa.Date(), nullable=False),
        sa.CheckConstraint("exchange_count > 0", name=op.f("ck_report_account_months_counts_something")),
        sa.CheckConstraint("first_on <= last_on", name=op.f("ck_report_account_months_first_not_after_last")),
        sa.CheckConstraint(
            "given_exchange_count >= 0 AND given_exchange_count <= exchange_count",
            name=op.f("ck_report_account_months_given_within_all"),
        ),
        sa.CheckConstraint(
            "given_minutes + received_minutes > 0", name=op.f("ck_report_account_months_minutes_moved")
        ),
        sa.CheckConstraint(
            "given_minutes >= 0 AND received_minutes >= 0",
            name=op.f("ck_report_account_months_minutes_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id", "account_id"],
            ["accounts.timebank_id", "accounts.id"],
            name=op.f("fk_report_account_months_timebank_id_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint(
            "timebank_id", "account_id", "month_on", name=op.f("pk_report_account_months")
        ),
    )
    with op.batch_alter_table("report_account_months", schema=None) as batch_op:
        batch_op.create_index(
            "ix_report_account_months_timebank_month", ["timebank_id", "month_on"], unique=False
        )

    op.create_table(
        "report_pairs",
        sa.Column("timebank_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("giver_account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "receiver_account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("first_on", sa.Date(), nullable=False),
        sa.Column("exchange_count", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("exchange_count > 0", name=op.f("ck_report_pairs_counts_something")),
        sa.CheckConstraint(
            "giver_account_id <> receiver_account_id", name=op.f("ck_report_pairs_not_a_self_pair")
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id", "giver_account_id"],
            ["accounts.timebank_id", "accounts.id"],
            name="fk_report_pairs_giver",
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id", "receiver_account_id"],
            ["accounts.timebank_id", "accounts.id"],
            name="fk_report_pairs_receiver",
        ),
        sa.PrimaryKeyConstraint(
            "timebank_id", "giver_account_id", "receiver_account_id", name=op.f("pk_report_pairs")
        ),
    )
    with op.batch_alter_table("exchanges", schema=None) as batch_op:
        batch_op.create_index(
            "ix_exchanges_timebank_status_activity",
            ["timebank_id", "status", "activity_date", "giver_account_id", "id"],
            unique=False,
        )

    bind = op.get_bind()
    op.execute(sa.text(_PAIRS))
    op.execute(sa.text(_MONTHS.format(month=_MONTH_START[bind.dialect.name], legs=_LEGS)))


def downgrade() -> None:
    with op.batch_alter_table("exchanges", schema=None) as batch_op:
        batch_op.drop_index("ix_exchanges_timebank_status_activity")

    op.drop_table("report_pairs")
    with op.batch_alter_table("report_account_months", schema=None) as batch_op:
        batch_op.drop_index("ix_report_account_months_timebank_month")

    op.drop_table("report_account_months")
