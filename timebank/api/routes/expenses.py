"""Expenses: an organisation repays a member's costs at cost, against a receipt or a mileage sum (B2).

Money in whole pence, never more than its evidence, in a table of its own: nothing here touches
the credit ledger, and no credit is ever turned into money or money into credits (B1). Recording
one repays real money, so it takes an ``Idempotency-Key`` and is answered the same when sent again.
"""

from __future__ import annotations

from fastapi import APIRouter

from timebank.api.deps import CallerDep, EngineDep, IdempotencyKeyHeader, IdPath, TimebankPath
from timebank.api.edge import JsonRoute
from timebank.api.involvement_schemas import ExpenseCreate, ExpenseOut, ReceiptIn
from timebank.benefits.money import Evidence, Mileage, Receipt
from timebank.involvement.expenses import record_expense

__all__ = ["router"]

router = APIRouter(
    prefix="/v1/timebanks/{tb}/organisations/{organisation_id}/expenses",
    tags=["expenses"],
    route_class=JsonRoute,
)


@router.post("", operation_id="record_expense", status_code=201, response_model=ExpenseOut)
def record(
    tb: TimebankPath,
    organisation_id: IdPath,
    body: ExpenseCreate,
    key: IdempotencyKeyHeader,
    engine: EngineDep,
    caller: CallerDep,
) -> ExpenseOut:
    """Record an expense repaid to a member, with its evidence (the organisation's staff or a coordinator)."""
    given = body.evidence
    evidence: Evidence = (
        Receipt(given.reference, given.evidenced_pence)
        if isinstance(given, ReceiptIn)
        else Mileage(given.journey, given.miles, given.pence_per_mile)
    )
    view = record_expense(
        engine,
        tb,
        caller,
        organisation_id,
        body.account_id,
        body.amount_pence,
        evidence,
        body.description,
        body.incurred_on,
        activity_id=body.activity_id,
        idempotency_key=key,
    )
    return ExpenseOut(
        id=view.expense_id,
        organisation_id=view.organisation_id,
        account_id=view.account_id,
        activity_id=view.activity_id,
        incurred_on=view.incurred_on,
        description=view.description,
        amount_pence=view.amount_pence,
        evidence_kind=view.evidence_kind,
        evidenced_pence=view.evidenced_pence,
    )
