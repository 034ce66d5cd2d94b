"""Inviting members to an activity, and a member's payment advice (DESIGN B4).

Only a member invited to an activity may be offered a payment for it or have one checked against
the benefit guard; the organisation's staff (or its API key) and coordinators invite. The guard's
full warnings about a payment go to the member and coordinators as payment advice, each read
audited; the organisation is told one sentence that names no benefit.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from timebank.api.deps import CallerDep, CursorQuery, EngineDep, IdPath, LimitQuery, TimebankPath
from timebank.api.edge import JsonRoute
from timebank.api.involvement_schemas import (
    InvitationOut,
    InvitationsCreate,
    InvitationsOut,
    PaymentAdviceOut,
    PaymentAdvicePageOut,
)
from timebank.involvement import invitations as service
from timebank.involvement.payment_advice import read_payment_advice
from timebank.involvement.views import InvitationsView

__all__ = ["router"]

router = APIRouter(prefix="/v1/timebanks/{tb}", tags=["activities"], route_class=JsonRoute)


def _out(view: InvitationsView) -> InvitationsOut:
    return InvitationsOut(
        activity_id=view.activity_id,
        invitations=[
            InvitationOut(account_id=i.account_id, invited_by=i.invited_by, invited_at=i.invited_at)
            for i in view.invitations
        ],
    )


@router.post(
    "/activities/{activity_id}/invitations", operation_id="invite_members", response_model=InvitationsOut
)
def invite(
    tb: TimebankPath, activity_id: IdPath, body: InvitationsCreate, engine: EngineDep, caller: CallerDep
) -> InvitationsOut:
    """Invite members to an activity, so that they can be offered a payment (its staff or a coordinator)."""
    return _out(service.invite_members(engine, tb, caller, activity_id, body.account_ids))


@router.get(
    "/activities/{activity_id}/invitations", operation_id="list_invitations", response_model=InvitationsOut
)
def list_all(tb: TimebankPath, activity_id: IdPath, engine: EngineDep, caller: CallerDep) -> InvitationsOut:
    """Everyone invited to an activity (its staff or a coordinator)."""
    return _out(service.list_invitations(engine, tb, caller, activity_id))


@router.delete(
    "/activities/{activity_id}/invitations/{account_id}",
    operation_id="withdraw_invitation",
    status_code=204,
    response_class=Response,
)
def withdraw(
    tb: TimebankPath, activity_id: IdPath, account_id: IdPath, engine: EngineDep, caller: CallerDep
) -> Response:
    """Withdraw an invitation, if there is one; attendance already recorded stays."""
    service.withdraw_invitation(engine, tb, caller, activity_id, account_id)
    return Response(status_code=204)


@router.get(
    "/accounts/{account_id}/payment-advice",
    operation_id="get_payment_advice",
    response_model=PaymentAdvicePageOut,
)
def advice(
    tb: TimebankPath,
    account_id: IdPath,
    engine: EngineDep,
    caller: CallerDep,
    cursor: CursorQuery = None,
    limit: LimitQuery = None,
) -> PaymentAdvicePageOut:
    """What the benefit guard said about payments offered to the member (the member or a coordinator)."""
    page = read_payment_advice(engine, tb, caller, account_id, cursor=cursor, limit=limit)
    return PaymentAdvicePageOut(
        advice=[
            PaymentAdviceOut(
                activity_id=a.activity_id,
                activity_title=a.activity_title,
                organisation_id=a.organisation_id,
                organisation_name=a.organisation_name,
                paid_on=a.paid_on,
                amount_pence=a.amount_pence,
                worked_minutes=a.worked_minutes,
                warning_codes=list(a.warning_codes),
                warnings=list(a.warnings),
                checked_at=a.checked_at,
            )
            for a in page.advice
        ],
        next_cursor=page.next_cursor,
    )
