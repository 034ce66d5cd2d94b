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
from timebank.api.involvement_schemas import (
    SpendCreate,
    SpendOptionCreate,
    SpendOptionOut,
    SpendOptionPageOut,
    SpendOut,
)
from timebank.api.schemas import ID_MAX
from timebank.benefits.spending import SpendClass
from timebank.spending import spends as service
from timebank.spending.views import SpendOptionView

__all__ = ["router"]

router = APIRouter(prefix="/v1/timebanks/{tb}", tags=["spend options"], route_class=JsonRoute)

OrganisationQuery = Annotated[
    int | None, Query(ge=1, le=ID_MAX, description="Only this organisation's options.")
]
WithdrawnQuery = Annotated[
    bool,
    Query(description="Include withdrawn options (the organisation's staff, or a coordinator)."),
]


def _out(view: SpendOptionView) -> SpendOptionOut:
    return SpendOptionOut(
        id=view.spend_option_id,
        organisation_id=view.organisation_id,
        title=view.title,
        minutes=view.minutes,
        spend_class=view.spend_class,
        spend_class_label=SpendClass(view.spend_class).label,
        active=view.active,
    )


@router.post(
    "/organisations/{organisation_id}/spend-options",
    operation_id="create_spend_option",
    status_code=201,
    response_model=SpendOptionOut,
)
def create(
    tb: TimebankPath, organisation_id: IdPath, body: SpendOptionCreate, engine: EngineDep, caller: CallerDep
) -> SpendOptionOut:
    """Offer something to spend credits on, with its class (the organisation's staff or a coordinator)."""
    view = service.create_spend_option(
        engine, tb, caller, organisation_id, body.title, body.minutes, body.spend_class
    )
    return _out(view)


@router.get("/spend-options", operation_id="list_spend_options", response_model=SpendOptionPageOut)
def list_page(
    tb: TimebankPath,
    engine: EngineDep,
    caller: CallerDep,
    organisation_id: OrganisationQuery = None,
    include_withdrawn: WithdrawnQuery = False,
    cursor: CursorQuery = None,
    limit: LimitQuery = None,
) -> SpendOptionPageOut:
    """List what members can spend credits on (every member sees the active options)."""
    page = service.list_spend_options(
        engine,
        tb,
        caller,
        organisation_id,
        include_withdrawn=include_withdrawn,
        cursor=cursor,
        limit=limit,
    )
    return SpendOptionPageOut(spend_options=[_out(o) for o in page.options], next_cursor=page.next_cursor)


@router.post(
    "/spend-options/{spend_option_id}/withdraw",
    operation_id="withdraw_spend_option",
    response_model=SpendOptionOut,
)
def withdraw(
    tb: TimebankPath, spend_option_id: IdPath, engine: EngineDep, caller: CallerDep
) -> SpendOptionOut:
    """Stop offering an option; spends already made stay (the organisation's staff or a coordinator)."""
    return _out(service.withdraw_spend_option(engine, tb, caller, spend_option_id))


@router.post(
    "/spend-options/{spend_option_id}/spends",
    operation_id="spend_credits",
    status_code=201,
    response_model=SpendOut,
)
def spend(
    tb: TimebankPath,
    spend_option_id: IdPath,
    body: SpendCreate,
    key: IdempotencyKeyHeader,
    engine: EngineDep,
    caller: CallerDep,
) -> SpendOut:
    """Spend credits on an option (the member, or a coordinator for them)."""
    view = service.spend_credits(
        engine,
        tb,
        caller,
        spend_option_id,
        body.account_id,
        acknowledgement=body.acknowledgement,
        idempotency_key=key,
    )
    return SpendOut(
        id=view.spend_id,
        spend_option_id=view.spend_option_id,
        organisation_id=view.organisation_id,
        account_id=view.account_id,
        exchange_id=view.exchange_id,
        transaction_id=view.transaction_id,
        minutes=view.minutes,
        spend_class=view.spend_class,
        acknowledged=view.acknowledged,
        spent_at=view.spent_at,
        balance_minutes=view.balance_minutes,
    )
