"""What the imports of a timebank's history wrote, so that the same rows never land twice.

An import (``timebank.imports``) writes members, exchanges, opening balances and offers and
requests from files made by
another system or by hand. ``imports`` holds one row per import that wrote something: the source,
the digest of the files as given (unique in a timebank, so the same files given again are known at
once), who ran it and when, and what it added. ``import_keys`` names each thing it added by its
natural key in the source (a member's number or username; an exchange's day, parties, minutes,
words and occurrence; a post's number), hashed to a fixed length; a later import of an overlapping
file adds only rows whose keys are new. Migrations 0016 and 0018.
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Table,
    UniqueConstraint,
    text,
)

from timebank.db.tables import Id, UtcDateTime, metadata

__all__ = ["IMPORT_KEY_KINDS", "IMPORT_SOURCES", "import_keys", "imports"]

IMPORT_SOURCES = ("spreadsheet", "timeoverflow")
IMPORT_KEY_KINDS = ("member", "exchange", "opening_balance", "post")

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
