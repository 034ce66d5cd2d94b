"""Contact details for organisations and timebanks: an address, an email and a phone, each optional.

A benefit-safe statement names the organisation that ran each activity and paid, and the timebank
that issues it, each with a way to reach them (DESIGN B7); coordinators set these. The columns are
nullable, so every organisation and timebank already recorded simply has none yet, and adding them
rewrites nothing (``ALTER TABLE ... ADD COLUMN`` on both databases: no table is rebuilt, so the
tables that refer to these two keep their foreign keys and the ledger its triggers). Their lengths are
``timebank.ledger.contacts``' limits, written out here so this revision keeps its meaning whatever
that module becomes; the shape of an email or a phone number is checked by the service that sets it.

The downgrade drops the six columns and the details in them; nothing else refers to them.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 10:12:40.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("organisations", "timebanks")
# Each column and its length: ADDRESS_LENGTH_MAX, EMAIL_LENGTH_MAX and PHONE_LENGTH_MAX.
_COLUMNS = (("contact_address", 300), ("contact_email", 254), ("contact_phone", 30))


def upgrade() -> None:
    for table in _TABLES:
        for name, length in _COLUMNS:
            op.add_column(table, sa.Column(name, sa.String(length=length), nullable=True))


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN on both databases (SQLite 3.35 and later): no table is rebuilt.
    for table in _TABLES:
        for name, _ in reversed(_COLUMNS):
            op.drop_column(table, name)
