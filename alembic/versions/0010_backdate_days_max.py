"""Each timebank's bound on back-dating exchanges (timebanks.backdate_days_max).

Members and coordinators record exchanges one by one dated at most this many days back; the bulk
import of history is not bound by it. Every existing timebank gets the default, 365 days, written
out here (not taken from ``timebank.people.timebanks``) so that this revision keeps its meaning
whatever that module becomes; the CHECK keeps it from 0 (today only) to ten years.

The downgrade drops the column: exchanges may be dated any day back again, as before.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 21:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DEFAULT_DAYS = 365
_CHECK = "ck_timebanks_backdate_days_in_range"


def upgrade() -> None:
    with op.batch_alter_table("timebanks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("backdate_days_max", sa.Integer(), nullable=True))
    op.execute(sa.text(f"UPDATE timebanks SET backdate_days_max = {_DEFAULT_DAYS}"))
    with op.batch_alter_table("timebanks", schema=None) as batch_op:
        batch_op.alter_column("backdate_days_max", existing_type=sa.Integer(), nullable=False)
        batch_op.create_check_constraint(op.f(_CHECK), "backdate_days_max BETWEEN 0 AND 3660")


def downgrade() -> None:
    with op.batch_alter_table("timebanks", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(_CHECK), type_="check")
        batch_op.drop_column("backdate_days_max")
