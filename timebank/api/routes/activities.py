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
from timebank.involvement.activities import (
    activity_attendance,
    create_activity,
    get_activity,
    list_activities,
)
from timebank.involvement.attendance import record_attendance
from timebank.involvement.payment_guard import check_payment_offer
from timebank.involvement.requests import CheckPayment, CreateActivity, RecordAttendance
from timebank.involvement.views import (
    ActivityPage,
    ActivityView,
    AttendanceListView,
    AttendanceView,
    PaymentCheckView,
)

__all__ = ["router"]

router = APIRouter(prefix="/v1/timebanks/{tb}", tags=["activities"], route_class=JsonRoute)


@router.post(
    "/organisations/{organisation_id}/activities",
    operation_id="create_activity",
    status_code=201,
    response_model=ActivityView,
)
def create(
    tb: TimebankPath, organisation_id: IdPath, body: CreateActivity, engine: EngineDep, caller: CallerDep
) -> ActivityView:
    """Create an activity of the organisation: a forum, board or panel (its staff or a coordinator)."""
    return create_activity(engine, tb, caller, organisation_id, body)


@router.get(
    "/organisations/{organisation_id}/activities",
    operation_id="list_activities",
    response_model=ActivityPage,
)
def list_page(
    tb: TimebankPath,
    organisation_id: IdPath,
    engine: EngineDep,
    caller: CallerDep,
    cursor: CursorQuery = None,
    limit: LimitQuery = None,
) -> ActivityPage:
    """List the organisation's activities, oldest first (its staff or a coordinator)."""
    return list_activities(engine, tb, caller, organisation_id, cursor=cursor, limit=limit)


@router.get("/activities/{activity_id}", operation_id="get_activity", response_model=ActivityView)
def get(tb: TimebankPath, activity_id: IdPath, engine: EngineDep, caller: CallerDep) -> ActivityView:
    """Read an activity (the organisation's staff or a coordinator)."""
    return get_activity(engine, tb, caller, activity_id)


@router.post(
    "/activities/{activity_id}/attendance",
    operation_id="record_attendance",
    status_code=201,
    response_model=AttendanceView,
)
def record(
    tb: TimebankPath,
    activity_id: IdPath,
    body: RecordAttendance,
    key: IdempotencyKeyHeader,
    engine: EngineDep,
    caller: CallerDep,
) -> AttendanceView:
    """Record who came and what each chose; credits are posted to those who chose them, in one go."""
    return record_attendance(engine, tb, caller, activity_id, body, idempotency_key=key)


@router.get(
    "/activities/{activity_id}/attendance", operation_id="list_attendance", response_model=AttendanceListView
)
def attendance(
    tb: TimebankPath, activity_id: IdPath, engine: EngineDep, caller: CallerDep
) -> AttendanceListView:
    """Who came, for how long, and what each chose (the organisation's staff or a coordinator)."""
    return activity_attendance(engine, tb, caller, activity_id)


@router.post(
    "/activities/{activity_id}/payment-checks",
    operation_id="check_payment",
    response_model=PaymentCheckView,
)
def check_payment(
    tb: TimebankPath, activity_id: IdPath, body: CheckPayment, engine: EngineDep, caller: CallerDep
) -> PaymentCheckView:
    """Check a payment against the benefit guard before offering it; the warnings name no benefit."""
    return check_payment_offer(engine, tb, caller, activity_id, body)
