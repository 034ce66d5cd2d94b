"""Each timebank's own RED/AMBER/GREEN thresholds for the reciprocity report (report_rating_thresholds).

One row per rated figure a timebank has set; a figure with no row keeps the issue's default, so
the upgrade adds the empty table and every timebank goes on being rated as before. Thresholds are
whole percent, named by the colours they separate; the CHECKs are written out here (not taken from
``timebank.db.report_tables``) so that this revision keeps its meaning whatever that module becomes.

The downgrade drops the table: every timebank is rated against the defaults again. Nothing in the
ledger refers to it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 09:41:05.318270
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_FIGURES = "('active_rate', 'two_way_rate', 'uses_services_giving_rate', 'top20_share', 'largest_scc_share')"
# For the top-20% share lower is better, so its pair runs the other way.
_LOWER_IS_BETTER = "('top20_share')"


def upgrade() -> None:
    op.create_table(
        "report_rating_thresholds",
        sa.Column("timebank_id", _ID, nullable=False),
        sa.Column("figure", sa.String(length=40), nullable=False),
        sa.Column("red_amber_percent", sa.Integer(), nullable=False),
        sa.Column("amber_green_percent", sa.Integer(), nullable=False),
        sa.CheckConstraint(f"figure IN {_FIGURES}", name=op.f("ck_report_rating_thresholds_figure_known")),
        sa.CheckConstraint(
            "red_amber_percent BETWEEN 0 AND 100 AND amber_green_percent BETWEEN 0 AND 100",
            name=op.f("ck_report_rating_thresholds_percent_in_range"),
        ),
        sa.CheckConstraint(
            f"(figure IN {_LOWER_IS_BETTER} AND amber_green_percent <= red_amber_percent)"
            f" OR (figure NOT IN {_LOWER_IS_BETTER} AND red_amber_percent <= amber_green_percent)",
            name=op.f("ck_report_rating_thresholds_ordered_for_direction"),
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id"],
            ["timebanks.id"],
            name=op.f("fk_report_rating_thresholds_timebank_id_timebanks"),
        ),
        sa.PrimaryKeyConstraint("timebank_id", "figure", name=op.f("pk_report_rating_thresholds")),
    )


def downgrade() -> None:
    op.drop_table("report_rating_thresholds")
