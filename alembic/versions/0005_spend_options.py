"""Spend options and spends (DESIGN B5): what organisations offer for credits, and what was spent on.

Creates the tables of ``timebank.db.spend_tables``. A spend's credits move as an ordinary exchange,
so the ledger's own tables are unchanged.

The downgrade drops both tables. The exchanges that moved the credits stay in the ledger, which
never deletes a transaction; what they were spent on, the option's class and the member's
acknowledgement go with the tables (the audit log keeps that a spend was checked and acknowledged).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 12:53:10.204117
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_CLASSES = "('member_time', 'community_activity', 'goods', 'voucher')"


def upgrade() -> None:
    op.create_table(
        "spend_options",
        sa.Column("id", _ID, nullable=False),
        sa.Column("timebank_id", _ID, nullable=False),
        sa.Column("organisation_id", _ID, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("minutes", sa.BigInteger(), nullable=False),
        sa.Column("spend_class", sa.String(length=40), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_by", sa.String(length=100), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "minutes > 0 AND minutes <= 10080", name=op.f("ck_spend_options_minutes_in_range")
        ),
        sa.CheckConstraint(f"spend_class IN {_CLASSES}", name=op.f("ck_spend_options_spend_class_known")),
        sa.CheckConstraint("title <> ''", name=op.f("ck_spend_options_title_given")),
        sa.CheckConstraint(
            "active = (withdrawn_at IS NULL)", name=op.f("ck_spend_options_withdrawn_iff_inactive")
        ),
        sa.CheckConstraint(
            "(withdrawn_at IS NULL) = (withdrawn_by IS NULL)",
            name=op.f("ck_spend_options_withdrawn_by_someone"),
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id", "organisation_id"],
            ["organisations.timebank_id", "organisations.id"],
            name=op.f("fk_spend_options_timebank_id_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spend_options")),
        sa.UniqueConstraint("timebank_id", "id", name=op.f("uq_spend_options_timebank_id_id")),
    )
    with op.batch_alter_table("spend_options", schema=None) as batch_op:
        batch_op.create_index(
            "ix_spend_options_organisation", ["timebank_id", "organisation_id", "id"], unique=False
        )

    op.create_table(
        "spends",
        sa.Column("id", _ID, nullable=False),
        sa.Column("timebank_id", _ID, nullable=False),
        sa.Column("spend_option_id", _ID, nullable=False),
        sa.Column("account_id", _ID, nullable=False),
        sa.Column("exchange_id", _ID, nullable=False),
        sa.Column("spend_class", sa.String(length=40), nullable=False),
        sa.Column("acknowledged", sa.Boolean(), nullable=False),
        sa.Column("acknowledgement", sa.String(length=200), nullable=True),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("spent_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"spend_class IN {_CLASSES}", name=op.f("ck_spends_spend_class_known")),
        sa.CheckConstraint(
            "acknowledged = (acknowledgement IS NOT NULL)", name=op.f("ck_spends_acknowledged_in_words")
        ),
        sa.CheckConstraint(
            "NOT acknowledged OR spend_class IN ('goods', 'voucher')",
            name=op.f("ck_spends_acknowledged_only_if_risky"),
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id", "spend_option_id"],
            ["spend_options.timebank_id", "spend_options.id"],
            name=op.f("fk_spends_timebank_id_spend_option_id_spend_options"),
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id", "account_id"],
            ["accounts.timebank_id", "accounts.id"],
            name=op.f("fk_spends_timebank_id_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id", "exchange_id"],
            ["exchanges.timebank_id", "exchanges.id"],
            name=op.f("fk_spends_timebank_id_exchange_id_exchanges"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spends")),
        sa.UniqueConstraint("exchange_id", name=op.f("uq_spends_exchange_id")),
    )
    with op.batch_alter_table("spends", schema=None) as batch_op:
        batch_op.create_index(
            "ix_spends_account_spent", ["timebank_id", "account_id", "spent_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("spends", schema=None) as batch_op:
        batch_op.drop_index("ix_spends_account_spent")

    op.drop_table("spends")
    with op.batch_alter_table("spend_options", schema=None) as batch_op:
        batch_op.drop_index("ix_spend_options_organisation")

    op.drop_table("spend_options")
