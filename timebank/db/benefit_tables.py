"""The tables for recognising involvement without harming benefits (DESIGN §4, issue 4).

An organisation's **activity** (a forum, a board, a panel) has **attendance**: each attendee's
minutes and reward choice. Choosing credits posts a recognition transaction in the ledger, and the
attendance row points at it; every other choice posts no credits. Money lives apart, in whole pence,
in tables of its own that never hold minutes of credit (B1, B2):

    expenses            costs a member paid, repaid against a receipt or a mileage calculation and
                        never above it
    payments            money or money's worth (cash, a voucher, a gift) paid to the member for
                        involvement, with the week or month it covers and the minutes of paid work
    declined_payments   a payment offer the member did not take for themselves: turned down
                        (``decline``) or given to a charity at their request (``charity``)

A member may **declare benefits** in coarse categories (special-category data: B4). The row is
deletable and deleting it removes it; the **audit log** keeps only that it happened. The audit log
records every benefit rule check, warning, acknowledgement, reward choice and every read of a
declaration, and is append-only (triggers, ``timebank.db.triggers``). Its details never hold
categories, nor free text: what a person wrote with an entry is its note, in ``audit_notes`` beside
it, where erasing a member can replace it.

The database enforces what it can: whole positive pence below a ceiling, an expense never above its
evidence (a mileage claim's evidence is exactly miles × pence per mile), one shape of evidence per
expense, a reduced payment below its offer, an acknowledgement wherever one was needed, a recognition
transaction exactly when credits were chosen, one attendance per member and activity, and composite
keys that keep every row inside one timebank and every money row with the organisation of its
activity. The lists of codes in the CHECKs are the benefits core's enums (``timebank.benefits``),
written out here because storage does not import that core; a test holds the two to each other.

Time is whole minutes (paid work, attendance); money is whole pence; no column holds both.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from timebank.db.tables import Id, UtcDateTime, metadata
from timebank.ledger.limits import DESCRIPTION_LENGTH_MAX, NAME_LENGTH_MAX
from timebank.ledger.rules import MINUTES_PER_TRANSFER_MAX

__all__ = [
    "ACTIVITY_CLASSIFICATIONS",
    "AUDIT_DETAILS_LENGTH_MAX",
    "BENEFIT_CATEGORIES_LENGTH_MAX",
    "DECLINED_CHOICES",
    "EVIDENCE_KINDS",
    "PAYMENT_ADVICE_LENGTH_MAX",
    "PAYMENT_KINDS",
    "PENCE_MAX",
    "PERIOD_KINDS",
    "REWARDS",
    "activities",
    "activity_invitations",
    "attendance",
    "audit_log",
    "audit_notes",
    "benefit_declarations",
    "declined_payments",
    "expenses",
    "payment_advice",
    "payments",
]

# The benefits core's codes (timebank.benefits: ActivityClassification, Reward, PaymentKind,
# PeriodKind); tests/integration/test_benefit_storage.py checks that they agree.
ACTIVITY_CLASSIFICATIONS = ("uses_services", "volunteering", "community_activity")
REWARDS = ("credits", "payment", "reduced_payment", "decline", "charity")
PAYMENT_KINDS = ("cash", "voucher", "gift")
PERIOD_KINDS = ("week", "month")
EVIDENCE_KINDS = ("receipt", "mileage")
DECLINED_CHOICES = ("decline", "charity")
# timebank.benefits.checks.PENCE_MAX, MILES_MAX and PENCE_PER_MILE_MAX: £100,000, 2,000 miles, £1.
PENCE_MAX = 10_000_000
_MILES_MAX = 2000
_PENCE_PER_MILE_MAX = 100
AUDIT_DETAILS_LENGTH_MAX = 2000
# A payment's advice: a handful of warnings of a few hundred characters each.
PAYMENT_ADVICE_LENGTH_MAX = 8000
# Every category's code, comma-separated, fits with room to spare.
BENEFIT_CATEGORIES_LENGTH_MAX = 200
_ACTOR_LENGTH_MAX = 100


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _pence(column: str) -> str:
    return f"{column} > 0 AND {column} <= {PENCE_MAX}"


activities = Table(
    "activities",
    metadata,
    Column("id", Id, primary_key=True),
    Column("timebank_id", Id, nullable=False),
    Column("organisation_id", Id, nullable=False),
    Column("title", String(NAME_LENGTH_MAX), nullable=False),
    Column("held_on", Date, nullable=False),
    Column("duration_minutes", BigInteger, nullable=False),
    Column("classification", String(40), nullable=False),
    Column("purpose", String(DESCRIPTION_LENGTH_MAX), nullable=False),
    Column("created_by", String(_ACTOR_LENGTH_MAX), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("timebank_id", "id"),
    # Money rows name (timebank, organisation, activity), so an activity's money stays its organisation's.
    UniqueConstraint("timebank_id", "organisation_id", "id"),
    ForeignKeyConstraint(
        ["timebank_id", "organisation_id"], ["organisations.timebank_id", "organisations.id"]
    ),
    CheckConstraint(
        f"duration_minutes > 0 AND duration_minutes <= {MINUTES_PER_TRANSFER_MAX}", name="duration_in_range"
    ),
    CheckConstraint(_in("classification", ACTIVITY_CLASSIFICATIONS), name="classification_known"),
    Index("ix_activities_organisation_held", "timebank_id", "organisation_id", "held_on"),
)

attendance = Table(
    "attendance",
    metadata,
    # One row per member and activity: a member's choice for an activity is made once.
    Column("activity_id", Id, primary_key=True),
    Column("account_id", Id, primary_key=True),
    Column("timebank_id", Id, nullable=False),
    Column("minutes", BigInteger, nullable=False),
    Column("reward", String(20), nullable=False),
    Column("chosen_at", UtcDateTime, nullable=False),
    Column("recorded_by", String(_ACTOR_LENGTH_MAX), nullable=False),
    Column("recognition_transaction_id", Id, nullable=True),
    ForeignKeyConstraint(["timebank_id", "activity_id"], ["activities.timebank_id", "activities.id"]),
    ForeignKeyConstraint(["timebank_id", "account_id"], ["accounts.timebank_id", "accounts.id"]),
    ForeignKeyConstraint(
        ["timebank_id", "recognition_transaction_id"], ["transactions.timebank_id", "transactions.id"]
    ),
    CheckConstraint(f"minutes > 0 AND minutes <= {MINUTES_PER_TRANSFER_MAX}", name="minutes_in_range"),
    CheckConstraint(_in("reward", REWARDS), name="reward_known"),
    # Credits, and only credits, are recognised in the ledger.
    CheckConstraint(
        "(reward = 'credits') = (recognition_transaction_id IS NOT NULL)", name="credits_iff_recognised"
    ),
    Index("ix_attendance_account", "account_id", "activity_id"),
)

activity_invitations = Table(
    "activity_invitations",
    metadata,
    # The members an organisation invited to an activity: its link to them. A payment is offered,
    # and a payment checked against the benefit guard, only for someone invited (B4: the guard is
    # not a way to ask about every member of the timebank).
    Column("activity_id", Id, primary_key=True),
    Column("account_id", Id, primary_key=True),
    Column("timebank_id", Id, nullable=False),
    Column("invited_by", String(_ACTOR_LENGTH_MAX), nullable=False),
    Column("invited_at", UtcDateTime, nullable=False),
    ForeignKeyConstraint(["timebank_id", "activity_id"], ["activities.timebank_id", "activities.id"]),
    ForeignKeyConstraint(["timebank_id", "account_id"], ["accounts.timebank_id", "accounts.id"]),
    Index("ix_activity_invitations_account", "account_id", "activity_id"),
)

expenses = Table(
    "expenses",
    metadata,
    Column("id", Id, primary_key=True),
    Column("timebank_id", Id, nullable=False),
    Column("organisation_id", Id, nullable=False),
    Column("account_id", Id, nullable=False),
    Column("activity_id", Id, nullable=True),
    Column("incurred_on", Date, nullable=False),
    Column("description", String(DESCRIPTION_LENGTH_MAX), nullable=False),
    Column("amount_pence", BigInteger, nullable=False),
    Column("evidence_kind", String(20), nullable=False),
    Column("receipt_reference", String(NAME_LENGTH_MAX), nullable=True),
    Column("journey", String(DESCRIPTION_LENGTH_MAX), nullable=True),
    Column("miles", BigInteger, nullable=True),
    Column("pence_per_mile", BigInteger, nullable=True),
    Column("evidenced_pence", BigInteger, nullable=False),
    Column("recorded_by", String(_ACTOR_LENGTH_MAX), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    ForeignKeyConstraint(["timebank_id", "account_id"], ["accounts.timebank_id", "accounts.id"]),
    ForeignKeyConstraint(
        ["timebank_id", "organisation_id"], ["organisations.timebank_id", "organisations.id"]
    ),
    ForeignKeyConstraint(
        ["timebank_id", "organisation_id", "activity_id"],
        ["activities.timebank_id", "activities.organisation_id", "activities.id"],
    ),
    CheckConstraint(_pence("amount_pence"), name="amount_in_range"),
    CheckConstraint(_pence("evidenced_pence"), name="evidence_in_range"),
    # Repaid at cost against evidence, never more (B2).
    CheckConstraint("amount_pence <= evidenced_pence", name="within_evidence"),
    CheckConstraint(_in("evidence_kind", EVIDENCE_KINDS), name="evidence_kind_known"),
    CheckConstraint(
        "(evidence_kind = 'receipt' AND receipt_reference IS NOT NULL AND journey IS NULL"
        " AND miles IS NULL AND pence_per_mile IS NULL)"
        " OR (evidence_kind = 'mileage' AND receipt_reference IS NULL AND journey IS NOT NULL"
        " AND miles IS NOT NULL AND pence_per_mile IS NOT NULL"
        " AND evidenced_pence = miles * pence_per_mile)",
        name="evidence_shape",
    ),
    CheckConstraint(f"miles IS NULL OR (miles > 0 AND miles <= {_MILES_MAX})", name="miles_in_range"),
    CheckConstraint(
        f"pence_per_mile IS NULL OR (pence_per_mile > 0 AND pence_per_mile <= {_PENCE_PER_MILE_MAX})",
        name="mileage_rate_in_range",
    ),
    Index("ix_expenses_account_incurred", "account_id", "incurred_on"),
)

payments = Table(
    "payments",
    metadata,
    Column("id", Id, primary_key=True),
    Column("timebank_id", Id, nullable=False),
    Column("organisation_id", Id, nullable=False),
    Column("account_id", Id, nullable=False),
    Column("activity_id", Id, nullable=True),
    Column("paid_on", Date, nullable=False),
    Column("description", String(DESCRIPTION_LENGTH_MAX), nullable=False),
    Column("amount_pence", BigInteger, nullable=False),
    # Set when the member took less than was offered: the offer, kept beside what was paid.
    Column("offered_pence", BigInteger, nullable=True),
    Column("kind", String(20), nullable=False),
    Column("period_kind", String(20), nullable=False),
    Column("period_from_on", Date, nullable=False),
    Column("period_to_on", Date, nullable=False),
    # The time of paid work the payment is for, which permitted work's hours condition counts.
    Column("worked_minutes", BigInteger, nullable=False),
    Column("acknowledgement_needed", Boolean, nullable=False),
    Column("acknowledgement_reference", String(NAME_LENGTH_MAX), nullable=True),
    Column("recorded_by", String(_ACTOR_LENGTH_MAX), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    # At most one payment per attendance (payments outside an activity have no activity).
    UniqueConstraint("activity_id", "account_id"),
    ForeignKeyConstraint(["timebank_id", "account_id"], ["accounts.timebank_id", "accounts.id"]),
    ForeignKeyConstraint(
        ["timebank_id", "organisation_id"], ["organisations.timebank_id", "organisations.id"]
    ),
    ForeignKeyConstraint(
        ["timebank_id", "organisation_id", "activity_id"],
        ["activities.timebank_id", "activities.organisation_id", "activities.id"],
    ),
    # A payment for an activity is paid to someone whose attendance is recorded.
    ForeignKeyConstraint(["activity_id", "account_id"], ["attendance.activity_id", "attendance.account_id"]),
    CheckConstraint(_pence("amount_pence"), name="amount_in_range"),
    CheckConstraint("offered_pence IS NULL OR offered_pence > amount_pence", name="reduced_below_offer"),
    CheckConstraint(_in("kind", PAYMENT_KINDS), name="kind_known"),
    CheckConstraint(_in("period_kind", PERIOD_KINDS), name="period_kind_known"),
    CheckConstraint("period_to_on > period_from_on", name="period_not_empty"),
    CheckConstraint(
        f"worked_minutes >= 0 AND worked_minutes <= {MINUTES_PER_TRANSFER_MAX}", name="worked_in_range"
    ),
    CheckConstraint(
        "acknowledgement_reference IS NOT NULL OR NOT acknowledgement_needed",
        name="acknowledged_where_needed",
    ),
    Index("ix_payments_account_paid", "account_id", "paid_on"),
)

declined_payments = Table(
    "declined_payments",
    metadata,
    Column("id", Id, primary_key=True),
    Column("timebank_id", Id, nullable=False),
    Column("organisation_id", Id, nullable=False),
    Column("account_id", Id, nullable=False),
    Column("activity_id", Id, nullable=False),
    Column("choice", String(20), nullable=False),
    Column("declined_on", Date, nullable=False),
    Column("description", String(DESCRIPTION_LENGTH_MAX), nullable=False),
    # What was offered, if anything was: a member may decline with no offer made.
    Column("offered_pence", BigInteger, nullable=True),
    Column("kind", String(20), nullable=True),
    Column("charity_name", String(NAME_LENGTH_MAX), nullable=True),
    Column("recorded_by", String(_ACTOR_LENGTH_MAX), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    UniqueConstraint("activity_id", "account_id"),
    ForeignKeyConstraint(["timebank_id", "account_id"], ["accounts.timebank_id", "accounts.id"]),
    ForeignKeyConstraint(
        ["timebank_id", "organisation_id", "activity_id"],
        ["activities.timebank_id", "activities.organisation_id", "activities.id"],
    ),
    ForeignKeyConstraint(["activity_id", "account_id"], ["attendance.activity_id", "attendance.account_id"]),
    CheckConstraint(_in("choice", DECLINED_CHOICES), name="choice_known"),
    CheckConstraint(f"offered_pence IS NULL OR ({_pence('offered_pence')})", name="offer_in_range"),
    CheckConstraint(f"kind IS NULL OR {_in('kind', PAYMENT_KINDS)}", name="kind_known"),
    CheckConstraint("(offered_pence IS NULL) = (kind IS NULL)", name="offer_has_kind"),
    CheckConstraint("(choice = 'charity') = (charity_name IS NOT NULL)", name="charity_named_iff_chosen"),
    CheckConstraint("choice = 'decline' OR offered_pence IS NOT NULL", name="charity_needs_offer"),
)

benefit_declarations = Table(
    "benefit_declarations",
    metadata,
    # One declaration per member account; deleting it deletes the row.
    Column("account_id", Id, primary_key=True),
    Column("timebank_id", Id, nullable=False),
    # The coarse category codes, sorted and comma-separated (timebank.benefits.BenefitCategory).
    Column("categories", String(BENEFIT_CATEGORIES_LENGTH_MAX), nullable=False),
    Column("declared_at", UtcDateTime, nullable=False),
    Column("declared_by", String(_ACTOR_LENGTH_MAX), nullable=False),
    # True when a coordinator set it for the member, with the member's say-so.
    Column("set_for_member", Boolean, nullable=False),
    ForeignKeyConstraint(["timebank_id", "account_id"], ["accounts.timebank_id", "accounts.id"]),
    CheckConstraint("categories <> ''", name="categories_given"),
)

payment_advice = Table(
    "payment_advice",
    metadata,
    # What the benefit guard told the member about a payment offered for an activity, in the
    # member's own words: it names limits, so it says which benefits they get, and only the member
    # and coordinators read it. The latest check per member and activity; deleted with the
    # declaration it came from.
    Column("activity_id", Id, primary_key=True),
    Column("account_id", Id, primary_key=True),
    Column("timebank_id", Id, nullable=False),
    Column("organisation_id", Id, nullable=False),
    Column("paid_on", Date, nullable=False),
    Column("amount_pence", BigInteger, nullable=False),
    Column("worked_minutes", BigInteger, nullable=False),
    # JSON: a list of {"code", "text"}, the guard's warnings in the member's wording.
    Column("warnings", Text, nullable=False),
    Column("checked_at", UtcDateTime, nullable=False),
    ForeignKeyConstraint(
        ["timebank_id", "organisation_id", "activity_id"],
        ["activities.timebank_id", "activities.organisation_id", "activities.id"],
    ),
    ForeignKeyConstraint(["timebank_id", "account_id"], ["accounts.timebank_id", "accounts.id"]),
    CheckConstraint(_pence("amount_pence"), name="amount_in_range"),
    CheckConstraint(
        f"worked_minutes >= 0 AND worked_minutes <= {MINUTES_PER_TRANSFER_MAX}", name="worked_in_range"
    ),
    CheckConstraint(f"length(warnings) <= {PAYMENT_ADVICE_LENGTH_MAX}", name="warnings_short"),
    Index("ix_payment_advice_account", "timebank_id", "account_id", "checked_at"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Id, primary_key=True),
    Column("timebank_id", Id, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(_ACTOR_LENGTH_MAX), nullable=False),
    Column("action", String(60), nullable=False),
    Column("subject_account_id", Id, nullable=True),
    # Short JSON: ids, codes and amounts; never a benefit category.
    Column("details", Text, nullable=False),
    ForeignKeyConstraint(["timebank_id", "subject_account_id"], ["accounts.timebank_id", "accounts.id"]),
    CheckConstraint("action <> ''", name="action_given"),
    CheckConstraint(f"length(details) <= {AUDIT_DETAILS_LENGTH_MAX}", name="details_short"),
    Index("ix_audit_log_subject", "timebank_id", "subject_account_id", "at"),
)

# The free text a person wrote with an audit entry (a coordinator's reason for turning a login off),
# kept off the append-only row (migration 0013): the audit log's own rows hold ids, codes and amounts
# only, so erasing a member never needs to change them. Erasing a member replaces the notes of the
# entries about them and of those they wrote (``timebank.people.erasure``).
audit_notes = Table(
    "audit_notes",
    metadata,
    Column("audit_id", Id, ForeignKey("audit_log.id"), primary_key=True),
    Column("timebank_id", Id, nullable=False),
    Column("note", Text, nullable=False),
    CheckConstraint(f"length(note) <= {AUDIT_DETAILS_LENGTH_MAX}", name="note_short"),
)
