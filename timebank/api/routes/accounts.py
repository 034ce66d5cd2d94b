"""Accounts: balance and counters, the statement with its running balance, and limits."""

from __future__ import annotations

from fastapi import APIRouter

from timebank.accounts.accounts import change_limits, limit_changes, read_account
from timebank.accounts.requests import ChangeLimits
from timebank.accounts.statements import read_statement
from timebank.accounts.views import AccountView, LimitChange, StatementPage
from timebank.api.deps import CallerDep, CursorQuery, EngineDep, IdPath, LimitQuery, TimebankPath
from timebank.api.edge import JsonRoute

__all__ = ["router"]

router = APIRouter(prefix="/v1/timebanks/{tb}/accounts", tags=["accounts"], route_class=JsonRoute)


@router.get("/{account_id}", operation_id="get_account", response_model=AccountView)
def get(tb: TimebankPath, account_id: IdPath, engine: EngineDep, caller: CallerDep) -> AccountView:
    """Read an account's balance, counters and limits (its holder or a coordinator)."""
    return read_account(engine, tb, caller, account_id)


@router.get("/{account_id}/statement", operation_id="get_statement", response_model=StatementPage)
def get_statement(
    tb: TimebankPath,
    account_id: IdPath,
    engine: EngineDep,
    caller: CallerDep,
    cursor: CursorQuery = None,
    limit: LimitQuery = None,
) -> StatementPage:
    """An account's transfers, newest first, each with the balance after it."""
    return read_statement(engine, tb, caller, account_id, cursor, limit)


@router.put("/{account_id}/limits", operation_id="set_limits", response_model=AccountView)
def put_limits(
    tb: TimebankPath, account_id: IdPath, body: ChangeLimits, engine: EngineDep, caller: CallerDep
) -> AccountView:
    """Set an account's floor and cap, with a reason (coordinator); refused if the balance is outside."""
    return change_limits(engine, tb, caller, account_id, body)


@router.get(
    "/{account_id}/limit-changes", operation_id="list_limit_changes", response_model=list[LimitChange]
)
def get_limit_changes(
    tb: TimebankPath, account_id: IdPath, engine: EngineDep, caller: CallerDep
) -> list[LimitChange]:
    """The log of an account's limit changes: before, after, by whom, when and why."""
    return limit_changes(engine, tb, caller, account_id)
