"""The tables for people and access: members, organisations, logins, tokens and API keys.

A **member** is a person in one timebank, with one member account. An **organisation** has its own
account and, optionally, contact details (an address, an email, a phone); its **staff** are members
linked to it, who may act for that account. A **login** is how a
person proves who they are: a username and an argon2id password hash, linked to at most one member
(a platform admin may have no member at all). Logins and their access tokens are the only rows not
scoped to a timebank: an admin manages timebanks and belongs to none.

Secrets are never stored: access tokens and organisation API keys are long random strings, kept as
their SHA-256 (enough for a secret with 256 bits of entropy; passwords, which people choose, get the
slow argon2id hash instead). Failed logins are kept for the rate limit, shared by every worker.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Table,
    UniqueConstraint,
)

from timebank.db.tables import Id, UtcDateTime, metadata
from timebank.ledger.contacts import ADDRESS_LENGTH_MAX, EMAIL_LENGTH_MAX, PHONE_LENGTH_MAX

__all__ = [
    "access_tokens",
    "api_keys",
    "login_failures",
    "logins",
    "member_tags",
    "members",
    "organisation_staff",
    "organisations",
    "password_codes",
]

USERNAME_LENGTH_MAX = 100
TAG_LENGTH_MAX = 50
MEMBERSHIP_END_REASON_LENGTH_MAX = 500

logins = Table(
    "logins",
    metadata,
    Column("id", Id, primary_key=True),
    Column("username", String(USERNAME_LENGTH_MAX), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("is_admin", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    # Set while a coordinator has turned the login off (migration 0012): it neither logs in nor
    # holds a live token. The member, their account and their history are untouched.
    Column("disabled_at", UtcDateTime, nullable=True),
)

members = Table(
    "members",
    metadata,
    Column("id", Id, primary_key=True),
    Column("timebank_id", Id, ForeignKey("timebanks.id"), nullable=False),
    Column("account_id", Id, nullable=False, unique=True),
    Column("login_id", Id, ForeignKey("logins.id"), nullable=True, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("is_coordinator", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    # Where the member is told things (migration 0011): optional, seen only by the member and
    # coordinators, and used for mail only once ``email_verified_at`` says a link in it was followed.
    Column("email", String(EMAIL_LENGTH_MAX), nullable=True),
    Column("email_verified_at", UtcDateTime, nullable=True),
    # The end of a membership (migration 0013): the last day they were a member, when and by whom
    # that was recorded, and why, in the coordinator's words. The reason is about a person, so it
    # lives here, where an erasure can clear it, and never in the append-only audit log.
    Column("membership_ended_on", Date, nullable=True),
    Column("membership_ended_at", UtcDateTime, nullable=True),
    Column("membership_ended_by", String(100), nullable=True),
    Column("membership_end_reason", String(MEMBERSHIP_END_REASON_LENGTH_MAX), nullable=True),
    # Set when the member's personal data was erased (migration 0014): the name reads "Former
    # member N", and every personal detail and free text of theirs is gone (``timebank.people.erasure``).
    Column("erased_at", UtcDateTime, nullable=True),
    UniqueConstraint("timebank_id", "id"),
    ForeignKeyConstraint(["timebank_id", "account_id"], ["accounts.timebank_id", "accounts.id"]),
    CheckConstraint(
        "(membership_ended_on IS NULL) = (membership_ended_at IS NULL)"
        " AND (membership_ended_on IS NULL) = (membership_ended_by IS NULL)"
        " AND (membership_end_reason IS NULL OR membership_ended_on IS NOT NULL)",
        name="membership_end_whole",
    ),
)

member_tags = Table(
    "member_tags",
    metadata,
    Column("member_id", Id, primary_key=True),
    Column("tag", String(TAG_LENGTH_MAX), primary_key=True),
    Column("timebank_id", Id, nullable=False),
    ForeignKeyConstraint(["timebank_id", "member_id"], ["members.timebank_id", "members.id"]),
    Index("ix_member_tags_timebank_tag", "timebank_id", "tag"),
)

organisations = Table(
    "organisations",
    metadata,
    Column("id", Id, primary_key=True),
    Column("timebank_id", Id, ForeignKey("timebanks.id"), nullable=False),
    Column("account_id", Id, nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    # How to reach the organisation, named on the statements of the activities it ran and the
    # payments it made (migration 0009).
    Column("contact_address", String(ADDRESS_LENGTH_MAX), nullable=True),
    Column("contact_email", String(EMAIL_LENGTH_MAX), nullable=True),
    Column("contact_phone", String(PHONE_LENGTH_MAX), nullable=True),
    UniqueConstraint("timebank_id", "id"),
    ForeignKeyConstraint(["timebank_id", "account_id"], ["accounts.timebank_id", "accounts.id"]),
)

organisation_staff = Table(
    "organisation_staff",
    metadata,
    Column("organisation_id", Id, primary_key=True),
    Column("member_id", Id, primary_key=True),
    Column("timebank_id", Id, nullable=False),
    Column("added_at", UtcDateTime, nullable=False),
    # Both ends in the same timebank: staff of one timebank's organisation cannot come from another.
    ForeignKeyConstraint(
        ["timebank_id", "organisation_id"], ["organisations.timebank_id", "organisations.id"]
    ),
    ForeignKeyConstraint(["timebank_id", "member_id"], ["members.timebank_id", "members.id"]),
    Index("ix_organisation_staff_member", "member_id"),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Id, primary_key=True),
    Column("timebank_id", Id, nullable=False),
    Column("organisation_id", Id, nullable=False),
    Column("label", String(200), nullable=False),
    Column("secret_sha256", String(64), nullable=False, unique=True),
    Column("created_by", String(100), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    ForeignKeyConstraint(
        ["timebank_id", "organisation_id"], ["organisations.timebank_id", "organisations.id"]
    ),
)

access_tokens = Table(
    "access_tokens",
    metadata,
    Column("id", Id, primary_key=True),
    Column("login_id", Id, ForeignKey("logins.id"), nullable=False),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    CheckConstraint("expires_at > created_at", name="expires_after_created"),
)

login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Id, primary_key=True),
    # "username:<name>" or "address:<ip>": each is limited on its own.
    Column("subject", String(200), nullable=False),
    Column("failed_at", UtcDateTime, nullable=False),
    Index("ix_login_failures_subject_failed_at", "subject", "failed_at"),
)

# A way back in (migration 0012): a set-password code a coordinator issues (typed from a letter or an
# email), or a reset link a member asks for by email. Either is a secret given out once and kept
# only as its SHA-256, expires, and works once; issuing a new one voids the member's earlier ones.
password_codes = Table(
    "password_codes",
    metadata,
    Column("id", Id, primary_key=True),
    Column("timebank_id", Id, nullable=False),
    Column("member_id", Id, nullable=False),
    Column("kind", String(20), nullable=False),  # "code" (from a coordinator) or "link" (asked for)
    Column("secret_sha256", String(64), nullable=False, unique=True),
    Column("issued_by", String(100), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
    CheckConstraint("expires_at > created_at", name="password_code_expires_after_created"),
    CheckConstraint("kind IN ('code', 'link')", name="password_code_kind"),
    ForeignKeyConstraint(["timebank_id", "member_id"], ["members.timebank_id", "members.id"]),
    Index("ix_password_codes_member_id", "member_id"),
)
