"""Writing what one call to record attendance leaves: attendance, payments, declined offers, audit.

Called by ``timebank.services.attendance`` once every check has passed and the recognition (if
any) is posted. Each attendee gets an attendance row; a payment choice a payment row (in pence,
with the minutes of paid work and the acknowledgement, if one was needed); a decline or a charity a
declined row; nothing else writes money, and nothing here writes credits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from timebank.benefits.choices import CHOICE_MEANINGS, MoneyRecordKind, PaymentOffer, Reward
from timebank.benefits.guards import PaymentGuard
from timebank.benefits.money import Payment
from timebank.db.repositories import (
    ActivityRecord,
    AttendanceRecord,
    DeclinedPaymentRecord,
    OrganisationRecord,
    PaymentRecord,
)
from timebank.db.unit_of_work import UnitOfWork
from timebank.services.attendance_inputs import AttendeeChoice, MoneyRecord
from timebank.services.audit import AuditAction, AuditTrail
from timebank.services.benefit_views import AttendeeResult
from timebank.services.callers import Caller
from timebank.services.clock import utc_now

__all__ = ["write_attendance"]


def _payment_record(
    activity: ActivityRecord,
    organisation: OrganisationRecord,
    attendee: AttendeeChoice,
    payment: Payment,
    offer: PaymentOffer,
    guard: PaymentGuard,
) -> PaymentRecord:
    reduced = attendee.reward is Reward.REDUCED_PAYMENT
    reference = (
        attendee.acknowledgement.strip() if attendee.acknowledgement and attendee.acknowledged else None
    )
    return PaymentRecord(
        payment_id=None,
        organisation_id=organisation.organisation_id,
        account_id=attendee.account_id,
        activity_id=activity.activity_id,
        paid_on=payment.paid_on,
        description=payment.description,
        amount_pence=payment.amount_pence,
        offered_pence=offer.amount_pence if reduced else None,
        kind=payment.kind.value,
        period_kind=payment.covers.kind.value,
        period_from_on=payment.covers.from_on,
        period_to_on=payment.covers.to_on,
        worked_minutes=attendee.minutes,
        acknowledgement_needed=guard.acknowledgement_needed,
        acknowledgement_reference=reference,
    )


def _declined_record(
    activity: ActivityRecord,
    organisation: OrganisationRecord,
    attendee: AttendeeChoice,
    offer: PaymentOffer | None,
    on: date,
) -> DeclinedPaymentRecord:
    """An offer declined or given to a charity, or a decline with nothing offered (the choice alone)."""
    charity = (
        attendee.charity_name.strip() if attendee.charity_name and attendee.reward is Reward.CHARITY else None
    )
    return DeclinedPaymentRecord(
        declined_id=None,
        organisation_id=organisation.organisation_id,
        account_id=attendee.account_id,
        activity_id=activity.activity_id,
        choice=attendee.reward.value,
        declined_on=on,
        description=activity.title if offer is None else offer.description,
        offered_pence=None if offer is None else offer.amount_pence,
        kind=None if offer is None else offer.kind.value,
        charity_name=charity,
    )


def write_attendance(
    uow: UnitOfWork,
    timebank_id: int,
    caller: Caller,
    activity: ActivityRecord,
    organisation: OrganisationRecord,
    planned: Sequence[tuple[AttendeeChoice, MoneyRecord | None]],
    offer: PaymentOffer | None,
    on: date,
    transaction_id: int | None,
    guards: Mapping[int, PaymentGuard],
    trail: AuditTrail,
) -> list[AttendeeResult]:
    now = utc_now()
    uow.activities.insert_attendance(
        timebank_id,
        [
            AttendanceRecord(
                activity.activity_id,
                a.account_id,
                a.minutes,
                a.reward.value,
                now,
                caller.caller,
                transaction_id if a.reward is Reward.CREDITS else None,
            )
            for a, _ in planned
        ],
    )
    results = []
    for attendee, record in planned:
        meaning = CHOICE_MEANINGS[attendee.reward]
        payment_id = None
        guard = guards.get(attendee.account_id)
        if isinstance(record, Payment):
            assert offer is not None and guard is not None
            payment_record = _payment_record(activity, organisation, attendee, record, offer, guard)
            payment_id = uow.money.insert_payment(timebank_id, payment_record, caller.caller, now)
        elif meaning.money_record is not MoneyRecordKind.NONE:
            declined = _declined_record(activity, organisation, attendee, offer, on)
            uow.money.insert_declined(timebank_id, declined, caller.caller, now)
        trail.add(
            AuditAction.REWARD_CHOSEN,
            attendee.account_id,
            activity_id=activity.activity_id,
            choice=attendee.reward.value,
            minutes=attendee.minutes,
            transaction_id=transaction_id if meaning.posts_credits else None,
            payment_id=payment_id,
        )
        results.append(
            AttendeeResult(
                account_id=attendee.account_id,
                minutes=attendee.minutes,
                choice=attendee.reward.value,
                recognised_minutes=attendee.minutes if meaning.posts_credits else 0,
                payment_id=payment_id,
                payment_pence=record.amount_pence if isinstance(record, Payment) else None,
                declined=meaning.money_record
                in (MoneyRecordKind.DECLINED_PAYMENT, MoneyRecordKind.REDIRECTED_PAYMENT),
                warnings=() if guard is None else guard.organisation_texts,
            )
        )
    return results
