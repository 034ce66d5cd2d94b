"""What the involvement use cases are asked: one typed request each (``timebank.fields``).

The JSON API takes these as its bodies and the pages fill them from their forms, so both are
refused by the same rules before a use case runs. Money is whole pence in fields named
``..._pence`` and time whole minutes in fields named ``..._minutes``; no request carries both for
one thing, and none puts a money value on credits (B1). The bounds repeat the benefits core's, so
a request is refused first by the rule the core would name (``timebank.api.problems`` maps each
field's bound to its code); the use cases check again, and the core stays the last word.

An attendee's choice and the payment offered are parts of the request to record attendance
(``AttendeeChoice``, ``OfferTerms``): the use case works on them as they came.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictInt

from timebank.benefits.activities import ATTENDEES_MAX, ActivityClassification
from timebank.benefits.checks import PENCE_MAX
from timebank.benefits.choices import PaymentOffer, Reward
from timebank.benefits.money import (
    HMRC_PENCE_PER_MILE,
    MILES_MAX,
    PENCE_PER_MILE_MAX,
    Evidence,
    Mileage,
    PaymentKind,
    PaymentPeriod,
    Receipt,
)
from timebank.benefits.periods import PeriodKind, week_of
from timebank.fields import CalendarDate, Id, Minutes, Name, Request
from timebank.ledger.limits import DESCRIPTION_LENGTH_MAX, NAME_LENGTH_MAX

__all__ = [
    "CATEGORIES_MAX",
    "WORKED_MINUTES_MAX",
    "AttendeeChoice",
    "CheckPayment",
    "CreateActivity",
    "Day",
    "DeclareBenefits",
    "InviteMembers",
    "MileageEvidence",
    "OfferTerms",
    "Pence",
    "ReceiptEvidence",
    "RecordAttendance",
    "RecordExpense",
    "ShortText",
    "Text",
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
# The most minutes of paid work one payment is checked for: a whole week.
WORKED_MINUTES_MAX = 7 * 24 * 60


class CreateActivity(Request):
    """An organisation's forum, board or panel: what it was, when, for how long, and what for."""

    title: Name
    held_on: Day
    duration_minutes: Minutes
    classification: ActivityClassification
    purpose: Text = ""


class AttendeeChoice(Request):
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

    @property
    def acknowledged(self) -> bool:
        return self.acknowledgement is not None and bool(self.acknowledgement.strip())

    @property
    def reward(self) -> Reward:
        """The choice, once defaults are filled in; asking before that is a bug."""
        assert self.choice is not None, "the default reward is filled in before the choice is used"
        return self.choice


class OfferTerms(Request):
    """The payment offered to each attendee who takes one (or turns it down), and what it covers.

    Checked into the benefits core's ``PaymentOffer`` when the attendance is recorded, so every
    broken rule is refused by its code like the rest of the call's.
    """

    amount_pence: Pence
    kind: PaymentKind
    period_kind: PeriodKind
    from_on: Day
    to_on: Day
    description: Text

    @classmethod
    def for_week(cls, amount_pence: int, kind: PaymentKind, on: date, description: str) -> OfferTerms:
        """An offer covering the Monday-start week of ``on``."""
        from_on, to_on = week_of(on)
        return cls(
            amount_pence=amount_pence,
            kind=kind,
            period_kind=PeriodKind.WEEK,
            from_on=from_on,
            to_on=to_on,
            description=description,
        )

    def offer(self) -> PaymentOffer:
        """The checked offer; raises ``BenefitRulesBroken`` with every breach."""
        period = PaymentPeriod(PeriodKind(self.period_kind), self.from_on, self.to_on)
        return PaymentOffer(self.amount_pence, PaymentKind(self.kind), period, self.description.strip())


class RecordAttendance(Request):
    """Who came and what each chose; the payment offered, if any; the day payments are made.

    ``paid_on`` is the activity's day unless given.
    """

    attendees: Annotated[list[AttendeeChoice], Field(min_length=1, max_length=ATTENDEES_MAX)]
    offer: OfferTerms | None = None
    paid_on: Day | None = None


class InviteMembers(Request):
    """The members to invite to an activity: those a payment may be offered to."""

    account_ids: Annotated[list[Id], Field(min_length=1, max_length=ATTENDEES_MAX)]


class CheckPayment(Request):
    """A payment the organisation means to offer a member, to run past the benefit guard first."""

    account_id: Id
    amount_pence: Pence
    worked_minutes: Annotated[StrictInt, Field(ge=0, le=WORKED_MINUTES_MAX)] = 0
    paid_on: Day | None = None


class ReceiptEvidence(Request):
    """A receipt or ticket: its reference and the amount it shows."""

    kind: Literal["receipt"]
    reference: ShortText
    evidenced_pence: Pence

    def evidence(self) -> Evidence:
        return Receipt(self.reference, self.evidenced_pence)


class MileageEvidence(Request):
    """A mileage sum: the journey, whole miles, and pence per mile (HMRC's rate unless given)."""

    kind: Literal["mileage"]
    journey: Text
    miles: Annotated[StrictInt, Field(ge=1, le=MILES_MAX)]
    pence_per_mile: Annotated[StrictInt, Field(ge=1, le=PENCE_PER_MILE_MAX)] = HMRC_PENCE_PER_MILE

    def evidence(self) -> Evidence:
        return Mileage(self.journey, self.miles, self.pence_per_mile)


class RecordExpense(Request):
    """A cost the member paid, repaid at cost against its evidence; tied to an activity if named."""

    account_id: Id
    amount_pence: Pence
    evidence: Annotated[ReceiptEvidence | MileageEvidence, Field(discriminator="kind")]
    description: Text
    incurred_on: Day
    activity_id: Id | None = None


class DeclareBenefits(Request):
    """The categories, coarse on purpose; ``members_say_so`` when a coordinator enters them for the member."""

    # Codes as text: one the benefits core does not know is refused by the use case, by its own code.
    categories: Annotated[list[Annotated[str, Field(max_length=60)]], Field(max_length=CATEGORIES_MAX)]
    members_say_so: StrictBool = False
