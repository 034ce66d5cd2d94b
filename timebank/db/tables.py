"""The tables, with every rule the database itself can enforce.

The ledger is checked in code before anything is written, but the database is the last word: a
transfer row cannot carry zero or negative minutes or name the same account twice; an account row
cannot hold a balance outside its floor and cap, nor a balance that differs from earned minus spent;
a transaction can be reversed only once; transfers cannot cross timebanks (composite foreign keys on
``(timebank_id, account_id)``). Transfers and transactions are append-only: triggers, created by the
migration (see ``timebank.db.triggers``), refuse UPDATE and DELETE on both databases.

Every table carries ``timebank_id``: one deployment hosts many timebanks.

No personal data lives on an append-only row, because an append-only row can never be erased
(UK GDPR, DESIGN §9). A transaction's free text (a reversal's reason, a gift's note) is therefore
kept beside it in ``transaction_texts``, a row that may be rewritten when a member's personal data
is erased; the transaction and its transfers hold only ids, kinds, minutes and times (migration 0014).

Only ``accounts`` (and through it everything that names an account) has a foreign key to
``timebanks``. The tables written on every exchange (transactions, exchanges, idempotency keys) do
not: on PostgreSQL each such key takes a share lock on the timebank's one row, and with many writers
those locks pile up into multixacts on that row. Dropping them measured +35% exchanges/s with 16
writers. Their ``timebank_id`` is still checked: transfers and exchanges reach ``timebanks`` through
composite keys on ``(timebank_id, account_id)``, and every use case reads the timebank first.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from timebank.ledger.contacts import ADDRESS_LENGTH_MAX, EMAIL_LENGTH_MAX, PHONE_LENGTH_MAX

__all__ = [
    "accounts",
    "exchange_receivers",
    "exchanges",
    "idempotency_keys",
    "limit_changes",
    "metadata",
    "timebanks",
    "transaction_texts",
    "transactions",
    "transfers",
]

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite only gives an auto-incrementing rowid to a column declared exactly INTEGER PRIMARY KEY.
Id = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on both databases.

    SQLite has no time zone type, so values are stored as naive UTC text that sorts in time order.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timebank stores only aware datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


timebanks = Table(
    "timebanks",
    metadata,
    Column("id", Id, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("pot_account_id", Id, nullable=True),
    Column("default_member_floor_minutes", BigInteger, nullable=False),
    Column("default_member_cap_minutes", BigInteger, nullable=True),
    Column("default_organisation_floor_minutes", BigInteger, nullable=False),
    Column("minutes_per_transfer_max", BigInteger, nullable=False),
    Column("pending_expiry_days", Integer, nullable=False),
    Column("auto_confirm_pending", Boolean, nullable=False),
    Column("require_both_sides", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    # How to reach the timebank, named on the benefit-safe statements it issues (migration 0009).
    Column("contact_address", String(ADDRESS_LENGTH_MAX), nullable=True),
    Column("contact_email", String(EMAIL_LENGTH_MAX), nullable=True),
    Column("contact_phone", String(PHONE_LENGTH_MAX), nullable=True),
    # How many days back a member or coordinator may date an exchange (migration 0010).
    Column("backdate_days_max", Integer, nullable=False),
    # What happens to a member's balance when their membership ends (migration 0013): "kept" on the
    # closed account, or "to_pot", moved to the pot by a recorded transaction.
    Column("balance_on_leaving", String(10), nullable=False),
    CheckConstraint("default_member_floor_minutes <= 0", name="member_floor_not_positive"),
    CheckConstraint("default_organisation_floor_minutes <= 0", name="org_floor_not_positive"),
    CheckConstraint("minutes_per_transfer_max > 0", name="transfer_max_positive"),
    CheckConstraint("pending_expiry_days > 0", name="expiry_days_positive"),
    CheckConstraint("backdate_days_max BETWEEN 0 AND 3660", name="backdate_days_in_range"),
    CheckConstraint("balance_on_leaving IN ('kept', 'to_pot')", name="balance_on_leaving_known"),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Id, primary_key=True),
    Column("timebank_id", Id, ForeignKey("timebanks.id"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("name", String(200), nullable=False),
    Column("balance_minutes", BigInteger, nullable=False, default=0),
    Column("earned_minutes", BigInteger, nullable=False, default=0),
    Column("spent_minutes", BigInteger, nullable=False, default=0),
    Column("floor_minutes", BigInteger, nullable=False),
    Column("cap_minutes", BigInteger, nullable=True),
    Column("version", BigInteger, nullable=False, default=0),
    Column("created_at", UtcDateTime, nullable=False),
    # A member's account closes when their membership ends (migration 0013), and keeps the version
    # it closed at: every transfer moves the version, so a closed account that gave or received
    # would break the CHECK below. The ledger refuses first (``membership_ended``); this is the last word.
    Column("closed_at", UtcDateTime, nullable=True),
    Column("closed_version", BigInteger, nullable=True),
    UniqueConstraint("timebank_id", "id"),
    CheckConstraint("kind IN ('member', 'organisation', 'pot')", name="kind_known"),
    CheckConstraint("floor_minutes <= 0", name="floor_not_positive"),
    CheckConstraint("cap_minutes IS NULL OR cap_minutes >= 0", name="cap_not_negative"),
    CheckConstraint("balance_minutes >= floor_minutes", name="balance_within_floor"),
    CheckConstraint("cap_minutes IS NULL OR balance_minutes <= cap_minutes", name="balance_within_cap"),
    CheckConstraint("earned_minutes >= 0 AND spent_minutes >= 0", name="counters_not_negative"),
    CheckConstraint("balance_minutes = earned_minutes - spent_minutes", name="balance_is_in_minus_out"),
    CheckConstraint("version >= 0", name="version_not_negative"),
    CheckConstraint("(closed_at IS NULL) = (closed_version IS NULL)", name="closed_together"),
    CheckConstraint("closed_version IS NULL OR version = closed_version", name="closed_account_unmoved"),
)

transactions = Table(
    "transactions",
    metadata,
    Column("id", Id, primary_key=True),
    Column("timebank_id", Id, nullable=False),
    Column("kind", String(20), nullable=False),
    # A reversal points at what it reverses; the unique key lets each transaction be reversed once.
    Column("reverses_transaction_id", Id, ForeignKey("transactions.id"), nullable=True, unique=True),
    Column("created_by", String(100), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("timebank_id", "id"),
    CheckConstraint(
        "kind IN ('exchange', 'gift', 'pot_donation', 'pot_grant', 'reversal', 'recognition',"
        " 'membership_end', 'opening_balance')",
        name="kind_known",
    ),
    CheckConstraint(
        "(kind = 'reversal') = (reverses_transaction_id IS NOT NULL)", name="reversal_points_back"
    ),
    # The report sums a window's pot grants and recognition, a few among a million transactions.
    Index("ix_transactions_timebank_kind_created", "timebank_id", "kind", "created_at"),
)

# A transaction's free text, kept off the append-only row (migration 0013): a reversal's reason, a
# gift's, donation's or grant's note. A transaction without either has no row here. Erasing a member
# replaces the texts of the transactions they took part in or wrote (``timebank.people.erasure``).
transaction_texts = Table(
    "transaction_texts",
    metadata,
    Column("transaction_id", Id, primary_key=True),
    Column("timebank_id", Id, nullable=False),
    Column("reason", Text, nullable=True),
    Column("note", Text, nullable=True),
    ForeignKeyConstraint(["timebank_id", "transaction_id"], ["transactions.timebank_id", "transactions.id"]),
    CheckConstraint("reason IS NOT NULL OR note IS NOT NULL", name="says_something"),
)

transfers = Table(
    "transfers",
    metadata,
    Column("id", Id, primary_key=True),
    Column("timebank_id", Id, nullable=False),
    Column("transaction_id", Id, nullable=False),
    Column("source_account_id", Id, nullable=False),
    Column("target_account_id", Id, nullable=False),
    Column("minutes", BigInteger, nullable=False),
    Column("source_balance_after_minutes", BigInteger, nullable=False),
    Column("target_balance_after_minutes", BigInteger, nullable=False),
    Column("posted_at", UtcDateTime, nullable=False),
    CheckConstraint("minutes > 0", name="minutes_positive"),
    CheckConstraint("source_account_id <> target_account_id", name="accounts_differ"),
    ForeignKeyConstraint(["timebank_id", "transaction_id"], ["transactions.timebank_id", "transactions.id"]),
    ForeignKeyConstraint(["timebank_id", "source_account_id"], ["accounts.timebank_id", "accounts.id"]),
    ForeignKeyConstraint(["timebank_id", "target_account_id"], ["accounts.timebank_id", "accounts.id"]),
    # An account's transfers in posting order: statements page through these, and the balance at a
    # past moment is one descent of them. Per account, posting order and posted_at agree because
    # posted_at is taken after the account rows are locked.
    Index("ix_transfers_source_posted", "source_account_id", "posted_at", "id"),
    Index("ix_transfers_target_posted", "target_account_id", "posted_at", "id"),
    Index("ix_transfers_transaction", "transaction_id"),
)

exchanges = Table(
    "exchanges",
    metadata,
    Column("id", Id, primary_key=True),
    Column("timebank_id", Id, nullable=False),
    Column("giver_account_id", Id, nullable=False),
    Column("status", String(20), nullable=False),
    Column("activity_date", Date, nullable=False),
    Column("description", String(500), nullable=False),
    Column("category", String(80), nullable=True),
    Column("recorded_by", String(100), nullable=False),
    Column("recorded_by_account_id", Id, nullable=True),
    Column("giver_consent_needed", Boolean, nullable=False),
    Column("giver_consented_at", UtcDateTime, nullable=True),
    Column("transaction_id", Id, nullable=True),
    Column("reversal_transaction_id", Id, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("decided_at", UtcDateTime, nullable=True),
    # Why a pending exchange was closed by something other than its parties (migration 0013):
    # "membership_ended" when one of them left. Null for everything the parties decided themselves.
    Column("closed_because", String(40), nullable=True),
    # The offer or request the exchange came from, if any (migration 0015; the posts table is in
    # timebank.db.offer_tables). The use case checks that it is this timebank's.
    Column("post_id", Id, ForeignKey("posts.id"), nullable=True),
    UniqueConstraint("timebank_id", "id"),
    UniqueConstraint("transaction_id"),
    ForeignKeyConstraint(["timebank_id", "giver_account_id"], ["accounts.timebank_id", "accounts.id"]),
    ForeignKeyConstraint(["timebank_id", "transaction_id"], ["transactions.timebank_id", "transactions.id"]),
    CheckConstraint(
        "status IN ('pending', 'confirmed', 'declined', 'cancelled', 'expired', 'reversed')",
        name="status_known",
    ),
    CheckConstraint(
        "(status IN ('confirmed', 'reversed')) = (transaction_id IS NOT NULL)",
        name="posted_iff_transaction",
    ),
    CheckConstraint(
        "(status = 'reversed') = (reversal_transaction_id IS NOT NULL)",
        name="reversed_iff_reversal",
    ),
    Index("ix_exchanges_timebank_status_created", "timebank_id", "status", "created_at"),
    Index("ix_exchanges_giver", "giver_account_id", "id"),
    # A report reads a window of activity dates of confirmed exchanges and needs only their ids and
    # givers: this index covers that read (an index-only scan on PostgreSQL).
    Index(
        "ix_exchanges_timebank_status_activity",
        "timebank_id",
        "status",
        "activity_date",
        "giver_account_id",
        "id",
    ),
)

exchange_receivers = Table(
    "exchange_receivers",
    metadata,
    Column("exchange_id", Id, primary_key=True),
    Column("account_id", Id, primary_key=True),
    Column("timebank_id", Id, nullable=False),
    Column("minutes", BigInteger, nullable=False),
    Column("consent_needed", Boolean, nullable=False),
    Column("consented_at", UtcDateTime, nullable=True),
    CheckConstraint("minutes > 0", name="minutes_positive"),
    ForeignKeyConstraint(["timebank_id", "exchange_id"], ["exchanges.timebank_id", "exchanges.id"]),
    ForeignKeyConstraint(["timebank_id", "account_id"], ["accounts.timebank_id", "accounts.id"]),
    Index("ix_exchange_receivers_account", "account_id", "exchange_id"),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("id", Id, primary_key=True),
    Column("timebank_id", Id, nullable=False),
    Column("caller", String(100), nullable=False),
    Column("key", String(200), nullable=False),
    Column("operation", String(60), nullable=False),
    Column("request_sha256", String(64), nullable=False),
    Column("response_json", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("timebank_id", "caller", "key"),
)

limit_changes = Table(
    "limit_changes",
    metadata,
    Column("id", Id, primary_key=True),
    Column("timebank_id", Id, nullable=False),
    Column("account_id", Id, nullable=False),
    Column("floor_minutes_before", BigInteger, nullable=False),
    Column("cap_minutes_before", BigInteger, nullable=True),
    Column("floor_minutes_after", BigInteger, nullable=False),
    Column("cap_minutes_after", BigInteger, nullable=True),
    Column("reason", Text, nullable=True),
    Column("changed_by", String(100), nullable=False),
    Column("changed_at", UtcDateTime, nullable=False),
    ForeignKeyConstraint(["timebank_id", "account_id"], ["accounts.timebank_id", "accounts.id"]),
)
