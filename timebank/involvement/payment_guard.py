"""The benefit guard on one proposed payment, with the member's own payments read from storage.

``timebank.benefits.guards.check_payment`` needs the member's declared categories and the payments
already made in the week and monthly period the new payment lands in (from every organisation:
benefits count them all). This reads just those, runs the guard, and records the check in the use
case's audit trail, and the warnings in full as the member's payment advice.

What the organisation learns is one thing only: whether the member declared benefits (B5 asks it
to acknowledge a payment to such a member, so it must know). Its staff are told the same sentence
and the same code for every declared benefit, every amount and every limit, and only about members
linked to the activity (invited, or recorded as attending), never about anyone in the timebank
(B4). The audit details hold that one code too: the audit log outlives a deleted declaration.

``guard_payments`` guards every payment of one call to record attendance, and refuses, listing
every attendee who needs one, when a payment lacks the acknowledgement its guard asks for; the
refusal carries the audit rows it must leave (``GuardRefused``). ``check_payment_offer`` is the
guard on its own, before an offer is made.

Monthly periods are calendar months: the member's Universal Credit assessment day is not asked for.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date

from sqlalchemy import Engine

from timebank.benefits import advice
from timebank.benefits.categories import BenefitCategory
from timebank.benefits.errors import benefit_rules
from timebank.benefits.guards import PaidInvolvement, PaymentGuard, check_payment
from timebank.benefits.money import Payment
from timebank.benefits.periods import month_period_of, week_of
from timebank.clock import utc_now
from timebank.db.repositories import ActivityRecord, AdviceRecord, AuditRecord
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.involvement.activities import check_acts_for
from timebank.involvement.attendees import MoneyRecord
from timebank.involvement.audit import AuditAction, AuditTrail
from timebank.involvement.errors import (
    InvitationRequired,
    MemberAccountRequired,
    PaymentAcknowledgementRequired,
)
from timebank.involvement.requests import AttendeeChoice, CheckPayment
from timebank.involvement.views import PaymentCheckView
from timebank.ledger.types import AccountKind
from timebank.people.callers import Caller
from timebank.people.tenancy import not_found_before_refused

__all__ = ["GuardRefused", "check_payment_offer", "guard_payment", "guard_payments"]


def guard_payment(
    uow: UnitOfWork,
    timebank_id: int,
    activity: ActivityRecord,
    account_id: int,
    categories: Collection[BenefitCategory],
    proposed: PaidInvolvement,
    trail: AuditTrail,
) -> PaymentGuard:
    """Check ``proposed`` for the member, adding ``payment_checked`` (and ``payment_warned``) to ``trail``.

    For a member who declared benefits, the warnings in the member's own words are kept as their
    payment advice for the activity (``uow.invitations.put_advice``). The audit holds only what the
    organisation was told: the audit log outlives a deleted declaration, and a limit's code would
    keep the benefit it belongs to.
    """
    week = week_of(proposed.paid_on)
    month = month_period_of(proposed.paid_on)
    from_on: date = min(week[0], month[0])
    to_on: date = max(week[1], month[1])
    made = [
        PaidInvolvement(row.paid_on, row.amount_pence, row.worked_minutes)
        for row in uow.money.paid_between(timebank_id, account_id, from_on, to_on)
    ]
    with benefit_rules():
        guard = check_payment(categories, made, proposed)
    trail.add(
        AuditAction.PAYMENT_CHECKED,
        account_id,
        activity_id=activity.activity_id,
        amount_pence=proposed.amount_pence,
        acknowledgement_needed=guard.acknowledgement_needed,
    )
    if guard.organisation_codes:
        trail.add(
            AuditAction.PAYMENT_WARNED,
            account_id,
            activity_id=activity.activity_id,
            warnings=[code.value for code in guard.organisation_codes],
        )
    if guard.declared:
        advice = AdviceRecord(
            activity_id=activity.activity_id,
            account_id=account_id,
            organisation_id=activity.organisation_id,
            paid_on=proposed.paid_on,
            amount_pence=proposed.amount_pence,
            worked_minutes=proposed.worked_minutes,
            warnings=tuple((warning.code.value, warning.text) for warning in guard.warnings),
            checked_at=utc_now(),
        )
        uow.invitations.put_advice(timebank_id, advice)
    return guard


class GuardRefused(Exception):
    """Carries a guard's refusal out of the rolled-back use case, with the audit rows it must leave."""

    def __init__(self, refusal: PaymentAcknowledgementRequired, entries: list[AuditRecord]) -> None:
        super().__init__(refusal.detail)
        self.refusal = refusal
        self.entries = entries


