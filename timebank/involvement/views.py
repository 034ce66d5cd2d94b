"""What the involvement use cases return: one view per answer (``timebank.views.View``).

Money is whole pence and time whole minutes, in fields whose names say so; no view puts a money
value on credits (B1). Days stay days, moments stay moments and choices stay enums until the edge
writes them. Warnings shown to whoever records attendance are the *organisation's* wording, which
names no benefit (B4): a member's declared categories appear only in ``DeclarationView``, and the
guard's full warnings only in ``PaymentAdviceView``, which only the member and coordinators get.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field, PlainSerializer, WithJsonSchema

from timebank.benefits.activities import ActivityClassification
from timebank.benefits.categories import BenefitCategory
from timebank.benefits.choices import Reward
from timebank.db.repositories import (
    ActivityRecord,
    AdviceRecord,
    AttendanceRecord,
    AuditRecord,
    DeclarationRecord,
    InvitationRecord,
)
from timebank.views import View

__all__ = [
    "ActivityPage",
    "ActivityView",
    "AttendanceEntryView",
    "AttendanceListView",
    "AttendanceView",
    "AttendeeView",
    "AuditEntryView",
    "AuditPage",
    "DeclarationView",
    "ExpensePage",
    "ExpenseView",
    "InvitationView",
    "InvitationsView",
    "IsoMoment",
    "NamedAuditPage",
    "PaymentAdvicePage",
    "PaymentAdviceView",
    "PaymentCheckView",
    "RecordedExpenseView",
]


def _iso(moment: datetime) -> str:
    return moment.isoformat()


# A moment written as Python writes it, "+00:00" rather than pydantic's "Z": the text a declaration's
# time and a spend's time have always had in the API's answers, and in the answers kept for replays.
IsoMoment = Annotated[
    datetime,
    PlainSerializer(_iso, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization"),
]


class ActivityView(View):
    """An organisation's forum, board or panel; its classification is what a benefit office asks about."""

    activity_id: int = Field(serialization_alias="id")
    organisation_id: int
    title: str
    held_on: date
    duration_minutes: int
    classification: ActivityClassification
    classification_label: str
    purpose: str

    @classmethod
    def of(cls, record: ActivityRecord) -> ActivityView:
        classification = ActivityClassification(record.classification)
        return cls(
            activity_id=record.activity_id,
            organisation_id=record.organisation_id,
            title=record.title,
            held_on=record.held_on,
            duration_minutes=record.duration_minutes,
            classification=classification,
            classification_label=classification.label,
            purpose=record.purpose,
        )


class ActivityPage(View):
    activities: tuple[ActivityView, ...]
    next_cursor: str | None


class AttendeeView(View):
    """One attendee as recorded: the choice, and the records it left.

    ``recognised_minutes`` are the credits posted to them (credits only); ``payment_pence`` what was
    paid to them; ``declined`` whether a declined or redirected offer was noted. ``warnings`` are the
    benefit guard's warnings in the organisation's wording, and were acknowledged.
    """

    account_id: int
    minutes: int
    choice: Reward
    recognised_minutes: int
    payment_id: int | None
    payment_pence: int | None
    declined: bool
    warnings: tuple[str, ...]


class AttendanceView(View):
    """The attendance recorded in one call, and the one recognition transaction it posted (if any)."""

    activity_id: int
    recognition_transaction_id: int | None
    recognised_minutes: int
    attendees: tuple[AttendeeView, ...]


class AttendanceEntryView(View):
    """One attendee as stored: their time, their choice, and the recognition that credited them, if any."""

    account_id: int
    minutes: int
    choice: Reward
    recognition_transaction_id: int | None
    chosen_at: datetime
    recorded_by: str

    @classmethod
    def of(cls, record: AttendanceRecord) -> AttendanceEntryView:
        return cls(
            account_id=record.account_id,
            minutes=record.minutes,
            choice=Reward(record.reward),
            recognition_transaction_id=record.recognition_transaction_id,
            chosen_at=record.chosen_at,
            recorded_by=record.recorded_by,
        )


class AttendanceListView(View):
    """Everyone recorded at an activity, in account order."""

    activity_id: int
    attendees: tuple[AttendanceEntryView, ...]


class PaymentCheckView(View):
    """A proposed payment against the benefit guard, as the organisation may see it."""

    account_id: int
    amount_pence: int
    acknowledgement_needed: bool
    warning_codes: tuple[str, ...]
    warnings: tuple[str, ...]


class InvitationView(View):
    account_id: int
    invited_by: str
    invited_at: datetime

    @classmethod
    def of(cls, record: InvitationRecord) -> InvitationView:
        return cls(account_id=record.account_id, invited_by=record.invited_by, invited_at=record.invited_at)


