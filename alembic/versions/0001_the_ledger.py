"""The ledger: timebanks, accounts, transactions, transfers, exchanges, idempotency, limit log.

Transfers and transactions are made append-only by triggers (``timebank.db.triggers``).

Revision ID: 0001
Revises:
Create Date: 2026-11-22 03:04:10.118785
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from timebank.db import triggers

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "timebanks",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("pot_account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("default_member_floor_minutes", sa.BigInteger(), nullable=False),
        sa.Column("default_member_cap_minutes", sa.BigInteger(), nullable=True),
        sa.Column("default_organisation_floor_minutes", sa.BigInteger(), nullable=False),
        sa.Column("minutes_per_transfer_max", sa.BigInteger(), nullable=False),
        sa.Column("pending_expiry_days", sa.Integer(), nullable=False),
        sa.Column("auto_confirm_pending", sa.Boolean(), nullable=False),
        sa.Column("require_both_sides", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "default_member_floor_minutes <= 0", name=op.f("ck_timebanks_member_floor_not_positive")
        ),
        sa.CheckConstraint(
            "default_organisation_floor_minutes <= 0",
            name=op.f("ck_timebanks_org_floor_not_positive"),
        ),
        sa.CheckConstraint("minutes_per_transfer_max > 0", name=op.f("ck_timebanks_transfer_max_positive")),
        sa.CheckConstraint("pending_expiry_days > 0", name=op.f("ck_timebanks_expiry_days_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timebanks")),
    )
    op.create_table(
        "accounts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("timebank_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("balance_minutes", sa.BigInteger(), nullable=False),
        sa.Column("earned_minutes", sa.BigInteger(), nullable=False),
        sa.Column("spent_minutes", sa.BigInteger(), nullable=False),
        sa.Column("floor_minutes", sa.BigInteger(), nullable=False),
        sa.Column("cap_minutes", sa.BigInteger(), nullable=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('member', 'organisation', 'pot')", name=op.f("ck_accounts_kind_known")),
        sa.CheckConstraint(
            "balance_minutes = earned_minutes - spent_minutes",
            name=op.f("ck_accounts_balance_is_in_minus_out"),
        ),
        sa.CheckConstraint("balance_minutes >= floor_minutes", name=op.f("ck_accounts_balance_within_floor")),
        sa.CheckConstraint(
            "cap_minutes IS NULL OR balance_minutes <= cap_minutes",
            name=op.f("ck_accounts_balance_within_cap"),
        ),
        sa.CheckConstraint(
            "cap_minutes IS NULL OR cap_minutes >= 0", name=op.f("ck_accounts_cap_not_negative")
        ),
        sa.CheckConstraint(
            "earned_minutes >= 0 AND spent_minutes >= 0",
            name=op.f("ck_accounts_counters_not_negative"),
        ),
        sa.CheckConstraint("floor_minutes <= 0", name=op.f("ck_accounts_floor_not_positive")),
        sa.CheckConstraint("version >= 0", name=op.f("ck_accounts_version_not_negative")),
        sa.ForeignKeyConstraint(
            ["timebank_id"], ["timebanks.id"], name=op.f("fk_accounts_timebank_id_timebanks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("timebank_id", "id", name=op.f("uq_accounts_timebank_id_id")),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("timebank_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("caller", sa.String(length=100), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("operation", sa.String(length=60), nullable=False),
        sa.Column("request_sha256", sa.String(length=64), nullable=False),
        sa.Column("response_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint(
            "timebank_id", "caller", "key", name=op.f("uq_idempotency_keys_timebank_id_caller_key")
        ),
    )
    op.create_table(
        "transactions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("timebank_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column(
            "reverses_transaction_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(kind = 'reversal') = (reverses_transaction_id IS NOT NULL)",
            name=op.f("ck_transactions_reversal_points_back"),
        ),
        sa.CheckConstraint(
            "kind IN ('exchange', 'gift', 'pot_donation', 'pot_grant', 'reversal')",
            name=op.f("ck_transactions_kind_known"),
        ),
        sa.ForeignKeyConstraint(
            ["reverses_transaction_id"],
            ["transactions.id"],
            name=op.f("fk_transactions_reverses_transaction_id_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transactions")),
        sa.UniqueConstraint("reverses_transaction_id", name=op.f("uq_transactions_reverses_transaction_id")),
        sa.UniqueConstraint("timebank_id", "id", name=op.f("uq_transactions_timebank_id_id")),
    )
    op.create_table(
        "exchanges",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("timebank_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("giver_account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("activity_date", sa.Date(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("category", sa.String(length=80), nullable=True),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column(
            "recorded_by_account_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column("giver_consent_needed", sa.Boolean(), nullable=False),
        sa.Column("giver_consented_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("transaction_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "reversal_transaction_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(status = 'reversed') = (reversal_transaction_id IS NOT NULL)",
            name=op.f("ck_exchanges_reversed_iff_reversal"),
        ),
        sa.CheckConstraint(
            "(status IN ('confirmed', 'reversed')) = (transaction_id IS NOT NULL)",
            name=op.f("ck_exchanges_posted_iff_transaction"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'confirmed', 'declined', 'cancelled', 'expired', 'reversed')",
            name=op.f("ck_exchanges_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id", "giver_account_id"],
            ["accounts.timebank_id", "accounts.id"],
            name=op.f("fk_exchanges_timebank_id_giver_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id", "transaction_id"],
            ["transactions.timebank_id", "transactions.id"],
            name=op.f("fk_exchanges_timebank_id_transaction_id_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchanges")),
        sa.UniqueConstraint("timebank_id", "id", name=op.f("uq_exchanges_timebank_id_id")),
        sa.UniqueConstraint("transaction_id", name=op.f("uq_exchanges_transaction_id")),
    )
    with op.batch_alter_table("exchanges", schema=None) as batch_op:
        batch_op.create_index("ix_exchanges_giver", ["giver_account_id", "id"], unique=False)
        batch_op.create_index(
            "ix_exchanges_timebank_status_created",
            ["timebank_id", "status", "created_at"],
            unique=False,
        )

    op.create_table(
        "limit_changes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("timebank_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("floor_minutes_before", sa.BigInteger(), nullable=False),
        sa.Column("cap_minutes_before", sa.BigInteger(), nullable=True),
        sa.Column("floor_minutes_after", sa.BigInteger(), nullable=False),
        sa.Column("cap_minutes_after", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("changed_by", sa.String(length=100), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["timebank_id", "account_id"],
            ["accounts.timebank_id", "accounts.id"],
            name=op.f("fk_limit_changes_timebank_id_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_limit_changes")),
    )
    op.create_table(
        "transfers",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("timebank_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("transaction_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "source_account_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "target_account_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("minutes", sa.BigInteger(), nullable=False),
        sa.Column("source_balance_after_minutes", sa.BigInteger(), nullable=False),
        sa.Column("target_balance_after_minutes", sa.BigInteger(), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("minutes > 0", name=op.f("ck_transfers_minutes_positive")),
        sa.CheckConstraint(
            "source_account_id <> target_account_id", name=op.f("ck_transfers_accounts_differ")
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id", "source_account_id"],
            ["accounts.timebank_id", "accounts.id"],
            name=op.f("fk_transfers_timebank_id_source_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id", "target_account_id"],
            ["accounts.timebank_id", "accounts.id"],
            name=op.f("fk_transfers_timebank_id_target_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id", "transaction_id"],
            ["transactions.timebank_id", "transactions.id"],
            name=op.f("fk_transfers_timebank_id_transaction_id_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfers")),
    )
    with op.batch_alter_table("transfers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_transfers_source_posted", ["source_account_id", "posted_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_transfers_target_posted", ["target_account_id", "posted_at", "id"], unique=False
        )
        batch_op.create_index("ix_transfers_transaction", ["transaction_id"], unique=False)

    op.create_table(
        "exchange_receivers",
        sa.Column("exchange_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("timebank_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("minutes", sa.BigInteger(), nullable=False),
        sa.Column("consent_needed", sa.Boolean(), nullable=False),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("minutes > 0", name=op.f("ck_exchange_receivers_minutes_positive")),
        sa.ForeignKeyConstraint(
            ["timebank_id", "account_id"],
            ["accounts.timebank_id", "accounts.id"],
            name=op.f("fk_exchange_receivers_timebank_id_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id", "exchange_id"],
            ["exchanges.timebank_id", "exchanges.id"],
            name=op.f("fk_exchange_receivers_timebank_id_exchange_id_exchanges"),
        ),
        sa.PrimaryKeyConstraint("exchange_id", "account_id", name=op.f("pk_exchange_receivers")),
    )
    with op.batch_alter_table("exchange_receivers", schema=None) as batch_op:
        batch_op.create_index("ix_exchange_receivers_account", ["account_id", "exchange_id"], unique=False)

    for statement in triggers.create_statements(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in triggers.drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
    with op.batch_alter_table("exchange_receivers", schema=None) as batch_op:
        batch_op.drop_index("ix_exchange_receivers_account")

    op.drop_table("exchange_receivers")
    with op.batch_alter_table("transfers", schema=None) as batch_op:
        batch_op.drop_index("ix_transfers_transaction")
        batch_op.drop_index("ix_transfers_target_posted")
        batch_op.drop_index("ix_transfers_source_posted")

    op.drop_table("transfers")
    op.drop_table("limit_changes")
    with op.batch_alter_table("exchanges", schema=None) as batch_op:
        batch_op.drop_index("ix_exchanges_timebank_status_created")
        batch_op.drop_index("ix_exchanges_giver")

    op.drop_table("exchanges")
    op.drop_table("transactions")
    op.drop_table("idempotency_keys")
    op.drop_table("accounts")
    op.drop_table("timebanks")
