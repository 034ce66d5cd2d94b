"""Exchanges: record under the consent rule, confirm, decline, cancel, reverse, and list."""

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
from timebank.api.schemas import (
    ID_MAX,
    ExchangeCreate,
    ExchangeOut,
    ExchangePageOut,
    ReceiverOut,
    ReverseRequest,
    TransactionOut,
)
from timebank.api.transactions import transaction_out
from timebank.exchanges import acting
from timebank.exchanges.listing import list_exchanges, read_exchange
from timebank.exchanges.views import ExchangeView
from timebank.ledger.types import ExchangeStatus, ReceiverShare

__all__ = ["router"]

router = APIRouter(prefix="/v1/timebanks/{tb}/exchanges", tags=["exchanges"], route_class=JsonRoute)


def _out(view: ExchangeView) -> ExchangeOut:
    return ExchangeOut(
        id=view.exchange_id,
        status=view.status,  # type: ignore[arg-type]
        giver_account_id=view.giver_account_id,
        receivers=[ReceiverOut(account_id=a, minutes=m) for a, m in view.receivers],
        activity_date=view.activity_date,  # type: ignore[arg-type]
        description=view.description,
        category=view.category,
        transaction_id=view.transaction_id,
        awaiting_consent_from=list(view.awaiting_consent_from),
        reversal_transaction_id=view.reversal_transaction_id,
        reversal_reason=view.reversal_reason,
    )


@router.post("", operation_id="record_exchange", status_code=201, response_model=ExchangeOut)
def record(
    tb: TimebankPath, body: ExchangeCreate, key: IdempotencyKeyHeader, engine: EngineDep, caller: CallerDep
) -> ExchangeOut:
    """Record help given: by its receiver or a coordinator it posts at once; by its giver it waits."""
    view = acting.record_as(
        engine,
        tb,
        caller,
        body.giver_account_id,
        [ReceiverShare(r.account_id, r.minutes) for r in body.receivers],
        body.activity_date,
        body.description,
        body.category,
        key,
    )
    return _out(view)


@router.get("", operation_id="list_exchanges", response_model=ExchangePageOut)
def list_page(
    tb: TimebankPath,
    engine: EngineDep,
    caller: CallerDep,
    status: ExchangeStatus | None = None,
    account_id: Annotated[int | None, Query(ge=1, le=ID_MAX)] = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = None,
) -> ExchangePageOut:
    """List exchanges newest first, by status and account (yours, or any for a coordinator)."""
    page = list_exchanges(
        engine, tb, caller, status=status, account_id=account_id, cursor=cursor, limit=limit
    )
    return ExchangePageOut(exchanges=[_out(e) for e in page.exchanges], next_cursor=page.next_cursor)


@router.get("/{exchange_id}", operation_id="get_exchange", response_model=ExchangeOut)
def get(tb: TimebankPath, exchange_id: IdPath, engine: EngineDep, caller: CallerDep) -> ExchangeOut:
    """Read an exchange you took part in (any, for a coordinator)."""
    return _out(read_exchange(engine, tb, caller, exchange_id))


@router.post("/{exchange_id}/confirm", operation_id="confirm_exchange", response_model=ExchangeOut)
def confirm(
    tb: TimebankPath, exchange_id: IdPath, key: IdempotencyKeyHeader, engine: EngineDep, caller: CallerDep
) -> ExchangeOut:
    """Confirm a pending exchange; the last confirmation posts it."""
    return _out(acting.confirm_as(engine, tb, caller, exchange_id, key))


@router.post("/{exchange_id}/decline", operation_id="decline_exchange", response_model=ExchangeOut)
def decline(tb: TimebankPath, exchange_id: IdPath, engine: EngineDep, caller: CallerDep) -> ExchangeOut:
    """Decline a pending exchange that awaits your confirmation."""
    return _out(acting.decline_as(engine, tb, caller, exchange_id))


@router.post("/{exchange_id}/cancel", operation_id="cancel_exchange", response_model=ExchangeOut)
def cancel(tb: TimebankPath, exchange_id: IdPath, engine: EngineDep, caller: CallerDep) -> ExchangeOut:
    """Withdraw a pending exchange you recorded."""
    return _out(acting.cancel_as(engine, tb, caller, exchange_id))


@router.post(
    "/{exchange_id}/reverse", operation_id="reverse_exchange", status_code=201, response_model=TransactionOut
)
def reverse(
    tb: TimebankPath,
    exchange_id: IdPath,
    body: ReverseRequest,
    key: IdempotencyKeyHeader,
    engine: EngineDep,
    caller: CallerDep,
) -> TransactionOut:
    """Correct a confirmed exchange by posting its reversal, with a reason (coordinator)."""
    return transaction_out(acting.reverse_as(engine, tb, caller, exchange_id, body.reason, key))
