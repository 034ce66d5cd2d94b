"""Invitations to activities, and the benefit advice a member gets about a payment offered (B4).

Creates ``activity_invitations`` (the members an organisation invited to an activity: only they may
be offered a payment for it, or have one checked against the benefit guard) and ``payment_advice``
(the guard's warnings about such a payment in the member's own words, which only the member and
coordinators read). Both are new; nothing else changes.

The downgrade drops both tables. Invitations and advice go with them; the payments, the
attendance and the audit log's record of every check stay.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "activity_invitations",
        sa.Column("activity_id", _ID, nullable=False),
        sa.Column("account_id", _ID, nullable=False),
        sa.Column("timebank_id", _ID, nullable=False),
        sa.Column("invited_by", sa.String(length=100), nullable=False),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["timebank_id", "activity_id"],
            ["activities.timebank_id", "activities.id"],
            name=op.f("fk_activity_invitations_timebank_id_activity_id_activities"),
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id", "account_id"],
            ["accounts.timebank_id", "accounts.id"],
            name=op.f("fk_activity_invitations_timebank_id_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("activity_id", "account_id", name=op.f("pk_activity_invitations")),
    )
    with op.batch_alter_table("activity_invitations", schema=None) as batch_op:
        batch_op.create_index("ix_activity_invitations_account", ["account_id", "activity_id"], unique=False)

    op.create_table(
        "payment_advice",
        sa.Column("activity_id", _ID, nullable=False),
        sa.Column("account_id", _ID, nullable=False),
        sa.Column("timebank_id", _ID, nullable=False),
        sa.Column("organisation_id", _ID, nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("amount_pence", sa.BigInteger(), nullable=False),
        sa.Column("worked_minutes", sa.BigInteger(), nullable=False),
        sa.Column("warnings", sa.Text(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "amount_pence > 0 AND amount_pence <= 10000000", name=op.f("ck_payment_advice_amount_in_range")
        ),
        sa.CheckConstraint(
            "worked_minutes >= 0 AND worked_minutes <= 10080", name=op.f("ck_payment_advice_worked_in_range")
        ),
        sa.CheckConstraint("length(warnings) <= 8000", name=op.f("ck_payment_advice_warnings_short")),
        sa.ForeignKeyConstraint(
            ["timebank_id", "organisation_id", "activity_id"],
            ["activities.timebank_id", "activities.organisation_id", "activities.id"],
            name=op.f("fk_payment_advice_timebank_id_organisation_id_activity_id_activities"),
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id", "account_id"],
            ["accounts.timebank_id", "accounts.id"],
            name=op.f("fk_payment_advice_timebank_id_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("activity_id", "account_id", name=op.f("pk_payment_advice")),
    )
    with op.batch_alter_table("payment_advice", schema=None) as batch_op:
        batch_op.create_index(
            "ix_payment_advice_account", ["timebank_id", "account_id", "checked_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("payment_advice", schema=None) as batch_op:
        batch_op.drop_index("ix_payment_advice_account")
    op.drop_table("payment_advice")
    with op.batch_alter_table("activity_invitations", schema=None) as batch_op:
        batch_op.drop_index("ix_activity_invitations_account")
    op.drop_table("activity_invitations")
