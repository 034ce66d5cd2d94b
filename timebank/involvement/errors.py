"""The refusals of recognising involvement that are not the benefits core's own rules.

Leaves of the one error tree (``timebank.errors``): a member's account where one is needed, an
activity not yet held, a declaration without categories or with unknown ones, a payment that needs
an acknowledgement or an invitation first, attendance already recorded, a statement that starts
after today, and callers who are not the organisation's staff or lack the member's say-so. The
benefits core's rules (money, expenses, periods, reward choices) are in ``timebank.benefits.errors``.
"""

from __future__ import annotations

from timebank.errors import InvalidRequest, NotAllowed, StateConflict

__all__ = [
    "ActivityNotYetHeld",
    "AttendanceAlreadyRecorded",
    "BenefitCategoriesRequired",
    "BenefitCategoryUnknown",
    "InvitationRequired",
    "MemberAccountRequired",
    "MemberSaySoRequired",
    "OrganisationStaffRequired",
    "PaymentAcknowledgementRequired",
    "PeriodStartsAfterToday",
    "TooManyInvitations",
]


class TooManyInvitations(InvalidRequest):
    code = "too_many_invitations"
    title = "Too many members invited to one activity"


class MemberAccountRequired(InvalidRequest):
    code = "member_account_required"
    title = "This must be a member's account, not an organisation's or the pot"


class ActivityNotYetHeld(InvalidRequest):
    code = "activity_not_yet_held"
    title = "Attendance is recorded once the activity's day has come"


class BenefitCategoriesRequired(InvalidRequest):
    code = "benefit_categories_required"
    title = "A benefits declaration needs at least one category; to declare none, delete it"


class BenefitCategoryUnknown(InvalidRequest):
    code = "benefit_category_unknown"
    title = "This is not one of the benefit categories"


class PaymentAcknowledgementRequired(InvalidRequest):
    """A payment to a member who declared benefits needs the organisation's explicit acknowledgement.

    ``account_ids`` are the attendees whose payment needs one; the detail holds the warnings as the
    organisation may read them (naming no benefit).
    """

    code = "payment_acknowledgement_required"
    title = "This payment may affect a member's benefits: record an acknowledgement first"

    def __init__(self, detail: str | None = None, account_ids: tuple[int, ...] = ()) -> None:
        self.account_ids = account_ids
        super().__init__(detail)


class PeriodStartsAfterToday(InvalidRequest):
    """A benefit-safe statement covers days up to today and never a day after it (B7)."""

    code = "period_starts_after_today"
    title = "A statement covers days up to today; this period starts after today"


class OrganisationStaffRequired(NotAllowed):
    code = "organisation_staff_required"
    title = "Only a coordinator or the organisation's staff may do this"


class MemberSaySoRequired(NotAllowed):
    code = "member_say_so_required"
    title = "A coordinator may change a member's benefits declaration only with the member's say-so"


class AttendanceAlreadyRecorded(StateConflict):
    code = "attendance_already_recorded"
    title = "This member's attendance at this activity is already recorded"


class InvitationRequired(StateConflict):
    """A payment is offered, or checked against the benefit guard, only for a member linked to the activity.

    Invited, or (for a check) already recorded as attending. The rule keeps the guard from being
    asked about every member of the timebank (B4). ``account_ids`` are the members not linked.
    """

    code = "invitation_required"
    title = "Invite this member to the activity first: only invited members can be offered a payment"

    def __init__(self, detail: str | None = None, account_ids: tuple[int, ...] = ()) -> None:
        self.account_ids = account_ids
        super().__init__(detail)
