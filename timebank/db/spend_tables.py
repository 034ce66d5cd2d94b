"""The tables for spending credits on what organisations offer (DESIGN B5).

An organisation offers **spend options**: a swim session, a place on a course, a community meal, or
(the risky classes) goods and vouchers. Each has a title, a number of whole minutes and a class,
and stays in the table when withdrawn, because spends point at it. A **spend** is one member
spending credits on one option. In the ledger it is an ordinary confirmed exchange in which the
organisation gives and the member receives, so the member's credits move to the organisation's
account; the ``spends`` row beside it says what they were spent on, the option's class at the time,
and whether the member acknowledged that goods or a voucher may affect their benefits.

The database enforces what it can: minutes whole, positive and within the hard per-transfer
ceiling; a known class; a withdrawn option has the time it was withdrawn; one spend per exchange,
in the same timebank as its option, account and exchange; an acknowledgement only for goods or a
voucher, and with the member's words whenever it is marked. The class codes are the benefits
core's ``SpendClass``, written out because storage does not import that core; a test holds the two
to each other. No column holds money: credits have no price (B1).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKeyConstraint,
    Index,
    String,
    Table,
    UniqueConstraint,
)

from timebank.db.tables import Id, UtcDateTime, metadata
from timebank.ledger.limits import NAME_LENGTH_MAX
from timebank.ledger.rules import MINUTES_PER_TRANSFER_MAX

__all__ = ["ACKNOWLEDGED_CLASSES", "SPEND_CLASSES", "spend_options", "spends"]

# timebank.benefits.SpendClass; tests/integration/test_benefit_storage.py checks that they agree.
SPEND_CLASSES = ("member_time", "community_activity", "goods", "voucher")
# The classes whose spending may affect a member's benefits, and so may carry an acknowledgement.
ACKNOWLEDGED_CLASSES = ("goods", "voucher")
_ACTOR_LENGTH_MAX = 100


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


spend_options = Table(
    "spend_options",
    metadata,
    Column("id", Id, primary_key=True),
    Column("timebank_id", Id, nullable=False),
    Column("organisation_id", Id, nullable=False),
    Column("title", String(NAME_LENGTH_MAX), nullable=False),
    Column("minutes", BigInteger, nullable=False),
    Column("spend_class", String(40), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_by", String(_ACTOR_LENGTH_MAX), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("withdrawn_by", String(_ACTOR_LENGTH_MAX), nullable=True),
    Column("withdrawn_at", UtcDateTime, nullable=True),
    UniqueConstraint("timebank_id", "id"),
    ForeignKeyConstraint(
        ["timebank_id", "organisation_id"], ["organisations.timebank_id", "organisations.id"]
    ),
    CheckConstraint(f"minutes > 0 AND minutes <= {MINUTES_PER_TRANSFER_MAX}", name="minutes_in_range"),
    CheckConstraint(_in("spend_class", SPEND_CLASSES), name="spend_class_known"),
    CheckConstraint("title <> ''", name="title_given"),
    # Withdrawn exactly when the time and the person are known.
    CheckConstraint("active = (withdrawn_at IS NULL)", name="withdrawn_iff_inactive"),
    CheckConstraint("(withdrawn_at IS NULL) = (withdrawn_by IS NULL)", name="withdrawn_by_someone"),
    Index("ix_spend_options_organisation", "timebank_id", "organisation_id", "id"),
)

spends = Table(
    "spends",
    metadata,
    Column("id", Id, primary_key=True),
    Column("timebank_id", Id, nullable=False),
    Column("spend_option_id", Id, nullable=False),
    Column("account_id", Id, nullable=False),
    # The confirmed exchange that moved the credits; its transaction is the exchange's.
    Column("exchange_id", Id, nullable=False, unique=True),
    # The option's class when the credits were spent: what a statement or report says they went on.
    Column("spend_class", String(40), nullable=False),
    Column("acknowledged", Boolean, nullable=False),
    # The member's own words (or a reference to them) acknowledging the risk to their benefits.
    Column("acknowledgement", String(NAME_LENGTH_MAX), nullable=True),
    Column("recorded_by", String(_ACTOR_LENGTH_MAX), nullable=False),
    Column("spent_at", UtcDateTime, nullable=False),
    ForeignKeyConstraint(
        ["timebank_id", "spend_option_id"], ["spend_options.timebank_id", "spend_options.id"]
    ),
    ForeignKeyConstraint(["timebank_id", "account_id"], ["accounts.timebank_id", "accounts.id"]),
    ForeignKeyConstraint(["timebank_id", "exchange_id"], ["exchanges.timebank_id", "exchanges.id"]),
    CheckConstraint(_in("spend_class", SPEND_CLASSES), name="spend_class_known"),
    CheckConstraint("acknowledged = (acknowledgement IS NOT NULL)", name="acknowledged_in_words"),
    CheckConstraint(
        f"NOT acknowledged OR {_in('spend_class', ACKNOWLEDGED_CLASSES)}", name="acknowledged_only_if_risky"
    ),
    Index("ix_spends_account_spent", "timebank_id", "account_id", "spent_at"),
)
