"""Moving in over HTTP (issue 20): uploads a coordinator has checked but not yet confirmed.

- ``import_uploads``: one row per upload whose dry run passed: the source, the digest of its files,
  how many files and bytes (at most 10 and 16 MiB, CHECKed), who sent it, when, when it expires,
  the dry run's report as JSON, and its state: ``checked``, then ``imported`` with the import's
  report, when, and the ``imports`` row it made (none when it added nothing);
- ``import_upload_files``: each upload's files, name and bytes, deleted with their upload.

Nothing else refers to an upload, and an upload moves no credits, so the downgrade drops both.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "import_uploads",
        sa.Column("id", _id(), nullable=False),
        sa.Column("timebank_id", _id(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("files_sha256", sa.String(length=64), nullable=False),
        sa.Column("file_count", sa.Integer(), nullable=False),
        sa.Column("bytes_total", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("checked_report_json", sa.Text(), nullable=False),
        sa.Column("imported_report_json", sa.Text(), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("import_id", _id(), nullable=True),
        sa.Column("openings_from_id", _id(), nullable=True),
        sa.CheckConstraint(
            "source IN ('spreadsheet', 'timeoverflow')", name=op.f("ck_import_uploads_source_known")
        ),
        sa.CheckConstraint("state IN ('checked', 'imported')", name=op.f("ck_import_uploads_state_known")),
        sa.CheckConstraint(
            "(state = 'checked' AND imported_at IS NULL AND imported_report_json IS NULL"
            " AND import_id IS NULL)"
            " OR (state = 'imported' AND imported_at IS NOT NULL AND imported_report_json IS NOT NULL)",
            name=op.f("ck_import_uploads_imported_when_recorded"),
        ),
        sa.CheckConstraint(
            "file_count >= 1 AND file_count <= 10", name=op.f("ck_import_uploads_file_count_bounded")
        ),
        sa.CheckConstraint(
            "bytes_total >= 0 AND bytes_total <= 16777216", name=op.f("ck_import_uploads_bytes_bounded")
        ),
        sa.CheckConstraint("expires_at > created_at", name=op.f("ck_import_uploads_expires_after_created")),
        sa.ForeignKeyConstraint(
            ["timebank_id"], ["timebanks.id"], name=op.f("fk_import_uploads_timebank_id_timebanks")
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id", "import_id"],
            ["imports.timebank_id", "imports.id"],
            name=op.f("fk_import_uploads_timebank_id_import_id_imports"),
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id", "openings_from_id"],
            ["organisations.timebank_id", "organisations.id"],
            name=op.f("fk_import_uploads_timebank_id_openings_from_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_uploads")),
        sa.UniqueConstraint("timebank_id", "id", name=op.f("uq_import_uploads_timebank_id_id")),
    )
    op.create_index(
        op.f("ix_import_uploads_timebank_id_state_created_at"),
        "import_uploads",
        ["timebank_id", "state", "created_at"],
    )
    op.create_index(op.f("ix_import_uploads_expires_at"), "import_uploads", ["expires_at"])
    op.create_table(
        "import_upload_files",
        sa.Column("timebank_id", _id(), nullable=False),
        sa.Column("upload_id", _id(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint(
            "position >= 0 AND position < 10", name=op.f("ck_import_upload_files_position_bounded")
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id", "upload_id"],
            ["import_uploads.timebank_id", "import_uploads.id"],
            name=op.f("fk_import_upload_files_timebank_id_upload_id_import_uploads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("upload_id", "position", name=op.f("pk_import_upload_files")),
    )


def downgrade() -> None:
    op.drop_table("import_upload_files")
    op.drop_index(op.f("ix_import_uploads_expires_at"), table_name="import_uploads")
    op.drop_index(op.f("ix_import_uploads_timebank_id_state_created_at"), table_name="import_uploads")
    op.drop_table("import_uploads")
