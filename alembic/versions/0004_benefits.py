"""Recognising involvement (issue 4): activities, attendance, money kept apart, declarations, audit log.

Creates the tables of ``timebank.db.benefit_tables`` and makes the audit log append-only with the
same triggers as the ledger (on PostgreSQL they call the function 0001 created). Adds the
``recognition`` kind to the transactions' CHECK: PostgreSQL drops and adds the constraint; SQLite
cannot alter a constraint, so batch mode rebuilds ``transactions`` (copy, drop, rename), which drops
its append-only triggers with the old table, and they are created again. ``env.py`` runs SQLite's
migrations with foreign keys off and checks them all before committing, as SQLite's own procedure
for rebuilding a table asks.

The downgrade refuses while any recognition transaction exists: the ledger is append-only, so
there is no honest way to fit them under the old CHECK.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 10:35:50.411430
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from timebank.db import triggers

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KINDS_BEFORE = "kind IN ('exchange', 'gift', 'pot_donation', 'pot_grant', 'reversal')"
_KINDS_AFTER = "kind IN ('exchange', 'gift', 'pot_donation', 'pot_grant', 'reversal', 'recognition')"


def _set_transaction_kinds(kinds: str) -> None:
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_transactions_kind_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_transactions_kind_known"), kinds)
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        # The rebuilt table has none of the old one's triggers.
        for statement in triggers.create_trigger_statements(dialect, ("transactions",)):
            op.execute(statement)


def upgrade() -> None:
    _set_transaction_kinds(_KINDS_AFTER)
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("timebank_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("subject_account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.CheckConstraint("action <> ''", name=op.f("ck_audit_log_action_given")),
        sa.CheckConstraint("length(details) <= 2000", name=op.f("ck_audit_log_details_short")),
        sa.ForeignKeyConstraint(
            ["timebank_id", "subject_account_id"],
            ["accounts.timebank_id", "accounts.id"],
            name=op.f("fk_audit_log_timebank_id_subject_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_log_subject", ["timebank_id", "subject_account_id", "at"], unique=False
        )

    op.create_table(
        "benefit_declarations",
        sa.Column("account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("timebank_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("categories", sa.String(length=200), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("declared_by", sa.String(length=100), nullable=False),
        sa.Column("set_for_member", sa.Boolean(), nullable=False),
        sa.CheckConstraint("categories <> ''", name=op.f("ck_benefit_declarations_categories_given")),
        sa.ForeignKeyConstraint(
            ["timebank_id", "account_id"],
            ["accounts.timebank_id", "accounts.id"],
            name=op.f("fk_benefit_declarations_timebank_id_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_benefit_declarations")),
    )
    op.create_table(
        "activities",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("timebank_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("organisation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("duration_minutes", sa.BigInteger(), nullable=False),
        sa.Column("classification", sa.String(length=40), nullable=False),
        sa.Column("purpose", sa.String(length=500), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "classification IN ('uses_services', 'volunteering', 'community_activity')",
            name=op.f("ck_activities_classification_known"),
        ),
        sa.CheckConstraint(
            "duration_minutes > 0 AND duration_minutes <= 10080", name=op.f("ck_activities_duration_in_range")
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id", "organisation_id"],
            ["organisations.timebank_id", "organisations.id"],
            name=op.f("fk_activities_timebank_id_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
        sa.UniqueConstraint("timebank_id", "id", name=op.f("uq_activities_timebank_id_id")),
        sa.UniqueConstraint(
            "timebank_id", "organisation_id", "id", name=op.f("uq_activities_timebank_id_organisation_id_id")
        ),
    )
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.create_index(
            "ix_activities_organisation_held", ["timebank_id", "organisation_id", "held_on"], unique=False
        )

    op.create_table(
        "attendance",
        sa.Column("activity_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("timebank_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("minutes", sa.BigInteger(), nullable=False),
        sa.Column("reward", sa.String(length=20), nullable=False),
        sa.Column("chosen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column(
            "recognition_transaction_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.CheckConstraint(
            "(reward = 'credits') = (recognition_transaction_id IS NOT NULL)",
            name=op.f("ck_attendance_credits_iff_recognised"),
        ),
        sa.CheckConstraint(
            "reward IN ('credits', 'payment', 'reduced_payment', 'decline', 'charity')",
            name=op.f("ck_attendance_reward_known"),
        ),
        sa.CheckConstraint("minutes > 0 AND minutes <= 10080", name=op.f("ck_attendance_minutes_in_range")),
        sa.ForeignKeyConstraint(
            ["timebank_id", "account_id"],
            ["accounts.timebank_id", "accounts.id"],
            name=op.f("fk_attendance_timebank_id_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id", "activity_id"],
            ["activities.timebank_id", "activities.id"],
            name=op.f("fk_attendance_timebank_id_activity_id_activities"),
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id", "recognition_transaction_id"],
            ["transactions.timebank_id", "transactions.id"],
            name=op.f("fk_attendance_timebank_id_recognition_transaction_id_transactions"),
        ),
        sa.PrimaryKeyConstraint("activity_id", "account_id", name=op.f("pk_attendance")),
    )
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.create_index("ix_attendance_account", ["account_id", "activity_id"], unique=False)

    op.create_table(
        "expenses",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("timebank_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("organisation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("activity_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("incurred_on", sa.Date(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("amount_pence", sa.BigInteger(), nullable=False),
        sa.Column("evidence_kind", sa.String(length=20), nullable=False),
        sa.Column("receipt_reference", sa.String(length=200), nullable=True),
        sa.Column("journey", sa.String(length=500), nullable=True),
        sa.Column("miles", sa.BigInteger(), nullable=True),
        sa.Column("pence_per_mile", sa.BigInteger(), nullable=True),
        sa.Column("evidenced_pence", sa.BigInteger(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(evidence_kind = 'receipt' AND receipt_reference IS NOT NULL AND journey IS NULL"
            " AND miles IS NULL AND pence_per_mile IS NULL)"
            " OR (evidence_kind = 'mileage' AND receipt_reference IS NULL AND journey IS NOT NULL"
            " AND miles IS NOT NULL AND pence_per_mile IS NOT NULL"
            " AND evidenced_pence = miles * pence_per_mile)",
            name=op.f("ck_expenses_evidence_shape"),
        ),
        sa.CheckConstraint(
            "evidence_kind IN ('receipt', 'mileage')", name=op.f("ck_expenses_evidence_kind_known")
        ),
        sa.CheckConstraint("amount_pence <= evidenced_pence", name=op.f("ck_expenses_within_evidence")),
        sa.CheckConstraint(
            "amount_pence > 0 AND amount_pence <= 10000000", name=op.f("ck_expenses_amount_in_range")
        ),
        sa.CheckConstraint(
            "evidenced_pence > 0 AND evidenced_pence <= 10000000", name=op.f("ck_expenses_evidence_in_range")
        ),
        sa.CheckConstraint(
            "miles IS NULL OR (miles > 0 AND miles <= 2000)", name=op.f("ck_expenses_miles_in_range")
        ),
        sa.CheckConstraint(
            "pence_per_mile IS NULL OR (pence_per_mile > 0 AND pence_per_mile <= 100)",
            name=op.f("ck_expenses_mileage_rate_in_range"),
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id", "account_id"],
            ["accounts.timebank_id", "accounts.id"],
            name=op.f("fk_expenses_timebank_id_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id", "organisation_id", "activity_id"],
            ["activities.timebank_id", "activities.organisation_id", "activities.id"],
            name=op.f("fk_expenses_timebank_id_organisation_id_activity_id_activities"),
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id", "organisation_id"],
            ["organisations.timebank_id", "organisations.id"],
            name=op.f("fk_expenses_timebank_id_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expenses")),
    )
    with op.batch_alter_table("expenses", schema=None) as batch_op:
        batch_op.create_index("ix_expenses_account_incurred", ["account_id", "incurred_on"], unique=False)

    op.create_table(
        "declined_payments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("timebank_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("organisation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("activity_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("choice", sa.String(length=20), nullable=False),
        sa.Column("declined_on", sa.Date(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("offered_pence", sa.BigInteger(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=True),
        sa.Column("charity_name", sa.String(length=200), nullable=True),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(choice = 'charity') = (charity_name IS NOT NULL)",
            name=op.f("ck_declined_payments_charity_named_iff_chosen"),
        ),
        sa.CheckConstraint(
            "choice = 'decline' OR offered_pence IS NOT NULL",
            name=op.f("ck_declined_payments_charity_needs_offer"),
        ),
        sa.CheckConstraint(
            "choice IN ('decline', 'charity')", name=op.f("ck_declined_payments_choice_known")
        ),
        sa.CheckConstraint(
            "kind IS NULL OR kind IN ('cash', 'voucher', 'gift')",
            name=op.f("ck_declined_payments_kind_known"),
        ),
        sa.CheckConstraint(
            "(offered_pence IS NULL) = (kind IS NULL)", name=op.f("ck_declined_payments_offer_has_kind")
        ),
        sa.CheckConstraint(
            "offered_pence IS NULL OR (offered_pence > 0 AND offered_pence <= 10000000)",
            name=op.f("ck_declined_payments_offer_in_range"),
        ),
        sa.ForeignKeyConstraint(
            ["activity_id", "account_id"],
            ["attendance.activity_id", "attendance.account_id"],
            name=op.f("fk_declined_payments_activity_id_account_id_attendance"),
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id", "account_id"],
            ["accounts.timebank_id", "accounts.id"],
            name=op.f("fk_declined_payments_timebank_id_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id", "organisation_id", "activity_id"],
            ["activities.timebank_id", "activities.organisation_id", "activities.id"],
            name=op.f("fk_declined_payments_timebank_id_organisation_id_activity_id_activities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_declined_payments")),
        sa.UniqueConstraint(
            "activity_id", "account_id", name=op.f("uq_declined_payments_activity_id_account_id")
        ),
    )
    op.create_table(
        "payments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("timebank_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("organisation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("activity_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("amount_pence", sa.BigInteger(), nullable=False),
        sa.Column("offered_pence", sa.BigInteger(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("period_kind", sa.String(length=20), nullable=False),
        sa.Column("period_from_on", sa.Date(), nullable=False),
        sa.Column("period_to_on", sa.Date(), nullable=False),
        sa.Column("worked_minutes", sa.BigInteger(), nullable=False),
        sa.Column("acknowledgement_needed", sa.Boolean(), nullable=False),
        sa.Column("acknowledgement_reference", sa.String(length=200), nullable=True),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('cash', 'voucher', 'gift')", name=op.f("ck_payments_kind_known")),
        sa.CheckConstraint("period_kind IN ('week', 'month')", name=op.f("ck_payments_period_kind_known")),
        sa.CheckConstraint(
            "acknowledgement_reference IS NOT NULL OR NOT acknowledgement_needed",
            name=op.f("ck_payments_acknowledged_where_needed"),
        ),
        sa.CheckConstraint(
            "amount_pence > 0 AND amount_pence <= 10000000", name=op.f("ck_payments_amount_in_range")
        ),
        sa.CheckConstraint(
            "offered_pence IS NULL OR offered_pence > amount_pence",
            name=op.f("ck_payments_reduced_below_offer"),
        ),
        sa.CheckConstraint("period_to_on > period_from_on", name=op.f("ck_payments_period_not_empty")),
        sa.CheckConstraint(
            "worked_minutes >= 0 AND worked_minutes <= 10080", name=op.f("ck_payments_worked_in_range")
        ),
        sa.ForeignKeyConstraint(
            ["activity_id", "account_id"],
            ["attendance.activity_id", "attendance.account_id"],
            name=op.f("fk_payments_activity_id_account_id_attendance"),
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id", "account_id"],
            ["accounts.timebank_id", "accounts.id"],
            name=op.f("fk_payments_timebank_id_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id", "organisation_id", "activity_id"],
            ["activities.timebank_id", "activities.organisation_id", "activities.id"],
            name=op.f("fk_payments_timebank_id_organisation_id_activity_id_activities"),
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id", "organisation_id"],
            ["organisations.timebank_id", "organisations.id"],
            name=op.f("fk_payments_timebank_id_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("activity_id", "account_id", name=op.f("uq_payments_activity_id_account_id")),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index("ix_payments_account_paid", ["account_id", "paid_on"], unique=False)

    dialect = op.get_bind().dialect.name
    for statement in triggers.create_trigger_statements(dialect, triggers.AUDIT_TABLES):
        op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    recognitions = bind.execute(sa.text("SELECT count(*) FROM transactions WHERE kind = 'recognition'"))
    found = recognitions.scalar_one()
    if found:
        raise RuntimeError(
            f"Cannot downgrade below 0004: {found} recognition transaction(s) exist, and the ledger "
            "never deletes a transaction"
        )
    for statement in triggers.drop_trigger_statements(bind.dialect.name, triggers.AUDIT_TABLES):
        op.execute(statement)
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index("ix_payments_account_paid")

    op.drop_table("payments")
    op.drop_table("declined_payments")
    with op.batch_alter_table("expenses", schema=None) as batch_op:
        batch_op.drop_index("ix_expenses_account_incurred")

    op.drop_table("expenses")
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.drop_index("ix_attendance_account")

    op.drop_table("attendance")
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index("ix_activities_organisation_held")

    op.drop_table("activities")
    op.drop_table("benefit_declarations")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_subject")

    op.drop_table("audit_log")
    _set_transaction_kinds(_KINDS_BEFORE)
