"""Request and response bodies of recognising involvement: activities, attendance, money, declarations.

The same contract as ``timebank.api.schemas``: unknown fields refused, strict integers, a limit on
every string and list. Money is whole pence in fields named ``..._pence`` and time whole minutes in
fields named ``..._minutes``; no body carries both for one thing, and none puts a money value on
credits (B1). The bounds repeat the benefits core's, so the schema refuses first and names the same
rule (``timebank.api.problems`` maps each field's bound to its code); the core stays the last word.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StrictBool, StrictInt

from timebank.api.schemas import CalendarDate, Id, Minutes, Name, _Request
from timebank.benefits.activities import ATTENDEES_MAX, ActivityClassification
from timebank.benefits.checks import PENCE_MAX
from timebank.benefits.choices import Reward
from timebank.benefits.money import HMRC_PENCE_PER_MILE, MILES_MAX, PENCE_PER_MILE_MAX, PaymentKind
from timebank.benefits.periods import PeriodKind
from timebank.benefits.spending import SpendClass
from timebank.ledger.limits import DESCRIPTION_LENGTH_MAX, NAME_LENGTH_MAX

__all__ = [
    "ActivityCreate",
    "ActivityOut",
    "ActivityPageOut",
    "AttendanceCreate",
    "AttendanceEntryOut",
    "AttendanceListOut",
    "AttendanceOut",
    "AttendeeIn",
    "AttendeeOut",
    "AuditEntryOut",
    "AuditPageOut",
    "DeclarationOut",
    "DeclarationPut",
    "ExpenseCreate",
    "ExpenseOut",
    "InvitationOut",
    "InvitationsCreate",
    "InvitationsOut",
    "MileageIn",
    "OfferIn",
    "PaymentAdviceOut",
    "PaymentAdvicePageOut",
    "PaymentCheckCreate",
    "PaymentCheckOut",
    "ReceiptIn",
    "SpendCreate",
    "SpendOptionCreate",
    "SpendOptionOut",
    "SpendOptionPageOut",
    "SpendOut",
]

Pence = Annotated[StrictInt, Field(ge=1, le=PENCE_MAX)]
# A day an activity, an expense or a payment can fall on. The weeks and months the benefit guard
# counts must fit in the calendar too: 9999-12-31's month ends past the year 9999.
# The pattern tells the contract (OpenAPI has no bounds for a date) what the bounds tell the model.
Day = Annotated[
    CalendarDate,
    Field(
        ge=date(1900, 1, 1),
        le=date(2999, 12, 31),
        json_schema_extra={"pattern": r"^(19|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$"},
    ),
]
Text = Annotated[str, Field(max_length=DESCRIPTION_LENGTH_MAX)]
ShortText = Annotated[str, Field(max_length=NAME_LENGTH_MAX)]
# The benefits core's categories are few; a list longer than this is not a declaration.
CATEGORIES_MAX = 10


class ActivityCreate(_Request):
    title: Name
    held_on: Day
    duration_minutes: Minutes
    classification: ActivityClassification
    purpose: Text = ""


class ActivityOut(BaseModel):
    id: int
    organisation_id: int
    title: str
    held_on: str
    duration_minutes: int
    classification: str
    classification_label: str
    purpose: str


class ActivityPageOut(BaseModel):
    activities: list[ActivityOut]
    next_cursor: str | None


class AttendeeIn(_Request):
    """One attendee: their time, their choice, and what that choice needs.

    Left out (or null), the choice is the default: time credits for a member who declared benefits,
    otherwise the offered payment, or time credits when nothing is offered.

    ``reduced_pence`` for ``reduced_payment``; ``charity_name`` for ``charity``; ``acknowledgement``
    (the advice given, the form signed) for a payment the benefit guard says needs one.
    """

    account_id: Id
    minutes: Minutes
    choice: Reward | None = None
    reduced_pence: Pence | None = None
    charity_name: ShortText | None = None
    acknowledgement: ShortText | None = None


class OfferIn(_Request):
    """The payment offered to each attendee who takes one (or turns it down), and what it covers."""

    amount_pence: Pence
    kind: PaymentKind
    period_kind: PeriodKind
    from_on: Day
    to_on: Day
    description: Text


class AttendanceCreate(_Request):
    attendees: Annotated[list[AttendeeIn], Field(min_length=1, max_length=ATTENDEES_MAX)]
    offer: OfferIn | None = None
    paid_on: Day | None = None


class InvitationsCreate(_Request):
    account_ids: Annotated[list[Id], Field(min_length=1, max_length=ATTENDEES_MAX)]


class InvitationOut(BaseModel):
    account_id: int
    invited_by: str
    invited_at: datetime


class InvitationsOut(BaseModel):
    activity_id: int
    invitations: list[InvitationOut]


class AttendeeOut(BaseModel):
    account_id: int
    minutes: int
    choice: str
    recognised_minutes: int
    payment_id: int | None
    payment_pence: int | None
    declined: bool
    warnings: list[str]


class AttendanceOut(BaseModel):
    activity_id: int
    recognition_transaction_id: int | None
    recognised_minutes: int
    attendees: list[AttendeeOut]


class AttendanceEntryOut(BaseModel):
    account_id: int
    minutes: int
    choice: str
    recognition_transaction_id: int | None
    chosen_at: datetime
    recorded_by: str


class AttendanceListOut(BaseModel):
    activity_id: int
    attendees: list[AttendanceEntryOut]


class PaymentCheckCreate(_Request):
    account_id: Id
    amount_pence: Pence
    worked_minutes: Annotated[StrictInt, Field(ge=0, le=7 * 24 * 60)] = 0
    paid_on: Day | None = None


class PaymentCheckOut(BaseModel):
    account_id: int
    amount_pence: int
    acknowledgement_needed: bool
    warning_codes: list[str]
    warnings: list[str]


class ReceiptIn(_Request):
    kind: Literal["receipt"]
    reference: ShortText
    evidenced_pence: Pence


class MileageIn(_Request):
    kind: Literal["mileage"]
    journey: Text
    miles: Annotated[StrictInt, Field(ge=1, le=MILES_MAX)]
    pence_per_mile: Annotated[StrictInt, Field(ge=1, le=PENCE_PER_MILE_MAX)] = HMRC_PENCE_PER_MILE


class ExpenseCreate(_Request):
    account_id: Id
    amount_pence: Pence
    evidence: Annotated[ReceiptIn | MileageIn, Field(discriminator="kind")]
    description: Text
    incurred_on: Day
    activity_id: Id | None = None


class ExpenseOut(BaseModel):
    id: int
    organisation_id: int
    account_id: int
    activity_id: int | None
    incurred_on: str
    description: str
    amount_pence: int
    evidence_kind: str
    evidenced_pence: int


class DeclarationPut(_Request):
    """The categories, coarse on purpose; ``members_say_so`` when a coordinator enters them for the member."""

    categories: Annotated[list[Annotated[str, Field(max_length=60)]], Field(max_length=CATEGORIES_MAX)]
    members_say_so: StrictBool = False


class DeclarationOut(BaseModel):
    """A member's declaration: only the member and coordinators ever get this (B4)."""

    account_id: int
    declared: bool
    categories: list[str]
    category_labels: list[str]
    declared_at: str | None
    declared_by: str | None
    set_for_member: bool | None


