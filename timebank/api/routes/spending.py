"""Spend options: what an organisation offers for time credits, and spending credits on one (B5).

Each option carries a class: another member's time, a community activity, goods, or a voucher.
Spending is a confirmed exchange from the member's account to the organisation's, so it takes an
``Idempotency-Key``. Goods and vouchers are the risky classes: for a member who declared benefits
they are refused (``spend_acknowledgement_required``) unless the member's acknowledgement comes
with the request. Every check, acknowledgement and refusal is audited.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

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
from timebank.fields import ID_MAX
from timebank.spending.requests import CreateSpendOption, SpendCredits
from timebank.spending.spends import (
    create_spend_option,
    list_spend_options,
    spend_credits,
    withdraw_spend_option,
)
from timebank.spending.views import SpendOptionPage, SpendOptionView, SpendView

__all__ = ["router"]

router = APIRouter(prefix="/v1/timebanks/{tb}", tags=["spend options"], route_class=JsonRoute)

OrganisationQuery = Annotated[
    int | None, Query(ge=1, le=ID_MAX, description="Only this organisation's options.")
]
WithdrawnQuery = Annotated[
    bool,
    Query(description="Include withdrawn options (the organisation's staff, or a coordinator)."),
]


@router.post(
    "/organisations/{organisation_id}/spend-options",
    operation_id="create_spend_option",
    status_code=201,
    response_model=SpendOptionView,
)
def create(
    tb: TimebankPath, organisation_id: IdPath, body: CreateSpendOption, engine: EngineDep, caller: CallerDep
) -> SpendOptionView:
    """Offer something to spend credits on, with its class (the organisation's staff or a coordinator)."""
    return create_spend_option(engine, tb, caller, organisation_id, body)


@router.get("/spend-options", operation_id="list_spend_options", response_model=SpendOptionPage)
def list_page(
    tb: TimebankPath,
    engine: EngineDep,
    caller: CallerDep,
    organisation_id: OrganisationQuery = None,
    include_withdrawn: WithdrawnQuery = False,
    cursor: CursorQuery = None,
    limit: LimitQuery = None,
) -> SpendOptionPage:
    """List what members can spend credits on (every member sees the active options)."""
    return list_spend_options(
        engine, tb, caller, organisation_id, include_withdrawn=include_withdrawn, cursor=cursor, limit=limit
    )


@router.post(
    "/spend-options/{spend_option_id}/withdraw",
    operation_id="withdraw_spend_option",
    response_model=SpendOptionView,
)
def withdraw(
    tb: TimebankPath, spend_option_id: IdPath, engine: EngineDep, caller: CallerDep
) -> SpendOptionView:
    """Stop offering an option; spends already made stay (the organisation's staff or a coordinator)."""
    return withdraw_spend_option(engine, tb, caller, spend_option_id)


@router.post(
    "/spend-options/{spend_option_id}/spends",
    operation_id="spend_credits",
    status_code=201,
    response_model=SpendView,
)
def spend(
    tb: TimebankPath,
    spend_option_id: IdPath,
    body: SpendCredits,
    key: IdempotencyKeyHeader,
    engine: EngineDep,
    caller: CallerDep,
) -> SpendView:
    """Spend credits on an option (the member, or a coordinator for them)."""
    return spend_credits(engine, tb, caller, spend_option_id, body, idempotency_key=key)
