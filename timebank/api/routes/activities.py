"""Activities, and the attendance and reward choices recorded against them (DESIGN B3, B5, B6).

An organisation's staff (or its API key, or a coordinator) create an activity, check a payment
against the benefit guard before offering it, and record who came and what each chose. Recording
attendance posts one recognition transaction for the attendees who chose credits, and writes the
money records of the others; it moves credits, so it takes an ``Idempotency-Key``.
"""

from __future__ import annotations

from fastapi import APIRouter

from timebank.api.deps import (
    CallerDep,
    CursorQuery,
    EngineDep,
    IdempotencyKeyHeader,
    IdPath,
    LimitQuery,
    TimebankPath,
)
from timebank.api.edge import JsonRoute
from timebank.api.involvement_schemas import (
    ActivityCreate,
    ActivityOut,
    ActivityPageOut,
    AttendanceCreate,
    AttendanceEntryOut,
    AttendanceListOut,
    AttendanceOut,
    AttendeeOut,
    PaymentCheckCreate,
    PaymentCheckOut,
)
from timebank.benefits.activities import ActivityClassification
from timebank.involvement import activities as service
from timebank.involvement.activities import activity_attendance, list_activities
from timebank.involvement.attendance import record_attendance
from timebank.involvement.attendees import AttendeeChoice, OfferTerms
from timebank.involvement.payment_guard import check_payment_offer
from timebank.involvement.views import ActivityView

__all__ = ["router"]

router = APIRouter(prefix="/v1/timebanks/{tb}", tags=["activities"], route_class=JsonRoute)


def _out(view: ActivityView) -> ActivityOut:
    return ActivityOut(
        id=view.activity_id,
        organisation_id=view.organisation_id,
        title=view.title,
        held_on=view.held_on,
        duration_minutes=view.duration_minutes,
        classification=view.classification,
        classification_label=ActivityClassification(view.classification).label,
        purpose=view.purpose,
    )


@router.post(
    "/organisations/{organisation_id}/activities",
    operation_id="create_activity",
    status_code=201,
    response_model=ActivityOut,
)
def create(
    tb: TimebankPath, organisation_id: IdPath, body: ActivityCreate, engine: EngineDep, caller: CallerDep
) -> ActivityOut:
    """Create an activity of the organisation: a forum, board or panel (its staff or a coordinator)."""
    view = service.create_activity(
        engine,
        tb,
        caller,
        organisation_id,
        body.title,
        body.held_on,
        body.duration_minutes,
        body.classification,
        body.purpose,
    )
    return _out(view)


@router.get(
    "/organisations/{organisation_id}/activities",
    operation_id="list_activities",
    response_model=ActivityPageOut,
)
def list_page(
    tb: TimebankPath,
    organisation_id: IdPath,
    engine: EngineDep,
    caller: CallerDep,
    cursor: CursorQuery = None,
    limit: LimitQuery = None,
) -> ActivityPageOut:
    """List the organisation's activities, oldest first (its staff or a coordinator)."""
    page = list_activities(engine, tb, caller, organisation_id, cursor=cursor, limit=limit)
    return ActivityPageOut(activities=[_out(a) for a in page.activities], next_cursor=page.next_cursor)


@router.get("/activities/{activity_id}", operation_id="get_activity", response_model=ActivityOut)
def get(tb: TimebankPath, activity_id: IdPath, engine: EngineDep, caller: CallerDep) -> ActivityOut:
    """Read an activity (the organisation's staff or a coordinator)."""
    return _out(service.get_activity(engine, tb, caller, activity_id))


@router.post(
    "/activities/{activity_id}/attendance",
    operation_id="record_attendance",
    status_code=201,
    response_model=AttendanceOut,
)
def record(
    tb: TimebankPath,
    activity_id: IdPath,
    body: AttendanceCreate,
    key: IdempotencyKeyHeader,
    engine: EngineDep,
    caller: CallerDep,
) -> AttendanceOut:
    """Record who came and what each chose; credits are posted to those who chose them, in one go."""
    attendees = [
        AttendeeChoice(a.account_id, a.minutes, a.choice, a.reduced_pence, a.charity_name, a.acknowledgement)
        for a in body.attendees
    ]
    offer = (
        None
        if body.offer is None
        else OfferTerms(
            body.offer.amount_pence,
            body.offer.kind,
            body.offer.period_kind,
            body.offer.from_on,
            body.offer.to_on,
            body.offer.description,
        )
    )
    view = record_attendance(
        engine, tb, caller, activity_id, attendees, offer=offer, paid_on=body.paid_on, idempotency_key=key
    )
    return AttendanceOut(
        activity_id=view.activity_id,
        recognition_transaction_id=view.recognition_transaction_id,
        recognised_minutes=view.recognised_minutes,
        attendees=[
            AttendeeOut(
                account_id=a.account_id,
                minutes=a.minutes,
                choice=a.choice,
                recognised_minutes=a.recognised_minutes,
                payment_id=a.payment_id,
                payment_pence=a.payment_pence,
                declined=a.declined,
                warnings=list(a.warnings),
            )
            for a in view.attendees
        ],
    )


@router.get(
    "/activities/{activity_id}/attendance", operation_id="list_attendance", response_model=AttendanceListOut
)
def attendance(
    tb: TimebankPath, activity_id: IdPath, engine: EngineDep, caller: CallerDep
) -> AttendanceListOut:
    """Who came, for how long, and what each chose (the organisation's staff or a coordinator)."""
    entries = activity_attendance(engine, tb, caller, activity_id)
    return AttendanceListOut(
        activity_id=activity_id,
        attendees=[
            AttendanceEntryOut(
                account_id=e.account_id,
                minutes=e.minutes,
                choice=e.choice,
                recognition_transaction_id=e.recognition_transaction_id,
                chosen_at=e.chosen_at,
                recorded_by=e.recorded_by,
            )
            for e in entries
        ],
    )


@router.post(
    "/activities/{activity_id}/payment-checks",
    operation_id="check_payment",
    response_model=PaymentCheckOut,
)
def check_payment(
    tb: TimebankPath, activity_id: IdPath, body: PaymentCheckCreate, engine: EngineDep, caller: CallerDep
) -> PaymentCheckOut:
    """Check a payment against the benefit guard before offering it; the warnings name no benefit."""
    view = check_payment_offer(
        engine,
        tb,
        caller,
        activity_id,
        body.account_id,
        body.amount_pence,
        worked_minutes=body.worked_minutes,
        paid_on=body.paid_on,
    )
    return PaymentCheckOut(
        account_id=view.account_id,
        amount_pence=view.amount_pence,
        acknowledgement_needed=view.acknowledgement_needed,
        warning_codes=list(view.warning_codes),
        warnings=list(view.warnings),
    )
