"""What the imports of a timebank's history wrote, so that the same rows never land twice.

An import (``timebank.imports``) writes members, exchanges, opening balances and offers and
requests from files made by
another system or by hand. ``imports`` holds one row per import that wrote something: the source,
the digest of the files as given (unique in a timebank, so the same files given again are known at
once), who ran it and when, and what it added. ``import_keys`` names each thing it added by its
natural key in the source (a member's number or username; an exchange's day, parties, minutes,
words and occurrence; a post's number), hashed to a fixed length; a later import of an overlapping
file adds only rows whose keys are new. Migrations 0016 and 0018.

``import_uploads`` holds what a coordinator sent over HTTP and checked but has not yet confirmed
(migration 0017): the source, the digest of its files, who sent it and when, when it expires, the
dry run's report (JSON), and, once confirmed, the import's report and the ``imports`` row it made.
Its files, name and bytes, are ``import_upload_files``, deleted once the upload is imported (the
import is recorded; the bytes are no longer needed) or when it expires (``timebank tidy``).
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from timebank.db.tables import Id, UtcDateTime, metadata

__all__ = [
    "IMPORT_FILE_NAME_LENGTH_MAX",
    "IMPORT_KEY_KINDS",
    "IMPORT_SOURCES",
    "IMPORT_UPLOAD_BYTES_MAX",
    "IMPORT_UPLOAD_FILES_MAX",
    "IMPORT_UPLOAD_STATES",
    "import_keys",
    "import_upload_files",
    "import_uploads",
    "imports",
]

IMPORT_SOURCES = ("spreadsheet", "timeoverflow")
IMPORT_KEY_KINDS = ("member", "exchange", "opening_balance", "post")
IMPORT_UPLOAD_STATES = ("checked", "imported")
# An upload comes in one HTTP request: at most 10 files, 16 MiB in all (the database's CHECKs below
# and the use case's refusals, ``timebank.imports.uploads``, hold the same bounds).
IMPORT_UPLOAD_FILES_MAX = 10
IMPORT_UPLOAD_BYTES_MAX = 16 * 1024 * 1024
# A file's name as the browser sent it, cut to this length.
IMPORT_FILE_NAME_LENGTH_MAX = 200

imports = Table(
    "imports",
    metadata,
    Column("id", Id, primary_key=True),
    Column("timebank_id", Id, ForeignKey("timebanks.id"), nullable=False),
    Column("source", String(20), nullable=False),
    Column("files_sha256", String(64), nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("members_added", Integer, nullable=False),
    Column("exchanges_added", Integer, nullable=False),
    Column("opening_balances_added", Integer, nullable=False),
    # Offers and requests brought (migration 0018; imports before it brought none).
    Column("posts_added", Integer, nullable=False, server_default=text("0")),
    UniqueConstraint("timebank_id", "files_sha256"),
    UniqueConstraint("timebank_id", "id"),
    CheckConstraint("source IN ('spreadsheet', 'timeoverflow')", name="source_known"),
    CheckConstraint(
        "members_added >= 0 AND exchanges_added >= 0 AND opening_balances_added >= 0",
        name="counts_not_negative",
    ),
    CheckConstraint("posts_added >= 0", name="posts_added_not_negative"),
)

import_keys = Table(
    "import_keys",
    metadata,
    Column("timebank_id", Id, primary_key=True),
    Column("kind", String(20), primary_key=True),
    Column("natural_key_sha256", String(64), primary_key=True),
    Column("import_id", Id, nullable=False),
    # The member's account id, the exchange's id, the opening balance's transaction id, or the post's id.
    Column("target_id", Id, nullable=False),
    ForeignKeyConstraint(["timebank_id", "import_id"], ["imports.timebank_id", "imports.id"]),
    CheckConstraint("kind IN ('member', 'exchange', 'opening_balance', 'post')", name="kind_known"),
)

import_uploads = Table(
    "import_uploads",
    metadata,
    Column("id", Id, primary_key=True),
    Column("timebank_id", Id, ForeignKey("timebanks.id"), nullable=False),
    Column("source", String(20), nullable=False),
    Column("files_sha256", String(64), nullable=False),
    Column("file_count", Integer, nullable=False),
    Column("bytes_total", Integer, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("state", String(20), nullable=False),
    # The dry run's report, then the import's: ImportReport's fields as JSON text.
    Column("checked_report_json", Text, nullable=False),
    Column("imported_report_json", Text, nullable=True),
    Column("imported_at", UtcDateTime, nullable=True),
    # None when the import added nothing (the import records only imports that wrote something).
    Column("import_id", Id, nullable=True),
    # The organisation whose account the opening balances come from; None for the pot.
    Column("openings_from_id", Id, nullable=True),
    UniqueConstraint("timebank_id", "id"),
    ForeignKeyConstraint(["timebank_id", "import_id"], ["imports.timebank_id", "imports.id"]),
    ForeignKeyConstraint(
        ["timebank_id", "openings_from_id"], ["organisations.timebank_id", "organisations.id"]
    ),
    CheckConstraint("source IN ('spreadsheet', 'timeoverflow')", name="source_known"),
    CheckConstraint("state IN ('checked', 'imported')", name="state_known"),
    CheckConstraint(
        "(state = 'checked' AND imported_at IS NULL AND imported_report_json IS NULL"
        " AND import_id IS NULL)"
        " OR (state = 'imported' AND imported_at IS NOT NULL AND imported_report_json IS NOT NULL)",
        name="imported_when_recorded",
    ),
    CheckConstraint(
        f"file_count >= 1 AND file_count <= {IMPORT_UPLOAD_FILES_MAX}", name="file_count_bounded"
    ),
    CheckConstraint(f"bytes_total >= 0 AND bytes_total <= {IMPORT_UPLOAD_BYTES_MAX}", name="bytes_bounded"),
    CheckConstraint("expires_at > created_at", name="expires_after_created"),
    Index(None, "timebank_id", "state", "created_at"),
    Index(None, "expires_at"),
)

import_upload_files = Table(
    "import_upload_files",
    metadata,
    Column("timebank_id", Id, nullable=False),
    Column("upload_id", Id, primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("name", String(IMPORT_FILE_NAME_LENGTH_MAX), nullable=False),
    Column("content", LargeBinary, nullable=False),
    ForeignKeyConstraint(
        ["timebank_id", "upload_id"], ["import_uploads.timebank_id", "import_uploads.id"], ondelete="CASCADE"
    ),
    CheckConstraint(f"position >= 0 AND position < {IMPORT_UPLOAD_FILES_MAX}", name="position_bounded"),
)