class AuditEntryOut(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    subject_account_id: int | None
    details: dict[str, Any]


class AuditPageOut(BaseModel):
    entries: list[AuditEntryOut]
    next_cursor: str | None


class PaymentAdviceOut(BaseModel):
    activity_id: int
    activity_title: str
    organisation_id: int
    organisation_name: str
    paid_on: date
    amount_pence: int
    worked_minutes: int
    warning_codes: list[str]
    warnings: list[str]
    checked_at: datetime


class PaymentAdvicePageOut(BaseModel):
    advice: list[PaymentAdviceOut]
    next_cursor: str | None


class SpendOptionCreate(_Request):
    title: Name
    minutes: Minutes
    spend_class: SpendClass


class SpendOptionOut(BaseModel):
    id: int
    organisation_id: int
    title: str
    minutes: int
    spend_class: str
    spend_class_label: str
    active: bool


class SpendOptionPageOut(BaseModel):
    spend_options: list[SpendOptionOut]
    next_cursor: str | None


class SpendCreate(_Request):
    """Spend credits on an option, for ``account_id`` (the member, or a coordinator for them).

    ``acknowledgement``: for goods or a voucher, when the member has declared benefits, the member's
    own words that they understand it may affect their benefits.
    """

    account_id: Id
    acknowledgement: ShortText | None = None


class SpendOut(BaseModel):
    id: int
    spend_option_id: int
    organisation_id: int
    account_id: int
    exchange_id: int
    transaction_id: int
    minutes: int
    spend_class: str
    acknowledged: bool
    spent_at: str
    balance_minutes: int