class InvitationsView(View):
    """Everyone invited to an activity: the members a payment may be offered to (B4)."""

    activity_id: int
    invitations: tuple[InvitationView, ...]


class PaymentAdviceView(View):
    """What the benefit guard told the member about a payment offered for an activity.

    In the member's own words: the warnings name limits, and so benefits, and go only to the member
    and coordinators. The organisation was told one sentence that names none.
    """

    activity_id: int
    activity_title: str
    organisation_id: int
    organisation_name: str
    paid_on: date
    amount_pence: int
    worked_minutes: int
    warning_codes: tuple[str, ...]
    warnings: tuple[str, ...]
    checked_at: datetime

    @classmethod
    def of(cls, record: AdviceRecord) -> PaymentAdviceView:
        return cls(
            activity_id=record.activity_id,
            activity_title=record.activity_title,
            organisation_id=record.organisation_id,
            organisation_name=record.organisation_name,
            paid_on=record.paid_on,
            amount_pence=record.amount_pence,
            worked_minutes=record.worked_minutes,
            warning_codes=tuple(code for code, _ in record.warnings),
            warnings=tuple(text for _, text in record.warnings),
            checked_at=record.checked_at,
        )


class PaymentAdvicePage(View):
    advice: tuple[PaymentAdviceView, ...]
    next_cursor: str | None


class ExpenseView(View):
    """An expense repaid to a member, with the amount its evidence (a receipt or a mileage sum) shows."""

    expense_id: int = Field(serialization_alias="id")
    organisation_id: int
    account_id: int
    activity_id: int | None
    incurred_on: date
    description: str
    amount_pence: int
    evidence_kind: str
    evidenced_pence: int


class RecordedExpenseView(ExpenseView):
    """An expense as the organisation's list shows it: to whom, for which activity, and its evidence.

    The member's name is the directory's (every member of the timebank sees it); nothing else about
    them. ``receipt_reference`` for a receipt; ``journey``, ``miles`` and ``pence_per_mile`` for mileage.
    """

    member_name: str
    activity_title: str | None
    receipt_reference: str | None
    journey: str | None
    miles: int | None
    pence_per_mile: int | None


class ExpensePage(View):
    expenses: tuple[RecordedExpenseView, ...]
    next_cursor: str | None


class DeclarationView(View):
    """A member's declared benefit categories, or that they declared none.

    Only the member and coordinators ever get this (B4).
    """

    account_id: int
    declared: bool
    categories: tuple[BenefitCategory, ...]
    category_labels: tuple[str, ...]
    declared_at: IsoMoment | None
    declared_by: str | None
    set_for_member: bool | None

    @classmethod
    def of(cls, record: DeclarationRecord) -> DeclarationView:
        categories = tuple(BenefitCategory(code) for code in record.categories)
        return cls(
            account_id=record.account_id,
            declared=True,
            categories=categories,
            category_labels=tuple(category.label for category in categories),
            declared_at=record.declared_at,
            declared_by=record.declared_by,
            set_for_member=record.set_for_member,
        )

    @classmethod
    def none_declared(cls, account_id: int) -> DeclarationView:
        return cls(
            account_id=account_id,
            declared=False,
            categories=(),
            category_labels=(),
            declared_at=None,
            declared_by=None,
            set_for_member=None,
        )


class AuditEntryView(View):
    """One audit row. Its details hold ids, codes and amounts, never a benefit category nor free text.

    ``action`` is the code the entry was written with, kept as text: the log outlives the code that
    wrote it.
    """

    audit_id: int = Field(serialization_alias="id")
    at: datetime
    actor: str
    action: str
    subject_account_id: int | None
    details: dict[str, Any]
    note: str | None = Field(
        default=None,
        description=(
            "What the person who acted wrote with the entry (a reason), if anything. Replaced when the"
            " personal data of the member it is about, or of its writer, is erased."
        ),
    )

    @classmethod
    def of(cls, record: AuditRecord) -> AuditEntryView:
        assert record.audit_id is not None  # a row read back from the log has its id
        return cls(
            audit_id=record.audit_id,
            at=record.at,
            actor=record.actor,
            action=record.action,
            subject_account_id=record.subject_account_id,
            details=dict(record.details),
            note=record.note,
        )


class AuditPage(View):
    entries: tuple[AuditEntryView, ...]
    next_cursor: str | None


class NamedAuditPage(AuditPage):
    """A page of the log with names: of the accounts its entries are about, and of the members who
    acted (a login's member; an API key or a scheduled job has no name)."""

    subject_names: dict[int, str]
    actor_names: dict[str, str]
