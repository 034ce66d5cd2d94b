"""Giving credits: member to member, a donation to the pot, or a grant from it (coordinator)."""

from __future__ import annotations

from fastapi import APIRouter

from timebank.api.deps import CallerDep, EngineDep, IdempotencyKeyHeader, TimebankPath
from timebank.api.edge import JsonRoute
from timebank.api.schemas import GiftCreate, TransactionOut
from timebank.api.transactions import transaction_out
from timebank.exchanges import acting

__all__ = ["router"]

router = APIRouter(prefix="/v1/timebanks/{tb}/gifts", tags=["gifts"], route_class=JsonRoute)


@router.post("", operation_id="give_credits", status_code=201, response_model=TransactionOut)
def give(
    tb: TimebankPath, body: GiftCreate, key: IdempotencyKeyHeader, engine: EngineDep, caller: CallerDep
) -> TransactionOut:
    """Give credits from an account you hold, to a member or the pot; coordinators grant from the pot."""
    view = acting.give_as(
        engine, tb, caller, body.from_account_id, body.to_account_id, body.minutes, body.note, key
    )
    return transaction_out(view)
