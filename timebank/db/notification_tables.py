"""The tables for being told: email verifications, notification preferences and the outbox.

A member's **email address** lives on the member's row (``members.email``, ``email_verified_at``).
Setting one writes an **email verification**: a single-use secret sent to the new address, stored
only as its SHA-256 with an expiry, like an access token; following it marks the address verified.

**Notification preferences** hold one row per member who changed them or was sent a message: the
kinds they switched off, and the key that signs the unsubscribe links in their messages (a key per
member, kept here, so links work without a deployment secret and a new key would void them all).

The **outbox** holds every message a use case decided to send, written in the same transaction as
the event it tells of: a write that rolls back queues nothing, and a message waits there, however
long the mail server is away. ``UNIQUE (member_id, kind, event_key)`` queues an event at most once
per recipient, whoever writes it twice. A worker claims due rows for a short lease
(``claimed_until``), sends them, and marks them ``sent_at``; a failure counts an attempt, keeps
``last_error`` and waits longer each time (``due_at``), until ``given_up_at``.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from timebank.db.tables import Id, UtcDateTime, metadata
from timebank.ledger.contacts import EMAIL_LENGTH_MAX

__all__ = [
    "EVENT_KEY_LENGTH_MAX",
    "KIND_LENGTH_MAX",
    "LAST_ERROR_LENGTH_MAX",
    "SUBJECT_LENGTH_MAX",
    "email_verifications",
    "notification_outbox",
    "notification_preferences",
]

KIND_LENGTH_MAX = 50
EVENT_KEY_LENGTH_MAX = 100
SUBJECT_LENGTH_MAX = 200
LAST_ERROR_LENGTH_MAX = 500
MUTED_KINDS_LENGTH_MAX = 500

email_verifications = Table(
    "email_verifications",
    metadata,
    Column("id", Id, primary_key=True),
    Column("timebank_id", Id, nullable=False),
    Column("member_id", Id, nullable=False),
    Column("email", String(EMAIL_LENGTH_MAX), nullable=False),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
    CheckConstraint("expires_at > created_at", name="verification_expires_after_created"),
    ForeignKeyConstraint(["timebank_id", "member_id"], ["members.timebank_id", "members.id"]),
    Index("ix_email_verifications_member_id", "member_id"),
)

notification_preferences = Table(
    "notification_preferences",
    metadata,
    Column("member_id", Id, primary_key=True),
    Column("timebank_id", Id, nullable=False),
    # The kinds the member switched off, sorted and comma-separated; empty: every kind.
    Column("muted_kinds", String(MUTED_KINDS_LENGTH_MAX), nullable=False),
    Column("unsubscribe_key", String(64), nullable=False),
    Column("changed_at", UtcDateTime, nullable=False),
    ForeignKeyConstraint(["timebank_id", "member_id"], ["members.timebank_id", "members.id"]),
)

notification_outbox = Table(
    "notification_outbox",
    metadata,
    Column("id", Id, primary_key=True),
    Column("timebank_id", Id, nullable=False),
    Column("member_id", Id, nullable=False),
    Column("kind", String(KIND_LENGTH_MAX), nullable=False),
    Column("event_key", String(EVENT_KEY_LENGTH_MAX), nullable=False),
    Column("to_address", String(EMAIL_LENGTH_MAX), nullable=False),
    Column("subject", String(SUBJECT_LENGTH_MAX), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", String(LAST_ERROR_LENGTH_MAX), nullable=True),
    Column("claimed_until", UtcDateTime, nullable=True),
    Column("sent_at", UtcDateTime, nullable=True),
    Column("given_up_at", UtcDateTime, nullable=True),
    Column("is_security", Boolean, nullable=False),
    UniqueConstraint("member_id", "kind", "event_key"),
    CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    CheckConstraint("sent_at IS NULL OR given_up_at IS NULL", name="sent_or_given_up"),
    ForeignKeyConstraint(["timebank_id", "member_id"], ["members.timebank_id", "members.id"]),
    # The worker's question: what is due and neither sent nor given up?
    Index("ix_notification_outbox_due", "sent_at", "given_up_at", "due_at"),
)
