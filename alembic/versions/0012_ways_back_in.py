"""Ways back in: set-password codes and reset links, and logins a coordinator has turned off.

One nullable column on ``logins`` (``disabled_at``), added with ``ALTER TABLE ... ADD COLUMN`` so no
table is rebuilt and every login already recorded stays on; and one new table, ``password_codes``
(``timebank.db.people_tables`` says what it holds). Lengths are written out here so this revision
keeps its meaning whatever the metadata becomes.

The downgrade drops the table (unused codes and links with it) and the column (every login is on
again).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-09 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _at() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("logins", sa.Column("disabled_at", _at(), nullable=True))
    op.create_table(
        "password_codes",
        sa.Column("id", _id(), nullable=False),
        sa.Column("timebank_id", _id(), nullable=False),
        sa.Column("member_id", _id(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column("issued_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", _at(), nullable=False),
        sa.Column("expires_at", _at(), nullable=False),
        sa.Column("used_at", _at(), nullable=True),
        sa.CheckConstraint(
            "expires_at > created_at", name=op.f("ck_password_codes_password_code_expires_after_created")
        ),
        sa.CheckConstraint("kind IN ('code', 'link')", name=op.f("ck_password_codes_password_code_kind")),
        sa.ForeignKeyConstraint(
            ["timebank_id", "member_id"],
            ["members.timebank_id", "members.id"],
            name=op.f("fk_password_codes_timebank_id_member_id_members"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_codes")),
        sa.UniqueConstraint("secret_sha256", name=op.f("uq_password_codes_secret_sha256")),
    )
    op.create_index("ix_password_codes_member_id", "password_codes", ["member_id"])


def downgrade() -> None:
    op.drop_index("ix_password_codes_member_id", table_name="password_codes")
    op.drop_table("password_codes")
    op.drop_column("logins", "disabled_at")
