"""The tables for offers and requests (DESIGN §10): categories, posts, and each post's search text.

A timebank keeps its own list of **categories** (gardening, lifts, befriending ...), seeded with a
default list when the timebank is made. A name is unique in its timebank whatever its case: the
``name_key`` column holds the name folded (``timebank.offers.words.name_key``), and the unique key is
on it. A category that posts or exchanges point at is never deleted: a coordinator **retires** it
(``retired_at``), so no new post takes it and the old ones keep their name.

A **post** is a member's offer ("I can help with gardening") or request ("a lift to the hospital on
Tuesdays"): a title, a description, a category, an area (a neighbourhood, never an address), when
they are free, and the day it expires. It is ``open`` or ``closed``. A coordinator may **hide** one
that breaks the timebank's rules: the time, who and why are kept on the row (not in the audit log,
whose rows are never changed: a later erasure must be able to remove the reason).

``search_text`` is the post's words folded for search: case and accents taken off and everything
but letters and digits made a space (``timebank.offers.words.fold``), written by the use case with
the post. Each database indexes it with its own full-text search, created by migration 0015 and
not described here (SQLAlchemy has no words for either): on SQLite an FTS5 table ``posts_search``
over this column (external content, kept in step by triggers), on PostgreSQL a generated
``tsvector`` column ``search_vector`` with a GIN index. Both index the same folded words with no
stemming and no stop words, so both find the same posts for the same words.
``SEARCH_OBJECTS`` names them, so that the schema comparison leaves them out.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from timebank.db.tables import Id, UtcDateTime, metadata
from timebank.ledger.limits import CATEGORY_LENGTH_MAX

__all__ = [
    "AREA_LENGTH_MAX",
    "AVAILABILITY_LENGTH_MAX",
    "DEFAULT_CATEGORIES",
    "HIDDEN_REASON_LENGTH_MAX",
    "POST_DESCRIPTION_LENGTH_MAX",
    "POST_KINDS",
    "POST_STATUSES",
    "POST_TITLE_LENGTH_MAX",
    "SEARCH_OBJECTS",
    "categories",
    "described_by_metadata",
    "posts",
]

POST_TITLE_LENGTH_MAX = 120
POST_DESCRIPTION_LENGTH_MAX = 2000
AREA_LENGTH_MAX = 100
AVAILABILITY_LENGTH_MAX = 200
HIDDEN_REASON_LENGTH_MAX = 500
POST_KINDS = ("offer", "request")
POST_STATUSES = ("open", "closed")
_ACTOR_LENGTH_MAX = 100

# Every timebank's categories to start with (migration 0015 writes the same list for the timebanks
# made before it). Each name with its key, the name folded as ``timebank.offers.words.name_key``
# folds it (storage does not import the use cases; a test holds the two to each other).
DEFAULT_CATEGORIES = tuple(
    (name, name.lower())
    for name in (
        "Gardening",
        "Lifts",
        "Shopping",
        "Befriending",
        "DIY and repairs",
        "IT help",
        "Cooking",
        "Childcare",
        "Admin and forms",
        "Languages",
        "Arts and crafts",
        "Other",
    )
)

# The full-text search's own objects, made by migration 0015 in SQL: SQLite's FTS5 table (and the
# shadow tables FTS5 keeps beside it), its triggers, and PostgreSQL's tsvector column and index.
SEARCH_OBJECTS = {
    "sqlite_tables": (
        "posts_search",
        "posts_search_config",
        "posts_search_data",
        "posts_search_docsize",
        "posts_search_idx",
    ),
    "sqlite_triggers": ("posts_search_insert", "posts_search_delete", "posts_search_update"),
    "postgresql_columns": ("search_vector",),
    "postgresql_indexes": ("ix_posts_search_vector",),
}


def described_by_metadata(
    name: str | None, type_: str, parent_names: MutableMapping[Any, str | None]
) -> bool:
    """False for the search's own objects, which the metadata leaves to migration 0015.

    Alembic's ``include_name`` hook: the schema comparison (autogenerate, and the test that the
    migrated schema is the metadata) skips them.
    """
    if type_ == "table":
        return name not in SEARCH_OBJECTS["sqlite_tables"]
    if type_ == "column" and parent_names.get("table_name") == "posts":
        return name not in SEARCH_OBJECTS["postgresql_columns"]
    if type_ == "index":
        return name not in SEARCH_OBJECTS["postgresql_indexes"]
    return True


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


categories = Table(
    "categories",
    metadata,
    Column("id", Id, primary_key=True),
    Column("timebank_id", Id, ForeignKey("timebanks.id"), nullable=False),
    Column("name", String(CATEGORY_LENGTH_MAX), nullable=False),
    # The name folded (case and accents off): "DIY" and "diy" are one category.
    Column("name_key", String(CATEGORY_LENGTH_MAX), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("retired_at", UtcDateTime, nullable=True),
    UniqueConstraint("timebank_id", "id"),
    UniqueConstraint("timebank_id", "name_key"),
    CheckConstraint("name <> ''", name="name_given"),
    CheckConstraint("name_key <> ''", name="name_key_given"),
)

posts = Table(
    "posts",
    metadata,
    Column("id", Id, primary_key=True),
    Column("timebank_id", Id, nullable=False),
    Column("member_id", Id, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("category_id", Id, nullable=False),
    Column("title", String(POST_TITLE_LENGTH_MAX), nullable=False),
    Column("description", String(POST_DESCRIPTION_LENGTH_MAX), nullable=False),
    Column("area", String(AREA_LENGTH_MAX), nullable=True),
    Column("availability", String(AVAILABILITY_LENGTH_MAX), nullable=True),
    Column("expires_on", Date, nullable=False),
    Column("status", String(20), nullable=False),
    Column("search_text", Text, nullable=False),
    Column("created_by", String(_ACTOR_LENGTH_MAX), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("closed_at", UtcDateTime, nullable=True),
    Column("hidden_at", UtcDateTime, nullable=True),
    Column("hidden_by", String(_ACTOR_LENGTH_MAX), nullable=True),
    Column("hidden_reason", String(HIDDEN_REASON_LENGTH_MAX), nullable=True),
    UniqueConstraint("timebank_id", "id"),
    ForeignKeyConstraint(["timebank_id", "member_id"], ["members.timebank_id", "members.id"]),
    ForeignKeyConstraint(["timebank_id", "category_id"], ["categories.timebank_id", "categories.id"]),
    CheckConstraint(_in("kind", POST_KINDS), name="kind_known"),
    CheckConstraint(_in("status", POST_STATUSES), name="status_known"),
    CheckConstraint("title <> ''", name="title_given"),
    CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name="closed_iff_closed_at"),
    # Hidden exactly when the time, the coordinator and the reason are all known.
    CheckConstraint("(hidden_at IS NULL) = (hidden_by IS NULL)", name="hidden_by_someone"),
    CheckConstraint("(hidden_at IS NULL) = (hidden_reason IS NULL)", name="hidden_for_a_reason"),
    # Browsing a timebank's open posts newest first, of a kind or category; a member's own posts.
    Index("ix_posts_timebank_status_id", "timebank_id", "status", "id"),
    Index("ix_posts_timebank_category", "timebank_id", "category_id", "id"),
    Index("ix_posts_member", "timebank_id", "member_id", "id"),
)
