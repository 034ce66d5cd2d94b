"""Expenses: an organisation repays a member's costs at cost, against a receipt or a mileage sum (B2).

Money in whole pence, never more than its evidence, in a table of its own: nothing here touches
the credit ledger, and no credit is ever turned into money or money into credits (B1). Recording
one repays real money, so it takes an ``Idempotency-Key`` and is answered the same when sent again.
"""

from __future__ import annotations

from fastapi import APIRouter

from timebank.api.deps import CallerDep, EngineDep, IdempotencyKeyHeader, IdPath, TimebankPath
from timebank.api.edge import JsonRoute
from timebank.involvement.expenses import record_expense
from timebank.involvement.requests import RecordExpense
from timebank.involvement.views import ExpenseView

__all__ = ["router"]

router = APIRouter(
    prefix="/v1/timebanks/{tb}/organisations/{organisation_id}/expenses",
    tags=["expenses"],
    route_class=JsonRoute,
)


@router.post("", operation_id="record_expense", status_code=201, response_model=ExpenseView)
def record(
    tb: TimebankPath,
    organisation_id: IdPath,
    body: RecordExpense,
    key: IdempotencyKeyHeader,
    engine: EngineDep,
    caller: CallerDep,
) -> ExpenseView:
    """Record an expense repaid to a member, with its evidence (the organisation's staff or a coordinator)."""
    return record_expense(engine, tb, caller, organisation_id, body, idempotency_key=key)
