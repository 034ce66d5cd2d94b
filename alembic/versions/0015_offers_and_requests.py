"""Offers and requests (DESIGN §10): categories, posts, their full-text search, and exchanges' link.

Creates the tables of ``timebank.db.offer_tables`` and adds ``exchanges.post_id`` (nullable, so
every exchange already recorded keeps its row as it was; added with ``ALTER TABLE ... ADD COLUMN``
so no table is rebuilt). Every timebank already there gets the default categories, as a new one
does (``timebank.db.offer_tables.DEFAULT_CATEGORIES``, written out here so this revision keeps its
meaning whatever that list becomes).

The search is each database's own, over ``posts.search_text`` (the post's words, folded by the
application: lower case, no accents, letters and digits only):

- SQLite: an FTS5 table ``posts_search`` with ``posts`` as its external content, tokenized by
  ``unicode61 remove_diacritics 2``, and three triggers that keep it in step with every insert,
  delete and change of ``search_text`` in the same transaction;
- PostgreSQL: a stored generated column ``search_vector`` (``to_tsvector('simple', search_text)``:
  no stemming, no stop words) with a GIN index.

The downgrade drops all of it: the posts, the categories and the exchanges' links to them (the
exchanges themselves stay, with their own category text).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-14 09:00:00.000000
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_CATEGORIES = (
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

_SQLITE_SEARCH = [
    "CREATE VIRTUAL TABLE posts_search USING fts5(search_text, content='posts', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER posts_search_insert AFTER INSERT ON posts BEGIN "
    "INSERT INTO posts_search (rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER posts_search_delete AFTER DELETE ON posts BEGIN "
    "INSERT INTO posts_search (posts_search, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER posts_search_update AFTER UPDATE OF search_text ON posts BEGIN "
    "INSERT INTO posts_search (posts_search, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO posts_search (rowid, search_text) VALUES (new.id, new.search_text); END",
]
_POSTGRESQL_SEARCH = [
    "ALTER TABLE posts ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED",
    "CREATE INDEX ix_posts_search_vector ON posts USING gin (search_vector)",
]


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _at() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "categories",
        sa.Column("id", _id(), nullable=False),
        sa.Column("timebank_id", _id(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("name_key", sa.String(length=80), nullable=False),
        sa.Column("created_at", _at(), nullable=False),
        sa.Column("retired_at", _at(), nullable=True),
        sa.CheckConstraint("name <> ''", name=op.f("ck_categories_name_given")),
        sa.CheckConstraint("name_key <> ''", name=op.f("ck_categories_name_key_given")),
        sa.ForeignKeyConstraint(
            ["timebank_id"], ["timebanks.id"], name=op.f("fk_categories_timebank_id_timebanks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_categories")),
        sa.UniqueConstraint("timebank_id", "id", name=op.f("uq_categories_timebank_id_id")),
        sa.UniqueConstraint("timebank_id", "name_key", name=op.f("uq_categories_timebank_id_name_key")),
    )
    op.create_table(
        "posts",
        sa.Column("id", _id(), nullable=False),
        sa.Column("timebank_id", _id(), nullable=False),
        sa.Column("member_id", _id(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("category_id", _id(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("area", sa.String(length=100), nullable=True),
        sa.Column("availability", sa.String(length=200), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", _at(), nullable=False),
        sa.Column("updated_at", _at(), nullable=False),
        sa.Column("closed_at", _at(), nullable=True),
        sa.Column("hidden_at", _at(), nullable=True),
        sa.Column("hidden_by", sa.String(length=100), nullable=True),
        sa.Column("hidden_reason", sa.String(length=500), nullable=True),
        sa.CheckConstraint("kind IN ('offer', 'request')", name=op.f("ck_posts_kind_known")),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_posts_status_known")),
        sa.CheckConstraint("title <> ''", name=op.f("ck_posts_title_given")),
        sa.CheckConstraint(
            "(status = 'closed') = (closed_at IS NOT NULL)", name=op.f("ck_posts_closed_iff_closed_at")
        ),
        sa.CheckConstraint(
            "(hidden_at IS NULL) = (hidden_by IS NULL)", name=op.f("ck_posts_hidden_by_someone")
        ),
        sa.CheckConstraint(
            "(hidden_at IS NULL) = (hidden_reason IS NULL)", name=op.f("ck_posts_hidden_for_a_reason")
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id", "member_id"],
            ["members.timebank_id", "members.id"],
            name=op.f("fk_posts_timebank_id_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id", "category_id"],
            ["categories.timebank_id", "categories.id"],
            name=op.f("fk_posts_timebank_id_category_id_categories"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posts")),
        sa.UniqueConstraint("timebank_id", "id", name=op.f("uq_posts_timebank_id_id")),
    )
    op.create_index("ix_posts_timebank_status_id", "posts", ["timebank_id", "status", "id"])
    op.create_index("ix_posts_timebank_category", "posts", ["timebank_id", "category_id", "id"])
    op.create_index("ix_posts_member", "posts", ["timebank_id", "member_id", "id"])
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        # SQLite adds a column with its reference in one statement, and no table is rebuilt.
        op.execute(
            "ALTER TABLE exchanges ADD COLUMN post_id INTEGER "
            "CONSTRAINT fk_exchanges_post_id_posts REFERENCES posts (id)"
        )
    else:
        op.add_column("exchanges", sa.Column("post_id", _id(), nullable=True))
        op.create_foreign_key(op.f("fk_exchanges_post_id_posts"), "exchanges", "posts", ["post_id"], ["id"])
    for statement in _SQLITE_SEARCH if dialect == "sqlite" else _POSTGRESQL_SEARCH:
        op.execute(statement)
    _seed_categories()


def _seed_categories() -> None:
    bind = op.get_bind()
    timebank_ids = [row[0] for row in bind.execute(sa.text("SELECT id FROM timebanks ORDER BY id"))]
    if not timebank_ids:
        return
    table = sa.table(
        "categories",
        sa.column("timebank_id", _id()),
        sa.column("name", sa.String()),
        sa.column("name_key", sa.String()),
        sa.column("created_at", _at()),
    )
    # Stored as the application stores UTC: naive on SQLite, aware on PostgreSQL.
    now = datetime.now(UTC)
    at = now.replace(tzinfo=None) if bind.dialect.name == "sqlite" else now
    rows = [
        {"timebank_id": tb, "name": name, "name_key": name.casefold(), "created_at": at}
        for tb in timebank_ids
        for name in DEFAULT_CATEGORIES
    ]
    op.bulk_insert(table, rows)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in ("posts_search_insert", "posts_search_delete", "posts_search_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS posts_search")
        # SQLite drops no column that a foreign key names: the table is rebuilt without it.
        with op.batch_alter_table("exchanges") as batch:
            batch.drop_column("post_id")
    else:
        op.drop_constraint(op.f("fk_exchanges_post_id_posts"), "exchanges", type_="foreignkey")
        op.drop_column("exchanges", "post_id")
    op.drop_index("ix_posts_member", table_name="posts")
    op.drop_index("ix_posts_timebank_category", table_name="posts")
    op.drop_index("ix_posts_timebank_status_id", table_name="posts")
    op.drop_table("posts")
    op.drop_table("categories")
