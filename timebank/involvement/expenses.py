"""Expenses: costs a member paid, repaid by an organisation at cost against evidence (DESIGN B2).

An expense is whole pence with its evidence: a receipt (its reference and the amount it shows) or a
mileage calculation (the journey, whole miles, pence per mile). It is never more than its evidence
and never without it (``timebank.benefits.money``; the database checks the same). Genuine expenses
repaid like this are disregarded for benefits, so no benefit guard stands in the way, but each is
audited. Expenses are money: they never touch the credit ledger.

A coordinator, or whoever acts for the repaying organisation, records one. Naming an activity ties
the expense to it; the activity must be that organisation's.
"""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy import Engine

from timebank.benefits.errors import benefit_rules
from timebank.benefits.money import Evidence, Expense, Mileage, Receipt
from timebank.clock import utc_now
from timebank.db.repositories import ExpenseRecord
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.errors import ActivityNotFound
from timebank.exchanges.idempotency import once
from timebank.involvement.activities import check_acts_for
from timebank.involvement.audit import AuditAction, AuditTrail
from timebank.involvement.errors import MemberAccountRequired
from timebank.involvement.requests import RecordExpense
from timebank.involvement.views import ExpenseView
from timebank.ledger import rules
from timebank.ledger.limits import DESCRIPTION_LENGTH_MAX, NAME_LENGTH_MAX
from timebank.ledger.types import AccountKind
from timebank.people.callers import Caller
from timebank.people.tenancy import not_found_before_refused

__all__ = ["record_expense"]


def _check_texts(description: str, evidence: Evidence | None) -> None:
    rules.check_text("description", description, DESCRIPTION_LENGTH_MAX)
    if isinstance(evidence, Receipt):
        rules.check_text("receipt reference", evidence.reference, NAME_LENGTH_MAX)
    elif isinstance(evidence, Mileage):
        rules.check_text("journey", evidence.journey, DESCRIPTION_LENGTH_MAX)


def _record(
    organisation_id: int, account_id: int, activity_id: int | None, expense: Expense
) -> ExpenseRecord:
    evidence = expense.evidence
    assert evidence is not None  # an Expense without evidence cannot be made
    receipt = evidence if isinstance(evidence, Receipt) else None
    mileage = evidence if isinstance(evidence, Mileage) else None
    return ExpenseRecord(
        expense_id=None,
        organisation_id=organisation_id,
        account_id=account_id,
        activity_id=activity_id,
        incurred_on=expense.incurred_on,
        description=expense.description,
        amount_pence=expense.amount_pence,
        evidence_kind="receipt" if receipt else "mileage",
        evidenced_pence=evidence.evidenced_pence,
        receipt_reference=None if receipt is None else receipt.reference.strip(),
        journey=None if mileage is None else mileage.journey.strip(),
        miles=None if mileage is None else mileage.miles,
        pence_per_mile=None if mileage is None else mileage.pence_per_mile,
    )


def record_expense(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    organisation_id: int,
    request: RecordExpense,
    *,
    idempotency_key: str | None = None,
) -> ExpenseView:
    """Record an expense the organisation repays to the member, checked against its evidence."""
    caller.check_timebank(timebank_id)
    account_id, activity_id = request.account_id, request.activity_id
    # An expense sent without its evidence reaches the benefits core, which names the rule broken.
    evidence = None if request.evidence is None else request.evidence.evidence()
    _check_texts(request.description, evidence)
    with benefit_rules():
        expense = Expense(request.incurred_on, request.description.strip(), request.amount_pence, evidence)

    def work(uow: UnitOfWork) -> ExpenseView:
        uow.timebanks.get(timebank_id)
        organisation = uow.organisations.get(timebank_id, organisation_id)
        activity_ids = [] if activity_id is None else [activity_id]
        with not_found_before_refused(uow, timebank_id, account_ids=[account_id], activity_ids=activity_ids):
            check_acts_for(caller, organisation)
        if uow.accounts.get(timebank_id, account_id).kind is not AccountKind.MEMBER:
            raise MemberAccountRequired(f"Expenses are repaid to members; account {account_id} is not one")
        if activity_id is not None:
            activity = uow.activities.get(timebank_id, activity_id)
            if activity.organisation_id != organisation_id:
                raise ActivityNotFound(f"Activity {activity_id} is not this organisation's")
        record = _record(organisation_id, account_id, activity_id, expense)
        expense_id = uow.money.insert_expense(timebank_id, record, caller.caller, utc_now())
        trail = AuditTrail(caller.caller)
        trail.add(
            AuditAction.EXPENSE_RECORDED,
            account_id,
            expense_id=expense_id,
            activity_id=activity_id,
            amount_pence=record.amount_pence,
            evidenced_pence=record.evidenced_pence,
            evidence=record.evidence_kind,
        )
        trail.write(uow, timebank_id)
        return ExpenseView(
            expense_id=expense_id,
            organisation_id=organisation_id,
            account_id=account_id,
            activity_id=activity_id,
            incurred_on=record.incurred_on,
            description=record.description,
            amount_pence=record.amount_pence,
            evidence_kind=record.evidence_kind,
            evidenced_pence=record.evidenced_pence,
        )

    # What a replay is compared with: the request as the first version of the use case wrote it.
    replayed_as = {
        "organisation_id": organisation_id,
        "account_id": account_id,
        "amount_pence": request.amount_pence,
        "evidence": None if evidence is None else {"kind": type(evidence).__name__, **asdict(evidence)},
        "description": request.description,
        "incurred_on": request.incurred_on,
        "activity_id": activity_id,
    }

    def use_case(uow: UnitOfWork) -> ExpenseView:
        view = once(
            uow,
            timebank_id,
            caller.caller,
            idempotency_key,
            "record_expense",
            replayed_as,
            ExpenseView,
            lambda: work(uow),
        )
        uow.commit()
        return view

    return run(engine, use_case)
