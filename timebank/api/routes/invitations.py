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
from timebank.involvement.invitations import invite_members, list_invitations, withdraw_invitation
from timebank.involvement.payment_advice import read_payment_advice
from timebank.involvement.requests import InviteMembers
from timebank.involvement.views import InvitationsView, PaymentAdvicePage

__all__ = ["router"]

router = APIRouter(prefix="/v1/timebanks/{tb}", tags=["activities"], route_class=JsonRoute)


@router.post(
    "/activities/{activity_id}/invitations", operation_id="invite_members", response_model=InvitationsView
)
def invite(
    tb: TimebankPath, activity_id: IdPath, body: InviteMembers, engine: EngineDep, caller: CallerDep
) -> InvitationsView:
    """Invite members to an activity, so that they can be offered a payment (its staff or a coordinator)."""
    return invite_members(engine, tb, caller, activity_id, body)


@router.get(
    "/activities/{activity_id}/invitations", operation_id="list_invitations", response_model=InvitationsView
)
def list_all(tb: TimebankPath, activity_id: IdPath, engine: EngineDep, caller: CallerDep) -> InvitationsView:
    """Everyone invited to an activity (its staff or a coordinator)."""
    return list_invitations(engine, tb, caller, activity_id)


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
    withdraw_invitation(engine, tb, caller, activity_id, account_id)
    return Response(status_code=204)


@router.get(
    "/accounts/{account_id}/payment-advice",
    operation_id="get_payment_advice",
    response_model=PaymentAdvicePage,
)
def advice(
    tb: TimebankPath,
    account_id: IdPath,
    engine: EngineDep,
    caller: CallerDep,
    cursor: CursorQuery = None,
    limit: LimitQuery = None,
) -> PaymentAdvicePage:
    """What the benefit guard said about payments offered to the member (the member or a coordinator)."""
    return read_payment_advice(engine, tb, caller, account_id, cursor=cursor, limit=limit)
