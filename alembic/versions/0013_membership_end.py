"""Memberships that end (issue 18, DESIGN §9): the end on the member, the account closed, the setting.

- ``members``: ``membership_ended_on`` (the last day of the membership), ``membership_ended_at`` and
  ``membership_ended_by`` (when and by whom it was recorded) and ``membership_end_reason`` (the
  coordinator's words; kept here, where an erasure can clear it, never in the audit log), with a
  CHECK that the first three come together and a reason only with them;
- ``accounts``: ``closed_at`` and ``closed_version``, the version the account closed at, with a CHECK
  that a closed account's version never moves again (every transfer moves it): the database's last
  word on "a closed account neither gives nor receives";
- ``timebanks``: ``balance_on_leaving``, ``kept`` or ``to_pot``; every existing timebank keeps
  balances (``kept``, written out here so that this revision keeps its meaning whatever the code
  becomes);
- ``exchanges``: ``closed_because``, why a pending exchange was closed by something other than its
  parties (``membership_ended``). A plain nullable column, added without rebuilding the largest
  table on SQLite; the code writes only the values it names;
- ``transactions``: the ``membership_end`` kind, the balance moved to or from the pot as a
  membership ends. As in 0004, PostgreSQL drops and adds the CHECK; SQLite rebuilds the table in
  batch mode, which drops its append-only triggers with the old table, so they are created again.

The new CHECKs on SQLite rebuild ``timebanks``, ``accounts`` and ``members`` (copy, drop, rename);
``env.py`` runs SQLite's migrations with foreign keys off and checks them all before committing.

The downgrade refuses while any membership has ended: it would reopen closed accounts, and a
``membership_end`` transaction cannot fit under the old CHECK of an append-only table. Otherwise it
drops everything above.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-12 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from timebank.db import triggers

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KINDS_BEFORE = "kind IN ('exchange', 'gift', 'pot_donation', 'pot_grant', 'reversal', 'recognition')"
_KINDS_AFTER = (
    "kind IN ('exchange', 'gift', 'pot_donation', 'pot_grant', 'reversal', 'recognition', 'membership_end')"
)
_DEFAULT_BALANCE_ON_LEAVING = "kept"
_REASON_LENGTH_MAX = 500

_BALANCE_ON_LEAVING_CHECK = "ck_timebanks_balance_on_leaving_known"
_CLOSED_TOGETHER_CHECK = "ck_accounts_closed_together"
_CLOSED_UNMOVED_CHECK = "ck_accounts_closed_account_unmoved"
_MEMBERSHIP_END_CHECK = "ck_members_membership_end_whole"


def _at() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _set_transaction_kinds(kinds: str) -> None:
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_transactions_kind_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_transactions_kind_known"), kinds)
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        # The rebuilt table has none of the old one's triggers.
        for statement in triggers.create_trigger_statements(dialect, ("transactions",)):
            op.execute(statement)


def upgrade() -> None:
    with op.batch_alter_table("timebanks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("balance_on_leaving", sa.String(length=10), nullable=True))
    op.execute(sa.text(f"UPDATE timebanks SET balance_on_leaving = '{_DEFAULT_BALANCE_ON_LEAVING}'"))
    with op.batch_alter_table("timebanks", schema=None) as batch_op:
        batch_op.alter_column("balance_on_leaving", existing_type=sa.String(length=10), nullable=False)
        batch_op.create_check_constraint(
            op.f(_BALANCE_ON_LEAVING_CHECK), "balance_on_leaving IN ('kept', 'to_pot')"
        )

    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_at", _at(), nullable=True))
        batch_op.add_column(sa.Column("closed_version", sa.BigInteger(), nullable=True))
        batch_op.create_check_constraint(
            op.f(_CLOSED_TOGETHER_CHECK), "(closed_at IS NULL) = (closed_version IS NULL)"
        )
        batch_op.create_check_constraint(
            op.f(_CLOSED_UNMOVED_CHECK), "closed_version IS NULL OR version = closed_version"
        )

    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("membership_ended_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("membership_ended_at", _at(), nullable=True))
        batch_op.add_column(sa.Column("membership_ended_by", sa.String(length=100), nullable=True))
        batch_op.add_column(
            sa.Column("membership_end_reason", sa.String(length=_REASON_LENGTH_MAX), nullable=True)
        )
        batch_op.create_check_constraint(
            op.f(_MEMBERSHIP_END_CHECK),
            "(membership_ended_on IS NULL) = (membership_ended_at IS NULL)"
            " AND (membership_ended_on IS NULL) = (membership_ended_by IS NULL)"
            " AND (membership_end_reason IS NULL OR membership_ended_on IS NOT NULL)",
        )

    op.add_column("exchanges", sa.Column("closed_because", sa.String(length=40), nullable=True))
    _set_transaction_kinds(_KINDS_AFTER)


def downgrade() -> None:
    ended = op.get_bind().execute(
        sa.text("SELECT count(*) FROM members WHERE membership_ended_on IS NOT NULL")
    )
    if ended.scalar_one():
        raise RuntimeError(
            "Cannot step down below 0013 while a membership has ended: the downgrade would reopen "
            "closed accounts, and a membership_end transaction cannot be removed from the ledger."
        )
    _set_transaction_kinds(_KINDS_BEFORE)
    op.drop_column("exchanges", "closed_because")
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(_MEMBERSHIP_END_CHECK), type_="check")
        batch_op.drop_column("membership_end_reason")
        batch_op.drop_column("membership_ended_by")
        batch_op.drop_column("membership_ended_at")
        batch_op.drop_column("membership_ended_on")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(_CLOSED_UNMOVED_CHECK), type_="check")
        batch_op.drop_constraint(op.f(_CLOSED_TOGETHER_CHECK), type_="check")
        batch_op.drop_column("closed_version")
        batch_op.drop_column("closed_at")
    with op.batch_alter_table("timebanks", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(_BALANCE_ON_LEAVING_CHECK), type_="check")
        batch_op.drop_column("balance_on_leaving")
