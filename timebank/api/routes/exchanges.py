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
from timebank.exchanges.lifecycle import cancel_exchange, confirm_exchange, decline_exchange, record_exchange
from timebank.exchanges.listing import ExchangePage, list_exchanges, read_exchange
from timebank.exchanges.requests import RecordExchange, ReverseExchange
from timebank.exchanges.reversals import reverse_exchange
from timebank.exchanges.views import ExchangeView, TransactionView
from timebank.fields import ID_MAX
from timebank.ledger.types import ExchangeStatus

__all__ = ["router"]

router = APIRouter(prefix="/v1/timebanks/{tb}/exchanges", tags=["exchanges"], route_class=JsonRoute)


@router.post("", operation_id="record_exchange", status_code=201, response_model=ExchangeView)
def record(
    tb: TimebankPath, body: RecordExchange, key: IdempotencyKeyHeader, engine: EngineDep, caller: CallerDep
) -> ExchangeView:
    """Record help given: by its receiver or a coordinator it posts at once; by its giver it waits."""
    return record_exchange(engine, tb, caller, body, idempotency_key=key)


@router.get("", operation_id="list_exchanges", response_model=ExchangePage)
def list_page(
    tb: TimebankPath,
    engine: EngineDep,
    caller: CallerDep,
    status: ExchangeStatus | None = None,
    account_id: Annotated[int | None, Query(ge=1, le=ID_MAX)] = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = None,
) -> ExchangePage:
    """List exchanges newest first, by status and account (yours, or any for a coordinator)."""
    return list_exchanges(
        engine, tb, caller, status=status, account_id=account_id, cursor=cursor, limit=limit
    )


@router.get("/{exchange_id}", operation_id="get_exchange", response_model=ExchangeView)
def get(tb: TimebankPath, exchange_id: IdPath, engine: EngineDep, caller: CallerDep) -> ExchangeView:
    """Read an exchange you took part in (any, for a coordinator)."""
    return read_exchange(engine, tb, caller, exchange_id)


@router.post("/{exchange_id}/confirm", operation_id="confirm_exchange", response_model=ExchangeView)
def confirm(
    tb: TimebankPath, exchange_id: IdPath, key: IdempotencyKeyHeader, engine: EngineDep, caller: CallerDep
) -> ExchangeView:
    """Confirm a pending exchange; the last confirmation posts it."""
    return confirm_exchange(engine, tb, caller, exchange_id, idempotency_key=key)


@router.post("/{exchange_id}/decline", operation_id="decline_exchange", response_model=ExchangeView)
def decline(tb: TimebankPath, exchange_id: IdPath, engine: EngineDep, caller: CallerDep) -> ExchangeView:
    """Decline a pending exchange that awaits your confirmation."""
    return decline_exchange(engine, tb, caller, exchange_id)


@router.post("/{exchange_id}/cancel", operation_id="cancel_exchange", response_model=ExchangeView)
def cancel(tb: TimebankPath, exchange_id: IdPath, engine: EngineDep, caller: CallerDep) -> ExchangeView:
    """Withdraw a pending exchange you recorded."""
    return cancel_exchange(engine, tb, caller, exchange_id)


@router.post(
    "/{exchange_id}/reverse", operation_id="reverse_exchange", status_code=201, response_model=TransactionView
)
def reverse(
    tb: TimebankPath,
    exchange_id: IdPath,
    body: ReverseExchange,
    key: IdempotencyKeyHeader,
    engine: EngineDep,
    caller: CallerDep,
) -> TransactionView:
    """Correct a confirmed exchange by posting its reversal, with a reason (coordinator)."""
    return reverse_exchange(engine, tb, caller, exchange_id, body, idempotency_key=key)
