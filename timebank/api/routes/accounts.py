"""Accounts: balance and counters, the statement with its running balance, and limits."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from timebank.accounts.reading import change_limits, limit_changes, read_account, read_statement
from timebank.accounts.views import AccountView
from timebank.api.deps import CallerDep, CursorQuery, EngineDep, IdPath, LimitQuery, TimebankPath
from timebank.api.edge import JsonRoute
from timebank.api.schemas import AccountOut, LimitsUpdate, StatementLineOut, StatementOut

__all__ = ["router"]

router = APIRouter(prefix="/v1/timebanks/{tb}/accounts", tags=["accounts"], route_class=JsonRoute)


class LimitChangeOut(BaseModel):
    floor_minutes_before: int
    cap_minutes_before: int | None
    floor_minutes_after: int
    cap_minutes_after: int | None
    reason: str | None
    changed_by: str
    changed_at: datetime


def _out(view: AccountView) -> AccountOut:
    return AccountOut(
        id=view.account_id,
        timebank_id=view.timebank_id,
        kind=view.kind,  # type: ignore[arg-type]
        name=view.name,
        balance_minutes=view.balance_minutes,
        earned_minutes=view.earned_minutes,
        spent_minutes=view.spent_minutes,
        floor_minutes=view.floor_minutes,
        cap_minutes=view.cap_minutes,
        version=view.version,
    )


@router.get("/{account_id}", operation_id="get_account", response_model=AccountOut)
def get(tb: TimebankPath, account_id: IdPath, engine: EngineDep, caller: CallerDep) -> AccountOut:
    """Read an account's balance, counters and limits (its holder or a coordinator)."""
    return _out(read_account(engine, tb, caller, account_id))


@router.get("/{account_id}/statement", operation_id="get_statement", response_model=StatementOut)
def get_statement(
    tb: TimebankPath,
    account_id: IdPath,
    engine: EngineDep,
    caller: CallerDep,
    cursor: CursorQuery = None,
    limit: LimitQuery = None,
) -> StatementOut:
    """An account's transfers, newest first, each with the balance after it."""
    page = read_statement(engine, tb, caller, account_id, cursor, limit)
    return StatementOut(
        account_id=page.account_id,
        balance_minutes=page.balance_minutes,
        lines=[StatementLineOut.model_validate(line.to_json()) for line in page.lines],
        next_cursor=page.next_cursor,
    )


@router.put("/{account_id}/limits", operation_id="set_limits", response_model=AccountOut)
def put_limits(
    tb: TimebankPath, account_id: IdPath, body: LimitsUpdate, engine: EngineDep, caller: CallerDep
) -> AccountOut:
    """Set an account's floor and cap, with a reason (coordinator); refused if the balance is outside."""
    return _out(
        change_limits(engine, tb, caller, account_id, body.floor_minutes, body.cap_minutes, body.reason)
    )


@router.get(
    "/{account_id}/limit-changes", operation_id="list_limit_changes", response_model=list[LimitChangeOut]
)
def get_limit_changes(
    tb: TimebankPath, account_id: IdPath, engine: EngineDep, caller: CallerDep
) -> list[LimitChangeOut]:
    """The log of an account's limit changes: before, after, by whom, when and why."""
    return [LimitChangeOut(**vars(change)) for change in limit_changes(engine, tb, caller, account_id)]
