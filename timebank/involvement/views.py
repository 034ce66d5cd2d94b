"""What the involvement use cases return: plain frozen values that round-trip through JSON.

Money is whole pence and time whole minutes, in fields whose names say so; no view puts a money
value on credits (B1). Dates are ISO text, as in ``ExchangeView``. Warnings shown to whoever
records attendance are the *organisation's* wording, which names no benefit (B4): a member's
declared categories appear only in ``DeclarationView``, which only the member and coordinators get.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Self

from timebank.views import _Json

__all__ = [
    "ActivityPage",
    "ActivityView",
    "AttendanceEntryView",
    "AttendanceView",
    "AttendeeResult",
    "AuditEntryView",
    "AuditPage",
    "DeclarationView",
    "ExpenseView",
    "InvitationView",
    "InvitationsView",
    "PaymentAdvicePage",
    "PaymentAdviceView",
    "PaymentCheckView",
]


@dataclass(frozen=True)
class ActivityView(_Json):
    activity_id: int
    organisation_id: int
    title: str
    held_on: str
    duration_minutes: int
    classification: str
    purpose: str


@dataclass(frozen=True)
class AttendeeResult(_Json):
    """One attendee as recorded: the choice, and the records it left.

    ``recognised_minutes`` are the credits posted to them (credits only); ``payment_pence`` what was
    paid to them; ``declined`` whether a declined or redirected offer was noted. ``warnings`` are the
    benefit guard's warnings in the organisation's wording, and were acknowledged.
    """

    account_id: int
    minutes: int
    choice: str
    recognised_minutes: int
    payment_id: int | None
    payment_pence: int | None
    declined: bool
    warnings: tuple[str, ...]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        return cls(**{**data, "warnings": tuple(data["warnings"])})


@dataclass(frozen=True)
class AttendanceView(_Json):
    """The attendance recorded in one call, and the one recognition transaction it posted (if any)."""

    activity_id: int
    recognition_transaction_id: int | None
    recognised_minutes: int
    attendees: tuple[AttendeeResult, ...]

    def to_json(self) -> dict[str, Any]:
        data = super().to_json()
        data["attendees"] = [attendee.to_json() for attendee in self.attendees]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        attendees = tuple(AttendeeResult.from_json(a) for a in data["attendees"])
        return cls(**{**data, "attendees": attendees})


@dataclass(frozen=True)
class PaymentCheckView(_Json):
    """A proposed payment against the benefit guard, as the organisation may see it."""

    account_id: int
    amount_pence: int
    acknowledgement_needed: bool
    warning_codes: tuple[str, ...]
    warnings: tuple[str, ...]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        return cls(
            **{**data, "warning_codes": tuple(data["warning_codes"]), "warnings": tuple(data["warnings"])}
        )


@dataclass(frozen=True)
class InvitationView:
    account_id: int
    invited_by: str
    invited_at: datetime


@dataclass(frozen=True)
class InvitationsView:
    """Everyone invited to an activity: the members a payment may be offered to (B4)."""

    activity_id: int
    invitations: tuple[InvitationView, ...]


@dataclass(frozen=True)
class PaymentAdviceView:
    """What the benefit guard told the member about a payment offered for an activity.

    In the member's own words: the warnings name limits, and so benefits, and go only to the member
    and coordinators. The organisation was told one sentence that names none.
    """

    activity_id: int
    organisation_id: int
    activity_title: str
    organisation_name: str
    paid_on: date
    amount_pence: int
    worked_minutes: int
    warning_codes: tuple[str, ...]
    warnings: tuple[str, ...]
    checked_at: datetime


@dataclass(frozen=True)
class PaymentAdvicePage:
    advice: tuple[PaymentAdviceView, ...]
    next_cursor: str | None


@dataclass(frozen=True)
class ExpenseView(_Json):
    expense_id: int
    organisation_id: int
    account_id: int
    activity_id: int | None
    incurred_on: str
    description: str
    amount_pence: int
    evidence_kind: str
    evidenced_pence: int


@dataclass(frozen=True)
class DeclarationView(_Json):
    """A member's declared benefit categories: for the member and coordinators only (B4)."""

    account_id: int
    categories: tuple[str, ...]
    declared_at: str
    declared_by: str
    set_for_member: bool

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        return cls(**{**data, "categories": tuple(data["categories"])})


@dataclass(frozen=True)
class ActivityPage:
    activities: tuple[ActivityView, ...]
    next_cursor: str | None


@dataclass(frozen=True)
class AttendanceEntryView:
    """One attendee as stored: their time, their choice, and the recognition that credited them, if any."""

    account_id: int
    minutes: int
    choice: str
    recognition_transaction_id: int | None
    chosen_at: datetime
    recorded_by: str


@dataclass(frozen=True)
class AuditEntryView:
    """One audit row. Its details hold ids, codes and amounts, never a benefit category."""

    audit_id: int
    at: datetime
    actor: str
    action: str
    subject_account_id: int | None
    details: dict[str, Any]


@dataclass(frozen=True)
class AuditPage:
    entries: tuple[AuditEntryView, ...]
    next_cursor: str | None
