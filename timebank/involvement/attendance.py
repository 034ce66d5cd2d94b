"""Recording who came to an activity and what each chose: credits, payment, less, decline, a charity.

One call records a list of attendees for one activity, all or nothing, in one transaction (B3):

- everyone's attendance, minutes and reward choice, with the time it was recorded. An attendee
  whose choice is not given gets the default (B5): time credits for a member who declared benefits,
  otherwise the payment when one is offered and credits when none is (``with_defaults``);
- one **recognition** transaction in the ledger: the organisation's account gives each attendee who
  chose credits exactly their minutes, within the organisation's budget floor (the ledger refuses,
  and nothing at all is recorded, if the floor would be crossed);
- a **payment** row for each ``payment`` or ``reduced_payment`` (pence, kind, the period it covers,
  the minutes of paid work), and a **declined** row for each ``decline`` or ``charity``. No credits
  are written for these choices and no money for credits: the two never meet (B1, B2);
- the audit trail: each choice, each benefit check and warning, each acknowledgement.

Attendance is recorded once the activity's day has come (``activity_not_yet_held``), and nobody is
down for more minutes than the activity lasted (``attendance_above_activity_length``).

Every payment goes through the benefit guard (``timebank.benefits.guards``). For a member who has
declared benefits the organisation is warned (in words that name no benefit) and must record an
explicit acknowledgement for that attendee; without one the whole call is refused with
``payment_acknowledgement_required``, listing every attendee who needs one. That refusal records
nothing but its audit rows (the checks, the warnings and the refusal itself), written in a
transaction of their own once the refused one has been rolled back: the warning was given, and the
audit log must show it.

Each attendee's choice and the money record it leaves are in ``attendees``, the guard in
``payment_guard`` (with ``check_payment_offer``, the guard on its own before an offer is made);
``write_attendance`` below writes the rows once every check has passed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import date

from sqlalchemy import Engine

from timebank.benefits.activities import Attendance, plan_recognition
from timebank.benefits.choices import CHOICE_MEANINGS, MoneyRecordKind, PaymentOffer, Reward
from timebank.benefits.errors import benefit_rules
from timebank.benefits.guards import PaymentGuard
from timebank.benefits.money import Payment
from timebank.clock import utc_now
from timebank.db.repositories import (
    ActivityRecord,
    AttendanceRecord,
    DeclinedPaymentRecord,
    OrganisationRecord,
    PaymentRecord,
)
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.exchanges.idempotency import once
from timebank.exchanges.posting import post_transaction
from timebank.involvement.activities import check_acts_for
from timebank.involvement.attendees import (
    MoneyRecord,
    check_members,
    check_texts,
    money_records,
    with_defaults,
)
from timebank.involvement.audit import AuditAction, AuditTrail, write_refusal_audit
from timebank.involvement.errors import ActivityNotYetHeld, AttendanceAlreadyRecorded, InvitationRequired
from timebank.involvement.payment_guard import GuardRefused, guard_payments
from timebank.involvement.requests import AttendeeChoice, RecordAttendance
from timebank.involvement.views import AttendanceView, AttendeeView
from timebank.ledger.types import TransactionKind
from timebank.people.callers import Caller
from timebank.people.tenancy import not_found_before_refused

__all__ = ["record_attendance", "write_attendance"]


_PAYMENT_CHOICES = (Reward.PAYMENT, Reward.REDUCED_PAYMENT)


def _replayed_as(
    activity_id: int, request: RecordAttendance, offer: PaymentOffer | None
) -> dict[str, object]:
    """What a replay is compared with: the request as the first version of the use case wrote it."""
    return {
        "activity_id": activity_id,
        "attendees": [
            {
                "account_id": a.account_id,
                "minutes": a.minutes,
                "choice": a.choice,
                "reduced_pence": a.reduced_pence,
                "charity_name": a.charity_name,
                "acknowledgement": a.acknowledgement,
            }
            for a in request.attendees
        ],
        "offer": None if offer is None else asdict(offer),
        "paid_on": request.paid_on,
    }


def record_attendance(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    activity_id: int,
    request: RecordAttendance,
    *,
    idempotency_key: str | None = None,
) -> AttendanceView:
    """Record attendance and choices; post the recognition; write the money records and the audit.

    The request's ``offer`` is what the organisation offers each attendee who takes a payment (or
    turns one down); its ``paid_on`` is the day payments are made, the activity's day unless given.
    """
    caller.check_timebank(timebank_id)
    check_texts(request.attendees, request.offer)
    with benefit_rules():
        offer = None if request.offer is None else request.offer.offer()

    def use_case(uow: UnitOfWork) -> AttendanceView:
        view = once(
            uow,
            timebank_id,
            caller.caller,
            idempotency_key,
            "record_attendance",
            _replayed_as(activity_id, request, offer),
            AttendanceView,
            lambda: _record(uow, timebank_id, caller, activity_id, request, offer),
        )
        uow.commit()
        return view

    try:
        return run(engine, use_case)
    except GuardRefused as refused:
        write_refusal_audit(engine, timebank_id, refused.entries)
        raise refused.refusal from None


def _record(
    uow: UnitOfWork,
    timebank_id: int,
    caller: Caller,
    activity_id: int,
    request: RecordAttendance,
    offer: PaymentOffer | None,
) -> AttendanceView:
    timebank = uow.timebanks.get(timebank_id)
    activity = uow.activities.get(timebank_id, activity_id)
    organisation = uow.organisations.get(timebank_id, activity.organisation_id)
    with not_found_before_refused(uow, timebank_id, account_ids=[a.account_id for a in request.attendees]):
        check_acts_for(caller, organisation)
    today = utc_now().date()
    if activity.held_on > today:
        # Bug fix: who came to an activity next year could be recorded, and credited, today.
        raise ActivityNotYetHeld(
            f"The activity is on {activity.held_on.isoformat()}, after today ({today.isoformat()}). "
            "Record who came once it has been held."
        )
    # Payments go only to invited members (B4): checked before anything about a member is read, so
    # the refusal is the same whether or not they declared benefits.
    payers = [a.account_id for a in request.attendees if a.choice in _PAYMENT_CHOICES]
    uow.accounts.get_many(timebank_id, payers)  # account_not_found before "not invited", for a typo
    uninvited = uow.invitations.not_invited(timebank_id, activity.activity_id, payers)
    if uninvited:
        raise InvitationRequired(
            f"Accounts {uninvited} are not invited to activity {activity.activity_id}. Only invited "
            "members can be offered a payment: invite them first, or record another choice.",
            tuple(uninvited),
        )
    unknown = [a.account_id for a in request.attendees if a.choice is None]
    not_invited = set(uow.invitations.not_invited(timebank_id, activity.activity_id, unknown))
    invited = [account_id for account_id in unknown if account_id not in not_invited]
    declared = uow.declarations.categories_for(timebank_id, invited) if invited else {}
    attendees, defaulted = with_defaults(request.attendees, declared, offer, invited)
    on = request.paid_on or activity.held_on
    with benefit_rules():
        plan = plan_recognition(
            organisation.account_id,
            [Attendance(a.account_id, a.minutes, a.reward) for a in attendees],
            activity.duration_minutes,
        )
    money = money_records(attendees, offer, on)
    locked = uow.accounts.lock(timebank_id, [organisation.account_id, *(a.account_id for a in attendees)])
    check_members(locked, attendees)
    already = uow.activities.attending(activity.activity_id, [a.account_id for a in attendees])
    if already:
        raise AttendanceAlreadyRecorded(
            f"Attendance at this activity is already recorded for accounts {already}"
        )
    trail = AuditTrail(caller.caller)
    for attendee in attendees:
        if attendee.account_id in defaulted:
            trail.add(
                AuditAction.REWARD_DEFAULTED,
                attendee.account_id,
                activity_id=activity.activity_id,
                choice=attendee.reward.value,
            )
    planned = list(zip(attendees, money, strict=True))
    guards = guard_payments(uow, timebank_id, activity, planned, trail)
    transaction_id = None
    if plan.transfers:
        posting = post_transaction(
            uow,
            timebank,
            TransactionKind.RECOGNITION,
            plan.transfers,
            caller.caller,
            # The activity by number, not by title: a title may say "paid", and credits are never pay (B8).
            note=f"Time credits for taking part in activity {activity.activity_id}",
            locked=locked,
        )
        transaction_id = posting.transaction_id
    results = write_attendance(
        uow,
        timebank_id,
        caller,
        activity,
        organisation,
        planned,
        offer,
        on,
        transaction_id,
        guards,
        trail,
    )
    trail.write(uow, timebank_id)
    return AttendanceView(
        activity_id=activity.activity_id,
        recognition_transaction_id=transaction_id,
        recognised_minutes=plan.total_minutes,
        attendees=tuple(results),
    )


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
) -> list[AttendeeView]:
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
            AttendeeView(
                account_id=attendee.account_id,
                minutes=attendee.minutes,
                choice=attendee.reward,
                recognised_minutes=attendee.minutes if meaning.posts_credits else 0,
                payment_id=payment_id,
                payment_pence=record.amount_pence if isinstance(record, Payment) else None,
                declined=meaning.money_record
                in (MoneyRecordKind.DECLINED_PAYMENT, MoneyRecordKind.REDIRECTED_PAYMENT),
                warnings=() if guard is None else guard.organisation_texts,
            )
        )
    return results
