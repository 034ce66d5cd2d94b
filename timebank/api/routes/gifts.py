"""Giving credits: member to member, a donation to the pot, or a grant from it (coordinator)."""

from __future__ import annotations

from fastapi import APIRouter

from timebank.api.deps import CallerDep, EngineDep, IdempotencyKeyHeader, TimebankPath
from timebank.api.edge import JsonRoute
from timebank.exchanges.gifts import give_credits
from timebank.exchanges.requests import GiveCredits
from timebank.exchanges.views import TransactionView

__all__ = ["router"]

router = APIRouter(prefix="/v1/timebanks/{tb}/gifts", tags=["gifts"], route_class=JsonRoute)


@router.post("", operation_id="give_credits", status_code=201, response_model=TransactionView)
def give(
    tb: TimebankPath, body: GiveCredits, key: IdempotencyKeyHeader, engine: EngineDep, caller: CallerDep
) -> TransactionView:
    """Give credits from an account you hold, to a member or the pot; coordinators grant from the pot."""
    return give_credits(engine, tb, caller, body, idempotency_key=key)
