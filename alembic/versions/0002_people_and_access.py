"""People and access: members and their tags, organisations and staff, logins, tokens, API keys.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 05:11:44.500992
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index("ix_login_failures_subject_failed_at", ["subject", "failed_at"], unique=False)

    op.create_table(
        "logins",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_logins")),
        sa.UniqueConstraint("username", name=op.f("uq_logins_username")),
    )
    op.create_table(
        "access_tokens",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("login_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("expires_at > created_at", name=op.f("ck_access_tokens_expires_after_created")),
        sa.ForeignKeyConstraint(["login_id"], ["logins.id"], name=op.f("fk_access_tokens_login_id_logins")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_tokens")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_access_tokens_token_sha256")),
    )
    op.create_table(
        "members",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("timebank_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("login_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("is_coordinator", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["login_id"], ["logins.id"], name=op.f("fk_members_login_id_logins")),
        sa.ForeignKeyConstraint(
            ["timebank_id", "account_id"],
            ["accounts.timebank_id", "accounts.id"],
            name=op.f("fk_members_timebank_id_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id"], ["timebanks.id"], name=op.f("fk_members_timebank_id_timebanks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_members")),
        sa.UniqueConstraint("account_id", name=op.f("uq_members_account_id")),
        sa.UniqueConstraint("login_id", name=op.f("uq_members_login_id")),
        sa.UniqueConstraint("timebank_id", "id", name=op.f("uq_members_timebank_id_id")),
    )
    op.create_table(
        "organisations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("timebank_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["timebank_id", "account_id"],
            ["accounts.timebank_id", "accounts.id"],
            name=op.f("fk_organisations_timebank_id_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id"], ["timebanks.id"], name=op.f("fk_organisations_timebank_id_timebanks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
        sa.UniqueConstraint("account_id", name=op.f("uq_organisations_account_id")),
        sa.UniqueConstraint("timebank_id", "id", name=op.f("uq_organisations_timebank_id_id")),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("timebank_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("organisation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["timebank_id", "organisation_id"],
            ["organisations.timebank_id", "organisations.id"],
            name=op.f("fk_api_keys_timebank_id_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("secret_sha256", name=op.f("uq_api_keys_secret_sha256")),
    )
    op.create_table(
        "member_tags",
        sa.Column("member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("tag", sa.String(length=50), nullable=False),
        sa.Column("timebank_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["timebank_id", "member_id"],
            ["members.timebank_id", "members.id"],
            name=op.f("fk_member_tags_timebank_id_member_id_members"),
        ),
        sa.PrimaryKeyConstraint("member_id", "tag", name=op.f("pk_member_tags")),
    )
    with op.batch_alter_table("member_tags", schema=None) as batch_op:
        batch_op.create_index("ix_member_tags_timebank_tag", ["timebank_id", "tag"], unique=False)

    op.create_table(
        "organisation_staff",
        sa.Column("organisation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("timebank_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["timebank_id", "member_id"],
            ["members.timebank_id", "members.id"],
            name=op.f("fk_organisation_staff_timebank_id_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id", "organisation_id"],
            ["organisations.timebank_id", "organisations.id"],
            name=op.f("fk_organisation_staff_timebank_id_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("organisation_id", "member_id", name=op.f("pk_organisation_staff")),
    )
    with op.batch_alter_table("organisation_staff", schema=None) as batch_op:
        batch_op.create_index("ix_organisation_staff_member", ["member_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("organisation_staff", schema=None) as batch_op:
        batch_op.drop_index("ix_organisation_staff_member")

    op.drop_table("organisation_staff")
    with op.batch_alter_table("member_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_member_tags_timebank_tag")

    op.drop_table("member_tags")
    op.drop_table("api_keys")
    op.drop_table("organisations")
    op.drop_table("members")
    op.drop_table("access_tokens")
    op.drop_table("logins")
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_login_failures_subject_failed_at")

    op.drop_table("login_failures")
