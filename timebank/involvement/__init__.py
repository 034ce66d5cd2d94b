"""Recognising involvement without harming benefits (DESIGN §4, B1-B8).

Services (councils, NHS trusts, charities) thank people for the time they give to user forums,
boards and panels. An organisation's **activity** has **attendance**: each attendee's minutes and
reward choice (credits, a payment, a smaller payment, declined, or given to a charity). Credits
post as one recognition transaction; money goes to tables of its own, never netted against
credits. A member may **declare benefits** in coarse categories; then the **payment guard** checks
every payment against the benefit limits, tells the organisation one sentence that names no
benefit, and tells the member (and coordinators) which limit as **payment advice**. Payments go
only to members **invited** to the activity. Every check, warning, choice and read of benefit data
is written to the **audit** log. A member's **benefit-safe statement** sets it all out for their
benefit office.

    requests         what each use case is asked (the API's request bodies)
    views            what each use case answers (the API's response bodies)
    activities       an organisation's activities, created and read back with who came
    invitations      who an activity may offer a payment to
    attendees        one attendee's choice and the money record it leaves
    attendance       recording who came and what each chose, in one transaction
    payment_guard    the benefit guard on a payment, and the organisation's one answer
    payment_advice   the guard's warnings in full, for the member and coordinators
    expenses         repaying what a member paid, against a receipt or a mileage sum
    declarations     a member's benefit categories: set, read (audited), delete
    statements       the member's benefit-safe statement for a period
    statement_views  the statement and its letter as JSON: one view each
    audit            the audit trail of every benefit check, warning, choice and read
"""

from timebank.involvement.activities import (
    activity_attendance,
    create_activity,
    get_activity,
    list_activities,
)
from timebank.involvement.attendance import record_attendance
from timebank.involvement.audit import read_audit_log, read_named_audit_log
from timebank.involvement.declarations import delete_declaration, read_declaration, set_declaration
from timebank.involvement.expenses import record_expense
from timebank.involvement.invitations import invite_members, list_invitations, withdraw_invitation
from timebank.involvement.payment_advice import read_payment_advice
from timebank.involvement.payment_guard import check_payment_offer
from timebank.involvement.requests import AttendeeChoice, OfferTerms
from timebank.involvement.statement_views import BenefitLetterView, BenefitStatementView
from timebank.involvement.statements import benefit_safe_statement

__all__ = [
    "AttendeeChoice",
    "BenefitLetterView",
    "BenefitStatementView",
    "OfferTerms",
    "activity_attendance",
    "benefit_safe_statement",
    "check_payment_offer",
    "create_activity",
    "delete_declaration",
    "get_activity",
    "invite_members",
    "list_activities",
    "list_invitations",
    "read_audit_log",
    "read_declaration",
    "read_named_audit_log",
    "read_payment_advice",
    "record_attendance",
    "record_expense",
    "set_declaration",
    "withdraw_invitation",
]
