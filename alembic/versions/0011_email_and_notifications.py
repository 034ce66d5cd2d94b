"""Being told: a member's email address, its verifications, notification preferences and the outbox.

Two nullable columns on ``members`` (``email``, ``email_verified_at``), added with ``ALTER TABLE ...
ADD COLUMN`` on both databases so no table is rebuilt and every member already recorded simply has
no address yet; and three new tables (``timebank.db.notification_tables`` says what each holds).
Lengths are written out here so this revision keeps its meaning whatever the metadata becomes.

The downgrade drops the three tables (queued and sent messages, preferences and pending
verifications with them) and the two columns.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_EMAIL_LENGTH = 254


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _at() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _member_key(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["timebank_id", "member_id"],
        ["members.timebank_id", "members.id"],
        name=op.f(f"fk_{table}_timebank_id_member_id_members"),
    )


def upgrade() -> None:
    op.add_column("members", sa.Column("email", sa.String(length=_EMAIL_LENGTH), nullable=True))
    op.add_column("members", sa.Column("email_verified_at", _at(), nullable=True))
    op.create_table(
        "email_verifications",
        sa.Column("id", _id(), nullable=False),
        sa.Column("timebank_id", _id(), nullable=False),
        sa.Column("member_id", _id(), nullable=False),
        sa.Column("email", sa.String(length=_EMAIL_LENGTH), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", _at(), nullable=False),
        sa.Column("expires_at", _at(), nullable=False),
        sa.Column("used_at", _at(), nullable=True),
        sa.CheckConstraint(
            "expires_at > created_at", name=op.f("ck_email_verifications_verification_expires_after_created")
        ),
        _member_key("email_verifications"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_verifications")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_email_verifications_token_sha256")),
    )
    op.create_index("ix_email_verifications_member_id", "email_verifications", ["member_id"])
    op.create_table(
        "notification_preferences",
        sa.Column("member_id", _id(), nullable=False),
        sa.Column("timebank_id", _id(), nullable=False),
        sa.Column("muted_kinds", sa.String(length=500), nullable=False),
        sa.Column("unsubscribe_key", sa.String(length=64), nullable=False),
        sa.Column("changed_at", _at(), nullable=False),
        _member_key("notification_preferences"),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_notification_preferences")),
    )
    op.create_table(
        "notification_outbox",
        sa.Column("id", _id(), nullable=False),
        sa.Column("timebank_id", _id(), nullable=False),
        sa.Column("member_id", _id(), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("event_key", sa.String(length=100), nullable=False),
        sa.Column("to_address", sa.String(length=_EMAIL_LENGTH), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", _at(), nullable=False),
        sa.Column("due_at", _at(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("claimed_until", _at(), nullable=True),
        sa.Column("sent_at", _at(), nullable=True),
        sa.Column("given_up_at", _at(), nullable=True),
        sa.Column("is_security", sa.Boolean(), nullable=False),
        sa.UniqueConstraint(
            "member_id", "kind", "event_key", name=op.f("uq_notification_outbox_member_id_kind_event_key")
        ),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_notification_outbox_attempts_not_negative")),
        sa.CheckConstraint(
            "sent_at IS NULL OR given_up_at IS NULL", name=op.f("ck_notification_outbox_sent_or_given_up")
        ),
        _member_key("notification_outbox"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_outbox")),
    )
    op.create_index("ix_notification_outbox_due", "notification_outbox", ["sent_at", "given_up_at", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_notification_outbox_due", table_name="notification_outbox")
    op.drop_table("notification_outbox")
    op.drop_table("notification_preferences")
    op.drop_index("ix_email_verifications_member_id", table_name="email_verifications")
    op.drop_table("email_verifications")
    # ALTER TABLE ... DROP COLUMN on both databases (SQLite 3.35 and later): no table is rebuilt.
    op.drop_column("members", "email_verified_at")
    op.drop_column("members", "email")