def guard_payments(
    uow: UnitOfWork,
    timebank_id: int,
    activity: ActivityRecord,
    planned: Sequence[tuple[AttendeeChoice, MoneyRecord | None]],
    trail: AuditTrail,
) -> dict[int, PaymentGuard]:
    """The guard of every payment; refuses, listing them all, those that need an acknowledgement."""
    payers = [(a, record) for a, record in planned if isinstance(record, Payment)]
    declared = uow.declarations.categories_for(timebank_id, [a.account_id for a, _ in payers])
    guards: dict[int, PaymentGuard] = {}
    for attendee, payment in payers:
        categories = [BenefitCategory(code) for code in declared.get(attendee.account_id, ())]
        proposed = PaidInvolvement(payment.paid_on, payment.amount_pence, attendee.minutes)
        guard = guard_payment(uow, timebank_id, activity, attendee.account_id, categories, proposed, trail)
        guards[attendee.account_id] = guard
        if attendee.acknowledged:
            trail.add(AuditAction.PAYMENT_ACKNOWLEDGED, attendee.account_id, activity_id=activity.activity_id)
    missing = [a for a, _ in payers if guards[a.account_id].acknowledgement_needed and not a.acknowledged]
    if missing:
        for attendee in missing:
            trail.add(AuditAction.PAYMENT_REFUSED, attendee.account_id, activity_id=activity.activity_id)
        ids = tuple(a.account_id for a in missing)
        # The same words for every member who needs an acknowledgement, whatever they declared (B4).
        refusal = PaymentAcknowledgementRequired(
            f"A payment to account(s) {', '.join(map(str, ids))} needs your acknowledgement before it is "
            f"recorded. {advice.ORGANISATION_PAYMENT_ADVICE}",
            ids,
        )
        entries = trail.of(
            AuditAction.PAYMENT_CHECKED, AuditAction.PAYMENT_WARNED, AuditAction.PAYMENT_REFUSED
        )
        raise GuardRefused(refusal, entries)
    return guards


def check_payment_offer(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    activity_id: int,
    request: CheckPayment,
) -> PaymentCheckView:
    """Run the benefit guard on a payment the organisation is about to offer; audit the check.

    Only for a member invited to the activity or recorded as attending it (``invitation_required``
    otherwise, asked before anything about the member is read). Organisation staff and API keys get
    the one answer an organisation may have: whether an acknowledgement is needed, and one sentence
    that is the same for every declared benefit and every amount. A coordinator, who may read the
    member's declaration, gets the warnings in full, as the member does in their payment advice.
    """
    caller.check_timebank(timebank_id)
    account_id = request.account_id

    def use_case(uow: UnitOfWork) -> PaymentCheckView:
        activity = uow.activities.get(timebank_id, activity_id)
        with not_found_before_refused(uow, timebank_id, account_ids=[account_id]):
            check_acts_for(caller, uow.organisations.get(timebank_id, activity.organisation_id))
        account = uow.accounts.get(timebank_id, account_id)
        if account.kind is not AccountKind.MEMBER:
            raise MemberAccountRequired(f"Account {account_id} is not a member's")
        if uow.invitations.not_linked(timebank_id, activity_id, [account_id]):
            raise InvitationRequired(
                f"Account {account_id} is not invited to activity {activity_id}. Invite them first: "
                "a payment is checked only for someone invited to the activity or recorded at it.",
                (account_id,),
            )
        declared = uow.declarations.categories_for(timebank_id, [account_id]).get(account_id, ())
        trail = AuditTrail(caller.caller)
        proposed = PaidInvolvement(
            request.paid_on or activity.held_on, request.amount_pence, request.worked_minutes
        )
        guard = guard_payment(
            uow, timebank_id, activity, account_id, [BenefitCategory(c) for c in declared], proposed, trail
        )
        trail.write(uow, timebank_id)
        uow.commit()
        if caller.is_coordinator:
            codes = tuple(dict.fromkeys(w.code.value for w in guard.warnings))
            texts = tuple(dict.fromkeys(w.text for w in guard.warnings))
        else:
            codes = tuple(code.value for code in guard.organisation_codes)
            texts = guard.organisation_texts
        return PaymentCheckView(
            account_id=account_id,
            amount_pence=request.amount_pence,
            acknowledgement_needed=guard.acknowledgement_needed,
            warning_codes=codes,
            warnings=texts,
        )

    return run(engine, use_case)
