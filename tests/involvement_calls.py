"""The involvement and spending use cases called as their tests speak: plain values in, views out.

The use cases take one typed request each (``timebank.involvement.requests``,
``timebank.spending.requests``). Their tests were written against plain arguments, and probe the
use cases' own checks with values no request type would let through (12.5 pence, 2.5 miles, an
unknown spend class, an empty title). These functions build the request without the request
type's checks (``model_construct``), so that what each test reaches is the use case's own refusal,
as before the requests were typed. Evidence comes as the benefits core's ``Receipt`` or
``Mileage``, as the tests have it, and is sent as the request's evidence of the same kind.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Engine

from timebank.benefits.money import Mileage, Receipt
from timebank.involvement import activities, attendance, declarations, expenses, invitations, payment_guard
from timebank.involvement.requests import (
    AttendeeChoice,
    CheckPayment,
    CreateActivity,
    DeclareBenefits,
    InviteMembers,
    MileageEvidence,
    OfferTerms,
    ReceiptEvidence,
    RecordAttendance,
    RecordExpense,
)
from timebank.involvement.views import (
    ActivityView,
    AttendanceView,
    DeclarationView,
    ExpenseView,
    InvitationsView,
    PaymentCheckView,
)
from timebank.people.callers import Caller
from timebank.spending import spends
from timebank.spending.requests import CreateSpendOption, SpendCredits
from timebank.spending.views import SpendOptionView, SpendView

__all__ = [
    "attendee",
    "check_payment_offer",
    "create_activity",
    "create_spend_option",
    "invite_members",
    "record_attendance",
    "record_expense",
    "set_declaration",
    "spend_credits",
]


def attendee(
    account_id: Any,
    minutes: Any,
    choice: Any = None,
    reduced_pence: Any = None,
    charity_name: Any = None,
    acknowledgement: Any = None,
) -> AttendeeChoice:
    """One attendee's choice, unchecked: whatever the test sends reaches the use case."""
    return AttendeeChoice.model_construct(
        account_id=account_id,
        minutes=minutes,
        choice=choice,
        reduced_pence=reduced_pence,
        charity_name=charity_name,
        acknowledgement=acknowledgement,
    )


def create_activity(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    organisation_id: int,
    title: Any,
    held_on: Any,
    duration_minutes: Any,
    classification: Any,
    purpose: Any = "",
) -> ActivityView:
    request = CreateActivity.model_construct(
        title=title,
        held_on=held_on,
        duration_minutes=duration_minutes,
        classification=classification,
        purpose=purpose,
    )
    return activities.create_activity(engine, timebank_id, caller, organisation_id, request)


def record_attendance(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    activity_id: int,
    attendees: Sequence[AttendeeChoice],
    *,
    offer: OfferTerms | None = None,
    paid_on: date | None = None,
    idempotency_key: str | None = None,
) -> AttendanceView:
    request = RecordAttendance.model_construct(attendees=list(attendees), offer=offer, paid_on=paid_on)
    return attendance.record_attendance(
        engine, timebank_id, caller, activity_id, request, idempotency_key=idempotency_key
    )


def invite_members(
    engine: Engine, timebank_id: int, caller: Caller, activity_id: int, account_ids: Sequence[Any]
) -> InvitationsView:
    request = InviteMembers.model_construct(account_ids=list(account_ids))
    return invitations.invite_members(engine, timebank_id, caller, activity_id, request)


def check_payment_offer(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    activity_id: int,
    account_id: Any,
    amount_pence: Any,
    *,
    worked_minutes: Any = 0,
    paid_on: date | None = None,
) -> PaymentCheckView:
    request = CheckPayment.model_construct(
        account_id=account_id, amount_pence=amount_pence, worked_minutes=worked_minutes, paid_on=paid_on
    )
    return payment_guard.check_payment_offer(engine, timebank_id, caller, activity_id, request)


def _evidence(evidence: object) -> Any:
    """The core's evidence as the request sends it; anything else (None, say) as it is."""
    if isinstance(evidence, Receipt):
        return ReceiptEvidence.model_construct(
            kind="receipt", reference=evidence.reference, evidenced_pence=evidence.evidenced_pence
        )
    if isinstance(evidence, Mileage):
        return MileageEvidence.model_construct(
            kind="mileage",
            journey=evidence.journey,
            miles=evidence.miles,
            pence_per_mile=evidence.pence_per_mile,
        )
    return evidence


def record_expense(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    organisation_id: int,
    account_id: Any,
    amount_pence: Any,
    evidence: Receipt | Mileage | None,
    description: Any,
    incurred_on: Any,
    *,
    activity_id: int | None = None,
    idempotency_key: str | None = None,
) -> ExpenseView:
    request = RecordExpense.model_construct(
        account_id=account_id,
        amount_pence=amount_pence,
        evidence=_evidence(evidence),
        description=description,
        incurred_on=incurred_on,
        activity_id=activity_id,
    )
    return expenses.record_expense(
        engine, timebank_id, caller, organisation_id, request, idempotency_key=idempotency_key
    )


def set_declaration(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    account_id: int,
    categories: Sequence[Any],
    *,
    members_say_so: bool = False,
) -> DeclarationView:
    request = DeclareBenefits.model_construct(categories=list(categories), members_say_so=members_say_so)
    return declarations.set_declaration(engine, timebank_id, caller, account_id, request)


def create_spend_option(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    organisation_id: int,
    title: Any,
    minutes: Any,
    spend_class: Any,
) -> SpendOptionView:
    request = CreateSpendOption.model_construct(title=title, minutes=minutes, spend_class=spend_class)
    return spends.create_spend_option(engine, timebank_id, caller, organisation_id, request)


def spend_credits(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    spend_option_id: int,
    account_id: Any,
    *,
    acknowledgement: Any = None,
    idempotency_key: str | None = None,
) -> SpendView:
    request = SpendCredits.model_construct(account_id=account_id, acknowledgement=acknowledgement)
    return spends.spend_credits(
        engine, timebank_id, caller, spend_option_id, request, idempotency_key=idempotency_key
    )
