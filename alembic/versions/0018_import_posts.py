"""Moving in (issue 20): offers and requests brought from TimeOverflow, each only once.

- ``import_keys``: the ``post`` kind, an offer's or request's number in the source
  (``timeoverflow:offer:7``), hashed like every key, so an overlapping later file adds only new posts;
- ``imports``: ``posts_added``, how many an import brought (0 for imports before this).

On SQLite the CHECKs change by rebuilding the tables in batch mode (neither has triggers). The
downgrade refuses while an import's post key exists: the old CHECK cannot hold it, and dropping it
would let a later import bring those posts a second time.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KINDS_BEFORE = "kind IN ('member', 'exchange', 'opening_balance')"
_KINDS_AFTER = "kind IN ('member', 'exchange', 'opening_balance', 'post')"


def _set_key_kinds(kinds: str) -> None:
    with op.batch_alter_table("import_keys", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_import_keys_kind_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_import_keys_kind_known"), kinds)


def upgrade() -> None:
    _set_key_kinds(_KINDS_AFTER)
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("posts_added", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
        batch_op.create_check_constraint(op.f("ck_imports_posts_added_not_negative"), "posts_added >= 0")


def downgrade() -> None:
    kept = op.get_bind().execute(sa.text("SELECT count(*) FROM import_keys WHERE kind = 'post'"))
    if kept.scalar_one():
        raise RuntimeError(
            "Cannot step down below 0018 while an import's offers or requests are recorded: the old "
            "record cannot hold them, and without it a later import would bring them twice."
        )
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_imports_posts_added_not_negative"), type_="check")
        batch_op.drop_column("posts_added")
    _set_key_kinds(_KINDS_BEFORE)
